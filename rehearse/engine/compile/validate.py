"""Checks across a script: references, template names, replies. Never raises.

Schema problems are found by the loader; this module finds what needs the whole script
(targets, rubric dimensions, names a template reads). Graph lints build on it.
"""

from __future__ import annotations

from collections.abc import Iterable

from rehearse.engine.compile.lint import lint_graph, lint_meanings, lint_rubric, lint_unused
from rehearse.engine.diagnostics import Loc, Report, did_you_mean
from rehearse.engine.model import Node, Persona, Script, script_templates
from rehearse.engine.templating import KNOWN_NAMES, PERSONA_FIELDS, USER_FIELDS, Condition, Text
from rehearse.engine.yamlread import Document

# a template that does not parse; one that uses what scripts may not; one past a limit
TEMPLATE_CODES = {"syntax": "R020", "render": "R020", "unsafe": "R021", "limit": "R022"}
TEMPLATE_ERRORS = frozenset(TEMPLATE_CODES.values())


def validate_script(script: Script, doc: Document, report: Report, *, complete: bool = True) -> None:
    """Whole-script checks, then the lints: the graph ones when every node was built
    (``complete``), the unused-declaration ones when every template compiled, so that a
    file's other errors never hide these findings nor fake them."""
    nodes = script.nodes
    if script.start and nodes and script.start not in nodes:
        report.add(
            "R101",
            doc.loc(("start",)),
            f"start node '{script.start}' does not exist",
            hint=did_you_mean(script.start, nodes),
            width=doc.width(("start",)),
        )
    for node in nodes.values():
        _validate_node(script, node, doc, report)
    _validate_templates(script, report)
    if complete:
        lint_graph(script, report)
    if not any(d.code in TEMPLATE_ERRORS for d in report.items):
        lint_unused(script, report)
        lint_rubric(script, report)
        lint_meanings(script, report)


def _validate_node(script: Script, node: Node, doc: Document, report: Report) -> None:
    path = ("nodes", node.id)
    if node.end is None and not node.replies and "replies" in (doc.value.get("nodes", {}).get(node.id) or {}):
        report.add(
            "R103",
            doc.loc((*path, "replies")),
            f"node '{node.id}' has no replies and no 'end': the conversation would stop here",
        )
    if node.model_reply is not None and node.model_reply not in {r.id for r in node.replies}:
        report.add(
            "R108",
            doc.loc((*path, "model", "reply")),
            f"the model answer names reply '{node.model_reply}', which node '{node.id}' does not have",
            hint=did_you_mean(node.model_reply, [r.id for r in node.replies]),
            width=len(node.model_reply),
        )
    kinds: dict[str, str] = {}
    for reply in node.replies:
        rpath = (*path, "replies", reply.id)
        for rule in reply.next:
            if rule.to not in script.nodes:
                report.add(
                    "R102",
                    rule.loc,
                    f"reply '{reply.id}' at node '{node.id}' goes to unknown node '{rule.to}'",
                    hint=did_you_mean(rule.to, script.nodes) or _misindented(doc, rule.to),
                    width=len(rule.to),
                )
        for dim in reply.score:
            if dim not in script.rubric:
                known = ", ".join(script.rubric) or "none declared"
                report.add(
                    "R104",
                    doc.key_loc((*rpath, "score", dim)),
                    f"score names rubric dimension '{dim}', which the rubric does not declare",
                    hint=did_you_mean(dim, script.rubric) or f"rubric dimensions: {known}",
                    width=len(dim),
                )
        if reply.kind is not None:
            if reply.kind in kinds:
                report.add(
                    "R105",
                    reply.loc,
                    f"node '{node.id}' has two '{reply.kind}' replies: "
                    f"'{kinds[reply.kind]}' and '{reply.id}'",
                )
            kinds[reply.kind] = reply.id


def _validate_templates(script: Script, report: Report) -> None:
    allowed = KNOWN_NAMES | set(script.vars)
    set_flags = {flag for n in script.nodes.values() for r in n.replies for flag in r.set}
    namespaces: dict[str, tuple[str, Iterable[str]]] = {
        "visits": ("node", script.nodes),
        "scores": ("rubric dimension", script.rubric),
        "vars": ("var", script.vars),
        "user": ("field of user", USER_FIELDS),
        "persona": ("field of persona", PERSONA_FIELDS),
    }
    for template in script_templates(script):
        if isinstance(template, Text) and not template.templated:
            continue
        for name in sorted(template.names() - allowed):
            report.add(
                "R201",
                _written_at(report, template, name),
                f"template uses undefined name '{name}'",
                width=len(name),
                hint=did_you_mean(name, allowed)
                or "defined: user, persona, vars and each var, visits, flags, scores, turn, last",
            )
        for space, attr in template.attribute_uses():
            written = f"{space}.{attr}"
            if space in namespaces and attr not in namespaces[space][1]:
                what, known = namespaces[space]
                report.add(
                    "R202",
                    _written_at(report, template, written),
                    f"'{space}.{attr}': no {what} named '{attr}'",
                    hint=did_you_mean(attr, known) or f"known: {', '.join(known) or 'none'}",
                    width=len(written),
                )
            elif space == "flags" and attr not in set_flags:
                report.add(
                    "W203",
                    _written_at(report, template, written),
                    f"'flags.{attr}' is never set by any reply",
                    hint=did_you_mean(attr, set_flags),
                    severity="warning",
                    width=len(written),
                )


def _written_at(report: Report, template: Text | Condition, words: str) -> Loc:
    """Where ``words`` are written in the template's source: looked up only for a finding,
    since it splits the file into lines."""
    return report.find(template.loc, words) or template.loc


def _misindented(doc: Document, name: str) -> str | None:
    for path, loc in doc.misindented.items():
        if path[-1] == name:
            return f"'{name}' is written at line {loc.line}, indented too far to be a node"
    return None


def validate_references(script: Script, personas: dict[str, Persona], report: Report) -> None:
    """Cross-file checks: the personas a script names exist on the search path."""
    for i, persona_id in enumerate(script.personas):
        if persona_id not in personas:
            loc = script.persona_locs[i] if i < len(script.persona_locs) else Loc(script.path)
            report.add(
                "R106",
                loc,
                f"unknown persona '{persona_id}'",
                hint=did_you_mean(persona_id, personas)
                or f"personas found: {', '.join(sorted(personas)) or 'none'}",
                width=len(persona_id),
            )
