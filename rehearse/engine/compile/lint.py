"""Lints over a loaded script: the flow graph, unused declarations, and whether the matcher
can tell each node's replies apart. Findings are Diagnostics with stable codes.

Graph lints answer the dialogue-tool complaints: "no map of the flow", "mistakes accepted
silently". Matching lints catch what an author cannot see by reading: an example that, typed
as is, would be understood as another reply.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz
from rapidfuzz.process import extractOne

from rehearse.engine.diagnostics import Report
from rehearse.engine.model import Persona, Script, script_templates
from rehearse.engine.runtime.matching import MARGIN, Candidate, decide
from rehearse.engine.runtime.words import SYNONYMS
from rehearse.engine.templating import Text

# Examples of two replies closer than this (cheap token_sort_ratio) get a full decision.
PREFILTER = 60.0


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


def _startable(script: Script) -> Script | None:
    """The script with a start the runtime can begin at: a draft whose start is missing
    (already reported) begins anywhere; one with no nodes has nothing to lint."""
    from dataclasses import replace

    if not script.nodes:
        return None
    if script.start in script.nodes:
        return script
    return replace(script, start=next(iter(script.nodes)))


def lint_matching(script: Script, persona: Persona, report: Report) -> None:
    """Each example, typed as is, should be understood as its own reply."""
    from dataclasses import replace

    from rehearse.engine.runtime.session import Setup, begin

    playable = _startable(script)
    if playable is None:
        return
    state = begin(Setup(playable, persona, user_name="Alex"))
    for node in script.nodes.values():
        if node.is_ending or len(node.replies) == 0:
            continue
        cands = replace(state, node=node.id).candidates()
        _lint_node(script, node.id, cands, report)


def _suspects(cands: tuple[Candidate, ...]) -> set[tuple[int, int]]:
    """(reply index, example index) pairs worth a full decision: close to another reply."""
    suspects: set[tuple[int, int]] = set()
    for i, cand in enumerate(cands):
        others = [e.text for k, c in enumerate(cands) if k != i for e in c.examples]
        if not others:
            continue
        for j, example in enumerate(cand.examples):
            if extractOne(example.text, others, scorer=fuzz.token_sort_ratio, score_cutoff=PREFILTER):
                suspects.add((i, j))
    return suspects


def _lint_node(script: Script, node_id: str, cands: tuple[Candidate, ...], report: Report) -> None:
    node = script.nodes[node_id]
    checked = _suspects(cands)
    for i, cand in enumerate(cands):
        reply = node.replies[i]
        for j, example in enumerate(cand.raw_examples):
            if (i, j) not in checked and not (cand.require or cand.forbid):
                continue
            decision = decide(example, cands)
            loc = reply.say[j].loc if j < len(reply.say) else reply.loc
            if decision.kind == "matched" and decision.reply == cand.id:
                continue
            if decision.kind == "matched" and decision.reply is not None:
                other = next(s for s in decision.scores if s.reply == decision.reply)
                report.add(
                    "W130",
                    loc,
                    f"example of '{cand.id}' at node '{node_id}' would be understood as "
                    f"'{decision.reply}' (closest: \"{other.example}\")",
                    severity="warning",
                    hint="make the two replies' examples more different, or add keywords",
                )
            elif decision.kind == "ambiguous":
                others = [r for r in decision.candidates if r != cand.id]
                best = next((s for s in decision.scores if s.reply in others), None)
                closest = f' (closest: "{best.example}")' if best and best.example else ""
                report.add(
                    "W130",
                    loc,
                    f"example of '{cand.id}' at node '{node_id}' cannot be told apart from "
                    f"'{', '.join(others)}' within {MARGIN:.0f} points{closest}",
                    severity="warning",
                    hint="make the two replies' examples more different, or add keywords",
                )
            else:
                own = next(s for s in decision.scores if s.reply == cand.id)
                why = "; ".join(own.notes) or f"scores only {own.score:.0f}"
                report.add(
                    "W131",
                    loc,
                    f"example of '{cand.id}' at node '{node_id}' would not be understood "
                    f"as its own reply ({why})",
                    severity="warning",
                )


# -- robustness: would people's variations of an example still be read as meant? ----------

_WORD_RE = re.compile(r"[A-Za-z']+")
_NEGATABLE = re.compile(
    r"\b(I(?:'m| am)|I(?:'d| would)|I(?:'ll| will)|I (?:do|can|want|think)|it(?:'s| is)|that(?:'s| is))\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(r"\b(?:not|never)\s+|n['’]t\b", re.IGNORECASE)
_IRREGULAR = {"can't": "can", "won't": "will", "shan't": "shall", "ain't": "am"}
BUT_OPENING = "I know it's a lot to take in, but "


def _typo(text: str) -> str | None:
    """The longest word with two inner letters swapped, and apostrophes dropped."""
    words = sorted((m for m in _WORD_RE.finditer(text) if len(m.group()) >= 6), key=lambda m: -len(m.group()))
    if not words:
        return None
    m = words[0]
    w = m.group()
    i = len(w) // 2
    swapped = w[: i - 1] + w[i] + w[i - 1] + w[i + 1 :]
    return (text[: m.start()] + swapped + text[m.end() :]).replace("'", "").replace("’", "")


def _synonym(text: str) -> str | None:
    """A word swapped for another of its synonym group (words.SYNONYMS)."""
    for m in _WORD_RE.finditer(text):
        low = m.group().lower()
        for canon, group in SYNONYMS.items():
            family = (canon, *group)
            if low in family:
                other = next((w for w in family if w != low and len(w) > 3), None)
                if other is not None:
                    return text[: m.start()] + other + text[m.end() :]
    return None


def _flipped(text: str) -> str | None:
    """The example with its first negation taken out, or one put in."""
    for negative, positive in _IRREGULAR.items():
        at = text.lower().find(negative)
        if at >= 0:
            return text[:at] + positive + text[at + len(negative) :]
    m = _NEGATION.search(text)
    if m is not None:
        return " ".join((text[: m.start()] + text[m.end() :]).split())
    m = _NEGATABLE.search(text)
    if m is None:
        return None
    return text[: m.end()] + " not" + text[m.end() :]


def lint_robustness(script: Script, persona: Persona, report: Report) -> None:
    """Vary each example as people vary what they type (a typo, a synonym, a "but"
    opening) and warn when the variant would be read as another reply; and negate it, and
    warn when the negation would still be read as the same reply (W140)."""
    from dataclasses import replace

    from rehearse.engine.runtime.session import Setup, begin

    playable = _startable(script)
    if playable is None:
        return
    state = begin(Setup(playable, persona, user_name="Alex"))
    for node in script.nodes.values():
        if node.is_ending or not node.replies:
            continue
        cands = replace(state, node=node.id).candidates()
        for i, cand in enumerate(cands):
            reply = node.replies[i]
            for j, example in enumerate(cand.raw_examples):
                loc = reply.say[j].loc if j < len(reply.say) else reply.loc
                for how, variant in (
                    ("with a typo", _typo(example)),
                    ("with a synonym", _synonym(example)),
                    ("after a 'but' opening", BUT_OPENING + example[:1].lower() + example[1:]),
                ):
                    if variant is None or variant == example:
                        continue
                    decision = decide(variant, cands)
                    if decision.kind == "matched" and decision.reply not in (cand.id, None):
                        report.add(
                            "W140",
                            loc,
                            f"example of '{cand.id}' at node '{node.id}' {how} (\"{variant}\") would be "
                            f"understood as '{decision.reply}'",
                            severity="warning",
                            hint="add examples in other words, or tie the reply to an intent",
                        )
                flipped = _flipped(example)
                if flipped is not None and flipped != example and cand.kind is None:
                    decision = decide(flipped, cands)
                    if decision.kind == "matched" and decision.reply == cand.id:
                        report.add(
                            "W141",
                            loc,
                            f"example of '{cand.id}' at node '{node.id}' negated (\"{flipped}\") would still "
                            f"be understood as '{cand.id}'",
                            severity="warning",
                            hint="give the opposite meaning a reply of its own, or add forbid words",
                        )
