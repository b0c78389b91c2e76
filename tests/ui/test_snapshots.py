"""Snapshots of each screen at 80x24 and 120x40 (fixed seed, no typing pause, no clock).

The scripts and personas come from tests/ui/snapshot_data (frozen copies of bundled ones),
so rewording a bundled script does not change these pictures.
Update after a deliberate change with: pytest tests/ui/test_snapshots.py --snapshot-update
and look at the report before committing the new SVGs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, TextArea

from rehearse.workspace import paths
from tests.ui.helpers import case_for, make_app, say, type_text, wait_ready

SIZES = [(80, 24), (120, 40)]
SCRIPT = "not-this-role"
DATA = Path(__file__).resolve().parent / "snapshot_data"


@pytest.fixture(autouse=True)
def frozen_scripts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paths, "bundled_dir", lambda: DATA)


async def _steady(pilot: Any) -> None:
    """No blinking cursor in a snapshot (the fields, and the reply box, a text area)."""
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    for area in pilot.app.screen.query(TextArea):
        area.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_home(snap_compare: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await wait_ready(pilot)
        await _steady(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_chat_mid_conversation(snap_compare: Any, size: tuple[int, int]) -> None:
    case = case_for(SCRIPT, "success", DATA / "scripts")

    async def run_before(pilot: Any) -> None:
        await wait_ready(pilot)
        await say(pilot, case["replies"][0])
        await say(pilot, "purple elephants on the moon")  # a clarify turn
        await type_text(pilot, "I think maybe I'd sort of like")
        await pilot.pause(0.3)  # the coach line's debounce
        await _steady(pilot)

    app = make_app(script=SCRIPT, persona=case.get("persona"), seed=case.get("seed", 0))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_debrief(snap_compare: Any, size: tuple[int, int]) -> None:
    case = case_for(SCRIPT, "fail", DATA / "scripts")

    async def run_before(pilot: Any) -> None:
        await wait_ready(pilot)
        for reply in case["replies"]:
            await say(pilot, reply)
        await pilot.press("enter")
        await pilot.pause()

    app = make_app(script=SCRIPT, persona=case.get("persona"), seed=case.get("seed", 0))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help(snap_compare: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await wait_ready(pilot)
        await _steady(pilot)
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
