"""The session database's tables, and the migrations that build them.

The schema is versioned with ``PRAGMA user_version``; ``MIGRATIONS[i]`` takes version i to
i + 1. Append, never edit: a database written by this version must open in every later one.

Listing, counting and the per-script summary cost the same with 10 or 10,000 sessions:
listing walks the rowid (newest first) or a per-script/per-outcome index and stops at the
page, and counts come from ``tallies`` (attempts per script and outcome), kept exact by
triggers in the same transaction as the change.
"""

from __future__ import annotations

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

# The session's score on the debrief's 0-100 scale (the mean of the rubric dimensions it
# showed) and each dimension's (JSON; null for a dimension not shown), for lists and stats;
# NULL for sessions saved before they existed (lists show "–"; opening the session works
# them out again). scores and score_total, raw points, stay for older versions of rehearse.
_V2: tuple[str, ...] = (
    "ALTER TABLE sessions ADD COLUMN score INTEGER",
    "ALTER TABLE sessions ADD COLUMN dim_scores TEXT",
)

# Drills: a moment (script, node, persona) that went badly is a card; every graded reply at
# it is a review. The review log is the truth (one review per moment per session); a card
# keeps the FSRS memory its reviews fold to, and its due time, indexed for "what is due".
# Deleting a session deletes its reviews; the store then folds the cards they touched again.
_V3: tuple[str, ...] = (
    """
    CREATE TABLE cards (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        script_id  TEXT NOT NULL,
        node       TEXT NOT NULL,
        persona_id TEXT NOT NULL,
        due        TEXT NOT NULL,
        memory     TEXT NOT NULL,
        UNIQUE (script_id, node, persona_id)
    )
    """,
    "CREATE INDEX cards_by_due ON cards(due)",
    """
    CREATE TABLE reviews (
        card    INTEGER NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
        session INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        turn    INTEGER NOT NULL,
        at      TEXT NOT NULL,
        grade   TEXT NOT NULL CHECK (grade IN ('again', 'hard', 'good')),
        reasons TEXT NOT NULL DEFAULT '[]',
        asked   TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (card, session)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX reviews_by_session ON reviews(session, turn)",
)

#: MIGRATIONS[i] takes a database from user_version i to i + 1. Append, never edit.
MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2, _V3)
SCHEMA_VERSION = len(MIGRATIONS)
TABLES = ("blobs", "sessions", "turns", "tallies", "cards", "reviews")
