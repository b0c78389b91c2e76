"""A drill: one weak moment played again from the state it had, until a reply moves the
conversation on (to the next node, or an ending). Pure functions over the states ``step``
made, so the app and plain mode end a drill, and grade it, the same way."""

from __future__ import annotations

from rehearse.engine.practice.moments import Verdict, assess
from rehearse.engine.runtime.session import State, Turn


def since(start: State, state: State) -> list[tuple[State, Turn]]:
    """Each reply given after ``start``, with the state it was given in, oldest first."""
    out: list[tuple[State, Turn]] = []
    later = state
    while later.previous is not None and later.turn > start.turn:
        out.append((later.previous, later.transcript[-1]))
        later = later.previous
    return out[::-1]


def settled(start: State, state: State) -> bool:
    """Whether the drill is over: a reply was taken (or the conversation ended)."""
    if state.ending is not None:
        return True
    return any(turn.reply is not None and turn.kind == "line" for _, turn in since(start, state))


def verdict(start: State, state: State) -> Verdict | None:
    """How the moment went: its first graded reply (as the store reviews it), or None
    when nothing was graded yet. A first reply that missed stays the verdict even if a
    second try landed: that is what the moment would have cost in the real meeting."""
    for before, turn in since(start, state):
        found = assess(before, turn)
        if found is not None:
            return found
    return None


def tries(start: State, state: State) -> int:
    """How many replies the moment took (asides included)."""
    return len(since(start, state))
