"""The session store: recording, listing, replay, migrations and broken databases."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from rehearse.engine.compile.loader import persona_from_text, script_from_text
from rehearse.engine.runtime import session as sess
from rehearse.engine.runtime.session import Setup, State
from rehearse.history import store as store_module
from rehearse.history.codec import record_of, records_of, turn_from_json, turn_to_json
from rehearse.history.errors import StoreError
from rehearse.history.recorder import StoreRecorder
from rehearse.history.replay import backfill_scores, rebuild
from rehearse.history.schema import SCHEMA_VERSION
from rehearse.history.store import Store, move_aside
from rehearse.views.session import understood
from rehearse.workspace.paths import database_path

SCRIPT = textwrap.dedent(
    """\
    id: store-raise
    title: A small raise talk
    situation: You ask {{ persona.name }} for a raise of {{ amount }}.
    goal: Ask plainly, then back it with results.
    personas: [pat]
    vars: {amount: "5%"}
    rubric:
      clarity: You asked plainly.
      evidence: You backed it with results.
    start: opening
    nodes:
      opening:
        boss: "Hi {{ user.name }}. What's up?"
        hint: Ask for the raise in one sentence.
        model: "I'd like a raise of {{ amount }}."
        replies:
          ask:
            label: Ask for a raise
            say: ["I would like a raise", "can I have a pay rise", "I want more money"]
            score: {clarity: 2}
            next: why
          chat:
            label: Make small talk
            say: ["how was your weekend", "nice weather today"]
            score: {clarity: -1}
            next: opening
      why:
        boss: "Why should I?"
        replies:
          results:
            label: Point at results
            say: ["I delivered the project early", "my results were strong this year"]
            score: {evidence: 2}
            next: agreed
          plead:
            label: Plead
            say: ["please I really need it", "I have bills to pay"]
            score: {evidence: -1}
            next: refused
      agreed:
        end: success
        boss: "Fair enough. Let's do it."
        debrief: You asked and backed it up.
      refused:
        end: fail
        boss: "Not this year."
        debrief: Tie the ask to results, not to need.
    """
)
PERSONA = textwrap.dedent(
    """\
    id: pat
    name: Pat Boss
    title: Manager
    description: Friendly and brisk.
    difficulty: easy
    patience: 5
    """
)
WIN = [
    "how was your weekend",
    "xyzzy plugh",
    "I would like a raise",
    "I delivered the project early",
]
LOSE = ["I would like a raise", "please I really need it"]


def make_setup(script_text: str = SCRIPT, *, name: str = "Ana", seed: int = 7) -> Setup:
    script, report = script_from_text(script_text, "store-raise.yaml")
    assert script is not None, [d.render() for d in report.items]
    persona, report = persona_from_text(PERSONA, "pat.yaml")
    assert persona is not None, [d.render() for d in report.items]
    return Setup(script, persona, user_name=name, seed=seed)


def record_play(store: Store, inputs: list[str], setup: Setup | None = None) -> tuple[int, State]:
    state = sess.begin(setup or make_setup())
    sid = store.start(state)
    for text in inputs:
        state, turn = sess.step(state, text)
        store.record(sid, state, turn)
    return sid, state


@pytest.fixture
def db(tmp_path: Path) -> Store:
    with Store.open(tmp_path / "deep" / "er" / "sessions.sqlite3") as store:
        yield store  # type: ignore[misc]


# -- opening and schema ---------------------------------------------------------------------


def test_open_creates_folders_wal_schema_and_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "sessions.sqlite3"
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION == len(store_module.MIGRATIONS)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type='table'")}
    assert {"blobs", "sessions", "turns", "tallies"} <= tables
    conn.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_schema_1_file_is_upgraded_and_its_sessions_get_0_100_scores(tmp_path: Path) -> None:
    path = tmp_path / "sessions.sqlite3"
    with Store.open(path) as store:
        win, _ = record_play(store, WIN)
        empty = store.start(sess.begin(make_setup()))
    conn = sqlite3.connect(path)
    # as schema 1 left it: no score columns, no drill tables
    conn.execute("DROP TABLE reviews")
    conn.execute("DROP TABLE cards")
    conn.execute("UPDATE sessions SET score = NULL, dim_scores = NULL")
    conn.execute("ALTER TABLE sessions DROP COLUMN score")
    conn.execute("ALTER TABLE sessions DROP COLUMN dim_scores")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.load(win).score is None and store.unscored() == [win]
        assert backfill_scores(store) == 1
        assert store.load(win).score == 65 and store.unscored() == []
        assert store.load(empty).score is None  # no turns: nothing to score
        assert store.stats(script="store-raise")[0].scores == {"clarity": 60, "evidence": 70}


def test_a_session_whose_stored_script_no_longer_loads_is_not_tried_again(db: Store) -> None:
    sid, _ = record_play(db, WIN)
    with sqlite3.connect(db.path) as conn:
        conn.execute("UPDATE sessions SET score = NULL, dim_scores = NULL")
        conn.execute("UPDATE blobs SET text = 'id: [' WHERE text LIKE 'id: store-raise%'")
    assert backfill_scores(db) == 0
    assert db.load(sid).score is None and db.unscored() == []


def test_the_recorder_scores_unscored_sessions_when_it_opens_the_store(tmp_path: Path) -> None:
    path = tmp_path / "sessions.sqlite3"
    with Store.open(path) as store:
        win, _ = record_play(store, WIN)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE sessions SET score = NULL, dim_scores = NULL")
    with StoreRecorder(path) as recorder:
        store = recorder.store()
        assert store is not None
        assert store.unscored() == [] and store.load(win).score == 65


def test_database_path_honours_rehearse_home(rehearse_home: Path) -> None:
    assert database_path() == rehearse_home / "sessions.sqlite3"
    with Store.open(database_path()):
        pass
    assert (rehearse_home / "sessions.sqlite3").is_file()


def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    with Store.open(path) as store:
        record_play(store, LOSE)
    with Store.open(path) as store:
        assert store.count() == 1
        assert store.schema_version == SCHEMA_VERSION


def test_a_new_migration_step_runs_once_on_an_existing_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.sqlite3"
    with Store.open(path) as store:
        sid, _ = record_play(store, LOSE)
    step = ("ALTER TABLE sessions ADD COLUMN note TEXT NOT NULL DEFAULT 'migrated'",)
    monkeypatch.setattr(store_module, "MIGRATIONS", (*store_module.MIGRATIONS, step))
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION + 1
        assert store.load(sid).outcome == "fail"
    with Store.open(path) as store:  # no second ALTER (it would fail: duplicate column)
        assert store.schema_version == SCHEMA_VERSION + 1
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT note FROM sessions").fetchone()[0] == "migrated"
    conn.close()


# -- recording --------------------------------------------------------------------------------


def test_every_turn_is_visible_to_another_connection_as_soon_as_it_is_recorded(db: Store) -> None:
    state = sess.begin(make_setup())
    sid = db.start(state)
    with Store.open(db.path) as other:
        assert other.load(sid).turn_count == 0
        for i, text in enumerate(WIN, start=1):
            state, turn = sess.step(state, text)
            db.record(sid, state, turn)
            seen = other.load(sid)
            assert seen.inputs == tuple(WIN[:i])
            assert seen.turn_count == i
    stored = db.load(sid)
    assert stored.outcome == "success"
    assert stored.ended is not None
    assert dict(stored.scores) == {"clarity": 1, "evidence": 2}
    assert stored.score == 65  # clarity 60 (-1 then +2), evidence 70: 0-100, as the debrief shows


def test_a_session_keeps_what_replay_needs(db: Store) -> None:
    setup = make_setup(name="Zoë", seed=42)
    sid, state = record_play(db, LOSE, setup)
    stored = db.load(sid)
    assert stored.script_id == "store-raise"
    assert stored.script_title == "A small raise talk"
    assert stored.script_text == SCRIPT
    assert stored.persona_text == PERSONA
    assert stored.script_sha == setup.script.digest
    assert stored.persona_id == "pat" and stored.persona_name == "Pat Boss"
    assert stored.user_name == "Zoë"
    assert stored.seed == 42
    assert dict(stored.vars) == {"amount": "5%"}
    assert stored.app_version
    assert stored.situation == "You ask Pat Boss for a raise of 5%."
    assert dict(stored.rubric) == {
        "clarity": "You asked plainly.",
        "evidence": "You backed it with results.",
    }
    assert (stored.outcome, stored.end_reason, stored.end_node) == ("fail", "script", "refused")
    assert stored.debrief == "Tie the ask to results, not to need."
    assert [t.index for t in stored.turns] == [0, 1, 2]
    for kept, made in zip(stored.turns, records_of(state), strict=True):
        assert kept.user == made.user
        assert turn_to_json(kept) == turn_to_json(made)
    assert stored.turns[1].label == "Ask for a raise"


def test_script_persona_and_situation_text_are_stored_once(db: Store) -> None:
    for _ in range(3):
        record_play(db, LOSE)
    blobs = db._conn.execute("SELECT count(*) FROM blobs").fetchone()[0]
    assert blobs == 3  # script, persona, rendered situation/goal/rubric
    record_play(db, LOSE, make_setup(name="Bo"))  # same text: the situation does not name you
    record_play(db, LOSE, make_setup(SCRIPT.replace('amount: "5%"', 'amount: "9%"')))
    assert db._conn.execute("SELECT count(*) FROM blobs").fetchone()[0] == 5


def test_take_back_forgets_the_undone_turns(db: Store) -> None:
    state = sess.begin(make_setup())
    sid = db.start(state)
    for text in ["I would like a raise", "please I really need it"]:
        state, turn = sess.step(state, text)
        db.record(sid, state, turn)
    assert db.load(sid).outcome == "fail"
    state = sess.undo(state)
    db.take_back(sid, state)
    stored = db.load(sid)
    assert stored.inputs == ("I would like a raise",)
    assert stored.outcome is None and stored.ended is None
    assert db.count(outcome="fail") == 0 and db.count(outcome="unfinished") == 1
    state, turn = sess.step(state, "I delivered the project early")
    db.record(sid, state, turn)
    stored = db.load(sid)
    assert stored.inputs == ("I would like a raise", "I delivered the project early")
    assert stored.outcome == "success"
    assert rebuild(stored)[1] == []


def test_finish_marks_a_stopped_session_ended_without_an_outcome(db: Store) -> None:
    sid, state = record_play(db, ["I would like a raise"])
    assert db.load(sid).ended is None
    db.finish(sid, state)
    stored = db.load(sid)
    assert stored.ended is not None and stored.outcome is None and stored.node == "why"


def test_recording_into_a_deleted_session_raises_store_error(db: Store) -> None:
    state = sess.begin(make_setup())
    sid = db.start(state)
    assert db.purge() == 1
    state, turn = sess.step(state, "I would like a raise")
    with pytest.raises(StoreError, match=f"session {sid} is not in the database"):
        db.record(sid, state, turn)


def test_undecodable_input_is_kept_exactly(db: Store) -> None:
    odd = "caf\udce9 \x1b[31mred\x1b[0m [bold]x[/bold] {{ 7*7 }}"
    sid, _ = record_play(db, [odd, "I would like a raise"])
    stored = db.load(sid)
    assert stored.inputs[0] == odd
    assert rebuild(stored)[1] == []


# -- listing, counts, summary, stats ---------------------------------------------------------


def test_listing_is_newest_first_filtered_and_paged(db: Store) -> None:
    ids = []
    for inputs in (LOSE, WIN, LOSE, ["I would like a raise"], WIN):
        ids.append(record_play(db, inputs)[0])
    other = make_setup(SCRIPT.replace("id: store-raise", "id: other-talk"))
    ids.append(record_play(db, LOSE, other)[0])
    rows = db.sessions()
    assert [r.id for r in rows] == ids[::-1]
    assert rows[0].script_id == "other-talk" and rows[0].script_title == "A small raise talk"
    assert [r.id for r in db.sessions(limit=2, offset=1)] == [ids[4], ids[3]]
    assert [r.id for r in db.sessions(limit=2, before=ids[3])] == [ids[2], ids[1]]
    assert [r.id for r in db.sessions(script="store-raise", outcome="fail")] == [ids[2], ids[0]]
    assert [r.id for r in db.sessions(outcome="unfinished")] == [ids[3]]
    row = db.sessions(script="store-raise", limit=1)[0]
    assert (row.outcome, row.score, row.turns, row.persona_id, row.parent) == (
        "success",
        65,
        4,
        "pat",
        None,
    )
    assert db.count() == 6
    assert db.count(script="store-raise") == 5
    assert db.count(script="store-raise", outcome="success") == 2
    assert db.count(outcome="fail") == 3
    assert db.count(script="nope") == 0
    assert db.outcomes("store-raise") == {"success": 2, "partial": 0, "fail": 2, "unfinished": 1}
    assert db.summary() == {"other-talk": (1, "fail"), "store-raise": (5, "success")}
    with pytest.raises(ValueError):
        db.sessions(outcome="great")


def test_summary_best_outcome_ranks_success_over_partial_over_fail(db: Store) -> None:
    text = SCRIPT.replace("end: fail", "end: partial")
    record_play(db, LOSE)
    assert db.summary()["store-raise"] == (1, "fail")
    record_play(db, LOSE, make_setup(text))
    assert db.summary()["store-raise"] == (2, "partial")
    record_play(db, ["I would like a raise"])
    assert db.summary()["store-raise"] == (3, "partial")
    record_play(db, WIN)
    record_play(db, LOSE)
    assert db.summary()["store-raise"] == (5, "success")


def test_tallies_follow_deletes_and_purge(db: Store) -> None:
    first, _ = record_play(db, WIN)
    record_play(db, LOSE)
    assert db.delete(first)
    assert not db.delete(first)
    assert db.summary() == {"store-raise": (1, "fail")}
    assert db.count() == 1
    db.purge()
    assert db.summary() == {} and db.count() == 0 and db.sessions() == []


def test_stats_are_the_latest_attempts_oldest_first(db: Store) -> None:
    ids = [record_play(db, inputs)[0] for inputs in (LOSE, WIN, LOSE, WIN)]
    points = db.stats(script="store-raise", limit=3)
    assert [p.session_id for p in points] == ids[1:]
    assert [p.outcome for p in points] == ["success", "fail", "success"]
    assert dict(points[0].scores) == {"clarity": 60, "evidence": 70}
    assert dict(points[1].scores) == {"clarity": 70, "evidence": 40}
    assert [p.score for p in points] == [65, 55, 65]
    assert db.stats(script="nope") == []


def test_load_latest_and_missing(db: Store) -> None:
    with pytest.raises(KeyError):
        db.load("latest")
    record_play(db, LOSE)
    second, _ = record_play(db, WIN)
    assert db.load("latest").id == second
    assert db.load(str(second)).id == second
    with pytest.raises(KeyError):
        db.load(999)
    with pytest.raises(KeyError):
        db.load("yesterday")


def test_delete_removes_turns_and_unused_blobs(db: Store) -> None:
    sid, _ = record_play(db, WIN)
    db.delete(sid)
    conn = db._conn
    assert conn.execute("SELECT count(*) FROM turns").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM blobs").fetchone()[0] == 0


def test_purge_leaves_nothing_said_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    secret = "my secret salary figure is ninety one thousand"
    with Store.open(path) as store:
        for _ in range(5):
            record_play(store, [secret, *LOSE])
        assert store.purge() == 5
        assert store.count() == 0
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("s.sqlite3"))
    assert secret.encode() not in data
    assert b"Why should I?" not in data


# -- replay -------------------------------------------------------------------------------------


def test_rebuild_reproduces_the_transcript_exactly_with_a_menu_pick(db: Store) -> None:
    state = sess.begin(make_setup())
    sid = db.start(state)
    steps = ["xyzzy", None, "1", "I delivered the project early"]  # None: open the menu
    for text in steps:
        if text is None:
            state = sess.open_menu(state)
            continue
        state, turn = sess.step(state, text)
        db.record(sid, state, turn)
    assert state.ending is not None and state.ending.outcome == "success"
    stored = db.load(sid)
    assert stored.turns[2].menu_opened is True
    rebuilt, problems = rebuild(stored)
    assert problems == []
    assert [turn_to_json(r) for r in records_of(rebuilt)] == [turn_to_json(r) for r in records_of(state)]
    assert rebuilt.ending == state.ending
    assert dict(rebuilt.scores) == dict(stored.scores)


def test_rebuild_against_an_edited_script_lists_the_turns_that_changed(db: Store) -> None:
    sid, _ = record_play(db, WIN)
    stored = db.load(sid)
    edited_text = SCRIPT.replace('boss: "Why should I?"', 'boss: "Convince me."').replace(
        "next: agreed", "next: refused"
    )
    edited, _ = script_from_text(edited_text, "edited.yaml")
    assert edited is not None
    _, problems = rebuild(stored, script=edited)
    assert [(p.turn, p.kind) for p in problems] == [(3, "boss_line"), (4, "moved")]
    assert problems[1].after is not None and problems[1].after.next_node == "refused"
    # The stored copy still replays the session exactly as it happened.
    state, none = rebuild(stored)
    assert none == []
    assert state.transcript[3].boss == "Why should I?"


def test_rebuild_reports_a_reply_that_is_now_read_differently(db: Store) -> None:
    sid, _ = record_play(db, WIN)
    # The example that matched "results" moves to "plead".
    edited_text = SCRIPT.replace('"I delivered the project early", ', "").replace(
        'say: ["please I really need it"',
        'say: ["I delivered the project early", "please I really need it"',
    )
    edited, _ = script_from_text(edited_text, "edited.yaml")
    assert edited is not None
    _, problems = rebuild(db.load(sid), script=edited)
    assert [(p.turn, p.kind, p.before.reply, p.after and p.after.reply) for p in problems] == [
        (4, "understood", "results", "plead")
    ]


def test_retry_from_a_turn_records_parent_and_the_replayed_turns(db: Store) -> None:
    parent, _ = record_play(db, LOSE)
    stored = db.load(parent)
    retry = sess.play(make_setup(), stored.inputs[:1])
    child = db.start(retry, parent=parent, parent_turn=2)
    state, turn = sess.step(retry, "I delivered the project early")
    db.record(child, state, turn)
    kept = db.load(child)
    assert (kept.parent, kept.parent_turn) == (parent, 2)
    assert kept.inputs == ("I would like a raise", "I delivered the project early")
    assert kept.outcome == "success"
    assert rebuild(kept)[1] == []
    assert db.sessions(limit=1)[0].parent == parent
    db.delete(parent)
    assert db.load(child).parent is None


def test_a_record_keeps_labels_flags_and_round_trips_through_json() -> None:
    state = sess.begin(make_setup())
    after, turn = sess.step(state, "sorry to bother you, I would maybe like a raise if that's ok")
    record = record_of(turn, after.previous)
    assert record.coaching, "the reply should trip at least one phrasing check"
    assert all(c.title and c.suggestion and c.words for c in record.coaching)
    assert record.label == "Ask for a raise"
    assert record.menu_opened is False and record.ending is None
    again = turn_from_json(turn_to_json(record), user=record.user)
    assert turn_to_json(again) == turn_to_json(record)
    assert (again.label, again.coaching, again.options, again.reason) == (
        record.label,
        record.coaching,
        record.options,
        record.reason,
    )
    # a live view and a stored one of the same turn say the same "84% match", though the
    # store keeps one decimal (83.46 is kept as 83.5)
    edge = replace(record, scores=(replace(record.scores[0], score=83.46), *record.scores[1:]))
    stored = turn_from_json(turn_to_json(edge), user=edge.user)
    assert understood(stored).text == understood(edge).text and "84% match" in understood(edge).text


# -- databases rehearse cannot use ------------------------------------------------------------


def test_a_corrupt_file_gives_a_clear_error_and_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "sessions.sqlite3"
    junk = os.urandom(4096) + b"not a database at all" * 100
    path.write_bytes(junk)
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    message = str(caught.value)
    assert caught.value.broken
    assert str(path) in message and "rehearse sessions --reset-broken" in message
    assert path.read_bytes() == junk
    moved = move_aside(path)
    assert moved.name.startswith("sessions.sqlite3.broken-")
    assert moved.read_bytes() == junk and not path.exists()
    with Store.open(path) as store:
        assert store.count() == 0


def test_damaged_pages_give_a_store_error_not_a_reset(tmp_path: Path) -> None:
    path = tmp_path / "sessions.sqlite3"
    with Store.open(path) as store:
        for _ in range(30):
            record_play(store, WIN)
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 4 * page
    for offset in range(page, len(data), page):  # keep page 1 (the header and schema)
        data[offset : offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError) as caught, Store.open(path) as store:
        store.sessions()
        store.load("latest")
        store.check()
    assert caught.value.broken and "cannot be read" in str(caught.value)
    assert path.read_bytes() == bytes(data)


def test_a_database_from_a_newer_rehearse_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "sessions.sqlite3"
    with Store.open(path) as store:
        record_play(store, LOSE)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    assert "newer version of rehearse" in str(caught.value)
    assert "rehearse sessions --reset-broken" in str(caught.value)
    assert path.read_bytes() == before
    moved = move_aside(path)
    conn = sqlite3.connect(moved)
    assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1
    conn.close()


def test_someone_elses_sqlite_file_is_not_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "sessions.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    assert "not one rehearse wrote" in str(caught.value)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_schema")] == ["recipes"]
    conn.close()


def test_move_aside_takes_the_wal_files_along_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "sessions.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"sessions.sqlite3{suffix}").write_text(f"x{suffix}")
    first = move_aside(path)
    assert not any(tmp_path.glob("sessions.sqlite3-*"))
    assert (tmp_path / f"{first.name}-wal").read_text() == "x-wal"
    path.write_text("again")
    second = move_aside(path)
    assert second != first and second.read_text() == "again" and first.read_text() == "x"


# -- the recorder -----------------------------------------------------------------------------


def test_recorder_records_a_whole_session(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    with StoreRecorder(path) as recorder:
        state = sess.begin(make_setup())
        recorder.started(state)
        for text in LOSE:
            state, turn = sess.step(state, text)
            recorder.turn(state, turn)
        recorder.finished(state)
        state = sess.undo(state)
        recorder.took_back(state)
        recorder.retry_of(recorder.session_id or 0, 2)
        first = recorder.session_id
        recorder.started(sess.begin(make_setup()))
        assert recorder.summary() == {"store-raise": (2, None)}
    assert recorder.saving and recorder.error is None
    with Store.open(path) as store:
        kept = store.load(first or 0)
        assert kept.inputs == ("I would like a raise",) and kept.outcome is None
        retry = store.load("latest")
        assert (retry.parent, retry.parent_turn) == (first, 2)


def test_recorder_on_a_broken_database_warns_once_and_never_raises(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    path.write_bytes(b"garbage" * 1000)
    warnings: list[str] = []
    recorder = StoreRecorder(path, warn=warnings.append)
    state = sess.begin(make_setup())
    recorder.started(state)
    state, turn = sess.step(state, "I would like a raise")
    recorder.turn(state, turn)
    recorder.took_back(state)
    recorder.finished(state)
    assert recorder.summary() == {}
    recorder.close()
    assert not recorder.saving and recorder.session_id is None
    assert len(warnings) == 1
    assert "not being saved" in warnings[0] and "--reset-broken" in warnings[0]
    assert path.read_bytes() == b"garbage" * 1000


# -- two processes at once ----------------------------------------------------------------------

WRITER = textwrap.dedent(
    """\
    import sys, time
    from pathlib import Path
    from rehearse.engine.runtime import session as sess
    from rehearse.engine.compile.loader import load_persona, load_script
    from rehearse.history.store import Store
    path, go, script, persona = map(Path, sys.argv[1:5])
    setup = sess.Setup(load_script(script)[0], load_persona(persona)[0], seed=3)
    inputs = sys.argv[5:]
    while not go.exists():
        time.sleep(0.001)
    done = 0
    for _ in range(15):
        with Store.open(path) as store:
            state = sess.begin(setup)
            sid = store.start(state)
            for text in inputs:
                state, turn = sess.step(state, text)
                store.record(sid, state, turn)
            store.finish(sid, state)
            done += 1
    print(done)
    """
)


def test_two_processes_writing_at_once_both_succeed(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "sessions.sqlite3"  # both processes also race to create it
    go = tmp_path / "go"
    (tmp_path / "script.yaml").write_text(SCRIPT)
    (tmp_path / "pat.yaml").write_text(PERSONA)
    args = [str(path), str(go), str(tmp_path / "script.yaml"), str(tmp_path / "pat.yaml"), *WIN]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    go.touch()
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert out.strip() == "15"
    with Store.open(path) as store:
        assert store.count() == 30
        assert store.count(outcome="success") == 30
        assert store.check() == []
        for row in store.sessions(limit=30):
            stored = store.load(row.id)
            assert stored.inputs == tuple(WIN)
            assert rebuild(stored)[1] == []
