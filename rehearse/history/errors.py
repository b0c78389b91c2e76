"""The one error the session store raises (light: no sqlite3, so callers can catch it
without loading the database code)."""

from __future__ import annotations

import errno
from typing import Literal

RESET_HINT = "rehearse sessions --reset-broken"

StoreProblem = Literal["readonly", "full", "locked", "disk", "broken", "other"]
"""What is wrong, because each wants other advice: a read-only folder or a full disk is
not a corrupt database (reading still works, and saving resumes once it is fixed); a
locked one clears by itself; only a broken one is moved aside."""

TRANSIENT: frozenset[StoreProblem] = frozenset({"full", "locked", "disk"})


class StoreError(Exception):
    """The session database cannot be used; the message says why and what to do."""

    def __init__(self, message: str, *, kind: StoreProblem = "other") -> None:
        super().__init__(message)
        self.kind: StoreProblem = kind

    @property
    def broken(self) -> bool:
        """True when moving the file aside (``move_aside``) is the way out."""
        return self.kind == "broken"


def os_problem(exc: OSError) -> StoreProblem:
    """The kind of problem an OSError from the database's folder or file is."""
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "readonly"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "full"
    return "disk"


def advice(kind: StoreProblem, path: object) -> str:
    """What to do, in a sentence, for each kind of problem with the database at ``path``."""
    return {
        "readonly": f"{path} (or its folder) is read-only: make it writable, or set REHEARSE_HOME "
        "to a folder you can write. Your past sessions can still be read.",
        "full": "the disk is full: free some space. Saving starts again by itself once there is room; "
        "your past sessions can still be read.",
        "locked": "another rehearse is writing to it; try again in a moment.",
        "disk": "the disk reported an error; rehearse tries again at the next reply.",
        "broken": f"To start a new, empty database (the old file is kept, renamed to "
        f"{getattr(path, 'name', path)}.broken-<time>), run: {RESET_HINT}",
        "other": "",
    }[kind]
