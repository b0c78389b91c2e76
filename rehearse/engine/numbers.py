"""Whole numbers from text, length-checked before conversion.

``int()`` refuses more than 4,300 digits with a ValueError that nobody expects, and a
number past 2**63 overflows SQLite. Every number a person or a file writes (YAML
scalars, a menu choice, a command-line option, a session id) is read here instead.
"""

from __future__ import annotations

import re

MAX_DIGITS = 18  # below 2**63, so it also fits a SQLite INTEGER

_INTEGER = re.compile(r"[-+]?[0-9]+")


def small_int(text: str) -> int | None:
    """``text`` as an int when it is ASCII digits (optionally signed) and at most
    ``MAX_DIGITS`` of them; None otherwise."""
    text = text.strip()
    if not _INTEGER.fullmatch(text) or len(text.lstrip("+-")) > MAX_DIGITS:
        return None
    return int(text)
