"""Hooks between the app and whatever keeps sessions (the SQLite store).

The app calls a Recorder at fixed moments of a conversation, and asks a History for the
numbers on the home screen. Both are plain protocols so the store stays independent of
Textual, and tests can pass a list-backed fake.

When the recorder is called:
- ``started(state)``: a conversation begins (start, restart, try again); state is the
  opening, ``state.transcript == (opening,)``.
- ``turn(state, turn)``: after each reply the user sent; state already includes the turn.
- ``took_back(state)``: after "take that back"; state is the state now current (the
  previous one), so ``len(state.transcript)`` says how many turns remain.
- ``finished(state)``: once per session, when the turn just recorded reached an ending
  (``state.ending`` is set), or when you stop before one (leave for home, restart, switch
  persona, quit the app: ``state.ending`` is None). Taking back an ending reopens the
  session: ``took_back`` follows, and ``finished`` comes again at its next end.

A recorder that raises is reported once as a notification and otherwise ignored: saving
must never break a rehearsal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from rehearse.engine.session import State, Turn


@runtime_checkable
class Recorder(Protocol):
    def started(self, state: State) -> None: ...

    def turn(self, state: State, turn: Turn) -> None: ...

    def took_back(self, state: State) -> None: ...

    def finished(self, state: State) -> None: ...


@runtime_checkable
class History(Protocol):
    def summary(self) -> dict[str, tuple[int, str | None]]:
        """Script id -> (attempts, best outcome so far or None)."""
        ...


class NullRecorder:
    """Records nothing."""

    def started(self, state: State) -> None:
        return None

    def turn(self, state: State, turn: Turn) -> None:
        return None

    def took_back(self, state: State) -> None:
        return None

    def finished(self, state: State) -> None:
        return None


class NullHistory:
    """Knows of no attempts."""

    def summary(self) -> dict[str, tuple[int, str | None]]:
        return {}


class LazyStoreRecorder:
    """The session store as Recorder and History, opened on first use.

    Importing the store loads the engine (Jinja2, rapidfuzz, sqlite3); doing that before the
    first frame would slow the home screen down, so this waits until a method is called.
    """

    def __init__(self, warn: Callable[[str], None] | None = None) -> None:
        self._warn = warn
        self._inner: Any = None

    def _store(self) -> Any:
        if self._inner is None:
            from rehearse.recording import StoreRecorder

            self._inner = StoreRecorder(warn=self._warn)
        return self._inner

    def retry_of(self, parent: int, parent_turn: int) -> None:
        self._store().retry_of(parent, parent_turn)

    def started(self, state: State) -> None:
        self._store().started(state)

    def turn(self, state: State, turn: Turn) -> None:
        self._store().turn(state, turn)

    def took_back(self, state: State) -> None:
        self._store().took_back(state)

    def finished(self, state: State) -> None:
        self._store().finished(state)

    def summary(self) -> dict[str, tuple[int, str | None]]:
        result: dict[str, tuple[int, str | None]] = self._store().summary()
        return result

    def store(self) -> Any:
        """The session Store itself (for the sessions and replay screens), or None."""
        return self._store().store()

    def close(self) -> None:
        if self._inner is not None:
            self._inner.close()
