"""The sessions screen: newest first, filters, paging, delete, progress; and its snapshots."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Select, Sparkline, Static

from rehearse.ui.screens.home import HomeScreen, ScriptList
from rehearse.ui.screens.replay import ReplayScreen
from rehearse.ui.screens.sessions import PAGE, ConfirmDelete, SessionsScreen, SessionTable
from rehearse.ui.widgets.progress import ProgressChart, spark_text
from tests.ui import sessions_data as sd
from tests.ui.helpers import case_for, type_text, visible_text, wait_ready
from tests.ui.sessions_data import DATA, frozen, utc  # noqa: F401  (fixtures)

SIZES = [(80, 24), (120, 40)]


def _three_sessions() -> dict[str, int]:
    """A success and a fail of not-this-role, then an unfinished passed-over (newest)."""
    win = case_for("not-this-role", "success")
    lose = case_for("not-this-role", "fail")
    ids = {
        "success": sd.record(
            sd.setup_for("not-this-role", win.get("persona"), seed=win.get("seed", 0)),
            win["replies"],
        ),
        "fail": sd.record(
            sd.setup_for("not-this-role", lose.get("persona"), seed=lose.get("seed", 0)),
            [sd.HEDGED, *lose["replies"]],
        ),
        "unfinished": sd.record(sd.setup_for("passed-over"), ["I wanted to ask about it"]),
    }
    return ids


async def _open_sessions(pilot: Any) -> SessionsScreen:
    await wait_ready(pilot)
    await pilot.press("s")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, SessionsScreen)
    return screen


def _ids(screen: SessionsScreen) -> list[int]:
    table = screen.query_one(SessionTable)
    return [int(str(row.key.value)) for row in table.ordered_rows]


async def test_home_s_opens_the_sessions_newest_first() -> None:
    ids = _three_sessions()
    async with sd.saving_app().run_test(size=(120, 40)) as pilot:
        screen = await _open_sessions(pilot)
        assert _ids(screen) == [ids["unfinished"], ids["fail"], ids["success"]]
        table = screen.query_one(SessionTable)
        first = [str(c) for c in table.get_row_at(0)]
        assert "Passed over" in first[1]
        assert "unfinished" in first[3]
        last = [str(c) for c in table.get_row_at(2)]
        assert "Not this role" in last[1] and "success" in last[3]
        with sd.store() as store:
            stored = store.load(ids["success"])
        assert last[4] == str(stored.score)  # 0-100, as in the debrief
        assert last[5] == str(stored.turn_count)
        assert "3 sessions" in visible_text(screen.query_one("#session-count", Static))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HomeScreen)


async def test_the_command_palette_opens_the_sessions() -> None:
    _three_sessions()
    async with sd.saving_app().run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "Sessions")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, SessionsScreen)


async def test_without_saving_the_sessions_key_explains() -> None:
    from tests.ui.helpers import make_app

    async with make_app().run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HomeScreen)
        assert any("saving is off" in str(n.message) for n in pilot.app._notifications)


async def test_filter_by_script_and_by_outcome() -> None:
    ids = _three_sessions()
    async with sd.saving_app().run_test(size=(120, 40)) as pilot:
        screen = await _open_sessions(pilot)
        # f opens the script filter; the scripts with sessions are listed by title
        await pilot.press("f")
        await pilot.pause()
        select = screen.query_one("#filter-script", Select)
        assert select.expanded
        await pilot.press("down", "enter")
        await pilot.pause()
        assert select.value == "not-this-role"
        assert _ids(screen) == [ids["fail"], ids["success"]]
        await pilot.press("o")  # all -> success
        await pilot.pause()
        assert screen.outcome_filter == "success"
        assert _ids(screen) == [ids["success"]]
        await pilot.press("o")  # -> partial: none
        await pilot.pause()
        assert _ids(screen) == []
        assert "none match" in visible_text(screen.query_one("#session-count", Static))
        screen.set_filters(script=None, outcome="unfinished")
        await pilot.pause()
        assert _ids(screen) == [ids["unfinished"]]
        screen.set_filters()
        await pilot.pause()
        assert len(_ids(screen)) == 3


async def test_a_long_history_loads_a_page_at_a_time() -> None:
    case = case_for("not-this-role", "success")
    setup = sd.setup_for("not-this-role", case.get("persona"), seed=case.get("seed", 0))
    made = sd.bulk(setup, case["replies"], 120)
    async with sd.saving_app().run_test(size=(100, 30)) as pilot:
        screen = await _open_sessions(pilot)
        table = screen.query_one(SessionTable)
        assert table.row_count == PAGE
        assert _ids(screen) == sorted(made, reverse=True)[:PAGE]
        assert "50 of 120" in visible_text(screen.query_one("#session-count", Static))
        # reaching the last row loads the next page
        table.move_cursor(row=table.row_count - 1)
        await pilot.pause()
        assert table.row_count == 2 * PAGE
        assert _ids(screen) == sorted(made, reverse=True)[: 2 * PAGE]
        # scrolling to the bottom (the mouse wheel) loads the next page too
        table.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert table.row_count == 120
        assert screen.exhausted
        assert _ids(screen) == sorted(made, reverse=True)
        assert "120 sessions" in visible_text(screen.query_one("#session-count", Static))
        # and `m` says there is no more
        await pilot.press("m")
        await pilot.pause()
        assert table.row_count == 120
        assert any("every session" in str(n.message) for n in pilot.app._notifications)
        screen.reload()
        await pilot.pause()
        assert table.row_count == PAGE
        # `m` loads more without moving
        await pilot.press("m")
        await pilot.pause()
        assert table.row_count == 2 * PAGE
        assert table.cursor_row == 0
        assert "100 of 120" in visible_text(screen.query_one("#session-count", Static))


async def test_delete_asks_first() -> None:
    ids = _three_sessions()
    async with sd.saving_app().run_test(size=(120, 40)) as pilot:
        screen = await _open_sessions(pilot)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmDelete)
        await pilot.press("escape")  # keep it
        await pilot.pause()
        assert pilot.app.screen is screen
        assert len(_ids(screen)) == 3
        await pilot.press("down", "delete")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmDelete)
        await pilot.press("y")
        await pilot.pause()
        assert _ids(screen) == [ids["unfinished"], ids["success"]]
        with sd.store() as store:
            assert store.count() == 2
            with pytest.raises(KeyError):
                store.load(ids["fail"])
        # home hears about it: one attempt left for not-this-role
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.summary["not-this-role"][0] == 1


async def test_enter_opens_the_replay() -> None:
    ids = _three_sessions()
    async with sd.saving_app().run_test(size=(120, 40)) as pilot:
        await _open_sessions(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        replay = pilot.app.screen
        assert isinstance(replay, ReplayScreen)
        assert replay.replay.stored.id == ids["fail"]


async def test_progress_chart_per_script() -> None:
    _three_sessions()
    async with sd.saving_app().run_test(size=(120, 40)) as pilot:
        screen = await _open_sessions(pilot)
        chart = screen.query_one(ProgressChart)
        # the highlighted row is passed-over: one unfinished attempt
        with sd.store() as store:
            [unfinished] = store.stats(script="passed-over")
        expected = [] if unfinished.score is None else [unfinished.score]
        assert list(chart.query_one(Sparkline).data or []) == expected
        assert visible_text(chart.query_one("#progress-outcomes", Static)) == "○"
        await pilot.press("down")
        await pilot.pause()
        with sd.store() as store:
            points = store.stats(script="not-this-role")
        assert list(chart.query_one(Sparkline).data or []) == [p.score for p in points]
        assert visible_text(chart.query_one("#progress-outcomes", Static)) == "✓✗"
        title = visible_text(chart.query_one("#progress-title", Static))
        assert "Not this role" in title and "2 attempts" in title and "best ✓ success" in title


async def test_home_shows_a_trend_per_script() -> None:
    _three_sessions()
    async with sd.saving_app().run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        app = pilot.app
        with sd.store() as store:
            totals = [p.score for p in store.stats(script="not-this-role")]
        assert [t for t, _ in app.trends["not-this-role"]] == totals
        scripts = app.screen.query_one(ScriptList)
        option = scripts.get_option("script:not-this-role")
        text = str(getattr(option.prompt, "plain", option.prompt))
        assert "2 attempts" in text
        assert spark_text(totals) in text
        untried = scripts.get_option("script:fumbled-promotion")
        assert "▁" not in str(getattr(untried.prompt, "plain", untried.prompt))


# ------------------------------------------------------------------------- snapshots


def _snapshot_sessions() -> None:
    win = case_for("not-this-role", "success", DATA / "scripts")
    lose = case_for("not-this-role", "fail", DATA / "scripts")
    sd.record(sd.setup_for("not-this-role", lose.get("persona"), seed=lose.get("seed", 0)), lose["replies"])
    sd.record(
        sd.setup_for("not-this-role", win.get("persona"), seed=win.get("seed", 0)),
        [sd.HEDGED, *win["replies"]],
    )
    sd.record(sd.setup_for("passed-over", seed=1), ["I wanted to ask about it"])
    sd.record(sd.setup_for("not-this-role", win.get("persona"), seed=win.get("seed", 0)), win["replies"])


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_sessions(snap_compare: Any, size: tuple[int, int]) -> None:
    _snapshot_sessions()

    async def run_before(pilot: Any) -> None:
        await _open_sessions(pilot)
        await pilot.pause()

    assert snap_compare(sd.saving_app(), terminal_size=size, run_before=run_before)
