"""Startup stays light: the app module does not load the engine (Jinja2, rapidfuzz, YAML)
before the first frame; and the benchmark's exit-when-ready switch works."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pexpect
import pytest

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


async def test_the_first_frame_lists_the_titles_and_enter_waits_for_the_script(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rehearse.ui import app as app_module
    from rehearse.ui.screens.chat import ChatScreen
    from rehearse.workspace.titles import titles
    from tests.ui.helpers import make_app, screen_text, wait_ready

    loaded = threading.Event()
    load = app_module.load_catalog

    def held_load(extra: list[Path]) -> Any:
        loaded.wait(20)
        return load(extra)

    monkeypatch.setattr(app_module, "load_catalog", held_load)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not app.ready
        text = screen_text(app)
        first = titles()[0]
        assert all(t.title in text for t in titles())
        await pilot.press("enter")  # on the first title, before its script has loaded
        assert not isinstance(app.screen, ChatScreen)
        loaded.set()
        await wait_ready(pilot)
        for _ in range(50):
            if isinstance(app.screen, ChatScreen):
                break
            await pilot.pause(0.02)
        assert isinstance(app.screen, ChatScreen)
        assert app.screen.state.script.id == first.id


def test_bare_rehearse_never_imports_click_or_the_commands() -> None:
    code = (
        "import sys\n"
        "import rehearse.cli, rehearse.cli.launch\n"
        "rehearse.cli.launch.run_app = lambda launch: print(sorted(m for m in sys.modules "
        "if m.split('.')[0] == 'click' or m.startswith(('rehearse.cli.', 'rehearse.engine.authoring'))))\n"
        "sys.argv = ['rehearse']\n"
        "rehearse.cli.main()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['rehearse.cli.launch']"
