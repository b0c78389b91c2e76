"""Hot reload: play a session's inputs again over an edited script.

`replay_onto(old_state, new_script)` re-folds the user's replies over the new version with
the same setup (persona, name, variables, seed). Each reply must go the same way as before:
the same decision (matched, ambiguous, not understood), the same reply, leading to the same
node, ending or not ending alike. At the first reply that goes another way the replay stops,
and the result is the state after the last reply that still went the same way, with a
Divergence saying where and how. Pure: no files, no UI.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rehearse.engine.model import Script
from rehearse.engine.runtime import session as sess
from rehearse.engine.runtime.reasons import is_picked
from rehearse.engine.runtime.session import State, Turn


@dataclass(frozen=True)
class Divergence:
    """Where a replayed reply stopped going the way it went before."""

    turn: int  # the reply's number in the conversation (1 is the first reply)
    text: str  # what the user typed
    before: str  # how it went in the old version, e.g. "want -> agreed_q"
    after: str  # how it goes now

    def describe(self) -> str:
        return f"turn {self.turn}, “{self.text}”: {self.before} -> {self.after}"


@dataclass(frozen=True)
class Way:
    """How one reply went: what a replay must reproduce."""

    decision: str  # matched | ambiguous | none
    reply: str | None
    candidates: tuple[str, ...]
    next_node: str
    ending: str | None  # the outcome, when this reply ended the conversation

    def describe(self) -> str:
        if self.decision == "matched" and self.reply is not None:
            text = f"{self.reply} -> {self.next_node}"
        elif self.decision == "ambiguous":
            text = "ambiguous (" + " or ".join(self.candidates) + ")"
        else:
            text = "not understood"
        if self.ending is not None:
            text += f" (ends: {self.ending})"
        return text


def way_of(turn: Turn) -> Way:
    decision = turn.decision
    return Way(
        decision=decision.kind if decision is not None else "none",
        reply=turn.reply,
        candidates=decision.candidates if decision is not None and decision.kind == "ambiguous" else (),
        next_node=turn.next_node,
        ending=turn.ending.outcome if turn.ending is not None else None,
    )


def _picked_a_number(turn: Turn) -> bool:
    return turn.decision is not None and is_picked(turn.decision.reason)


def replay_onto(old_state: State, new_script: Script) -> tuple[State, Divergence | None]:
    """Replay old_state's replies over new_script; stop at the first that goes another way.

    A reply that picked a number from the numbered options (the easier mode) opens the
    options first when the new version has not offered them by itself, as the user had them
    on screen. Raises only what `session.begin` raises for the new script's opening.
    """
    setup = replace(old_state.setup, script=new_script)
    state = sess.begin(setup)
    for old_turn in old_state.transcript:
        if old_turn.user is None:
            continue
        text = old_turn.user
        before = way_of(old_turn)
        if state.ending is not None:
            after = f"the conversation has already ended ({state.ending.outcome})"
            return state, Divergence(old_turn.index, text, before.describe(), after)
        if _picked_a_number(old_turn) and not state.offered:
            state = sess.open_menu(state)
        try:
            new_state, new_turn = sess.step(state, text)
        except Exception as exc:  # a broken template at run time, say: stop here, never crash
            return state, Divergence(old_turn.index, text, before.describe(), f"failed: {exc}")
        now = way_of(new_turn)
        if now != before:
            return state, Divergence(old_turn.index, text, before.describe(), now.describe())
        state = new_state
    return state, None
