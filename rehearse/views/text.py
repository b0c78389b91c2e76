"""The small formats every view shares: one line, local time, signed numbers.

Making text safe for a terminal is ``rehearse.engine.inert``, the one function for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime


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


def favoured_line(favoured: Sequence[tuple[str, float]]) -> str:
    """What a node's examples together favour, for the author tools ("" when nothing)."""
    shares = ", ".join(f"{reply} {share:.2f}" for reply, share in favoured)
    return f"examples together favour {shares}" if shares else ""
