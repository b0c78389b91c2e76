"""Running the real `rehearse` command from the CLI tests."""

from __future__ import annotations

import subprocess
import sys

from tests.unit.helpers import MINI, ROOT

__all__ = ["MINI", "ROOT", "run"]


def run(*args: str, input: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m rehearse ARGS` in a subprocess, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "rehearse", *args],
        capture_output=True,
        text=True,
        input=input,
        timeout=timeout,
    )
