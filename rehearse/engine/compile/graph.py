"""A script as a picture: Mermaid or Graphviz DOT text. Pure: no I/O.

Nodes show their id and a short excerpt of the boss's first line; replies are edges
labelled with the reply id (or its menu label); a reply with conditional `next` rules
gives one edge per rule, labelled with its condition. Endings are coloured by outcome,
the start node is marked, and two kinds of trouble are marked for the author:

- unreachable: no chain of `next` targets (conditional or not) leads there from start;
- dead end: a turn node from which no ending can be reached at all (its replies all lead
  back to itself, or into a loop with no exit).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from rehearse.engine.model import Node, Reply, Script

Format = Literal["mermaid", "dot"]
EdgeLabels = Literal["id", "label"]
FORMATS: tuple[Format, ...] = ("mermaid", "dot")

EXCERPT_CHARS = 48
CONDITION_CHARS = 72

# Fill, border and text colours per outcome: green, amber, red.
OUTCOME_COLOURS: Mapping[str, tuple[str, str, str]] = {
    "success": ("#c8e6c9", "#2e7d32", "#1b3d1e"),
    "partial": ("#ffe0a3", "#b26a00", "#4a2c00"),
    "fail": ("#ffcdd2", "#c62828", "#4a0f0f"),
}
TROUBLE_COLOUR = "#c62828"


@dataclass(frozen=True)
class Edge:
    """One way from a node to another: a reply, or one rule of a reply's conditional next."""

    source: str
    target: str
    reply: str
    label: str
    condition: str | None = None  # the rule's `when`; None for an unconditional rule
    conditional: bool = False  # one of several rules (or a rule with `when`)


@dataclass(frozen=True)
class Shape:
    """What the graph says about a script, before any drawing."""

    start: str
    edges: tuple[Edge, ...]
    reachable: frozenset[str]
    unreachable: frozenset[str]
    dead_ends: frozenset[str]
    missing: frozenset[str]  # targets named by a `next` that are not nodes


def _reply_label(reply: Reply, labels: EdgeLabels) -> str:
    if labels == "label" and reply.label is not None:
        return reply.label.source
    return reply.id


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"


def excerpt(node: Node, limit: int = EXCERPT_CHARS) -> str:
    """The boss's line at a node (the first one without a `when`, else the first one),
    shortened to one short line."""
    variants = node.boss.variants
    if not variants:
        return ""
    plain = [v for v in variants if v.when is None]
    return _shorten((plain or list(variants))[0].text.source, limit)


def edges(script: Script, labels: EdgeLabels = "id") -> tuple[Edge, ...]:
    found: list[Edge] = []
    for node in script.nodes.values():
        for reply in node.replies:
            name = _reply_label(reply, labels)
            conditional = len(reply.next) > 1 or any(r.when is not None for r in reply.next)
            for rule in reply.next:
                if not conditional:
                    found.append(Edge(node.id, rule.to, reply.id, name))
                    continue
                when = rule.when.source if rule.when is not None else None
                condition = _shorten(when, CONDITION_CHARS) if when is not None else "otherwise"
                found.append(
                    Edge(
                        node.id,
                        rule.to,
                        reply.id,
                        f"{name} if {condition}" if when is not None else f"{name} ({condition})",
                        when,
                        True,
                    )
                )
    return tuple(found)


def _closure(start: Iterable[str], step: Mapping[str, set[str]]) -> set[str]:
    seen = set(start)
    todo = list(seen)
    while todo:
        current = todo.pop()
        for nxt in step.get(current, ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def analyse(script: Script, labels: EdgeLabels = "id") -> Shape:
    all_edges = edges(script, labels)
    forward: dict[str, set[str]] = {node_id: set() for node_id in script.nodes}
    backward: dict[str, set[str]] = {node_id: set() for node_id in script.nodes}
    missing: set[str] = set()
    for edge in all_edges:
        if edge.target not in script.nodes:
            missing.add(edge.target)
            continue
        forward[edge.source].add(edge.target)
        backward[edge.target].add(edge.source)
    reachable = _closure([script.start], forward) if script.start in script.nodes else set()
    endings = [n.id for n in script.nodes.values() if n.is_ending]
    can_finish = _closure(endings, backward)
    dead = {n.id for n in script.nodes.values() if not n.is_ending and n.id not in can_finish}
    return Shape(
        start=script.start,
        edges=all_edges,
        reachable=frozenset(reachable),
        unreachable=frozenset(set(script.nodes) - reachable),
        dead_ends=frozenset(dead),
        missing=frozenset(missing),
    )


def _notes(node_id: str, shape: Shape) -> list[str]:
    notes = []
    if node_id in shape.dead_ends:
        notes.append("dead end")
    if node_id in shape.unreachable:
        notes.append("unreachable")
    return notes


# -- Mermaid ------------------------------------------------------------------------------

_MERMAID_ESCAPES = {
    "#": "#35;",
    '"': "#quot;",
    "&": "#38;",
    "<": "#lt;",
    ">": "#gt;",
    "[": "#91;",
    "]": "#93;",
    "(": "#40;",
    ")": "#41;",
    "{": "#123;",
    "}": "#125;",
    "|": "#124;",
    "`": "#96;",
}
_MERMAID_SPECIAL = re.compile("[" + re.escape("".join(_MERMAID_ESCAPES)) + "]")


def mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: every character Mermaid or HTML would read
    as syntax becomes an entity code, which GitHub's renderer shows as the character."""
    return _MERMAID_SPECIAL.sub(lambda m: _MERMAID_ESCAPES[m.group(0)], " ".join(text.split()))


class _Ids:
    """Mermaid ids: letters, digits and '_' only, never a keyword, never two the same."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self.used: set[str] = set(reserved)
        self.ids: dict[str, str] = {}

    def __call__(self, node_id: str) -> str:
        found = self.ids.get(node_id)
        if found is not None:
            return found
        base = "n_" + re.sub(r"[^A-Za-z0-9_]", "_", node_id)
        candidate, i = base, 2
        while candidate in self.used:
            candidate, i = f"{base}_{i}", i + 1
        self.used.add(candidate)
        self.ids[node_id] = candidate
        return candidate


MERMAID_CLASSES: Mapping[str, str] = {
    **{
        outcome: f"fill:{fill},stroke:{stroke},color:{ink}"
        for outcome, (fill, stroke, ink) in OUTCOME_COLOURS.items()
    },
    "start": "stroke-width:3px",
    "startmark": "fill:#333,stroke:#333,color:#fff",
    "deadend": f"stroke:{TROUBLE_COLOUR},stroke-width:3px",
    "unreachable": "stroke-dasharray:5 5,opacity:0.7",
    "missing": f"fill:#eeeeee,stroke:{TROUBLE_COLOUR},stroke-dasharray:2 2",
}


def to_mermaid(script: Script, labels: EdgeLabels = "id") -> str:
    shape = analyse(script, labels)
    ids = _Ids(reserved=("start_mark",))
    out = [
        f"%% rehearse graph: {_comment(script.id)}",
        "flowchart TD",
    ]
    classes: dict[str, list[str]] = {}

    def mark(cls: str, mid: str) -> None:
        classes.setdefault(cls, []).append(mid)

    out.append('    start_mark(("start"))')
    mark("startmark", "start_mark")
    for node in script.nodes.values():
        mid = ids(node.id)
        head = f"{node.id} · {node.end}" if node.end else node.id
        parts = [mermaid_text(head)]
        if excerpt(node):
            parts.append(mermaid_text(excerpt(node)))
        parts.extend(mermaid_text(f"({note})") for note in _notes(node.id, shape))
        text = "<br/>".join(parts)
        out.append(f'    {mid}(["{text}"])' if node.is_ending else f'    {mid}["{text}"]')
        if node.end:
            mark(node.end, mid)
        if node.id == shape.start:
            mark("start", mid)
        for note in _notes(node.id, shape):
            mark(note.replace(" ", ""), mid)
    for target in sorted(shape.missing):
        mid = ids(target)
        out.append(f'    {mid}["{mermaid_text(target)}<br/>{mermaid_text("(no such node)")}"]')
        mark("missing", mid)
    if shape.start in script.nodes:
        out.append(f"    start_mark --> {ids(shape.start)}")
    for edge in shape.edges:
        arrow = "-.->" if edge.conditional else "-->"
        label = mermaid_text(edge.label)
        out.append(f'    {ids(edge.source)} {arrow}|"{label}"| {ids(edge.target)}')
    for cls, style in MERMAID_CLASSES.items():
        out.append(f"    classDef {cls} {style}")
    for cls, members in classes.items():
        out.append(f"    class {','.join(members)} {cls}")
    return "\n".join(out) + "\n"


def _comment(text: str) -> str:
    return " ".join(text.split())


# -- Graphviz DOT -------------------------------------------------------------------------


def dot_quote(text: str) -> str:
    """A DOT double-quoted string; backslashes are doubled so no escape sequence slips in."""
    return '"' + " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot_label(lines: list[str]) -> str:
    return "\\n".join(dot_quote(line)[1:-1] for line in lines)


def _attrs(items: Mapping[str, str]) -> str:
    return "[" + ", ".join(f"{k}={v}" for k, v in items.items()) + "]"


START_MARK = "(start)"  # parentheses never appear in a node id, so this cannot clash


def to_dot(script: Script, labels: EdgeLabels = "id") -> str:
    shape = analyse(script, labels)
    out = [
        f"// rehearse graph: {_comment(script.id)}",
        f"digraph {dot_quote(script.id)} {{",
        '    graph [rankdir=TB, fontname="Helvetica"];',
        '    node [shape=box, style="rounded", fontname="Helvetica", fontsize=10];',
        '    edge [fontname="Helvetica", fontsize=9];',
        f'    {dot_quote(START_MARK)} [shape=circle, style=filled, fillcolor="#333333", '
        'fontcolor="#ffffff", label="start", fontsize=9];',
    ]
    for node in script.nodes.values():
        head = f"{node.id} · {node.end}" if node.end else node.id
        lines = [head] + ([excerpt(node)] if excerpt(node) else [])
        notes = _notes(node.id, shape)
        lines.extend(f"({note})" for note in notes)
        styles = ["rounded"]
        attrs: dict[str, str] = {"label": f'"{_dot_label(lines)}"'}
        if node.end:
            fill, stroke, ink = OUTCOME_COLOURS[node.end]
            styles.append("filled")
            attrs.update(fillcolor=f'"{fill}"', color=f'"{stroke}"', fontcolor=f'"{ink}"')
            attrs["shape"] = "box"
        if node.id == shape.start:
            attrs["penwidth"] = "3"
        if "unreachable" in notes:
            styles.append("dashed")
        if "dead end" in notes:
            attrs.update(color=f'"{TROUBLE_COLOUR}"', penwidth="3")
        attrs["style"] = f'"{",".join(styles)}"'
        out.append(f"    {dot_quote(node.id)} {_attrs(attrs)};")
    for target in sorted(shape.missing):
        label = _dot_label([target, "(no such node)"])
        out.append(
            f'    {dot_quote(target)} [label="{label}", style="dashed,filled", '
            f'fillcolor="#eeeeee", color="{TROUBLE_COLOUR}"];'
        )
    if shape.start in script.nodes:
        out.append(f"    {dot_quote(START_MARK)} -> {dot_quote(shape.start)};")
    for edge in shape.edges:
        attrs = {"label": dot_quote(edge.label)}
        if edge.conditional:
            attrs["style"] = "dashed"
        out.append(f"    {dot_quote(edge.source)} -> {dot_quote(edge.target)} {_attrs(attrs)};")
    out.append("}")
    return "\n".join(out) + "\n"


def render(script: Script, fmt: Format = "mermaid", labels: EdgeLabels = "id") -> str:
    if fmt == "mermaid":
        return to_mermaid(script, labels)
    if fmt == "dot":
        return to_dot(script, labels)
    raise ValueError(f"unknown graph format '{fmt}' (known: {', '.join(FORMATS)})")
