"""Pausing the cyclic garbage collector while work builds only objects that survive."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Loading a script, or playing a stored session again, builds many objects that all
    live on and frees no cycles: the cyclic collector would only scan the same survivors
    again and again (big files loaded superlinearly; a tenth of a 1,000-turn replay)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
