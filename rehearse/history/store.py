"""The session store: every rehearsal, kept in one SQLite database on this machine.

One file (the caller passes its path), WAL mode so that a reader never blocks a writer, a
busy timeout so that two rehearse processes take turns instead of failing, and write
transactions that start with ``BEGIN IMMEDIATE`` so two writers never deadlock on a lock
upgrade. Every turn is its own transaction, committed as it happens: killing the process
loses nothing already said.

A session keeps everything replay needs even after its script is edited or deleted: a
content-addressed copy of the script and persona text and of the rendered situation, goal
and rubric (``blobs``, keyed by sha256, shared between sessions), the setup (user name,
variables, seed, switched-off checks) and the app version. Each turn keeps the user's text
and the turn's record (``rehearse.history.codec``).

A database this code cannot read (corrupt, or written by a newer rehearse) raises
``StoreError`` with what to do; nothing is ever reset silently. ``move_aside`` is the way
out: it renames the file (and its -wal/-shm companions) to ``*.broken-<timestamp>``. Tables
and migrations are in ``rehearse.history.schema``.

The engine's runtime (the matcher, the coach) is imported by the methods that write a
session, not with this module: the home screen opens the store only to read tallies.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from rehearse import __version__
from rehearse.engine.compile.loader import digest
from rehearse.engine.model import OUTCOME_RANK, OUTCOMES, frozen_map
from rehearse.engine.numbers import small_int
from rehearse.engine.practice import schedule
from rehearse.history.codec import (
    db_text,
    dumps,
    loads,
    memory_from_json,
    memory_to_json,
    py_text,
    reasons_from_json,
    reasons_to_json,
    record_of,
    states_by_turn,
    turn_from_json,
    turn_to_json,
)
from rehearse.history.errors import RESET_HINT, StoreError, StoreProblem, advice, os_problem
from rehearse.history.records import MomentRow, SessionRow, StatPoint, StoredSession, TimedTurn
from rehearse.history.schema import MIGRATIONS, SCHEMA_VERSION, TABLES

if TYPE_CHECKING:
    from rehearse.engine.practice.moments import Verdict
    from rehearse.engine.runtime.session import State, Turn

BUSY_TIMEOUT_MS = 10_000


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def utc_now() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    """A time as the drill tables keep it: UTC, to the millisecond, so text order is time order."""
    return schedule.utc(moment).isoformat(timespec="milliseconds")


def _row_to_session_row(row: sqlite3.Row) -> SessionRow:
    return SessionRow(
        id=row["id"],
        started=row["started"],
        script_id=row["script_id"],
        script_title=py_text(row["script_title"]),
        persona_id=row["persona_id"],
        outcome=row["outcome"],
        score=row["score"],
        turns=row["turns"],
        parent=row["parent"],
        persona_name=py_text(row["persona_name"]),
        ended=row["ended"],
        parent_turn=row["parent_turn"],
    )


_ROW_COLUMNS = (
    "id, started, ended, script_id, script_title, persona_id, persona_name, outcome, "
    "score, turns, parent, parent_turn"
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


class Store:
    """A connection to the session database. Safe to share between threads."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self._lock = threading.RLock()
        #: what time it is, for drills (tests put a fixed clock here)
        self.clock: Callable[[], datetime] = utc_now

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
            kind = os_problem(exc)
            raise StoreError(
                f"cannot create the session database at {path}: {exc.strerror or exc}. {advice(kind, path)}",
                kind=kind,
            ) from exc
        return cls._connect(path, path, write=True)

    @classmethod
    def open_for_reading(cls, path: Path | str) -> Store:
        """Open for reading: as ``open``, but a read-only folder or a full disk falls back
        to a read-only connection, so past sessions can be listed, replayed and exported."""
        try:
            return cls.open(path)
        except StoreError as exc:
            if exc.kind not in ("readonly", "full", "disk") or not Path(path).exists():
                raise
            first = exc
        path = Path(path)
        try:
            return cls._connect(path, f"file:{path}?mode=ro", write=False)
        except StoreError:
            pass
        try:  # a read-only folder cannot hold the -shm file a WAL reader needs
            return cls._connect(path, f"file:{path}?immutable=1", write=False)
        except StoreError:
            raise first from None

    @classmethod
    def _connect(cls, path: Path, target: Path | str, *, write: bool) -> Store:
        try:
            conn = sqlite3.connect(
                target,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
                uri=not write,
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the session database at {path}: {exc}") from exc
        store = cls(path, conn)
        try:
            store._prepare() if write else store._prepare_reading()
        except BaseException:
            conn.close()
            raise
        return store

    def _prepare_reading(self) -> None:
        """A read-only connection: no WAL switch and no migration; an older schema cannot
        be read this way."""
        conn = self._conn
        conn.row_factory = sqlite3.Row
        with self._errors("open"):
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            self._check_version(version)
            if version != SCHEMA_VERSION:
                raise StoreError(
                    f"the session database at {self.path} needs an upgrade, which cannot be written "
                    f"now. {advice('readonly', self.path)}",
                    kind="readonly",
                )

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
            missing = [t for t in TABLES if t not in names]
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
                kind="broken",
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
                kind="broken",
            )

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except StoreError:
            raise
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"cannot {doing}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            kind = _problem(exc)
            if kind == "disk" and not _writable(self.path):  # SQLite says "unable to open"
                kind = "readonly"
            if kind == "locked":
                raise StoreError(
                    f"the session database at {self.path} stayed busy for "
                    f"{BUSY_TIMEOUT_MS // 1000} s (another rehearse is writing to it); try again",
                    kind=kind,
                ) from exc
            if kind == "broken":
                raise StoreError(
                    f"the session database at {self.path} cannot be read ({exc}). It was left "
                    f"exactly as it is. {advice(kind, self.path)}",
                    kind=kind,
                ) from exc
            raise StoreError(f"cannot {doing} ({exc}): {advice(kind, self.path)}", kind=kind) from exc

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
        from rehearse.engine.runtime import session as sess

        setup = state.setup
        script, persona = setup.script, setup.persona
        script_sha = script.digest or digest(script.source)
        persona_sha = persona.digest or digest(persona.source)
        stamp = now()
        # What the player was shown before the first line, rendered: shared by every
        # session with the same script, persona and variables.
        context = dumps(
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
                    (script_sha, db_text(script.source)),
                    (persona_sha, db_text(persona.source)),
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
                    db_text(script.title),
                    script_sha,
                    db_text(script.path),
                    persona.id,
                    db_text(persona.name),
                    persona_sha,
                    db_text(setup.user_name),
                    dumps(dict(setup.vars)),
                    dumps(sorted(setup.disabled_checks)),
                    setup.seed,
                    __version__,
                    context_sha,
                    parent,
                    parent_turn,
                ),
            )
            session_id = cursor.lastrowid
            assert session_id is not None
            self._update_progress(conn, session_id, state, stamp)
            self._sync_turns(conn, session_id, state, stamp)
        return int(session_id)

    def record(self, session_id: int, state: State, turn: Turn) -> None:
        """Commit one turn (and the session's progress) in one transaction; an ending marks
        the session finished with its outcome and rubric scores. Turns an earlier write
        missed (a full disk, a lock) are written too, so none is lost once writing works."""
        stamp = now()
        with self._write("record a turn") as conn:
            self._update_progress(conn, session_id, state, stamp)  # first: says if it is gone
            self._sync_turns(conn, session_id, state, stamp)

    def take_back(self, session_id: int, state: State) -> None:
        """The user took back replies: forget the turns after ``state.turn``."""
        stamp = now()
        with self._write("take back a turn") as conn:
            self._update_progress(conn, session_id, state, stamp)
            self._sync_turns(conn, session_id, state, stamp)

    def finish(self, session_id: int, state: State) -> None:
        """The session is over (an ending, or the user stopped): note when."""
        stamp = now()
        with self._write("finish a session") as conn:
            self._update_progress(conn, session_id, state, stamp)
            self._sync_turns(conn, session_id, state, stamp)
            conn.execute("UPDATE sessions SET ended = coalesce(ended, ?) WHERE id = ?", (stamp, session_id))

    def _sync_turns(self, conn: sqlite3.Connection, session_id: int, state: State, stamp: str) -> None:
        """Make the stored turns the state's: drop those taken back, add those not yet
        stored, and write the latest again (a take-back that failed to save may have left
        an older reply at its index). Drill reviews follow the turns: those of the turns
        written again are taken out (their cards folded again), then graded again."""
        from rehearse.engine.practice.moments import assess

        conn.execute("DELETE FROM turns WHERE session = ? AND idx > ?", (session_id, state.turn))
        stored = conn.execute("SELECT coalesce(max(idx), -1) FROM turns WHERE session = ?", (session_id,))
        last = int(stored.fetchone()[0])
        rewritten = min(last + 1, state.turn)
        old = conn.execute(
            "SELECT card, turn, at FROM reviews WHERE session = ? AND turn >= ?", (session_id, rewritten)
        ).fetchall()
        conn.execute("DELETE FROM reviews WHERE session = ? AND turn >= ?", (session_id, rewritten))
        self._refold(conn, sorted({int(r["card"]) for r in old}))
        when = {int(r["turn"]): datetime.fromisoformat(r["at"]) for r in old}  # a review keeps its time
        after = states_by_turn(state)
        for turn in state.transcript:
            if turn.index >= rewritten:
                before = after[turn.index].previous if turn.index in after else None
                self._insert_turn(conn, session_id, turn, before, stamp)
                verdict = assess(before, turn) if before is not None else None
                if verdict is not None and before is not None:
                    self._review(conn, session_id, before, turn, verdict, when.get(turn.index))

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
                None if turn.user is None else db_text(turn.user),
                stamp,
                dumps(turn_to_json(record_of(turn, before))),
            ),
        )

    def unscored(self) -> list[int]:
        """Sessions with turns but no 0-100 scores: those recorded before schema 2."""
        with self._errors("read"):
            rows = self._conn.execute(
                "SELECT id FROM sessions WHERE dim_scores IS NULL AND turns > 0 ORDER BY id"
            ).fetchall()
        return [int(r[0]) for r in rows]

    def rescore(self, session_id: int, state: State | None) -> None:
        """Write the 0-100 scores of ``state`` (the session played again) to its row; None
        marks a session that cannot be played again, so it is not tried at every start."""
        from rehearse.engine.runtime.debrief import dimensions, overall

        dims = dimensions(state) if state is not None else ()
        with self._write("save scores") as conn:
            conn.execute(
                "UPDATE sessions SET score = ?, dim_scores = ? WHERE id = ?",
                (overall(dims), dumps({d.name: d.score for d in dims}), session_id),
            )

    def _update_progress(self, conn: sqlite3.Connection, session_id: int, state: State, stamp: str) -> None:
        from rehearse.engine.runtime.debrief import dimensions, overall

        ending = state.ending
        scores = {dim: int(v) for dim, v in state.scores.items()}
        dims = dimensions(state)
        cursor = conn.execute(
            """
            UPDATE sessions SET turns = ?, scores = ?, score_total = ?, score = ?, dim_scores = ?,
                node = ?, outcome = ?,
                end_reason = ?, end_node = ?, debrief = ?,
                ended = CASE WHEN ? IS NULL THEN NULL ELSE coalesce(ended, ?) END
            WHERE id = ?
            """,
            (
                state.turn,
                dumps(scores),
                sum(scores.values()),
                overall(dims),
                dumps({d.name: d.score for d in dims}),
                state.node,
                ending.outcome if ending else None,
                ending.reason if ending else None,
                ending.node if ending else None,
                db_text(ending.debrief) if ending else None,
                ending.outcome if ending else None,
                stamp,
                session_id,
            ),
        )
        if cursor.rowcount == 0:
            raise StoreError(f"session {session_id} is not in the database (was it purged?)")

    def delete(self, session_id: int) -> bool:
        with self._write("delete a session") as conn:
            cards = self._cards_of(conn, "session = ?", (session_id,))
            gone = conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount > 0
            self._refold(conn, cards)
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
                    conn.execute("DELETE FROM reviews")
                    conn.execute("DELETE FROM cards")
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

    # -- drills ---------------------------------------------------------------------------

    def _review(
        self,
        conn: sqlite3.Connection,
        session_id: int,
        before: State,
        turn: Turn,
        verdict: Verdict,
        at: datetime | None = None,
    ) -> None:
        """A graded reply at a moment: a weak one makes or reviews its card; a strong one
        reviews a card that is due. One review per moment per session (the first graded
        reply at it), so a second try in the same conversation does not count twice."""
        script_id, persona_id = before.script.id, before.persona.id
        row = conn.execute(
            "SELECT id, memory FROM cards WHERE script_id = ? AND node = ? AND persona_id = ?",
            (script_id, turn.node, persona_id),
        ).fetchone()
        at = at or self.clock()
        if row is None:
            if verdict.strong:
                return
            memory = schedule.review(None, verdict.grade, at)
            card = conn.execute(
                "INSERT INTO cards(script_id, node, persona_id, due, memory) VALUES (?, ?, ?, ?, ?)",
                (script_id, turn.node, persona_id, stamp(memory.due), dumps(memory_to_json(memory))),
            ).lastrowid
        else:
            card = row["id"]
            reviewed = conn.execute(
                "SELECT 1 FROM reviews WHERE card = ? AND session = ?", (card, session_id)
            ).fetchone()
            known = self._memory(row["memory"])
            if reviewed is not None or (verdict.strong and known is not None and not known.is_due(at)):
                return
            memory = schedule.review(known, verdict.grade, at)
            conn.execute(
                "UPDATE cards SET due = ?, memory = ? WHERE id = ?",
                (stamp(memory.due), dumps(memory_to_json(memory)), card),
            )
        asked = before.transcript[-1].boss if before.transcript else ""
        conn.execute(
            "INSERT INTO reviews(card, session, turn, at, grade, reasons, asked) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                card,
                session_id,
                turn.index,
                stamp(at),
                verdict.grade,
                dumps(reasons_to_json(verdict.reasons)),
                db_text(asked),
            ),
        )

    @staticmethod
    def _memory(text: object) -> schedule.Memory | None:
        try:
            return memory_from_json(loads(text, {}))
        except ValueError:
            return None

    @staticmethod
    def _cards_of(conn: sqlite3.Connection, where: str, params: tuple[object, ...]) -> list[int]:
        return [int(r[0]) for r in conn.execute(f"SELECT DISTINCT card FROM reviews WHERE {where}", params)]

    def _refold(self, conn: sqlite3.Connection, cards: Iterable[int]) -> None:
        """Fold these cards' remaining reviews again; a card with no weak review left goes."""
        for card in cards:
            reviews = conn.execute(
                "SELECT grade, at FROM reviews WHERE card = ? ORDER BY at, session", (card,)
            ).fetchall()
            memory = schedule.replay((r["grade"], datetime.fromisoformat(r["at"])) for r in reviews)
            if memory is None or all(r["grade"] == "good" for r in reviews):
                conn.execute("DELETE FROM cards WHERE id = ?", (card,))
                continue
            conn.execute(
                "UPDATE cards SET due = ?, memory = ? WHERE id = ?",
                (stamp(memory.due), dumps(memory_to_json(memory)), card),
            )

    def due_count(self, at: datetime | None = None) -> int:
        """How many moments are due for drilling (at ``at``, else now)."""
        when = stamp(at or self.clock())
        with self._read("count due moments") as conn:
            return int(conn.execute("SELECT count(*) FROM cards WHERE due <= ?", (when,)).fetchone()[0])

    def moments(
        self, at: datetime | None = None, *, due_only: bool = True, limit: int = 100
    ) -> list[MomentRow]:
        """Moments to drill, the longest overdue first: those due at ``at`` (else now), or
        every moment with ``due_only=False``."""
        when = stamp(at or self.clock())
        where = "WHERE c.due <= ?" if due_only else ""
        params: list[object] = [when] if due_only else []
        sql = f"""
            SELECT c.id, c.script_id, c.node, c.persona_id, c.memory,
                   r.session, r.turn, r.grade, r.reasons, r.asked,
                   s.script_title, s.persona_name
            FROM cards c
            JOIN reviews r ON r.card = c.id AND r.session = (
                SELECT r2.session FROM reviews r2 WHERE r2.card = c.id AND r2.grade != 'good'
                ORDER BY r2.at DESC, r2.session DESC LIMIT 1)
            JOIN sessions s ON s.id = r.session
            {where}
            ORDER BY c.due, c.id LIMIT ?
        """
        with self._read("list moments to drill") as conn:
            rows = conn.execute(sql, (*params, max(0, limit))).fetchall()
        out = []
        for r in rows:
            memory = self._memory(r["memory"])
            if memory is None:
                continue
            out.append(
                MomentRow(
                    id=r["id"],
                    script_id=r["script_id"],
                    script_title=py_text(r["script_title"]),
                    node=r["node"],
                    persona_id=r["persona_id"],
                    persona_name=py_text(r["persona_name"]),
                    memory=memory,
                    session=r["session"],
                    turn=r["turn"],
                    asked=py_text(r["asked"]),
                    grade=r["grade"],
                    reasons=reasons_from_json(loads(r["reasons"], [])),
                )
            )
        return out

    def next_due(self, at: datetime | None = None) -> datetime | None:
        """When the next moment that is not due yet comes due (None: nothing waiting)."""
        when = stamp(at or self.clock())
        with self._read("find the next due moment") as conn:
            row = conn.execute("SELECT min(due) FROM cards WHERE due > ?", (when,)).fetchone()
        return None if row[0] is None else datetime.fromisoformat(row[0])

    def timed_turns(self, script: str, limit: int = 30) -> list[TimedTurn]:
        """Replies made in pressure mode in the latest ``limit`` sessions of a script."""
        sql = """
            SELECT session, idx, json_extract(data, '$.node') AS node,
                   json_extract(data, '$.timing.first_key') AS first_key,
                   json_extract(data, '$.timing.send') AS send
            FROM turns
            WHERE session IN (SELECT id FROM sessions WHERE script_id = ? ORDER BY id DESC LIMIT ?)
              AND json_extract(data, '$.timing.send') IS NOT NULL
            ORDER BY session, idx
        """
        with self._read("read hesitation") as conn:
            rows = conn.execute(sql, (script, max(0, limit))).fetchall()
        return [
            TimedTurn(
                r["session"],
                r["idx"],
                str(r["node"] or ""),
                None if r["first_key"] is None else float(r["first_key"]),
                float(r["send"]),
            )
            for r in rows
        ]

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
        sql = f"SELECT id, started, outcome, dim_scores, score FROM sessions{where} ORDER BY id DESC LIMIT ?"
        with self._read("read stats") as conn:
            rows = conn.execute(sql, (*params, max(0, limit))).fetchall()
        return [
            StatPoint(
                r["id"],
                r["started"],
                r["outcome"],
                frozen_map(loads(r["dim_scores"], {})),
                r["score"],
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
            else:
                number = small_int(session_id) if session_id.strip().isdigit() else None
                if number is None:
                    raise KeyError(f"'{session_id}' is not a session id (a number, or 'latest')")
                session_id = number
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
            context = loads(row["context"], {})
            turns = conn.execute(
                "SELECT idx, user, at, data FROM turns WHERE session = ? ORDER BY idx",
                (session_id,),
            ).fetchall()
        return StoredSession(
            id=row["id"],
            started=row["started"],
            ended=row["ended"],
            script_id=row["script_id"],
            script_title=py_text(row["script_title"]),
            script_sha=row["script_sha"],
            script_text=py_text(row["script_text"]),
            script_path=py_text(row["script_path"]),
            persona_id=row["persona_id"],
            persona_name=py_text(row["persona_name"]),
            persona_sha=row["persona_sha"],
            persona_text=py_text(row["persona_text"]),
            user_name=py_text(row["user_name"]),
            vars=frozen_map({str(k): str(v) for k, v in loads(row["vars"], {}).items()}),
            disabled_checks=tuple(loads(row["disabled_checks"], [])),
            seed=row["seed"],
            app_version=row["app_version"],
            situation=str(context.get("situation", "")),
            goal=str(context.get("goal", "")),
            rubric=frozen_map(context.get("rubric", {})),
            outcome=row["outcome"],
            end_reason=row["end_reason"],
            end_node=row["end_node"],
            debrief=None if row["debrief"] is None else py_text(row["debrief"]),
            scores=frozen_map(loads(row["scores"], {})),
            score=row["score"],
            turn_count=row["turns"],
            node=row["node"],
            parent=row["parent"],
            parent_turn=row["parent_turn"],
            turns=tuple(
                turn_from_json(
                    {**loads(t["data"], {}), "index": t["idx"]},
                    user=None if t["user"] is None else py_text(t["user"]),
                    at=t["at"],
                )
                for t in turns
            ),
        )

    def check(self) -> list[str]:
        """SQLite's integrity check: an empty list when the file is sound."""
        with self._read("check the database") as conn:
            rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
        return [] if rows == ["ok"] else rows


def _problem(exc: sqlite3.DatabaseError) -> StoreProblem:
    """Which kind of problem an SQLite error is, by its result code (SQLITE_READONLY_*,
    SQLITE_FULL, ...): a read-only or full disk is not a corrupt database."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    if name.startswith(("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH")) or "readonly" in text:
        return "readonly"
    if name == "SQLITE_FULL" or "disk is full" in text:
        return "full"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return "locked"
    if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")):
        return "disk"
    return "broken"


def _writable(path: Path) -> bool:
    """Whether the database file (if it exists) and its folder (for -wal, -shm) can be written."""
    return os.access(path.parent, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


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
