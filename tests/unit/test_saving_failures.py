"""Saving that fails is never silent and never loses a later turn; a read-only folder or a
full disk is told apart from a corrupt database, and reading still works (issue 12,
attack 4). SQLite's own switches stand in for the disk: ``query_only`` makes every write
fail as on a read-only file, ``max_page_count`` as on a full disk."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rehearse.cli.group import cli
from rehearse.engine.runtime import session as sess
from rehearse.history.errors import StoreError
from rehearse.history.recorder import GuardedRecorder, StoreRecorder
from rehearse.history.store import Store
from rehearse.workspace import paths
from tests.unit.helpers import MINI, mini_state

LONG = "I want to be considered for the lead job " * 40  # pages fill quickly


def fill_disk(store: Store) -> None:
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")


def free_disk(store: Store) -> None:
    store._conn.execute("PRAGMA max_page_count = 1000000")


def test_a_read_only_database_is_not_called_corrupt(tmp_path: Path) -> None:
    with Store.open(tmp_path / "sessions.sqlite3") as store:
        state = mini_state()
        session_id = store.start(state)
        store._conn.execute("PRAGMA query_only = ON")
        after, turn = sess.step(state, "hello")
        with pytest.raises(StoreError) as caught:
            store.record(session_id, after, turn)
    assert caught.value.kind == "readonly" and not caught.value.broken
    assert "read-only" in str(caught.value) and "cannot be read" not in str(caught.value)


def test_a_full_disk_is_said_once_and_no_turn_is_lost_when_space_returns(tmp_path: Path) -> None:
    said: list[str] = []
    with Store.open(tmp_path / "sessions.sqlite3") as store:
        recorder = StoreRecorder(store=store, warn=said.append)
        state = mini_state()
        recorder.started(state)
        fill_disk(store)
        for text in (LONG, LONG + "again"):  # two turns while the disk is full
            state, turn = sess.step(state, text)
            recorder.turn(state, turn)
        assert recorder.error is not None and recorder.error.kind == "full"
        assert len(said) == 1 and "disk is full" in said[0] and "Saving starts again" in said[0]
        free_disk(store)
        state, turn = sess.step(state, "I want to be considered for the lead job")
        recorder.turn(state, turn)
        assert recorder.saving and said[1].startswith("saving works again")
        assert recorder.session_id is not None
        stored = store.load(recorder.session_id)
    assert [t.user for t in stored.turns][1:] == [
        LONG,
        LONG + "again",
        "I want to be considered for the lead job",
    ]


def test_a_session_whose_start_was_not_saved_is_saved_whole_later(tmp_path: Path) -> None:
    with Store.open(tmp_path / "sessions.sqlite3") as store:
        recorder = StoreRecorder(store=store)
        store._conn.execute("PRAGMA query_only = ON")
        state = mini_state()
        recorder.started(state)
        state, turn = sess.step(state, "hello")
        recorder.turn(state, turn)
        assert recorder.session_id is None and recorder.problem is not None
        store._conn.execute("PRAGMA query_only = OFF")
        state, turn = sess.step(state, "I want to be considered for the lead job")
        recorder.turn(state, turn)
        assert recorder.session_id is not None and recorder.problem is None
        assert [t.user for t in store.load(recorder.session_id).turns][1:] == ["hello", turn.user]


class Flaky:
    """A recorder whose saving fails while ``problem`` is set."""

    def __init__(self) -> None:
        self.problem: str | None = None

    def turn(self, state: Any, turn: Any) -> None:
        return None


def test_the_guard_reports_when_saving_stops_and_when_it_works_again() -> None:
    heard: list[str | None] = []
    inner = Flaky()
    guarded = GuardedRecorder(inner, heard.append)  # type: ignore[arg-type]
    guarded.turn(None, None)  # type: ignore[arg-type]
    inner.problem = "the disk is full"
    guarded.turn(None, None)  # type: ignore[arg-type]
    guarded.turn(None, None)  # type: ignore[arg-type]
    inner.problem = None
    guarded.turn(None, None)  # type: ignore[arg-type]
    assert heard == ["This session is not being saved: the disk is full", None]


def read_only_open(path: Path | str) -> Store:
    raise StoreError(f"cannot create the session database at {path}: Read-only file system", kind="readonly")


def test_sessions_replay_export_and_stats_read_a_read_only_store(monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(paths.database_path()) as store:
        state = mini_state()
        session_id = store.start(state)
        state, turn = sess.step(state, "I want to be considered for the lead job")
        store.record(session_id, state, turn)
    monkeypatch.setattr(Store, "open", classmethod(lambda cls, path: read_only_open(path)))
    runner = CliRunner()
    for args in (["sessions"], ["replay", "latest", "--plain"], ["export", "latest"], ["stats"]):
        result = runner.invoke(cli, ["--path", str(MINI), *args], obj={})
        assert result.exit_code == 0, (args, result.output)
    assert "I want to be considered" in runner.invoke(cli, ["export", "latest"], obj={}).output


def test_reset_broken_on_a_read_only_file_system_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(cls: Any, path: Path | str) -> Store:
        raise StoreError("the session database cannot be read (file is not a database)", kind="broken")

    def read_only(path: Path | str) -> Path:
        raise OSError(errno.EROFS, "Read-only file system")

    paths.database_path().write_text("not a database")
    monkeypatch.setattr(Store, "open", classmethod(broken))
    monkeypatch.setattr("rehearse.history.store.move_aside", read_only)
    result = CliRunner().invoke(cli, ["sessions", "--reset-broken"], obj={})
    assert result.exit_code == 1
    assert "Read-only file system" in result.output and "nothing was changed" in result.output
    monkeypatch.setattr(Store, "open", classmethod(lambda cls, path: read_only_open(path)))
    result = CliRunner().invoke(cli, ["sessions", "--reset-broken"], obj={})
    assert result.exit_code == 1 and "Read-only file system" in result.output


def test_a_database_that_cannot_be_opened_in_a_read_only_folder_is_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite says only "unable to open database file" when it cannot create the -shm file
    beside a database in a read-only folder; the folder says why."""
    import sqlite3

    from rehearse.history import store as store_module

    with Store.open(tmp_path / "sessions.sqlite3") as store:
        monkeypatch.setattr(store_module.os, "access", lambda path, mode: False)
        error = sqlite3.OperationalError("unable to open database file")
        error.sqlite_errorname = "SQLITE_CANTOPEN"  # type: ignore[attr-defined]
        with pytest.raises(StoreError) as caught, store._errors("open"):
            raise error
    assert caught.value.kind == "readonly" and "read-only" in str(caught.value)
