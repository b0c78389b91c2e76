"""rehearse.engine.compile.graph: the script as Mermaid and DOT text, with trouble marked."""

from __future__ import annotations

import re
from typing import Any

import pytest

from rehearse.engine.compile import graph
from rehearse.engine.diagnostics import Loc
from rehearse.engine.model import Lines, NextRule, Node, Reply, Script, Variant, frozen_map
from rehearse.engine.templating import Condition, Text

from .helpers import bundled_catalog, mini_catalog


def make_script(nodes: dict[str, dict[str, Any]], start: str = "opening") -> Script:
    """A Script straight from the model.

    nodes: {node: {boss, end, replies: {reply: target | [(when, to)]}}}
    """
    built = {}
    for node_id, spec in nodes.items():
        boss = spec.get("boss", f"line at {node_id}")
        variants = tuple(
            Variant(Text(b), None) if isinstance(b, str) else Variant(Text(b[1]), Condition(b[0]))
            for b in (boss if isinstance(boss, list) else [boss])
        )
        replies = []
        for reply_id, target in spec.get("replies", {}).items():
            rules = (
                (NextRule(target),)
                if isinstance(target, str)
                else tuple(NextRule(to, Condition(when) if when else None) for when, to in target)
            )
            replies.append(
                Reply(
                    reply_id,
                    (Text(f"say {reply_id}"),),
                    label=Text(f"Label {reply_id}"),
                    next=rules,
                )
            )
        built[node_id] = Node(
            node_id, Lines(variants), replies=tuple(replies), end=spec.get("end"), loc=Loc("t.yaml")
        )
    return Script(
        id="t",
        title="T",
        situation=Text("s"),
        goal=Text("g"),
        personas=("pat",),
        vars=frozen_map({}),
        rubric=frozen_map({}),
        start=start,
        nodes=frozen_map(built),
    )


TROUBLED = make_script(
    {
        "opening": {
            "boss": 'Hi "you" [x] (y) {{ user.name }} <b>#1; a|b & `c`',
            "replies": {
                "go": "middle",
                "loop": "stuck",
                "branchy": [("visits.middle > 0", "won"), (None, "lost")],
            },
        },
        "middle": {"replies": {"finish": "won", "meh": "meh_end"}},
        "stuck": {"replies": {"again": "stuck"}},
        "spin_a": {"replies": {"to_b": "spin_b"}},
        "spin_b": {"replies": {"to_a": "spin_a"}},
        "won": {"end": "success", "boss": "Great."},
        "meh_end": {"end": "partial", "boss": "Okay."},
        "lost": {"end": "fail", "boss": "No."},
        "orphan_end": {"end": "fail", "boss": "Never said."},
    }
)


# -- analysis -------------------------------------------------------------------------------


def test_analyse_finds_unreachable_nodes_and_dead_ends() -> None:
    shape = graph.analyse(TROUBLED)
    assert shape.unreachable == {"spin_a", "spin_b", "orphan_end"}
    # stuck only loops on itself; spin_a and spin_b loop on each other: no ending from there.
    assert shape.dead_ends == {"stuck", "spin_a", "spin_b"}
    assert shape.reachable == {"opening", "middle", "stuck", "won", "meh_end", "lost"}
    assert not shape.missing


def test_conditional_next_gives_one_edge_per_rule_labelled_with_its_condition() -> None:
    edges = [e for e in graph.edges(TROUBLED) if e.reply == "branchy"]
    assert [(e.target, e.label, e.conditional) for e in edges] == [
        ("won", "branchy if visits.middle > 0", True),
        ("lost", "branchy (otherwise)", True),
    ]
    plain = next(e for e in graph.edges(TROUBLED) if e.reply == "go")
    assert (plain.label, plain.conditional, plain.condition) == ("go", False, None)
    assert next(e for e in graph.edges(TROUBLED, "label") if e.reply == "go").label == "Label go"


def test_excerpt_prefers_the_default_line_and_shortens_it() -> None:
    node = Node(
        "opening",
        Lines(
            (
                Variant(Text("Talk."), Condition("persona.traits.direct")),
                Variant(Text("Hello   there,\n friend")),
            )
        ),
    )
    assert graph.excerpt(node) == "Hello there, friend"
    only_conditional = Node("x", Lines((Variant(Text("Talk."), Condition("persona.traits.direct")),)))
    assert graph.excerpt(only_conditional) == "Talk."
    long = graph.excerpt(Node("e", Lines((Variant(Text("word " * 40)),))))
    assert long.endswith("…") and len(long) <= graph.EXCERPT_CHARS
    assert graph.excerpt(Node("x", Lines())) == ""


def test_missing_targets_are_drawn_as_missing_nodes() -> None:
    script = make_script({"opening": {"replies": {"a": "nowhere"}}})
    shape = graph.analyse(script)
    assert shape.missing == {"nowhere"} and shape.dead_ends == {"opening"}
    assert "class n_nowhere missing" in graph.to_mermaid(script)
    assert '"nowhere" [label="nowhere\\n(no such node)"' in graph.to_dot(script)


# -- Mermaid ----------------------------------------------------------------------------------

QUOTED = r'"[^"]*"'
MERMAID_LINE = re.compile(
    r"^(?:%%.*"
    r"|flowchart TD"
    rf"|    [A-Za-z_][A-Za-z0-9_]*(?:\[{QUOTED}\]|\(\[{QUOTED}\]\)|\(\({QUOTED}\)\))"
    rf"|    [A-Za-z_][A-Za-z0-9_]* (?:-->|-\.->)(?:\|{QUOTED}\|)? [A-Za-z_][A-Za-z0-9_]*"
    r"|    classDef [a-z]+ [^;\n]+"
    r"|    class [A-Za-z0-9_,]+ [a-z]+)$"
)


def assert_valid_mermaid(text: str) -> None:
    lines = text.rstrip("\n").split("\n")
    assert lines[1] == "flowchart TD"
    for line in lines:
        assert MERMAID_LINE.match(line), line
    for label in re.findall(QUOTED, text):
        inner = label[1:-1].replace("<br/>", "")
        assert not set(inner) & set('[](){}<>|`&"'), label
        # every '#' starts an entity code, so no stray '#' or 'x;' pair is read as one
        assert re.fullmatch(r"(?:[^#]|#(?:\d+|[a-z]+);)*", inner), label
    ids = re.findall(r"^    ([A-Za-z_][A-Za-z0-9_]*)[\[(]", text, re.M)
    assert len(ids) == len(set(ids)) and "end" not in ids


def test_mermaid_is_a_flowchart_with_quoted_escaped_labels() -> None:
    text = graph.to_mermaid(TROUBLED)
    assert_valid_mermaid(text)
    assert text.splitlines()[0] == "%% rehearse graph: t"
    opening = next(line for line in text.splitlines() if line.startswith("    n_opening["))
    assert "opening<br/>Hi #quot;you#quot; #91;x#93; #40;y#41; #123;#123; user.name" in opening
    assert "#lt;b#gt;#35;1; a#124;b" in text  # '#1;' would otherwise be read as an entity


def test_mermaid_marks_start_outcomes_and_trouble_with_classes() -> None:
    text = graph.to_mermaid(TROUBLED)
    assert "    start_mark --> n_opening" in text
    assert 'n_won(["won · success<br/>Great."])' in text
    for outcome, colour in (("success", "#c8e6c9"), ("partial", "#ffe0a3"), ("fail", "#ffcdd2")):
        assert f"classDef {outcome} fill:{colour}," in text
    classes = dict(
        (m.group(2), set(m.group(1).split(","))) for m in re.finditer(r"^    class (\S+) (\w+)$", text, re.M)
    )
    assert classes["success"] == {"n_won"} and classes["partial"] == {"n_meh_end"}
    assert classes["fail"] == {"n_lost", "n_orphan_end"}
    assert classes["start"] == {"n_opening"}
    assert classes["unreachable"] == {"n_spin_a", "n_spin_b", "n_orphan_end"}
    assert classes["deadend"] == {"n_stuck", "n_spin_a", "n_spin_b"}
    assert "classDef unreachable stroke-dasharray:5 5" in text
    assert "#40;dead end#41;" in text and "#40;unreachable#41;" in text


def test_mermaid_edges_conditional_ones_dotted() -> None:
    text = graph.to_mermaid(TROUBLED)
    assert '    n_opening -->|"go"| n_middle' in text
    assert '    n_opening -.->|"branchy if visits.middle #gt; 0"| n_won' in text
    assert '    n_opening -.->|"branchy #40;otherwise#41;"| n_lost' in text
    assert '    n_stuck -->|"again"| n_stuck' in text


def test_mermaid_ids_are_safe_and_distinct() -> None:
    script = make_script(
        {
            "opening": {"replies": {"a": "end", "b": "a-b", "c": "a_b", "d": "start_mark"}},
            "end": {"end": "success"},
            "a-b": {"end": "fail"},
            "a_b": {"end": "fail"},
            "start_mark": {"end": "partial"},
        }
    )
    text = graph.to_mermaid(script)
    assert_valid_mermaid(text)
    assert "n_end([" in text and "n_a_b([" in text and "n_a_b_2([" in text
    assert "n_start_mark([" in text and text.count("start_mark((") == 1


# -- DOT --------------------------------------------------------------------------------------

DQ = r'"(?:[^"\\]|\\.)*"'
VALUE = rf"(?:{DQ}|[A-Za-z0-9_.#]+)"
ATTRS = rf"\[(?:[a-z]+={VALUE})(?:, [a-z]+={VALUE})*\]"
DOT_LINE = re.compile(
    rf"^(?://.*|digraph {DQ} \{{|\}}"
    rf"|    (?:graph|node|edge) {ATTRS};"
    rf"|    {DQ} {ATTRS};"
    rf"|    {DQ} -> {DQ}(?: {ATTRS})?;)$"
)


def assert_valid_dot(text: str) -> None:
    lines = text.rstrip("\n").split("\n")
    assert lines[1].startswith("digraph ") and lines[-1] == "}"
    for line in lines:
        assert DOT_LINE.match(line), line
    # A lone backslash could start a DOT escape (\N, \G, \l...): only \\, \" and \n appear.
    for quoted in re.findall(DQ, text):
        assert re.fullmatch(r'"(?:[^\\]|\\[\\"n])*"', quoted), quoted


def test_dot_is_a_digraph_with_escaped_labels() -> None:
    script = make_script(
        {
            "opening": {"boss": 'He said "hi" \\N and\\l {{ x }}', "replies": {"a": "won"}},
            "won": {"end": "success"},
        }
    )
    text = graph.to_dot(script)
    assert_valid_dot(text)
    assert 'label="opening\\nHe said \\"hi\\" \\\\N and\\\\l {{ x }}"' in text


def test_dot_styles_endings_start_and_trouble() -> None:
    text = graph.to_dot(TROUBLED)
    assert_valid_dot(text)
    node = {m.group(1): m.group(2) for m in re.finditer(r'^    "([^"]+)" \[(.*)\];$', text, re.M)}
    assert 'fillcolor="#c8e6c9"' in node["won"] and 'style="rounded,filled"' in node["won"]
    assert 'fillcolor="#ffe0a3"' in node["meh_end"] and 'fillcolor="#ffcdd2"' in node["lost"]
    assert "penwidth=3" in node["opening"]
    assert 'style="rounded,dashed"' in node["spin_a"] and "(unreachable)" in node["spin_a"]
    assert 'color="#c62828"' in node["stuck"] and "(dead end)" in node["stuck"]
    assert "dashed" not in node["middle"]
    assert '    "(start)" -> "opening";' in text
    assert '    "opening" -> "won" [label="branchy if visits.middle > 0", style=dashed];' in text
    assert '    "opening" -> "middle" [label="go"];' in text


def test_render_dispatches_and_rejects_unknown_formats() -> None:
    assert graph.render(TROUBLED, "dot") == graph.to_dot(TROUBLED)
    assert graph.render(TROUBLED) == graph.to_mermaid(TROUBLED)
    with pytest.raises(ValueError, match="unknown graph format"):
        graph.render(TROUBLED, "svg")  # type: ignore[arg-type]


@pytest.mark.parametrize("script_id", sorted(bundled_catalog().scripts))
def test_bundled_scripts_draw_cleanly(script_id: str) -> None:
    script = bundled_catalog().scripts[script_id]
    rules = sum(len(r.next) for n in script.nodes.values() for r in n.replies)
    mermaid = graph.to_mermaid(script)
    dot = graph.to_dot(script)
    assert_valid_mermaid(mermaid)
    assert_valid_dot(dot)
    assert len(re.findall(r"^    n_\w+ -\.?->", mermaid, re.M)) == rules
    assert len(re.findall(r'^    "[^(][^"]*" -> ', dot, re.M)) == rules
    endings = [n for n in script.nodes.values() if n.is_ending]
    assert all(f"{n.id} · {n.end}" in mermaid for n in endings)


def test_the_mini_fixture_has_no_trouble() -> None:
    shape = graph.analyse(mini_catalog().scripts["mini"])
    assert not shape.unreachable and not shape.dead_ends
