"""Text made safe to show, and the small formats every view shares.

User input and script text may hold terminal escape sequences; printed raw they could move
the cursor, change colours or retitle the terminal. Each control character is replaced by
its visible Unicode "control picture" (ESC becomes U+241B), so nothing is lost or obeyed.
"""

from __future__ import annotations

import re
from datetime import datetime

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"\\x{code:02x}"


def inert(text: str) -> str:
    """Text with every control character except newline and tab made visible."""
    text = text.replace("\r\n", "\n")
    return _CONTROL.sub(_picture, text)


def clean(text: object) -> str:
    """Printable text: control characters visible, and any lone surrogate (undecodable
    input) written as an escape instead of failing on output."""
    value = inert("" if text is None else str(text))
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def one_line(text: str | None, limit: int = 80) -> str:
    """A single line for lists and titles: whitespace folded, cut with an ellipsis."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def local_time(stamp: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time stamp in the user's local time."""
    if not stamp:
        return ""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime(fmt)
    except ValueError:
        return stamp


def signed(value: int) -> str:
    return f"{value:+d}"


def score_cell(score: int | None) -> str:
    """A 0-100 score in a table; "–" when there is none (nothing scored, or an old session)."""
    return "–" if score is None else str(score)
