"""Drill cards in the session store: made by weak replies, reviewed, refolded when a review
goes away, kept through kill -9, removed by purge, and added to older databases."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from rehearse.engine.runtime import session as sess
from rehearse.history import schema
from rehearse.history.store import Store
from tests.unit.test_store import record_play

T0 = datetime(2026, 3, 2, 19, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def db(tmp_path: Path) -> Store:
    with Store.open(tmp_path / "sessions.sqlite3") as store:
        store.clock = lambda: T0
        yield store  # type: ignore[misc]


def at(store: Store, when: datetime) -> None:
    store.clock = lambda: when


def test_a_weak_reply_makes_a_card_due_a_day_later_with_why(db: Store) -> None:
    record_play(db, ["I would like a raise", "please I really need it"])
    assert db.due_count(T0) == 0
    assert db.due_count(T0 + DAY) == 1
    (moment,) = db.moments(T0 + DAY)
    assert (moment.script_id, moment.node, moment.persona_id) == ("store-raise", "why", "pat")
    assert moment.script_title == "A small raise talk" and moment.persona_name == "Pat Boss"
    assert moment.asked == "Why should I?"
    assert moment.turn == 2 and moment.grade == "again"
    assert [r.kind for r in moment.reasons] == ["dead_end", "low"]
    assert "Plead" in moment.reasons[0].text


def test_strong_replies_make_no_card(db: Store) -> None:
    record_play(db, ["I would like a raise", "I delivered the project early"])
    assert db.moments(T0 + 30 * DAY, due_only=False) == []


def test_a_miss_then_a_strong_reply_is_one_review_in_one_session(db: Store) -> None:
    record_play(db, ["xyzzy plugh", "I would like a raise"])
    (moment,) = db.moments(T0 + DAY)
    assert moment.node == "opening" and moment.memory.reviews == 1


def test_a_strong_reply_at_a_due_card_is_a_review_that_spaces_it_further(db: Store) -> None:
    record_play(db, ["I would like a raise", "please I really need it"])
    at(db, T0 + 3 * DAY)
    record_play(db, ["I would like a raise", "my results were strong this year"])
    assert db.due_count(T0 + 3 * DAY) == 0
    (moment,) = db.moments(T0 + 60 * DAY, due_only=False)
    assert moment.memory.reviews == 2 and moment.memory.last_grade == "good"
    assert moment.memory.due - (T0 + 3 * DAY) > DAY
    assert moment.turn == 2  # still started from the weak reply


def test_a_strong_reply_before_a_card_is_due_does_not_count(db: Store) -> None:
    record_play(db, ["I would like a raise", "please I really need it"])
    at(db, T0 + timedelta(hours=2))
    record_play(db, ["I would like a raise", "my results were strong this year"])
    (moment,) = db.moments(T0 + DAY)
    assert moment.memory.reviews == 1


def test_taking_back_a_weak_reply_removes_its_card(db: Store) -> None:
    sid, state = record_play(db, ["I would like a raise", "please I really need it"])
    db.take_back(sid, sess.undo(state))
    assert db.moments(T0 + DAY, due_only=False) == []


def test_taking_back_a_later_reply_keeps_an_earlier_review(db: Store) -> None:
    """Taking back writes the turns again; the review of a reply that stays keeps its time
    and still counts, though the card is no longer due by then."""
    record_play(db, ["how was your weekend"])  # small talk at the opening: a card
    at(db, T0 + 3 * DAY)
    sid, state = record_play(db, ["I would like a raise", "please I really need it"])
    cards = {m.node: m for m in db.moments(T0 + 60 * DAY, due_only=False)}
    assert cards["opening"].memory.reviews == 2 and cards["opening"].memory.last_grade == "good"
    at(db, T0 + 4 * DAY)
    db.take_back(sid, sess.undo(state))  # the reply at "why" goes, with its card
    (after,) = db.moments(T0 + 60 * DAY, due_only=False)
    assert after.node == "opening" and after.memory == cards["opening"].memory


def test_deleting_a_session_folds_its_cards_again(db: Store) -> None:
    first, _ = record_play(db, ["I would like a raise", "please I really need it"])
    at(db, T0 + 2 * DAY)
    second, _ = record_play(db, ["I would like a raise", "I have bills to pay"])
    (moment,) = db.moments(T0 + 60 * DAY, due_only=False)
    assert moment.memory.reviews == 2 and moment.session == second
    db.delete(second)
    (moment,) = db.moments(T0 + 60 * DAY, due_only=False)
    assert moment.memory.reviews == 1 and moment.session == first
    assert moment.memory.due == T0 + DAY
    db.delete(first)
    assert db.due_count(T0 + 60 * DAY) == 0


def test_purge_removes_every_card(db: Store) -> None:
    record_play(db, ["I would like a raise", "please I really need it"])
    db.purge()
    conn = sqlite3.connect(db.path)
    assert conn.execute("SELECT count(*) FROM cards").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 0
    conn.close()


def test_next_due_is_the_earliest_card_not_yet_due(db: Store) -> None:
    assert db.next_due(T0) is None
    record_play(db, ["I would like a raise", "please I really need it"])
    assert db.next_due(T0) == T0 + DAY
    assert db.next_due(T0 + DAY) is None


def test_a_card_survives_kill_9(tmp_path: Path) -> None:
    """The card is written in the turn's own transaction: a process killed right after the
    reply keeps it."""
    path = tmp_path / "sessions.sqlite3"
    code = textwrap.dedent(
        f"""
        import os, signal
        from rehearse.history.store import Store
        from tests.unit.test_store import record_play
        store = Store.open({str(path)!r})
        record_play(store, ["I would like a raise", "please I really need it"])
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    with Store.open(path) as store:
        assert [m.node for m in store.moments(datetime.now(UTC) + 2 * DAY)] == ["why"]


def test_an_older_database_gains_the_drill_tables(tmp_path: Path) -> None:
    """A database from before drills (schema 2: no drill tables) opens, upgrades, keeps its
    sessions, and records cards from then on."""
    path = tmp_path / "sessions.sqlite3"
    with Store.open(path) as store:
        sid, _ = record_play(store, ["I would like a raise"])
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE reviews")
    conn.execute("DROP TABLE cards")
    conn.execute(f"PRAGMA user_version = {len(schema.MIGRATIONS) - 1}")
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        assert store.schema_version == schema.SCHEMA_VERSION
        assert store.load(sid).inputs == ("I would like a raise",)
        store.clock = lambda: T0
        record_play(store, ["I would like a raise", "please I really need it"])
        assert store.due_count(T0 + DAY) == 1
