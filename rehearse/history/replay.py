"""A stored session played again: its setup, the state before any turn, and how the same
inputs go now (over the stored copy of the script, or over another version of it).

Replay is a fold of the engine's ``step`` over the stored inputs; where the user had opened
the numbered options before a reply, they are opened again first. What goes differently is
returned as typed values (``TurnChange``), for the views to put into words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeVar

from rehearse import __version__
from rehearse.engine.collector import paused
from rehearse.engine.compile.loader import persona_from_text, script_from_text
from rehearse.engine.diagnostics import Report
from rehearse.engine.model import Persona, Script, frozen_map
from rehearse.engine.runtime import session as sess
from rehearse.engine.runtime.session import Setup, State
from rehearse.history.codec import records_of
from rehearse.history.errors import StoreError
from rehearse.history.records import StoredSession, TurnRecord

if TYPE_CHECKING:
    from rehearse.history.store import Store

T = TypeVar("T")
ChangeKind = Literal["understood", "moved", "boss_line", "ending", "not_reached"]


@dataclass(frozen=True)
class TurnChange:
    """A recorded turn that goes differently when its inputs are played again."""

    turn: int
    kind: ChangeKind
    before: TurnRecord  # as it was recorded
    after: TurnRecord | None  # as it goes now; None when the turn is not reached any more
    ends_at: int = 0  # for not_reached: the last turn the conversation now has
    left_over: int = 0  # for not_reached: how many recorded turns are left over


def _stored(kind: str, name: str, loaded: tuple[T | None, Report]) -> T:
    """A stored copy, loaded again; a copy that no longer loads is a clear StoreError."""
    value, report = loaded
    if value is None:
        first = report.items[0].message if report.items else "it does not load"
        raise StoreError(
            f"the stored copy of {kind} '{name}' no longer loads with rehearse "
            f"{__version__}: {first}. The transcript is still shown as it was recorded."
        )
    return value


def stored_setup(
    stored: StoredSession, *, script: Script | None = None, persona: Persona | None = None
) -> Setup:
    """The session's Setup, from the stored script and persona text unless given others."""
    if script is None:
        script = _stored(
            "script", stored.script_id, script_from_text(stored.script_text, f"<stored {stored.script_id}>")
        )
    if persona is None:
        persona = _stored(
            "persona",
            stored.persona_id,
            persona_from_text(stored.persona_text, f"<stored {stored.persona_id}>"),
        )
    return Setup(
        script,
        persona,
        user_name=stored.user_name,
        vars=frozen_map(dict(stored.vars)),
        seed=stored.seed,
        disabled_checks=frozenset(stored.disabled_checks),
    )


def state_before(
    stored: StoredSession,
    k: int | None = None,
    *,
    script: Script | None = None,
    persona: Persona | None = None,
) -> State:
    """The state before turn k (every stored input when k is None), played again from the
    stored script unless another is given."""
    state = sess.begin(stored_setup(stored, script=script, persona=persona))
    with paused():
        for old in stored.replies:
            if (k is not None and old.index >= k) or state.ending is not None or old.user is None:
                break
            if old.menu_opened:
                state = sess.open_menu(state)
            for _ in range(old.nudges):
                state, _ = sess.nudge(state)
            state, _ = sess.step(state, old.user, old.timing)
    return state


def compare(recorded: Sequence[TurnRecord], now: Sequence[TurnRecord]) -> list[TurnChange]:
    """How the recorded turns differ from the same inputs played again (turn by turn)."""
    changes: list[TurnChange] = []
    for i, old in enumerate(recorded):
        if i >= len(now):
            changes.append(
                TurnChange(
                    old.index,
                    "not_reached",
                    old,
                    None,
                    ends_at=now[-1].index if now else 0,
                    left_over=len(recorded) - i,
                )
            )
            break
        new = now[i]
        kind: ChangeKind | None = None
        if (old.decision, old.reply) != (new.decision, new.reply):
            kind = "understood"
        elif old.next_node != new.next_node or old.kind != new.kind:
            kind = "moved"
        elif old.boss != new.boss:
            kind = "boss_line"
        elif old.ending != new.ending:
            kind = "ending"
        if kind is not None:
            changes.append(TurnChange(old.index, kind, old, new))
    return changes


def rebuild(
    stored: StoredSession, *, script: Script | None = None, persona: Persona | None = None
) -> tuple[State, list[TurnChange]]:
    """Play the stored inputs again, from the stored script and persona text (or from the
    ``script``/``persona`` given, such as the current version of an edited file), and list
    the turns that go differently from what was recorded."""
    state = state_before(stored, script=script, persona=persona)
    return state, compare(stored.turns, records_of(state))


def backfill_scores(store: Store) -> int:
    """Give sessions recorded before 0-100 scores were stored their scores, by playing them
    again from their stored script; a session that cannot be played again keeps none.
    Returns how many were scored."""
    done = 0
    for session_id in store.unscored():
        try:
            state: State | None = rebuild(store.load(session_id))[0]
        except StoreError:
            state = None
        store.rescore(session_id, state)
        done += state is not None
    return done
