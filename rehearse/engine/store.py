"""The session store: every rehearsal, kept in one SQLite database on this machine.

One file (``rehearse.paths.database_path()``; callers pass the path in), WAL mode so that a
reader never blocks a writer, a busy timeout so that two rehearse processes take turns
instead of failing, and write transactions that start with ``BEGIN IMMEDIATE`` so two
writers never deadlock on a lock upgrade. Every turn is its own transaction, committed as
it happens: killing the process loses nothing already said.

A session keeps everything replay needs even after its script is edited or deleted: a
content-addressed copy of the script and persona text and of the rendered situation, goal
and rubric (``blobs``, keyed by sha256, shared between sessions), the setup (user name,
variables, seed, switched-off checks) and the app version. Each turn keeps the user's text
and the turn as JSON (``rehearse.engine.transcript.turn_json`` plus what replay shows: the label of the
reply it was understood as, the coaching checks' titles, the ending, and whether the
numbered menu had been opened before it).

The schema is versioned with ``PRAGMA user_version``; ``MIGRATIONS[i]`` takes version i to
i + 1. A database this code cannot read (corrupt, or written by a newer rehearse) raises
``StoreError`` with what to do; nothing is ever reset silently. ``move_aside`` is the way
out: it renames the file (and its -wal/-shm companions) to ``*.broken-<timestamp>``.

Listing, counting and the per-script summary cost the same with 10 or 10,000 sessions:
listing walks the rowid (newest first) or a per-script/per-outcome index and stops at the
page, and counts come from ``tallies`` (attempts per script and outcome), kept exact by
triggers in the same transaction as the change.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from rehearse import __version__
from rehearse.engine import session as sess
from rehearse.engine.diagnostics import Report
from rehearse.engine.loader import digest, persona_from_text, script_from_text
from rehearse.engine.model import OUTCOMES, Persona, Script, frozen_map
from rehearse.engine.session import Setup, State, Turn
from rehearse.engine.transcript import ending_json, turn_json

BUSY_TIMEOUT_MS = 10_000
OUTCOME_RANK: Mapping[str, int] = {"success": 3, "partial": 2, "fail": 1}
RESET_HINT = "rehearse sessions --reset-broken"

# ---------------------------------------------------------------------------------------
# Schema and migrations
# ---------------------------------------------------------------------------------------

_V1: tuple[str, ...] = (
    """
    CREATE TABLE blobs (
        sha256 TEXT PRIMARY KEY,
        text   TEXT NOT NULL
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE sessions (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        started         TEXT NOT NULL,
        ended           TEXT,
        script_id       TEXT NOT NULL,
        script_title    TEXT NOT NULL,
        script_sha      TEXT NOT NULL,
        script_path     TEXT NOT NULL DEFAULT '',
        persona_id      TEXT NOT NULL,
        persona_name    TEXT NOT NULL,
        persona_sha     TEXT NOT NULL,
        user_name       TEXT NOT NULL,
        vars            TEXT NOT NULL DEFAULT '{}',
        disabled_checks TEXT NOT NULL DEFAULT '[]',
        seed            INTEGER NOT NULL,
        app_version     TEXT NOT NULL,
        context_sha     TEXT NOT NULL,
        outcome         TEXT CHECK (outcome IN ('success', 'partial', 'fail')),
        end_reason      TEXT,
        end_node        TEXT,
        debrief         TEXT,
        scores          TEXT NOT NULL DEFAULT '{}',
        score_total     INTEGER NOT NULL DEFAULT 0,
        turns           INTEGER NOT NULL DEFAULT 0,
        node            TEXT NOT NULL DEFAULT '',
        parent          INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
        parent_turn     INTEGER
    )
    """,
    # A rowid table (rows are ~1 kB of JSON, too big to sit well in a WITHOUT ROWID b-tree);
    # the primary key's index finds a session's turns in order.
    """
    CREATE TABLE turns (
        session INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        idx     INTEGER NOT NULL,
        user    TEXT,
        at      TEXT NOT NULL,
        data    TEXT NOT NULL,
        PRIMARY KEY (session, idx)
    )
    """,
    # Attempts per (script, outcome); '' is "not finished". Kept by the triggers below.
    """
    CREATE TABLE tallies (
        script_id TEXT NOT NULL,
        outcome   TEXT NOT NULL,
        n         INTEGER NOT NULL,
        PRIMARY KEY (script_id, outcome)
    ) WITHOUT ROWID
    """,
    # Secondary indexes carry the rowid, so "WHERE script_id = ? ORDER BY id DESC" walks
    # the index backwards and stops at the page.
    "CREATE INDEX sessions_by_script ON sessions(script_id)",
    "CREATE INDEX sessions_by_outcome ON sessions(outcome)",
    "CREATE INDEX sessions_by_script_outcome ON sessions(script_id, outcome)",
    "CREATE INDEX sessions_by_parent ON sessions(parent) WHERE parent IS NOT NULL",
    """
    CREATE TRIGGER tally_insert AFTER INSERT ON sessions BEGIN
        INSERT INTO tallies(script_id, outcome, n)
        VALUES (NEW.script_id, coalesce(NEW.outcome, ''), 1)
        ON CONFLICT(script_id, outcome) DO UPDATE SET n = n + 1;
    END
    """,
    """
    CREATE TRIGGER tally_delete AFTER DELETE ON sessions BEGIN
        UPDATE tallies SET n = n - 1
        WHERE script_id = OLD.script_id AND outcome = coalesce(OLD.outcome, '');
        DELETE FROM tallies WHERE n <= 0;
    END
    """,
    """
    CREATE TRIGGER tally_update AFTER UPDATE OF outcome, script_id ON sessions
    WHEN coalesce(OLD.outcome, '') IS NOT coalesce(NEW.outcome, '')
      OR OLD.script_id IS NOT NEW.script_id
    BEGIN
        UPDATE tallies SET n = n - 1
        WHERE script_id = OLD.script_id AND outcome = coalesce(OLD.outcome, '');
        DELETE FROM tallies WHERE n <= 0;
        INSERT INTO tallies(script_id, outcome, n)
        VALUES (NEW.script_id, coalesce(NEW.outcome, ''), 1)
        ON CONFLICT(script_id, outcome) DO UPDATE SET n = n + 1;
    END
    """,
)

#: MIGRATIONS[i] takes a database from user_version i to i + 1. Append, never edit.
MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1,)
SCHEMA_VERSION = len(MIGRATIONS)
_TABLES = ("blobs", "sessions", "turns", "tallies")


# ---------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------


class StoreError(Exception):
    """The session database cannot be used; the message says why and what to do."""

    def __init__(self, message: str, *, broken: bool = False) -> None:
        super().__init__(message)
        #: True when moving the file aside (``move_aside``) is the way out.
        self.broken = broken


@dataclass(frozen=True)
class SessionRow:
    """One line of the session list."""

    id: int
    started: str
    script_id: str
    script_title: str
    persona_id: str
    outcome: str | None
    score_total: int
    turns: int
    parent: int | None
    persona_name: str = ""
    ended: str | None = None
    parent_turn: int | None = None


@dataclass(frozen=True)
class StatPoint:
    """One attempt, for scores over time."""

    session_id: int
    started: str
    outcome: str | None
    scores: Mapping[str, int]
    total: int


@dataclass(frozen=True)
class StoredTurn:
    index: int
    user: str | None
    at: str
    data: Mapping[str, Any]

    @property
    def boss(self) -> str:
        return str(self.data.get("boss", ""))


@dataclass(frozen=True)
class StoredSession:
    """Everything stored about one session."""

    id: int
    started: str
    ended: str | None
    script_id: str
    script_title: str
    script_sha: str
    script_text: str
    script_path: str
    persona_id: str
    persona_name: str
    persona_sha: str
    persona_text: str
    user_name: str
    vars: Mapping[str, str]
    disabled_checks: tuple[str, ...]
    seed: int
    app_version: str
    situation: str
    goal: str
    rubric: Mapping[str, str]
    outcome: str | None
    end_reason: str | None
    end_node: str | None
    debrief: str | None
    scores: Mapping[str, int]
    score_total: int
    turn_count: int
    node: str
    parent: int | None
    parent_turn: int | None
    turns: tuple[StoredTurn, ...] = field(default=())

    @property
    def inputs(self) -> tuple[str, ...]:
        return tuple(t.user for t in self.turns if t.user is not None)

    @property
    def finished(self) -> bool:
        return self.outcome is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "started": self.started,
            "ended": self.ended,
            "app_version": self.app_version,
            "script": {
                "id": self.script_id,
                "title": self.script_title,
                "sha256": self.script_sha,
                "path": self.script_path,
                "text": self.script_text,
            },
            "persona": {
                "id": self.persona_id,
                "name": self.persona_name,
                "sha256": self.persona_sha,
                "text": self.persona_text,
            },
            "name": self.user_name,
            "vars": dict(self.vars),
            "disabled_checks": list(self.disabled_checks),
            "seed": self.seed,
            "situation": self.situation,
            "goal": self.goal,
            "rubric": dict(self.rubric),
            "outcome": self.outcome,
            "ending": None
            if self.outcome is None
            else {
                "outcome": self.outcome,
                "reason": self.end_reason,
                "node": self.end_node,
                "debrief": self.debrief,
            },
            "stopped_at": None if self.outcome is not None else self.node,
            "scores": dict(self.scores),
            "score_total": self.score_total,
            "turn_count": self.turn_count,
            "parent": self.parent,
            "parent_turn": self.parent_turn,
            "turns": [dict(t.data, at=t.at) for t in self.turns],
        }


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _db_text(text: str) -> str | bytes:
    """Text as SQLite can keep it. A lone surrogate (undecodable bytes read from a pipe)
    cannot be UTF-8 encoded: such text is kept as bytes, exactly, and read back the same."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")
    return text


def _py_text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogatepass")
    return "" if value is None else str(value)


def _dumps(value: object) -> str:
    # ensure_ascii keeps any lone surrogate as an escape, so the JSON always stores.
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


def _loads(value: object, default: Any) -> Any:
    if value is None:
        return default
    try:
        return json.loads(_py_text(value))
    except ValueError:
        return default


def _menu_opened(before: State) -> bool:
    """Whether the user opened the numbered menu before this input (not a turn of its own,
    so replay has to know)."""
    if not before.offered:
        return False
    shown = before.transcript[-1].options if before.transcript else ()
    return before.offered != tuple(o.reply for o in shown)


def turn_data(turn: Turn, before: State | None) -> dict[str, Any]:
    """The stored JSON of a turn: ``turn_json`` plus what replay and export show."""
    data = turn_json(turn)
    labels: dict[str, str] = {}
    if before is not None and turn.user is not None:
        try:
            labels = {c.id: c.label for c in before.candidates()}
        except KeyError:
            labels = {}
    decision = turn.decision
    data["reason"] = decision.reason if decision else None
    data["candidates"] = list(decision.candidates) if decision else []
    data["label"] = labels.get(turn.reply, turn.reply) if turn.reply else None
    data["candidate_labels"] = [labels.get(c, c) for c in data["candidates"]]
    data["menu_opened"] = bool(before is not None and turn.user is not None and _menu_opened(before))
    data["coaching"] = [
        {
            "check": f.check.id,
            "title": f.check.title,
            "rationale": f.check.rationale,
            "suggestion": f.check.suggestion,
            "words": [turn.user[s.start : s.end] for s in f.spans] if turn.user else [],
        }
        for f in turn.coaching
    ]
    data["ending"] = ending_json(turn.ending)
    return data


def _states_by_turn(state: State) -> dict[int, State]:
    """The states after each turn, found by following ``previous`` back from ``state``."""
    found: dict[int, State] = {}
    current: State | None = state
    while current is not None:
        found.setdefault(current.turn, current)
        current = current.previous
    return found


def _row_to_session_row(row: sqlite3.Row) -> SessionRow:
    return SessionRow(
        id=row["id"],
        started=row["started"],
        script_id=row["script_id"],
        script_title=_py_text(row["script_title"]),
        persona_id=row["persona_id"],
        outcome=row["outcome"],
        score_total=row["score_total"],
        turns=row["turns"],
        parent=row["parent"],
        persona_name=_py_text(row["persona_name"]),
        ended=row["ended"],
        parent_turn=row["parent_turn"],
    )


_ROW_COLUMNS = (
    "id, started, ended, script_id, script_title, persona_id, persona_name, outcome, "
    "score_total, turns, parent, parent_turn"
)


def _filters(script: str | None, outcome: str | None) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if script is not None:
        clauses.append("script_id = ?")
        params.append(script)
    if outcome is not None:
        if outcome in ("none", "unfinished", ""):
            clauses.append("outcome IS NULL")
        else:
            clauses.append("outcome = ?")
            params.append(outcome)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def check_outcome(outcome: str | None) -> None:
    if outcome is not None and outcome not in (*OUTCOMES, "none", "unfinished", ""):
        raise ValueError(f"unknown outcome '{outcome}' (one of: {', '.join(OUTCOMES)}, unfinished)")


# ---------------------------------------------------------------------------------------
# The store
# ---------------------------------------------------------------------------------------


class Store:
    """A connection to the session database. Safe to share between threads."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self._lock = threading.RLock()

    # -- opening --------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str) -> Store:
        """Open (creating folders and the file if needed) and migrate the database.

        Raises StoreError for a file that is not a readable rehearse database or that a
        newer rehearse wrote; the file is left exactly as it was.
        """
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                # Private from the start: sessions are personal. -wal/-shm inherit this.
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        except OSError as exc:
            raise StoreError(f"cannot create the session database at {path}: {exc.strerror or exc}") from exc
        try:
            conn = sqlite3.connect(
                path,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the session database at {path}: {exc}") from exc
        store = cls(path, conn)
        try:
            store._prepare()
        except BaseException:
            conn.close()
            raise
        return store

    def _prepare(self) -> None:
        conn = self._conn
        conn.row_factory = sqlite3.Row
        with self._errors("open"):
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            self._check_version(version)
            mode = self._wal()
            if mode != "wal":
                raise StoreError(f"the session database at {self.path} cannot use WAL mode ({mode})")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
            missing = [t for t in _TABLES if t not in names]
            if missing:
                raise sqlite3.DatabaseError(f"table '{missing[0]}' is missing")

    def _wal(self) -> str:
        """Switch to WAL (a no-op once the file is in WAL mode). The switch needs a moment
        alone with a new file, and SQLite does not always wait for it: retry a while."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                return str(self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _check_version(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the session database at {self.path} was written by a newer version of rehearse "
                f"(schema {version}; this version {__version__} reads up to {SCHEMA_VERSION}). "
                f"Upgrade rehearse to see those sessions. To start a new, empty database instead "
                f"(the old file is kept, renamed), run: {RESET_HINT}",
                broken=True,
            )

    def _migrate(self) -> None:
        conn = self._conn
        while True:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            self._check_version(version)
            if version == SCHEMA_VERSION:
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                # Another process may have migrated while we waited for the lock.
                current = conn.execute("PRAGMA user_version").fetchone()[0]
                if current == version:
                    if version == 0:
                        self._check_empty()
                    for statement in MIGRATIONS[version]:
                        conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {version + 1}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _check_empty(self) -> None:
        """A version-0 file must be empty: anything else is not ours to change."""
        others = [
            r[0] for r in self._conn.execute("SELECT name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'")
        ]
        if others:
            raise StoreError(
                f"{self.path} is an SQLite database, but not one rehearse wrote "
                f"(it holds '{others[0]}'). It was left as it is. To start a new, empty session "
                f"database (the old file is kept, renamed), run: {RESET_HINT}",
                broken=True,
            )

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except StoreError:
            raise
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise StoreError(
                    f"the session database at {self.path} stayed busy for "
                    f"{BUSY_TIMEOUT_MS // 1000} s (another rehearse is writing to it); try again"
                ) from exc
            raise self._broken(exc) from exc
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"cannot {doing}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            raise self._broken(exc) from exc

    def _broken(self, exc: Exception) -> StoreError:
        return StoreError(
            f"the session database at {self.path} cannot be read ({exc}). It was left exactly as "
            f"it is. To start a new, empty database (the old file is kept, renamed to "
            f"{self.path.name}.broken-<time>), run: {RESET_HINT}",
            broken=True,
        )

    @contextmanager
    def _write(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One write transaction: BEGIN IMMEDIATE takes the write lock up front (waiting up
        to the busy timeout), so two writers queue instead of deadlocking."""
        with self._lock, self._errors(doing):
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def _read(self, doing: str) -> Iterator[sqlite3.Connection]:
        with self._lock, self._errors(doing):
            yield self._conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        with self._read("read the schema version") as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    # -- writing --------------------------------------------------------------------------

    def start(self, state: State, *, parent: int | None = None, parent_turn: int | None = None) -> int:
        """Record a new session from ``state`` (its opening, and any turns it already has,
        as when retrying from a turn of an earlier session). Returns the session id."""
        setup = state.setup
        script, persona = setup.script, setup.persona
        script_sha = script.digest or digest(script.source)
        persona_sha = persona.digest or digest(persona.source)
        after = _states_by_turn(state)
        stamp = now()
        # What the player was shown before the first line, rendered: shared by every
        # session with the same script, persona and variables.
        context = _dumps(
            {
                "situation": sess.situation(state),
                "goal": sess.goal(state),
                "rubric": dict(script.rubric),
            }
        )
        context_sha = digest(context)
        with self._write("start a session") as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO blobs(sha256, text) VALUES (?, ?)",
                [
                    (script_sha, _db_text(script.source)),
                    (persona_sha, _db_text(persona.source)),
                    (context_sha, context),
                ],
            )
            cursor = conn.execute(
                """
                INSERT INTO sessions(started, script_id, script_title, script_sha, script_path,
                    persona_id, persona_name, persona_sha, user_name, vars, disabled_checks, seed,
                    app_version, context_sha, parent, parent_turn)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                (
                    stamp,
                    script.id,
                    _db_text(script.title),
                    script_sha,
                    _db_text(script.path),
                    persona.id,
                    _db_text(persona.name),
                    persona_sha,
                    _db_text(setup.user_name),
                    _dumps(dict(setup.vars)),
                    _dumps(sorted(setup.disabled_checks)),
                    setup.seed,
                    __version__,
                    context_sha,
                    parent,
                    parent_turn,
                ),
            )
            session_id = cursor.lastrowid
            assert session_id is not None
            for turn in state.transcript:
                before = after[turn.index].previous if turn.index in after else None
                self._insert_turn(conn, session_id, turn, before, stamp)
            self._update_progress(conn, session_id, state, stamp)
        return int(session_id)

    def record(self, session_id: int, state: State, turn: Turn) -> None:
        """Commit one turn (and the session's progress) in one transaction; an ending marks
        the session finished with its outcome and rubric scores."""
        stamp = now()
        with self._write("record a turn") as conn:
            self._update_progress(conn, session_id, state, stamp)  # first: says if it is gone
            self._insert_turn(conn, session_id, turn, state.previous, stamp)

    def take_back(self, session_id: int, state: State) -> None:
        """The user took back replies: forget the turns after ``state.turn``."""
        stamp = now()
        with self._write("take back a turn") as conn:
            conn.execute("DELETE FROM turns WHERE session = ? AND idx > ?", (session_id, state.turn))
            self._update_progress(conn, session_id, state, stamp)

    def finish(self, session_id: int, state: State) -> None:
        """The session is over (an ending, or the user stopped): note when."""
        stamp = now()
        with self._write("finish a session") as conn:
            self._update_progress(conn, session_id, state, stamp)
            conn.execute("UPDATE sessions SET ended = coalesce(ended, ?) WHERE id = ?", (stamp, session_id))

    def _insert_turn(
        self,
        conn: sqlite3.Connection,
        session_id: int,
        turn: Turn,
        before: State | None,
        stamp: str,
    ) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO turns(session, idx, user, at, data) VALUES (?, ?, ?, ?, ?)",
            (
                session_id,
                turn.index,
                None if turn.user is None else _db_text(turn.user),
                stamp,
                _dumps(turn_data(turn, before)),
            ),
        )

    def _update_progress(self, conn: sqlite3.Connection, session_id: int, state: State, stamp: str) -> None:
        ending = state.ending
        scores = {dim: int(v) for dim, v in state.scores.items()}
        cursor = conn.execute(
            """
            UPDATE sessions SET turns = ?, scores = ?, score_total = ?, node = ?, outcome = ?,
                end_reason = ?, end_node = ?, debrief = ?,
                ended = CASE WHEN ? IS NULL THEN NULL ELSE coalesce(ended, ?) END
            WHERE id = ?
            """,
            (
                state.turn,
                _dumps(scores),
                sum(scores.values()),
                state.node,
                ending.outcome if ending else None,
                ending.reason if ending else None,
                ending.node if ending else None,
                _db_text(ending.debrief) if ending else None,
                ending.outcome if ending else None,
                stamp,
                session_id,
            ),
        )
        if cursor.rowcount == 0:
            raise StoreError(f"session {session_id} is not in the database (was it purged?)")

    def delete(self, session_id: int) -> bool:
        with self._write("delete a session") as conn:
            gone = conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount > 0
            conn.execute(
                """
                DELETE FROM blobs WHERE sha256 NOT IN (SELECT script_sha FROM sessions)
                                    AND sha256 NOT IN (SELECT persona_sha FROM sessions)
                                    AND sha256 NOT IN (SELECT context_sha FROM sessions)
                """
            )
        return gone

    def purge(self) -> int:
        """Delete every stored session, overwrite the freed space and shrink the file, so
        nothing said survives on disk. Returns how many sessions were deleted."""
        with self._lock, self._errors("purge"):
            conn = self._conn
            conn.execute("PRAGMA secure_delete = ON")
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    count = int(conn.execute("SELECT count(*) FROM sessions").fetchone()[0])
                    conn.execute("DELETE FROM turns")
                    conn.execute("DELETE FROM sessions")
                    conn.execute("DELETE FROM tallies")
                    conn.execute("DELETE FROM blobs")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            finally:
                conn.execute("PRAGMA secure_delete = OFF")
            try:
                conn.execute("VACUUM")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.OperationalError:
                pass  # another rehearse is reading: the rows are gone and zeroed anyway
        return count

    # -- reading --------------------------------------------------------------------------

    def sessions(
        self,
        script: str | None = None,
        outcome: str | None = None,
        limit: int = 50,
        offset: int = 0,
        *,
        before: int | None = None,
    ) -> list[SessionRow]:
        """Sessions, newest first. Page with limit/offset, or (cheaper for deep pages) with
        ``before``: the id of the last row of the previous page."""
        check_outcome(outcome)
        where, params = _filters(script, outcome)
        if before is not None:
            where += (" AND " if where else " WHERE ") + "id < ?"
            params.append(before)
        sql = f"SELECT {_ROW_COLUMNS} FROM sessions{where} ORDER BY id DESC LIMIT ? OFFSET ?"
        with self._read("list sessions") as conn:
            rows = conn.execute(sql, (*params, max(0, limit), max(0, offset))).fetchall()
        return [_row_to_session_row(r) for r in rows]

    def count(self, script: str | None = None, outcome: str | None = None) -> int:
        check_outcome(outcome)
        clauses: list[str] = []
        params: list[object] = []
        if script is not None:
            clauses.append("script_id = ?")
            params.append(script)
        if outcome is not None:
            clauses.append("outcome = ?")
            params.append("" if outcome in ("none", "unfinished") else outcome)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        with self._read("count sessions") as conn:
            row = conn.execute(f"SELECT coalesce(sum(n), 0) FROM tallies{where}", params).fetchone()
        return int(row[0])

    def outcomes(self, script: str | None = None) -> dict[str, int]:
        """Attempts per outcome ('unfinished' for sessions without an ending)."""
        where, params = ("WHERE script_id = ?", [script]) if script is not None else ("", [])
        with self._read("count outcomes") as conn:
            rows = conn.execute(
                f"SELECT outcome, sum(n) FROM tallies {where} GROUP BY outcome", params
            ).fetchall()
        result = {o: 0 for o in (*OUTCOMES, "unfinished")}
        for outcome, n in rows:
            result[outcome or "unfinished"] = int(n)
        return result

    def summary(self) -> dict[str, tuple[int, str | None]]:
        """script id -> (attempts, best outcome: success > partial > fail, or None)."""
        with self._read("summarise sessions") as conn:
            rows = conn.execute("SELECT script_id, outcome, n FROM tallies WHERE n > 0").fetchall()
        result: dict[str, tuple[int, str | None]] = {}
        for script_id, outcome, n in rows:
            attempts, best = result.get(script_id, (0, None))
            if outcome and OUTCOME_RANK.get(outcome, 0) > OUTCOME_RANK.get(best or "", 0):
                best = outcome
            result[script_id] = (attempts + int(n), best)
        return dict(sorted(result.items()))

    def stats(self, script: str | None = None, limit: int = 50) -> list[StatPoint]:
        """The latest ``limit`` attempts (of one script, or all), oldest first."""
        where, params = _filters(script, None)
        sql = (
            f"SELECT id, started, outcome, scores, score_total FROM sessions{where} ORDER BY id DESC LIMIT ?"
        )
        with self._read("read stats") as conn:
            rows = conn.execute(sql, (*params, max(0, limit))).fetchall()
        return [
            StatPoint(
                r["id"],
                r["started"],
                r["outcome"],
                frozen_map(_loads(r["scores"], {})),
                r["score_total"],
            )
            for r in reversed(rows)
        ]

    def latest_id(self) -> int | None:
        with self._read("find the latest session") as conn:
            row = conn.execute("SELECT max(id) FROM sessions").fetchone()
        return None if row[0] is None else int(row[0])

    def load(self, session_id: int | str) -> StoredSession:
        """A session with all its turns: an id, or "latest". Raises KeyError if absent."""
        if isinstance(session_id, str):
            if session_id == "latest":
                latest = self.latest_id()
                if latest is None:
                    raise KeyError("no sessions stored yet")
                session_id = latest
            elif session_id.strip().isdigit():
                session_id = int(session_id)
            else:
                raise KeyError(f"'{session_id}' is not a session id (a number, or 'latest')")
        with self._read("load a session") as conn:
            row = conn.execute(
                """
                SELECT s.*, sb.text AS script_text, pb.text AS persona_text,
                       cb.text AS context FROM sessions s
                LEFT JOIN blobs sb ON sb.sha256 = s.script_sha
                LEFT JOIN blobs pb ON pb.sha256 = s.persona_sha
                LEFT JOIN blobs cb ON cb.sha256 = s.context_sha
                WHERE s.id = ?
                """,
                (session_id,),
            ).fetchone()
            if row is None:
                raise KeyError(f"no session {session_id}")
            context = _loads(row["context"], {})
            turns = conn.execute(
                "SELECT idx, user, at, data FROM turns WHERE session = ? ORDER BY idx",
                (session_id,),
            ).fetchall()
        return StoredSession(
            id=row["id"],
            started=row["started"],
            ended=row["ended"],
            script_id=row["script_id"],
            script_title=_py_text(row["script_title"]),
            script_sha=row["script_sha"],
            script_text=_py_text(row["script_text"]),
            script_path=_py_text(row["script_path"]),
            persona_id=row["persona_id"],
            persona_name=_py_text(row["persona_name"]),
            persona_sha=row["persona_sha"],
            persona_text=_py_text(row["persona_text"]),
            user_name=_py_text(row["user_name"]),
            vars=frozen_map({str(k): str(v) for k, v in _loads(row["vars"], {}).items()}),
            disabled_checks=tuple(_loads(row["disabled_checks"], [])),
            seed=row["seed"],
            app_version=row["app_version"],
            situation=str(context.get("situation", "")),
            goal=str(context.get("goal", "")),
            rubric=frozen_map(context.get("rubric", {})),
            outcome=row["outcome"],
            end_reason=row["end_reason"],
            end_node=row["end_node"],
            debrief=None if row["debrief"] is None else _py_text(row["debrief"]),
            scores=frozen_map(_loads(row["scores"], {})),
            score_total=row["score_total"],
            turn_count=row["turns"],
            node=row["node"],
            parent=row["parent"],
            parent_turn=row["parent_turn"],
            turns=tuple(
                StoredTurn(
                    t["idx"],
                    None if t["user"] is None else _py_text(t["user"]),
                    t["at"],
                    _loads(t["data"], {}),
                )
                for t in turns
            ),
        )

    def check(self) -> list[str]:
        """SQLite's integrity check: an empty list when the file is sound."""
        with self._read("check the database") as conn:
            rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
        return [] if rows == ["ok"] else rows

    # -- replay ---------------------------------------------------------------------------

    def rebuild(
        self, stored: StoredSession, *, script: Script | None = None, persona: Persona | None = None
    ) -> tuple[State, list[str]]:
        return rebuild(stored, script=script, persona=persona)


T = TypeVar("T")


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


def _describe(data: Mapping[str, Any]) -> str:
    kind = data.get("decision")
    if data.get("reply"):
        return f"'{data['reply']}' ({kind})"
    if kind == "ambiguous":
        return f"ambiguous between {' and '.join(map(str, data.get('candidates') or []))}"
    return f"not understood ({data.get('kind')})"


def compare(
    stored: Sequence[StoredTurn], rebuilt: Sequence[Turn], before: Callable[[int], State | None]
) -> list[str]:
    """Differences between recorded turns and the same inputs played again."""
    problems: list[str] = []
    for i, old in enumerate(stored):
        if i >= len(rebuilt):
            rest = len(stored) - i
            last = rebuilt[-1].index if rebuilt else 0
            problems.append(
                f"turn {old.index}: not reached: the conversation now ends at turn {last}"
                + (f" ({rest} recorded turns left over)" if rest > 1 else "")
            )
            break
        new = turn_data(rebuilt[i], before(i))
        o = old.data
        if (o.get("decision"), o.get("reply")) != (new.get("decision"), new.get("reply")):
            problems.append(f"turn {old.index}: was understood as {_describe(o)}, now {_describe(new)}")
        elif o.get("next_node") != new.get("next_node") or o.get("kind") != new.get("kind"):
            problems.append(
                f"turn {old.index}: went to '{o.get('next_node')}' ({o.get('kind')}), "
                f"now '{new.get('next_node')}' ({new.get('kind')})"
            )
        elif o.get("boss") != new.get("boss"):
            problems.append(f"turn {old.index}: the boss's line is different now")
        elif (o.get("ending") or None) != (new.get("ending") or None):
            problems.append(f"turn {old.index}: the ending is different now")
    return problems


def rebuild(
    stored: StoredSession, *, script: Script | None = None, persona: Persona | None = None
) -> tuple[State, list[str]]:
    """Play the stored inputs again, from the stored script and persona text (or from the
    ``script``/``persona`` given, such as the current version of an edited file), and list
    the turns that go differently from what was recorded."""
    setup = stored_setup(stored, script=script, persona=persona)
    state = sess.begin(setup)
    for old in stored.turns[1:]:
        if state.ending is not None or old.user is None:
            break
        if old.data.get("menu_opened"):
            state = sess.open_menu(state)
        state, _ = sess.step(state, old.user)
    after = _states_by_turn(state)

    def before(i: int) -> State | None:
        found = after.get(i)
        return found.previous if found is not None else None

    return state, compare(stored.turns, state.transcript, before)


def move_aside(path: Path | str) -> Path:
    """Rename a database rehearse cannot use to ``<name>.broken-<time>`` (its -wal and -shm
    files along with it), keeping every byte, so a new one can be created in its place."""
    path = Path(path)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.broken-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.broken-{stamp}-{n}")
    os.replace(path, target)
    for suffix in ("-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            os.replace(companion, target.with_name(target.name + suffix))
    return target
