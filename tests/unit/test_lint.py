"""The full lint: graph, unused declarations, and examples the matcher would misread."""

from __future__ import annotations

from rehearse.engine.compile.loader import script_from_text
from rehearse.engine.compile.matchlint import lint_matching
from rehearse.engine.model import Persona

from .helpers import MINI

GOOD = (MINI / "mini.yaml").read_text()
BOSS = Persona(id="pat", name="Pat")


def findings(text: str) -> dict[str, list[str]]:
    script, report = script_from_text(text, "s.yaml")
    if script is not None:
        lint_matching(script, BOSS, report)
    out: dict[str, list[str]] = {}
    for d in report.items:
        out.setdefault(d.code, []).append(d.message)
    return out


def test_the_fixture_is_clean() -> None:
    assert findings(GOOD) == {}


LOOP = """
  loop_a:
    boss: a
    hint: h
    model: m
    replies:
      go:
        say: ["go on to b", "next one please", "carry on", "onwards to b"]
        next: loop_b
  loop_b:
    boss: b
    hint: h
    model: m
    replies:
      back:
        say: ["back to a", "return please", "again from a", "once more a"]
        next: loop_a
"""


def test_unreachable_nodes_and_endings() -> None:
    found = findings(GOOD + LOOP.replace("loop_a:", "orphan_a:", 1).replace("next: loop_a", "next: orphan_a"))
    assert any("node 'orphan_a' is unreachable" in m for m in found["W110"])
    text = GOOD.replace("        next: blew_it\n  pushback:", "        next: recover\n  pushback:")
    text = text.replace(
        '      no:\n        kind: deny\n        say: ["no I am not sure"',
        '      no:\n        kind: deny\n        say: ["no I am not sure"',
    )
    text = text.replace("        next: blew_it\n  agreed_q:", "        next: recover\n  agreed_q:")
    found = findings(text)
    assert any("ending 'blew_it' (fail) is unreachable" in m for m in found["W110"])


def test_dead_end_node_is_an_error() -> None:
    text = GOOD + LOOP.replace("next: loop_b", "next: loop_a")
    text = text.replace(
        "        coach: Talk about yourself, not Bob.\n        next: recover",
        "        coach: Talk about yourself, not Bob.\n        next: loop_a",
    )
    found = findings(text)
    assert any("node 'loop_a' is a dead end" in m for m in found["R111"])


def test_no_ending_reachable_is_a_warning() -> None:
    text = GOOD + LOOP
    text = text.replace(
        "        coach: Talk about yourself, not Bob.\n        next: recover",
        "        coach: Talk about yourself, not Bob.\n        next: loop_a",
    )
    found = findings(text)
    assert sorted(found["W112"]) == [
        "no ending can be reached from node 'loop_a'",
        "no ending can be reached from node 'loop_b'",
    ]


def test_unused_variable_and_rubric_dimension() -> None:
    text = GOOD.replace("vars: {role: lead}", "vars: {role: lead, team: ops}").replace(
        "  grace: Be kind about colleagues.",
        "  grace: Be kind about colleagues.\n  evidence: Unused.",
    )
    found = findings(text)
    assert found["W120"] == ["variable 'team' is declared but no text uses it"]
    assert found["W122"] == ["rubric dimension 'evidence' is never scored by any reply"]


def test_colliding_examples_name_the_other_reply() -> None:
    text = GOOD.replace('"Bob keeps messing up the releases"', '"I want to be considered for the lead job"')
    found = findings(text)
    assert any("example of 'knock_peer' at node 'opening'" in m and "'want'" in m for m in found["W130"])


def test_example_ruled_out_by_its_own_forbid_list() -> None:
    text = GOOD.replace("        keywords: [bob]\n", "        keywords: [bob]\n        forbid: [lazy]\n")
    found = findings(text)
    assert any("'knock_peer'" in m and "forbidden word 'lazy'" in m for m in found["W131"])


def test_a_criterion_written_as_a_claim_is_flagged_and_advice_is_not() -> None:
    claim = findings(GOOD.replace("  grace: Be kind about colleagues.", "  grace: You thanked your boss."))
    assert claim["W123"] == [
        "the criterion of rubric dimension 'grace' is written as a claim about what happened"
    ]
    for advice in ("Thank your boss.", "Your thanks should come first.", "You should thank your boss."):
        clean = findings(GOOD.replace("  grace: Be kind about colleagues.", f"  grace: {advice}"))
        assert "W123" not in clean, advice


def test_both_criterion_and_its_old_name_is_a_warning() -> None:
    text = GOOD.replace(
        "    criterion: Say plainly what you want.",
        "    criterion: Say plainly what you want.\n    description: Old.",
    )
    assert findings(text)["W124"] == ["'description' is the old name of 'criterion': keep one"]
