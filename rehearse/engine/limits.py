"""The limits on what a script's template may make, and the exceptions that say which was
hit. Kept apart from the Jinja sandbox (``engine/sandbox.py``) so that what only prints
names, the home screen among it, never imports Jinja (2.8 MB of the process).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator
from typing import Any

MAX_SOURCE = 10_000  # characters of one template
MAX_NESTING = 20  # brackets, unary operators in a row, or blocks inside blocks
MAX_TREE_DEPTH = 64  # the parsed template (long operator chains nest too)
MAX_VALUE = 100_000  # characters or items of any value a template makes
MAX_ARGUMENT = 10_000  # a number given to a filter or method (widths, counts, ranges)
MAX_INT_BITS = 4_096  # about 1,200 digits
MAX_OUTPUT = 10_000  # characters one template may print
MAX_LOOPS = 1_000  # loop iterations in one rendering

LOOP_GUARD = "__rehearse_loop__"


class Refused(Exception):
    """A template this module will not parse or finish; ``lineno`` is the line inside
    the template when known, ``needle`` the text on it to point at."""

    kind = "limit"

    def __init__(self, message: str, lineno: int | None = None, needle: str | None = None) -> None:
        super().__init__(message)
        self.lineno = lineno
        self.needle = needle


class LimitExceeded(Refused):
    """A template went past one of the limits; the message says which, for the author."""


class Unsafe(Refused):
    """A template uses something scripts may not: other files, Python internals."""

    kind = "unsafe"


_budget: contextvars.ContextVar[list[int]] = contextvars.ContextVar("rehearse_loop_budget")


def render_capped(parts: Iterable[str]) -> str:
    """Join a template's output, stopping at ``MAX_OUTPUT`` characters and ``MAX_LOOPS``
    iterations (the budget lives for this one rendering)."""
    token = _budget.set([MAX_LOOPS])
    try:
        out: list[str] = []
        size = 0
        for part in parts:
            size += len(part)
            if size > MAX_OUTPUT:
                raise LimitExceeded(f"the text would be longer than {MAX_OUTPUT:,} characters")
            out.append(part)
        return "".join(out)
    finally:
        _budget.reset(token)


def counted(iterable: Iterable[Any]) -> Iterator[Any]:
    """A loop's items, counted against the rendering's MAX_LOOPS."""
    budget = _budget.get([MAX_LOOPS])
    for item in iterable:
        budget[0] -= 1
        if budget[0] < 0:
            raise LimitExceeded(f"loops ran more than {MAX_LOOPS:,} times")
        yield item


def sized(value: Any) -> Any:
    """``value``, if it is within the limits for what a template may make."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise LimitExceeded(f"a number larger than {MAX_INT_BITS:,} bits")
    if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)) and len(value) > MAX_VALUE:
        raise LimitExceeded(f"a value longer than {MAX_VALUE:,}")
    return value


def finalize(value: Any) -> Any:
    """What a template prints, within the limits (Jinja's ``finalize``, and the quick path's)."""
    if isinstance(value, str) and len(value) > MAX_OUTPUT:
        raise LimitExceeded(f"the text would be longer than {MAX_OUTPUT:,} characters")
    return sized(value)
