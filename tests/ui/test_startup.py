"""Startup stays light: the app module does not load the engine (Jinja2, rapidfuzz, YAML)
before the first frame; and the benchmark's exit-when-ready switch works."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pexpect

HEAVY = ("jinja2", "rapidfuzz", "yaml")
# the one function that makes text inert is engine code every floor shares; it imports
# nothing but json and re
SHARED = ("rehearse.engine", "rehearse.engine.inert")


def test_importing_the_app_loads_no_engine() -> None:
    code = (
        "import sys, rehearse.cli, rehearse.ui.app\n"
        "app = rehearse.ui.app.build_app()\n"
        f"heavy = [m for m in sys.modules if m.split('.')[0] in {HEAVY!r} "
        f"or (m.startswith('rehearse.engine') and m not in {SHARED!r})]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_exit_when_ready_draws_home_and_exits(rehearse_home: Path) -> None:
    env = {
        **os.environ,
        "REHEARSE_HOME": str(rehearse_home),
        "TERM": "xterm-256color",
        "REHEARSE_EXIT_WHEN_READY": "1",
    }
    child = pexpect.spawn(sys.executable, ["-m", "rehearse"], env=env, dimensions=(24, 80), timeout=30)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert b"practise a hard conversation" in (child.before or b"")


def test_rehearse_alone_opens_the_app_without_the_command_line_machinery() -> None:
    code = (
        "import sys, rehearse.cli, rehearse.cli.launch\n"
        "print([m for m in sys.modules if m.split('.')[0] == 'click' or m == 'rehearse.cli.group'])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
