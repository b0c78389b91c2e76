"""The one error the session store raises (light: no sqlite3, so callers can catch it
without loading the database code)."""

from __future__ import annotations

RESET_HINT = "rehearse sessions --reset-broken"


class StoreError(Exception):
    """The session database cannot be used; the message says why and what to do."""

    def __init__(self, message: str, *, broken: bool = False) -> None:
        super().__init__(message)
        #: True when moving the file aside (``move_aside``) is the way out.
        self.broken = broken
