"""Saving a rehearsal as it happens, for plain mode and the app alike.

The player calls a ``Recorder`` at fixed moments of a conversation:

- ``retry_of(parent, parent_turn)``: the next ``started`` begins a retry of that session;
- ``started(state)``: a conversation begins (start, restart, try again, retry from a turn);
  ``state`` is its opening, plus any turns it already holds;
- ``turn(state, turn)``: after each reply; ``state`` already includes the turn;
- ``took_back(state)``: after "take that back"; ``state`` is the state now current;
- ``finished(state)``: once per session, at an ending or when you stop before one (leave,
  restart, switch persona, quit: ``state.ending`` is None). Taking back an ending reopens
  the session: ``took_back`` follows, and ``finished`` comes again at its next end.

``StoreRecorder`` commits each call as one transaction in the session store. Saving must
never spoil a rehearsal: if the database cannot be used, it reports that once through
``warn`` and carries on without saving. Nothing here imports sqlite3 until a session is
actually saved, so the app's first frame does not wait for it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from rehearse.history.errors import StoreError

if TYPE_CHECKING:
    from rehearse.engine.runtime.session import State, Turn
    from rehearse.history.store import Store

Summary = dict[str, tuple[int, str | None]]
"""Script id -> (attempts, best outcome so far or None)."""


class Recorder(Protocol):
    """What a player tells whatever keeps sessions."""

    def retry_of(self, parent: int, parent_turn: int) -> None: ...

    def started(self, state: State) -> None: ...

    def turn(self, state: State, turn: Turn) -> None: ...

    def took_back(self, state: State) -> None: ...

    def finished(self, state: State) -> None: ...


class History(Protocol):
    """What the app reads back: attempts per script, and the store for the session screens."""

    def summary(self) -> Summary: ...

    def store(self) -> Store | None: ...


class NullRecorder:
    """Records nothing, remembers nothing (``--no-save``)."""

    def retry_of(self, parent: int, parent_turn: int) -> None:
        return None

    def started(self, state: State) -> None:
        return None

    def turn(self, state: State, turn: Turn) -> None:
        return None

    def took_back(self, state: State) -> None:
        return None

    def finished(self, state: State) -> None:
        return None

    def summary(self) -> Summary:
        return {}

    def store(self) -> Store | None:
        return None


class GuardedRecorder:
    """Passes every call on to ``inner``; a call that raises is reported once through
    ``report`` and otherwise ignored: saving must never break a rehearsal."""

    def __init__(self, inner: Recorder, report: Callable[[str], None]) -> None:
        self.inner = inner
        self._report = report
        self.failed = False

    def _guard(self, call: Callable[[], None]) -> None:
        try:
            call()
        except Exception as exc:
            if not self.failed:
                self.failed = True
                self._report(f"This session could not be saved: {exc}")

    def retry_of(self, parent: int, parent_turn: int) -> None:
        self._guard(lambda: self.inner.retry_of(parent, parent_turn))

    def started(self, state: State) -> None:
        self._guard(lambda: self.inner.started(state))

    def turn(self, state: State, turn: Turn) -> None:
        self._guard(lambda: self.inner.turn(state, turn))

    def took_back(self, state: State) -> None:
        self._guard(lambda: self.inner.took_back(state))

    def finished(self, state: State) -> None:
        self._guard(lambda: self.inner.finished(state))


class StoreRecorder:
    """Records sessions into the store at ``path`` (or into an open ``store``), and reads
    the history back from it. The database is opened on first use."""

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        store: Store | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        if path is None and store is None:
            raise ValueError("StoreRecorder needs a database path or an open store")
        self.path = Path(path) if path is not None else (store.path if store else None)
        self.parent: int | None = None
        self.parent_turn: int | None = None
        self.session_id: int | None = None
        self.error: StoreError | None = None
        self._warn = warn
        self._store = store
        self._owns_store = store is None
        self._failed = False

    @property
    def saving(self) -> bool:
        """False once saving has failed (the rehearsal goes on, unsaved)."""
        return not self._failed

    def _fail(self, error: StoreError) -> None:
        self._failed = True
        self.error = error
        if self._warn is not None:
            self._warn(f"this session is not being saved: {error}")

    def _open(self) -> Store | None:
        if self._failed:
            return None
        if self._store is None:
            from rehearse.history.store import Store

            assert self.path is not None
            from rehearse.history.replay import backfill_scores

            try:
                self._store = Store.open(self.path)
                backfill_scores(self._store)
            except StoreError as exc:
                self._fail(exc)
                return None
        return self._store

    def retry_of(self, parent: int, parent_turn: int) -> None:
        """The next ``started`` begins a retry of session ``parent`` from ``parent_turn``."""
        self.parent, self.parent_turn = parent, parent_turn

    def started(self, state: State) -> None:
        """A session began (its opening line, and any turns already in ``state``, as when
        retrying from a turn). Sets ``session_id``; parent/parent_turn apply to this one
        session only."""
        self.session_id = None
        parent, parent_turn = self.parent, self.parent_turn
        self.parent = self.parent_turn = None
        store = self._open()
        if store is None:
            return
        try:
            self.session_id = store.start(state, parent=parent, parent_turn=parent_turn)
        except StoreError as exc:
            self._fail(exc)

    def turn(self, state: State, turn: Turn) -> None:
        """One step was taken: commit it now."""
        store = self._open()
        if store is None or self.session_id is None:
            return
        try:
            store.record(self.session_id, state, turn)
        except StoreError as exc:
            self._fail(exc)

    def took_back(self, state: State) -> None:
        """The user undid: forget the turns after ``state.turn``."""
        store = self._open()
        if store is None or self.session_id is None:
            return
        try:
            store.take_back(self.session_id, state)
        except StoreError as exc:
            self._fail(exc)

    def finished(self, state: State) -> None:
        """The session is over: an ending, or the user stopped."""
        store = self._open()
        if store is None or self.session_id is None:
            return
        try:
            store.finish(self.session_id, state)
        except StoreError as exc:
            self._fail(exc)

    def summary(self) -> dict[str, tuple[int, str | None]]:
        """Script id -> (attempts, best outcome): the app's History, from the same store."""
        store = self._open()
        if store is None:
            return {}
        try:
            return store.summary()
        except StoreError as exc:
            self._fail(exc)
            return {}

    def store(self) -> Store | None:
        """The open Store (for reading: the app's sessions and replay screens), or None if
        the database cannot be used."""
        return self._open()

    def close(self) -> None:
        if self._store is not None and self._owns_store:
            self._store.close()
            self._store = None

    def __enter__(self) -> StoreRecorder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
