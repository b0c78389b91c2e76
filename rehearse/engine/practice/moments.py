"""Which moments of a conversation went badly, and how well a reply at one went.

A moment is a node of a script, played by one persona: where the boss said a line and you
answered. A reply there is graded:

- ``again``: it did not work. Not understood (the boss asked you to rephrase, gave a hint or
  numbered options, or gave up), taken for a reply the script warns about (it carries a
  coaching note) or one from which the script has no way left to a success ending, or a
  reply that cost rubric points;
- ``hard``: it worked, but the coach flagged how it was put, or the boss had to check what
  you meant ("You mean ...?") or which of two replies you meant;
- ``good``: understood at once, a reply the script does not warn about, no rubric points
  lost, nothing flagged.

An aside ("thanks", "say again?") is not graded: it neither moves the moment on nor says how
well you would answer it; nor is a no to a check-back, which corrects the boss's reading.
Grading reads only the turn the engine produced and the script, so it is pure and cheap
enough to run as each turn is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rehearse.engine.model import Script
from rehearse.engine.runtime.debrief import POINTS_PER_SCORE
from rehearse.engine.runtime.reasons import is_confirmed
from rehearse.engine.runtime.session import State, Turn, said_no_to_checkback

Grade = Literal["again", "hard", "good"]
ReasonKind = Literal["missed", "warned", "dead_end", "low", "flagged", "unsure"]

MISSED_KINDS = {
    "clarify": "not understood: the boss asked you to say it another way",
    "hint": "not understood: the boss gave you a hint",
    "menu": "not understood: the boss offered numbered options",
    "wrapup": "not understood, and the boss ran out of patience",
}


@dataclass(frozen=True)
class Reason:
    """Why a reply was weak, in words a person reads (labels and check titles, no ids)."""

    kind: ReasonKind
    text: str


@dataclass(frozen=True)
class Verdict:
    """How a reply at a moment went."""

    grade: Grade
    reasons: tuple[Reason, ...] = ()

    @property
    def strong(self) -> bool:
        return self.grade == "good"


def assess(before: State, turn: Turn) -> Verdict | None:
    """Grade the reply of ``turn``, taken in ``before``; None for an aside (not graded) and
    for the opening (no reply)."""
    if turn.user is None or turn.kind == "aside" or said_no_to_checkback(turn.decision):
        return None  # (a no to "You mean ...?" corrects the boss: the reply before is graded)
    if turn.kind in MISSED_KINDS:
        return Verdict("again", (Reason("missed", MISSED_KINDS[turn.kind]),))
    reasons: list[Reason] = []
    if turn.kind == "ambiguous":
        return Verdict("hard", (Reason("unsure", "the boss could not tell which of two replies you meant"),))
    if turn.kind == "checkback":
        return Verdict("hard", (Reason("unsure", "the boss had to check what you meant"),))
    label = _label(before, turn)
    if turn.reply is not None and turn.coach_note:
        reasons.append(Reason("warned", f"“{label}”: {' '.join(turn.coach_note.split())}"))
    elif turn.reply is not None and can_succeed(before.script, turn.node):
        if turn.ending is not None and turn.ending.outcome != "success":
            reasons.append(Reason("dead_end", f"“{label}” ended the conversation ({turn.ending.outcome})"))
        elif turn.ending is None and not can_succeed(before.script, turn.next_node):
            reasons.append(Reason("dead_end", f"“{label}” leaves no way to a good ending"))
    lost = {dim: n for dim, n in turn.score_delta.items() if n < 0}
    if lost:
        # on the debrief's 0-100 scale, as the debrief shows the same turn
        moves = ", ".join(f"{d} {n * POINTS_PER_SCORE:+d}" for d, n in lost.items())
        reasons.append(Reason("low", f"scored low: {moves}"))
    if reasons:
        return Verdict("again", tuple(reasons))
    confirmed = turn.decision is not None and is_confirmed(turn.decision.reason)
    flags = tuple(f.check.title for f in turn.coaching)
    if flags:
        return Verdict("hard", (Reason("flagged", "flagged: " + "; ".join(flags)),))
    if confirmed:
        return Verdict("hard", (Reason("unsure", "the boss had to check what you meant"),))
    return Verdict("good")


def _label(before: State, turn: Turn) -> str:
    labels = {c.id: c.label for c in before.candidates()} if turn.reply else {}
    return labels.get(turn.reply or "", turn.reply or "")


def can_succeed(script: Script, node: str) -> bool:
    """Whether a success ending can be reached from ``node`` along the script's ``next``
    rules, every condition taken as possible (so False means: certainly not)."""
    return node in _succeeding(script.id, _edges(script))


def _edges(script: Script) -> tuple[tuple[str, tuple[str, ...], bool], ...]:
    """(node, where its replies can lead, is a success ending) for every node."""
    out = []
    for node in script.nodes.values():
        targets = {rule.to for reply in node.replies for rule in reply.next}
        if any(not r.next or r.next[-1].when is not None for r in node.replies):
            targets.add(node.id)  # every condition may fail: the boss stays at the node
        out.append((node.id, tuple(sorted(targets)), node.end == "success"))
    return tuple(out)


@lru_cache(maxsize=64)
def _succeeding(script_id: str, edges: tuple[tuple[str, tuple[str, ...], bool], ...]) -> frozenset[str]:
    back: dict[str, set[str]] = {}
    good = {node for node, _, success in edges if success}
    for node, targets, _ in edges:
        for target in targets:
            back.setdefault(target, set()).add(node)
    frontier = list(good)
    while frontier:
        for parent in back.get(frontier.pop(), ()):
            if parent not in good:
                good.add(parent)
                frontier.append(parent)
    return frozenset(good)
