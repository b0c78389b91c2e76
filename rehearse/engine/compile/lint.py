"""Lints over a loaded script: the flow graph, unused declarations and the rubric. Findings
are Diagnostics with stable codes; every script that loads gets them (the matching lints,
which need the matcher, are in ``matchlint`` and run only for `rehearse check`).

Graph lints answer the dialogue-tool complaints: "no map of the flow", "mistakes accepted
silently".
"""

from __future__ import annotations

import re

from rehearse.engine.diagnostics import Report
from rehearse.engine.model import Script, script_templates
from rehearse.engine.templating import Text


def targets(script: Script, node_id: str) -> set[str]:
    node = script.nodes[node_id]
    return {rule.to for reply in node.replies for rule in reply.next if rule.to in script.nodes}


def reachable(script: Script) -> set[str]:
    """Nodes reachable from start, following every `next` target whatever its condition."""
    if script.start not in script.nodes:
        return set()
    seen = {script.start}
    todo = [script.start]
    while todo:
        for target in targets(script, todo.pop()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def can_end(script: Script) -> set[str]:
    """Nodes from which some ending can be reached."""
    incoming: dict[str, set[str]] = {n: set() for n in script.nodes}
    for node_id in script.nodes:
        for target in targets(script, node_id):
            incoming[target].add(node_id)
    done = {n.id for n in script.nodes.values() if n.is_ending}
    todo = list(done)
    while todo:
        for source in incoming[todo.pop()]:
            if source not in done:
                done.add(source)
                todo.append(source)
    return done


def lint_graph(script: Script, report: Report) -> None:
    reach = reachable(script)
    ending_ok = can_end(script)
    for node in script.nodes.values():
        if script.start in script.nodes and node.id not in reach:
            what = f"ending '{node.id}' ({node.end})" if node.is_ending else f"node '{node.id}'"
            report.add(
                "W110",
                node.loc,
                f"{what} is unreachable: no reply leads here from '{script.start}'",
                severity="warning",
                width=len(node.id),
            )
            continue
        if node.is_ending or not node.replies:
            continue
        if targets(script, node.id) <= {node.id}:
            report.add(
                "R111",
                node.loc,
                f"node '{node.id}' is a dead end: every reply leads back to it",
                width=len(node.id),
            )
        elif node.id not in ending_ok:
            report.add(
                "W112",
                node.loc,
                f"no ending can be reached from node '{node.id}'",
                severity="warning",
                width=len(node.id),
            )


def _reads(script: Script) -> tuple[set[str], set[str]]:
    """Variable names and rubric dimensions that some template or condition reads."""
    names: set[str] = set()
    dims: set[str] = set()
    for template in script_templates(script):
        if isinstance(template, Text) and not template.templated:
            continue
        names |= template.names()
        for space, attr in template.attribute_uses():
            if space == "vars":
                names.add(attr)
            elif space == "scores":
                dims.add(attr)
    return names, dims


def lint_unused(script: Script, report: Report) -> None:
    names, read_dims = _reads(script)
    for var in script.vars:
        if var not in names:
            report.add(
                "W120",
                script.var_locs.get(var, script.situation.loc),
                f"variable '{var}' is declared but no text uses it",
                severity="warning",
                width=len(var),
            )
    scored = {dim for n in script.nodes.values() for r in n.replies for dim in r.score}
    for dim in script.rubric:
        if dim not in scored and dim not in read_dims:
            report.add(
                "W122",
                script.rubric_locs.get(dim, script.situation.loc),
                f"rubric dimension '{dim}' is never scored by any reply",
                severity="warning",
                width=len(dim),
            )


#: "You thanked ...", "You've said ...": a criterion written as if it had happened.
_CLAIM = re.compile(
    r"^\s*you(?:'ve| have)?\s+(?:\w+ed|said|held|kept|made|gave|took|told|knew|went|got|thought|spoke|"
    r"brought|put|let|left|stood|did|didn't|found|showed|shown|won|lost|came|chose|sought|felt|wrote|"
    r"were|never|already)\b",
    re.IGNORECASE,
)


def lint_rubric(script: Script, report: Report) -> None:
    """A criterion says what good looks like; written as a claim ("You thanked your boss"),
    the debrief would print it whether or not it happened."""
    for dim, criterion in script.rubric.items():
        claim = _CLAIM.match(criterion)
        if claim:
            loc = script.criterion_locs.get(dim, script.rubric_locs.get(dim, script.situation.loc))
            report.add(
                "W123",
                loc,
                f"the criterion of rubric dimension '{dim}' is written as a claim about what happened",
                hint='write it as advice, what good looks like ("Thank your boss for ..."), and put '
                "the claim under `met:`, which the debrief shows only when the transcript bears it out",
                severity="warning",
                width=len(claim.group().strip()),
            )


def lint_meanings(script: Script, report: Report) -> None:
    """A check-back says back what a reply means: from its intent, or its ``means``; a reply
    with neither is said back in its label's words ("you mean “Stay sharp”?")."""
    for node in script.nodes.values():
        for reply in node.replies:
            if reply.intents or reply.means is not None or reply.kind is not None:
                continue
            report.add(
                "W125",
                reply.loc,
                f"reply '{reply.id}' has no `intent` and no `means`: the boss would check it back "
                "in the words of its label",
                hint='add `means:` as the boss would say it back ("you\'d rather keep it general")',
                severity="warning",
                width=len(reply.id),
            )
