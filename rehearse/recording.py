"""Saving a rehearsal as it happens, for plain mode and the app alike.

The player (plain mode, or the Textual app) calls ``started`` once, ``turn`` after every
step, ``took_back`` after an undo and ``finished`` at the end. Each call is one committed
transaction in the session store. Saving must never spoil a rehearsal: if the database
cannot be used, the recorder reports it once through ``warn`` and carries on without saving.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from rehearse.engine.session import State, Turn
from rehearse.engine.store import Store, StoreError


class StoreRecorder:
    """Records one session into the store at ``path`` (default: the user's database)."""

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        store: Store | None = None,
        parent: int | None = None,
        parent_turn: int | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        if path is None and store is None:
            from rehearse.paths import database_path

            path = database_path()
        self.path = Path(path) if path is not None else (store.path if store else None)
        self.parent = parent
        self.parent_turn = parent_turn
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
            assert self.path is not None
            try:
                self._store = Store.open(self.path)
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
