"""Matching lints: whether the matcher can tell each node's replies apart, and whether
people's variations of an example would still be read as meant. They catch what an author
cannot see by reading: an example that, typed as is, would be understood as another reply.

Apart from the other lints because they need the matcher (rapidfuzz, the intent model):
`rehearse check` runs them; loading a script for the app does not.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz
from rapidfuzz.process import extractOne

from rehearse.engine.diagnostics import Report
from rehearse.engine.model import Persona, Script
from rehearse.engine.runtime.matching import MARGIN, Candidate, decide
from rehearse.engine.runtime.words import SYNONYMS

# Examples of two replies closer than this (cheap token_sort_ratio) get a full decision.
PREFILTER = 60.0


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
    r"\b(?:I(?:['’]m| am)|I(?:['’]d| would)|I(?:['’]ll| will)|I can|it(?:['’]s| is)|that(?:['’]s| is))\b"
    r"|\bI(?= (?:do|want|think|need|like|know)\b)",  # a verb takes "don't" before it, not "not" after
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
    straight = text.lower().replace("’", "'")  # (the same offsets: "I’m" negates as "I'm" does)
    for negative, positive in _IRREGULAR.items():
        at = straight.find(negative)
        if at >= 0:
            return text[:at] + positive + text[at + len(negative) :]
    m = _NEGATION.search(text)
    if m is not None:
        return " ".join((text[: m.start()] + text[m.end() :]).split())
    m = _NEGATABLE.search(text)
    if m is None:
        return None
    inserted = " not" if len(m.group()) > 1 else " don't"  # "I am not ...", "I don't do ..."
    return text[: m.end()] + inserted + text[m.end() :]


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
