"""Stored sessions for the sessions and replay tests: played through the engine and saved
with the real StoreRecorder into the test's REHEARSE_HOME, at fixed times when asked."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from rehearse.engine.compile.catalog import Catalog
from rehearse.engine.runtime import session as sess
from rehearse.engine.runtime.session import Setup, State
from rehearse.history import store as store_module
from rehearse.history.recorder import StoreRecorder
from rehearse.history.store import Store
from rehearse.workspace import paths
from tests.ui.helpers import cached_load, make_app

DATA = Path(__file__).resolve().parent / "snapshot_data"
HEDGED = "sorry to bother you, I think I'm kind of not going to go for it, but thank you"
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def fixed_clock(monkeypatch: pytest.MonkeyPatch, start: datetime = START) -> None:
    """The store's clock ticks one minute per call from ``start`` (deterministic dates)."""
    ticks = iter(range(1_000_000))
    monkeypatch.setattr(
        store_module,
        "now",
        lambda: (start + timedelta(minutes=next(ticks))).isoformat(timespec="milliseconds"),
    )


def setup_for(
    script_id: str, persona: str | None = None, *, seed: int = 0, catalog: Catalog | None = None
) -> Setup:
    from rehearse.workspace.library import whole

    catalog = catalog or cached_load([])
    script = whole(catalog.scripts[script_id], catalog.personas)
    return Setup(script, catalog.personas[persona or script.personas[0]], user_name="Alex", seed=seed)


def record(setup: Setup, replies: Sequence[str], *, finish: bool = True) -> int:
    """Play the replies and save them as one session (as the app would). Returns its id."""
    with StoreRecorder(paths.database_path()) as recorder:
        state: State = sess.begin(setup)
        recorder.started(state)
        for text in replies:
            if state.ending is not None:
                break
            state, turn = sess.step(state, text)
            recorder.turn(state, turn)
        if finish:
            recorder.finished(state)
        assert recorder.session_id is not None
        return recorder.session_id


def bulk(setup: Setup, replies: Sequence[str], count: int) -> list[int]:
    """``count`` copies of one played session, straight through the Store API (fast)."""
    state = sess.play(setup, replies)
    with Store.open(paths.database_path()) as store:
        ids = []
        for _ in range(count):
            session_id = store.start(state)
            store.finish(session_id, state)
            ids.append(session_id)
    return ids


def open_store() -> Store:
    return Store.open(paths.database_path())


@contextmanager
def store() -> Iterator[Store]:
    with Store.open(paths.database_path()) as s:
        yield s


def saving_app(**kwargs: Any) -> Any:
    """The app as the CLI makes it: the lazy store recorder as recorder and history."""
    recorder = StoreRecorder(paths.database_path())
    return make_app(recorder=recorder, history=recorder, **kwargs)


def db_path() -> Path:
    return paths.database_path()


@pytest.fixture
def utc() -> Iterator[None]:
    """Dates show in local time: make local time UTC, so the pictures do not depend on it."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch, utc: None) -> None:
    """For snapshots: the frozen scripts (as test_snapshots.py), a fixed ticking clock for
    the store, and dates in UTC."""
    monkeypatch.setattr(paths, "bundled_dir", lambda: DATA)
    fixed_clock(monkeypatch)
