"""Startup stays light: the app module does not load the engine (Jinja2, rapidfuzz, YAML)
before the first frame; and the benchmark's exit-when-ready switch works."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path, PurePath
from typing import Any

import pexpect
import pytest

HEAVY = ("jinja2", "rapidfuzz", "yaml")
# the one function that makes text inert is engine code every floor shares; it imports
# nothing but json and re
SHARED = ("rehearse.engine", "rehearse.engine.inert")
MATCHER = (
    "rehearse.engine.runtime.session",
    "rehearse.engine.runtime.matching",
    "rehearse.engine.runtime.coach",
    "rehearse.engine.runtime.recognise",
    "rehearse.engine.practice.moments",
    "rehearse.history.replay",
)


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


def test_the_app_leaves_what_the_titles_do_not_need_for_later() -> None:
    later = (
        "rehearse.ui.screens.home_form",
        "textual.widgets._radio_set",
        "rehearse.ui.palette",
        "rehearse.views.outcomes",
        "rehearse.ui.messages",
    )
    code = f"import sys, rehearse.cli, rehearse.ui.app\nprint([m for m in sys.modules if m in {later!r}])\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_full_home_list_loads_no_matcher_or_coach(rehearse_home: Path) -> None:
    """The catalog and the session history (a real store, with a session in it) fill the
    home list without the matcher, the coach or FSRS's callers: they double its memory."""
    code = (
        "import asyncio, sys\n"
        "from rehearse.history.recorder import StoreRecorder\n"
        "from rehearse.ui.app import build_app\n"
        "from rehearse.workspace.paths import database_path\n"
        "async def main():\n"
        "    with StoreRecorder(database_path()) as recorder:\n"
        "        app = build_app(recorder=recorder, history=recorder)\n"
        "        async with app.run_test() as pilot:\n"
        "            while not app.ready:\n"
        "                await pilot.pause(0.02)\n"
        "            await pilot.pause()\n"
        "            assert app.summary, 'the stored session is listed'\n"
        "    print(sorted(m for m in sys.modules if m.split('.')[0] == 'rapidfuzz' or m in\n"
        f"        {MATCHER!r}))\n"
        "asyncio.run(main())\n"
    )
    _store_one_session()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _store_one_session() -> None:
    """A finished session in the store under REHEARSE_HOME (the home lists its outcome)."""
    from rehearse.engine.runtime.session import Setup, begin, step
    from rehearse.history.recorder import StoreRecorder
    from rehearse.workspace.library import script_and_persona
    from rehearse.workspace.paths import database_path

    found = script_and_persona("passed-over", None)
    state = begin(Setup(found.script, found.persona, seed=1))
    with StoreRecorder(database_path()) as recorder:
        recorder.started(state)
        state, turn = step(state, "Thanks for telling me.")
        recorder.turn(state, turn)
        recorder.finished(state)


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


async def test_the_home_holds_outlines_and_enter_plays_the_whole_script() -> None:
    from rehearse.ui.screens.chat import ChatScreen
    from rehearse.workspace.library import catalog
    from tests.ui.helpers import make_app, wait_ready

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        assert app.catalog is not None
        assert all(not s.nodes for s in app.catalog.scripts.values())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        script = app.screen.state.script
        assert script == catalog().scripts[script.id]


async def test_the_first_frame_parses_only_the_home_styles_and_the_rest_follow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from textual.widgets import Button

    from rehearse.ui import styles
    from rehearse.ui.app import RehearseApp
    from rehearse.ui.screens.chat import ChatScreen
    from tests.ui.helpers import make_app, wait_ready

    def added(app: RehearseApp, paths: list[str | PurePath]) -> list[bool]:
        return [app.stylesheet.has_source(str(path), "") for path in paths]

    seen: list[list[bool]] = []
    drawn = RehearseApp._first_frame_drawn

    def first_frame_drawn(app: RehearseApp) -> None:
        seen.append(added(app, styles.LATER))
        # nor the hidden Start button: Button's own styles are many rules to parse
        seen.append([bool(app.screen.query(Button))])
        drawn(app)

    monkeypatch.setattr(RehearseApp, "_first_frame_drawn", first_frame_drawn)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        assert all(added(app, styles.FIRST))
        assert seen == [[False] * len(styles.LATER), [False]]  # at the first frame
        assert app.screen.query_one("#start", Button).display
        assert all(added(app, styles.LATER))
        # nothing in the later files styles the home: applied again, it looks the same
        before = app.export_screenshot()
        app.stylesheet.update(app)
        await pilot.pause()
        assert app.export_screenshot() == before
        # and a screen opened now finds its styles there: nothing is parsed again
        reparsed: list[bool] = []
        monkeypatch.setattr(app.stylesheet, "reparse", lambda: reparsed.append(True))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        assert reparsed == []


async def test_a_screen_opened_before_the_later_styles_loads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """A key typed ahead of the first frame may open a screen first: it brings its styles."""
    from rehearse.ui import styles
    from rehearse.ui.screens.help import HelpScreen
    from tests.ui.helpers import make_app

    monkeypatch.setattr(styles, "add_later", lambda stylesheet: None)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not app.stylesheet.has_source(str(styles.LATER[0]), "")
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert all(app.stylesheet.has_source(str(path), "") for path in styles.LATER)
        assert app.screen.query_one("#help-dialog").styles.max_height is not None


def test_the_collector_is_off_from_launch_until_the_app_runs_and_on_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    from rehearse.cli.launch import run_app
    from rehearse.ui import app as app_module
    from rehearse.workspace.settings import Launch

    seen: list[bool] = []

    class Stub:
        def run(self) -> None:
            seen.append(gc.isenabled())

    monkeypatch.setattr(app_module, "build_app", lambda *args, **kwargs: Stub())
    run_app(Launch(), save=False)
    assert seen == [False]
    assert gc.isenabled()


async def test_the_first_frame_turns_the_collector_back_on() -> None:
    import gc

    from tests.ui.helpers import make_app

    gc.disable()  # as run_app leaves it
    try:
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert gc.isenabled()
    finally:
        gc.enable()


def test_the_app_handles_every_message_the_screens_send_up() -> None:
    """The app's handlers go by the messages' names (on_start_conversation...), so that it
    need not import them before the first frame: a renamed message must not go unhandled."""
    import inspect

    from textual.message import Message

    from rehearse.ui import messages
    from rehearse.ui.app import RehearseApp

    sent_down = {messages.SavingChanged}  # the app posts it to the screen
    up = [
        cls
        for cls in vars(messages).values()
        if inspect.isclass(cls) and issubclass(cls, Message) and cls is not Message and cls not in sent_down
    ]
    assert len(up) == 11
    assert [cls.__name__ for cls in up if not callable(getattr(RehearseApp, cls.handler_name, None))] == []
