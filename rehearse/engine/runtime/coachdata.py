"""The coach's data file (coach_data/checks.yaml) and the check ids in it.

Apart from the coach so that loading a script, which only needs to know the ids a script may
name, neither compiles the coach's patterns nor imports the matcher (rapidfuzz, the intent
model): the app's home screen needs none of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml

_DATA_PACKAGE = "rehearse.engine.runtime"
_DATA_FILE = ("coach_data", "checks.yaml")


@cache
def data() -> Mapping[str, Any]:
    """The parsed data file (for the coach, read once)."""
    return _parse()


def _parse() -> Mapping[str, Any]:
    ref = resources.files(_DATA_PACKAGE)
    for part in _DATA_FILE:
        ref = ref.joinpath(part)
    # The safe loader (its C implementation when PyYAML has one: 15x faster, same result).
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loaded: Mapping[str, Any] = yaml.load(ref.read_text(encoding="utf-8"), Loader=loader)
    return loaded


@cache
def check_ids() -> tuple[str, ...]:
    """The ids of the coach's checks in their order, without compiling any pattern. The
    parsed file is not kept for them (half a megabyte): loading scripts, as the app's home
    does, needs the ids only; the coach parses it again (3 ms)."""
    return tuple(str(entry["id"]) for entry in _parse()["checks"])
