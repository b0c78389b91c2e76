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
never spoil a rehearsal, nor fail silently: when the database cannot be used it says so
once through ``warn`` (and ``problem`` holds why), carries on, and tries again at the next
call; the first call that works writes whatever was missed and says saving works again.
Nothing here imports sqlite3 until a session is actually saved, so the app's first frame
does not wait for it.
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
    """Passes every call on to ``inner``; a call that raises is ignored (saving must never
    break a rehearsal) but never silent: ``report`` hears why saving stopped working (the
    call's error, or the inner recorder's ``problem``), and None once it works again."""

    def __init__(self, inner: Recorder, report: Callable[[str | None], None]) -> None:
        self.inner = inner
        self._report = report
        self.problem: str | None = None

    def _guard(self, call: Callable[[], None]) -> None:
        try:
            call()
            problem = getattr(self.inner, "problem", None)
        except Exception as exc:
            problem = str(exc)
        if problem != self.problem:
            self.problem = problem
            self._report(f"This session is not being saved: {problem}" if problem else None)

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
        self._unsaved_start: tuple[int | None, int | None] | None = None

    @property
    def saving(self) -> bool:
        """False while saving fails (the rehearsal goes on; the next call tries again)."""
        return self.error is None

    @property
    def problem(self) -> str | None:
        """Why saving does not work right now, or None."""
        return None if self.error is None else str(self.error)

    def _fail(self, error: StoreError) -> None:
        if self.error is None and self._warn is not None:
            self._warn(f"this session is not being saved: {error}")
        self.error = error

    def _worked(self) -> None:
        if self.error is not None and self._warn is not None:
            self._warn("saving works again: the session is saved, with the replies it missed")
        self.error = None

    def _open(self) -> Store | None:
        if self._store is None:
            from rehearse.history.store import Store

            assert self.path is not None
            try:
                self._store = Store.open(self.path)
                if self._store.unscored():  # replay loads the matcher: only when there is work
                    from rehearse.history.replay import backfill_scores

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
        self._unsaved_start = (self.parent, self.parent_turn)
        self.parent = self.parent_turn = None
        self._save(state, lambda store, session_id: None)

    def _save(self, state: State, write: Callable[[Store, int], None]) -> None:
        """Start the session if that has not been saved yet (it then holds every turn so
        far), else ``write``; a failure is reported and the next call tries again."""
        store = self._open()
        if store is None:
            return
        try:
            if self._unsaved_start is not None:
                parent, parent_turn = self._unsaved_start
                self.session_id = store.start(state, parent=parent, parent_turn=parent_turn)
                self._unsaved_start = None
            elif self.session_id is not None:
                write(store, self.session_id)
        except StoreError as exc:
            self._fail(exc)
            return
        self._worked()

    def turn(self, state: State, turn: Turn) -> None:
        """One step was taken: commit it now (with any turn a failed write missed)."""
        self._save(state, lambda store, session_id: store.record(session_id, state, turn))

    def took_back(self, state: State) -> None:
        """The user undid: forget the turns after ``state.turn``."""
        self._save(state, lambda store, session_id: store.take_back(session_id, state))

    def finished(self, state: State) -> None:
        """The session is over: an ending, or the user stopped."""
        self._save(state, lambda store, session_id: store.finish(session_id, state))

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
