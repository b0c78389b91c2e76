"""Practice in the app: drills of due moments (from home, and opened by `rehearse drill`),
the what-if explorer from the replay screen, two attempts compared from the sessions
screen, retry from a turn opened by `rehearse retry`, and pressure mode; and snapshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from textual.widgets import Static

from rehearse.engine.practice import drill
from rehearse.engine.runtime import session as sess
from rehearse.engine.runtime.debrief import POINTS_PER_SCORE
from rehearse.history import store as store_module
from rehearse.history.replay import state_before
from rehearse.ui.messages import OpenReplay
from rehearse.ui.screens.chat import ChatScreen
from rehearse.ui.screens.compare import CompareScreen
from rehearse.ui.screens.debrief import DebriefScreen
from rehearse.ui.screens.home import HomeScreen
from rehearse.ui.screens.replay import ReplayScreen
from rehearse.ui.screens.sessions import SessionsScreen, SessionTable
from rehearse.ui.screens.whatif import WhatIfScreen
from rehearse.views.practice import verdict_headline
from rehearse.views.text import signed
from rehearse.workspace.settings import Launch
from tests.ui import sessions_data as sd
from tests.ui.helpers import case_for, plan_cases, say, type_text, visible_text, wait_ready
from tests.ui.sessions_data import DATA, frozen, utc  # noqa: F401  (fixtures)
from tests.ui.test_sessions import SIZES

CLARIFY = "purple elephants on the moon"
LONG_AGO = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def record_long_ago(monkeypatch: pytest.MonkeyPatch, setup: sess.Setup, replies: list[str]) -> int:
    """A session played days ago: its weak moments are due now."""
    with monkeypatch.context() as m:
        m.setattr(store_module, "utc_now", lambda: LONG_AGO)
        return sd.record(setup, replies)


def weak_session(monkeypatch: pytest.MonkeyPatch) -> int:
    """A reply the boss does not follow at the opening, days ago: one moment due."""
    return record_long_ago(monkeypatch, sd.setup_for("not-this-role", "joe", seed=2), [CLARIFY])


def chat(pilot: Any) -> ChatScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ChatScreen)
    return screen


def cards(screen: ChatScreen, kind: str) -> list[str]:
    """The text of each note card of a kind (its title and body)."""
    return [
        "\n".join(visible_text(part) for part in card.query("Label, Static"))
        for card in screen.query(f".note-card.{kind}")
    ]


# -- drills --------------------------------------------------------------------------------


async def test_home_shows_the_moments_due_and_d_drills_them(monkeypatch: pytest.MonkeyPatch) -> None:
    source = weak_session(monkeypatch)
    with sd.store() as store:
        (moment,) = store.moments(datetime.now(UTC))
    async with sd.saving_app().run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        assert "1 moment due for a drill: press d" in visible_text(
            pilot.app.screen.query_one("#home-title", Static)
        )
        await pilot.press("d")
        await pilot.pause()
        screen = chat(pilot)
        assert screen.drill is not None and (screen.drill.number, screen.drill.total) == (1, 1)
        assert screen.state.node == moment.node and screen.state.turn == moment.turn - 1
        why = cards(screen, "intro")[0]
        assert "Drill: moment 1 of 1" in why and "not understood" in why
        assert "opening" not in why  # words, never node ids
        # a reply the boss does not follow: the drill goes on at the same moment
        await say(pilot, CLARIFY)
        assert not screen.drill_over
        model = sess.model_answer(screen.state)
        assert model is not None
        await say(pilot, model)
        assert screen.drill_over
        verdict = drill.verdict(screen.drill_start, screen.state)
        assert verdict is not None and verdict.grade == "again"  # its first reply missed
        (shown,) = cards(screen, "verdict")
        assert verdict_headline(verdict) in shown and "It took 2 replies" in shown
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HomeScreen)
        assert any("Drilled 1 moment" in str(n.message) for n in pilot.app._notifications)
    with sd.store() as store:
        new = store.load("latest")
        assert (new.parent, new.parent_turn) == (source, moment.turn)
        (again,) = store.moments(datetime.now(UTC) + timedelta(days=30), due_only=False)
        assert again.memory.reviews == 2 and again.session == new.id


async def test_a_strong_reply_ends_the_drill_with_a_strong_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    weak_session(monkeypatch)
    async with sd.saving_app(launch=Launch(drill=True)).run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        await pilot.pause()
        screen = chat(pilot)  # `rehearse drill` opens the first moment at once
        model = sess.model_answer(screen.state)
        assert model is not None
        await say(pilot, model)
        verdict = drill.verdict(screen.drill_start, screen.state)
        assert verdict is not None
        assert verdict_headline(verdict) in cards(screen, "verdict")[0]
        assert screen.query_one("#reply").placeholder.startswith("Press Enter for the next moment")
    with sd.store() as store:
        assert store.due_count() == 0  # reviewed: it comes back later


async def test_drill_with_nothing_due_says_so() -> None:
    async with sd.saving_app().run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HomeScreen)
        assert any("No moments are due" in str(n.message) for n in pilot.app._notifications)


# -- retry from the command line -----------------------------------------------------------


async def test_a_launch_with_a_resumed_state_opens_the_chat_there_as_a_retry() -> None:
    case = case_for("not-this-role", "fail")
    source = sd.record(sd.setup_for("not-this-role", case.get("persona")), case["replies"])
    with sd.store() as store:
        state = state_before(store.load(source), 2)
    launch = Launch(script=state.script, persona=state.persona, resume=state, retry_of=(source, 2))
    async with sd.saving_app(launch=launch).run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        screen = chat(pilot)
        assert screen.state.turn == 1
        assert [t.user for t in screen.state.transcript[1:]] == case["replies"][:1]
    with sd.store() as store:
        new = store.load("latest")
    assert (new.parent, new.parent_turn) == (source, 2)


# -- what if -------------------------------------------------------------------------------


async def _what_if(pilot: Any, session_id: int, turn: int) -> WhatIfScreen:
    await wait_ready(pilot)
    pilot.app.post_message(OpenReplay(session_id, turn))
    await pilot.pause()
    assert isinstance(pilot.app.screen, ReplayScreen)
    await pilot.press("w")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, WhatIfScreen)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def test_w_on_a_replayed_turn_shows_every_reply_and_where_it_leads() -> None:
    case = case_for("not-this-role", "fail")
    session_id = sd.record(sd.setup_for("not-this-role", case.get("persona")), case["replies"])
    with sd.store() as store:
        stored = store.load(session_id)
    async with sd.saving_app().run_test(size=(120, 40)) as pilot:
        screen = await _what_if(pilot, session_id, 1)
        found = screen.found
        assert found is not None and found.complete
        text = "\n".join(visible_text(w) for w in screen.query("#whatif-body Static"))
        state = state_before(stored, 1)
        for candidate in state.candidates():
            assert candidate.label in text
        chosen = stored.turns[1].reply
        label = next(c.label for c in state.candidates() if c.id == chosen)
        assert f"{label}  ← what you said" in text
        assert "Shortest way to success" in text
        assert chosen not in text.split()  # ids stay out of sight
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ReplayScreen)


# -- compare -------------------------------------------------------------------------------


def _attempt(case: dict[str, Any]) -> int:
    setup = sd.setup_for("not-this-role", case.get("persona"), seed=case.get("seed", 0))
    return sd.record(setup, case["replies"])


async def test_c_twice_in_the_sessions_compares_two_attempts() -> None:
    win, lose = case_for("not-this-role", "success"), case_for("not-this-role", "fail")
    first = sd.record(
        sd.setup_for("not-this-role", win.get("persona"), seed=win.get("seed", 0)), win["replies"]
    )
    second = sd.record(
        sd.setup_for("not-this-role", lose.get("persona"), seed=lose.get("seed", 0)), lose["replies"]
    )
    async with sd.saving_app().run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        await pilot.press("s")
        await pilot.pause()
        sessions = pilot.app.screen
        assert isinstance(sessions, SessionsScreen)
        await pilot.press("c")  # the newest (second) is A
        assert sessions.compare_with is not None and sessions.compare_with.id == second
        assert f"comparing with session {second}" in visible_text(
            sessions.query_one("#session-count", Static)
        )
        sessions.query_one(SessionTable).move_cursor(row=1)
        await pilot.press("c")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, CompareScreen)
        found = screen.found
        assert (found.a.id, found.b.id) == (second, first)
        meta = visible_text(screen.query_one("#compare-meta", Static))
        assert f"session {second}" in meta and f"session {first}" in meta
        assert "went apart" in meta or "same way" in meta
        boxes = [visible_text(b) for b in screen.query(".compare-box")]
        assert any(lose["replies"][0][:30] in b for b in boxes)
        assert any(win["replies"][0][:30] in b for b in boxes)
        # a reply's score moves read on the debrief's 0-100 scale, as everywhere else
        scored = next(r.a for r in found.rows if r.a is not None and r.a.score)
        dim, points = next(iter(scored.score.items()))
        assert any(f"{dim} {signed(points * POINTS_PER_SCORE)}" in b for b in boxes)
        rubric = visible_text(screen.query_one("#compare-rubric", Static))
        for dim in found.dims:
            assert dim.dim in rubric
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, SessionsScreen)


# -- pressure ------------------------------------------------------------------------------


class Clock:
    """A clock the test moves by hand (no waiting, no timings)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_pressure_mode_times_each_reply_and_the_boss_nudges() -> None:
    case = next(
        c
        for c in plan_cases("not-this-role")
        if c.get("persona") == "dana" and c["expect"].get("outcome") == "success"
    )
    app = sd.saving_app(script="not-this-role", persona="dana", seed=case.get("seed", 0))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        screen = chat(pilot)
        clock = Clock()
        screen.clock = clock
        assert not screen.pressure  # off by default
        await pilot.press("f2")
        assert screen.pressure and "pressure" in visible_text(screen.query_one("#chat-title", Static))
        clock.now += 3
        await type_text(pilot, "I")
        clock.now += 5
        await pilot.press("ctrl+u")  # clear it again; the first key is what counts
        screen.nudge()  # Dana's patience_seconds ran out (the timer calls this)
        await pilot.pause()
        assert screen.state.nudges == 1
        nudges = [visible_text(w) for w in screen.query(".bubble.nudge")]
        assert len(nudges) == 1 and "waiting for you" in nudges[0]
        assert screen.state.patience_left == screen.state.persona.patience - 1  # Dana says it costs
        await say(pilot, case["replies"][0])
        turn = screen.state.transcript[1]
        assert turn.nudges == 1
        assert turn.timing == sess.Timing(3.0, 8.0)
        for reply in case["replies"][1:]:
            clock.now += 2
            await say(pilot, reply)
        assert screen.state.ending is not None
        await pilot.press("enter")
        await pilot.pause()
        debrief = pilot.app.screen
        assert isinstance(debrief, DebriefScreen)
        notes = [visible_text(w) for w in debrief.query(".turn-note, .outcome-text")]
        assert "Pace: 8.0s to send (first key after 3.0s); the boss asked if you were still there" in notes
        assert any(n.startswith("Pace: ") and "on average" in n for n in notes)
    with sd.store() as store:
        kept = store.load("latest")
        assert kept.turns[1].timing == sess.Timing(3.0, 8.0) and kept.turns[1].nudges == 1
        assert [t.turn for t in store.timed_turns("not-this-role")] == [t.index for t in kept.replies]


async def test_without_pressure_nothing_is_timed_and_no_nudge_comes() -> None:
    async with sd.saving_app(script="not-this-role", persona="dana").run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        screen = chat(pilot)
        screen.nudge()
        await pilot.pause()
        assert screen.state.nudges == 0 and not list(screen.query(".bubble.nudge"))
        await say(pilot, CLARIFY)
        assert screen.state.transcript[1].timing is None


# -- snapshots -----------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_home_with_moments_due(
    snap_compare: Any, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    weak_session(monkeypatch)

    async def run_before(pilot: Any) -> None:
        await wait_ready(pilot)
        await pilot.pause()

    assert snap_compare(sd.saving_app(), terminal_size=size, run_before=run_before)


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_drill_verdict(
    snap_compare: Any, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    weak_session(monkeypatch)

    async def run_before(pilot: Any) -> None:
        await wait_ready(pilot)
        await pilot.press("d")
        await pilot.pause()
        model = sess.model_answer(chat(pilot).state)
        assert model is not None
        await say(pilot, model)
        for widget in pilot.app.screen.query("Input, TextArea"):
            widget.cursor_blink = False  # type: ignore[attr-defined]  # no blinking in a picture
        await pilot.pause()

    assert snap_compare(sd.saving_app(), terminal_size=size, run_before=run_before)


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_what_if(snap_compare: Any, size: tuple[int, int]) -> None:
    case = case_for("not-this-role", "fail", DATA / "scripts")
    session_id = sd.record(sd.setup_for("not-this-role", case.get("persona")), case["replies"])

    async def run_before(pilot: Any) -> None:
        await _what_if(pilot, session_id, 2)

    assert snap_compare(sd.saving_app(), terminal_size=size, run_before=run_before)


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_compare(snap_compare: Any, size: tuple[int, int]) -> None:
    win = case_for("not-this-role", "success", DATA / "scripts")
    lose = case_for("not-this-role", "fail", DATA / "scripts")
    first = sd.record(
        sd.setup_for("not-this-role", win.get("persona"), seed=win.get("seed", 0)), win["replies"]
    )
    second = sd.record(
        sd.setup_for("not-this-role", lose.get("persona"), seed=lose.get("seed", 0)), lose["replies"]
    )

    async def run_before(pilot: Any) -> None:
        from rehearse.ui.messages import OpenCompare

        await wait_ready(pilot)
        pilot.app.post_message(OpenCompare(first, second))
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(sd.saving_app(), terminal_size=size, run_before=run_before)


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_pressure_nudge(snap_compare: Any, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await wait_ready(pilot)
        await pilot.press("f2")
        chat(pilot).nudge()  # the boss's patience ran out (the timer calls this)
        await pilot.pause()
        for widget in pilot.app.screen.query("Input, TextArea"):
            widget.cursor_blink = False  # type: ignore[attr-defined]  # no blinking in a picture
        await pilot.pause()

    app = sd.saving_app(script="not-this-role", persona="dana")
    assert snap_compare(app, terminal_size=size, run_before=run_before)
