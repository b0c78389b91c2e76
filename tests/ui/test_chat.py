"""The chat screen: take back, hint, menu mode, panel, typing pause, coach line, recorder."""

from __future__ import annotations

from typing import Any

from textual import events

from rehearse.engine.runtime import session as sess
from rehearse.engine.runtime.coach import coach
from rehearse.engine.runtime.debrief import dimensions
from rehearse.ui.screens.chat import MAX_REPLY, ChatScreen, ConfirmScreen, LeaveScreen, ReplyInput
from rehearse.ui.screens.home import HomeScreen
from rehearse.ui.widgets.panel import CoachLine, SidePanel
from rehearse.ui.widgets.transcript import Bubble, NoteCard, OptionLine, OptionsCard
from tests.ui.helpers import (
    case_for,
    make_app,
    say,
    screen_text,
    type_text,
    visible_text,
    wait_ready,
)

SCRIPT = "not-this-role"


class ListRecorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def started(self, state: Any) -> None:
        self.calls.append(("started", len(state.transcript)))

    def turn(self, state: Any, turn: Any) -> None:
        self.calls.append(("turn", turn.user))

    def took_back(self, state: Any) -> None:
        self.calls.append(("took_back", len(state.transcript)))

    def finished(self, state: Any) -> None:
        self.calls.append(("finished", state.ending.outcome if state.ending else None))


def _success_case() -> dict[str, Any]:
    return case_for(SCRIPT, "success")


async def _open(pilot: Any) -> ChatScreen:
    await wait_ready(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ChatScreen)
    return screen


def _user_bubbles(chat: ChatScreen) -> list[str]:
    return [visible_text(b) for b in chat.query(Bubble) if b.has_class("user")]


async def test_take_back_restores_state_and_text() -> None:
    case = _success_case()
    recorder = ListRecorder()
    app = make_app(script=SCRIPT, persona=case.get("persona"), recorder=recorder)
    async with app.run_test(size=(100, 30)) as pilot:
        chat = await _open(pilot)
        first, second = case["replies"][:2]
        await say(pilot, first)
        after_first = chat.state
        await say(pilot, second)
        assert len(chat.state.transcript) == 3
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert chat.state is after_first
        assert chat.query_one(ReplyInput).value == second
        assert all(second not in text for text in _user_bubbles(chat))
        assert any(first in text for text in _user_bubbles(chat))
        # sending it again goes the same way
        await pilot.press("enter")
        await pilot.pause()
        assert chat.state.inputs == (first, second)
        assert [c[0] for c in recorder.calls] == ["started", "turn", "turn", "took_back", "turn"]
        assert recorder.calls[3] == ("took_back", 2)


async def test_take_back_at_the_opening_does_nothing() -> None:
    app = make_app(script=SCRIPT)
    async with app.run_test(size=(100, 30)) as pilot:
        chat = await _open(pilot)
        before = chat.state
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert chat.state is before
        assert len(chat.state.transcript) == 1


async def test_take_back_reopens_an_ended_conversation() -> None:
    case = case_for(SCRIPT, "fail")
    recorder = ListRecorder()
    app = make_app(script=SCRIPT, persona=case.get("persona"), seed=case.get("seed", 0), recorder=recorder)
    async with app.run_test(size=(100, 30)) as pilot:
        chat = await _open(pilot)
        for reply in case["replies"]:
            await say(pilot, reply)
        assert chat.state.ending is not None
        assert ("finished", "fail") in recorder.calls
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert chat.state.ending is None
        assert "The conversation is over" not in screen_text(app)
        assert chat.query_one(ReplyInput).placeholder != "Press Enter to read your debrief"


async def test_hint_key_shows_the_node_hint() -> None:
    app = make_app(script=SCRIPT)
    async with app.run_test(size=(100, 30)) as pilot:
        chat = await _open(pilot)
        expected = sess.hint(chat.state)
        assert expected
        await pilot.press("ctrl+t")
        await pilot.pause()
        cards = [c for c in chat.query(NoteCard) if c.has_class("hint")]
        assert len(cards) == 1
        assert " ".join(expected.split())[:40] in " ".join(screen_text(app).split())


async def test_menu_mode_numbers_pick_a_reply() -> None:
    app = make_app(script=SCRIPT)
    async with app.run_test(size=(100, 30)) as pilot:
        chat = await _open(pilot)
        options = sess.options(chat.state)
        assert len(options) >= 2
        await pilot.press("ctrl+o")
        await pilot.pause()
        card = chat.query_one(OptionsCard)
        lines = [line.label for line in card.query(OptionLine)]
        assert len(lines) == len(options)
        assert options[0].label in lines[0]
        await say(pilot, "2")
        assert chat.state.transcript[-1].reply == options[1].reply
        assert chat.state.transcript[-1].decision.reason == "picked option 2"
        assert f"2  → {options[1].label}" in _user_bubbles(chat)[-1]
        # the easier mode stays on: the next line comes with its options too
        assert chat.state.ending is None
        assert len(chat.query(OptionsCard)) == 2
        assert chat.state.offered == tuple(o.reply for o in sess.options(chat.state))
        # ctrl+o again turns it off
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert not chat.menu_mode
        await say(pilot, "1")
        assert len(chat.query(OptionsCard)) == 2


async def test_clicking_a_numbered_option_picks_it() -> None:
    app = make_app(script=SCRIPT)
    async with app.run_test(size=(100, 30)) as pilot:
        chat = await _open(pilot)
        options = sess.options(chat.state)
        await pilot.press("ctrl+o")
        await pilot.pause()
        line = chat.query(OptionLine).first()
        assert await pilot.click(line)
        await pilot.pause()
        assert chat.state.transcript[-1].reply == options[0].reply


async def test_misses_escalate_to_a_visibly_different_clarify_and_a_menu() -> None:
    app = make_app(script=SCRIPT, persona="sam")
    async with app.run_test(size=(100, 30)) as pilot:
        chat = await _open(pilot)
        await say(pilot, "purple elephants dancing on the moon")
        turn = chat.state.transcript[-1]
        assert turn.kind == "clarify"
        bubbles = [b for b in chat.query(Bubble) if b.has_class("boss")]
        assert bubbles[-1].has_class("clarify")
        assert "asks you to rephrase" in visible_text(bubbles[-1])
        assert not bubbles[0].has_class("clarify")
        kinds = [turn.kind]
        for _ in range(4):
            if chat.state.ending is not None or kinds[-1] == "menu":
                break
            await say(pilot, "purple elephants dancing on the moon")
            kinds.append(chat.state.transcript[-1].kind)
        assert "menu" in kinds
        assert chat.query(OptionsCard)
        assert chat.query_one(ReplyInput).placeholder.startswith("Type a number")


async def test_a_no_to_a_check_back_is_the_boss_misreading_not_a_reply_that_failed() -> None:
    app = make_app(script=SCRIPT, persona="dana")
    async with app.run_test(size=(100, 30)) as pilot:
        chat = await _open(pilot)
        await say(pilot, "Thanks for thinking of me. I'd rather sit this one out.")
        await say(pilot, "Mostly the teaching side, I think.")
        assert chat.state.transcript[-1].kind == "checkback"
        patience = chat.state.patience_left
        await say(pilot, "no")
        assert chat.state.patience_left == patience
        said = visible_text([b for b in chat.query(Bubble) if b.has_class("boss")][-1])
        assert "the boss misread you, so this costs no patience" in said and "Didn't land" not in said


async def test_panel_hides_and_shows_and_is_remembered() -> None:
    app = make_app(script=SCRIPT)
    async with app.run_test(size=(100, 30)) as pilot:
        chat = await _open(pilot)
        panel = chat.query_one(SidePanel)
        assert panel.display
        transcript_width = chat.query_one("#transcript").size.width
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert not panel.display
        assert chat.query_one("#transcript").size.width > transcript_width
        assert app.prefs.panel is False
    # a new app remembers
    app = make_app(script=SCRIPT)
    async with app.run_test(size=(100, 30)) as pilot:
        chat = await _open(pilot)
        assert not chat.query_one(SidePanel).display
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert chat.query_one(SidePanel).display


async def test_panel_shows_rubric_moving_and_patience() -> None:
    case = _success_case()
    app = make_app(script=SCRIPT, persona=case.get("persona"))
    async with app.run_test(size=(120, 40)) as pilot:
        chat = await _open(pilot)
        rubric = visible_text(chat.query_one("#panel-rubric"))
        for dim in chat.state.script.rubric:
            assert dim in rubric
        # nothing shown yet: a dash, never a 50
        assert "–" in rubric and " 50" not in rubric
        await say(pilot, case["replies"][0])
        dims = {d.name: d.score for d in dimensions(chat.state)}
        moved = {d: v for d, v in dims.items() if v is not None}
        assert moved
        rows = visible_text(chat.query_one("#panel-rubric")).splitlines()
        for dim, score in dims.items():
            [row] = [r for r in rows if r.startswith(dim[:5])]
            # the same 0-100 score the debrief shows, with how far this reply moved it
            assert (f" {score}" if score is not None else "–") in row
            if score is not None:
                assert f"▲{score - 50}" in row or f"▼{50 - score}" in row
        patience = visible_text(chat.query_one("#panel-patience"))
        assert f"{chat.state.patience_left} of {chat.state.persona.patience}" in patience


async def test_patience_speaks_of_the_boss_with_the_persona_s_pronouns() -> None:
    app = make_app(script=SCRIPT, persona="joe")
    async with app.run_test(size=(120, 40)) as pilot:
        chat = await _open(pilot)
        assert chat.state.persona.pronouns == "he/him"
        while chat.state.patience_left > 1:
            await say(pilot, "purple monkey dishwasher")
        patience = visible_text(chat.query_one("#panel-patience"))
        assert "Joe Brennan is at the end of his patience." in " ".join(patience.split())


async def test_typing_pause_never_blocks_input_and_can_be_skipped() -> None:
    case = _success_case()
    app = make_app(script=SCRIPT, persona=case.get("persona"), typing_delay=30)
    async with app.run_test(size=(100, 30)) as pilot:
        chat = await _open(pilot)
        await say(pilot, case["replies"][0])
        boss_line = chat.state.transcript[-1].boss
        indicator = chat.query_one("#typing")
        assert indicator.display
        assert " ".join(boss_line.split())[:30] not in " ".join(screen_text(app).split())
        # typing goes on during the pause
        await type_text(pilot, "still typing")
        assert chat.query_one(ReplyInput).value == "still typing"
        await pilot.press("escape")
        await pilot.pause()
        assert not indicator.display
        assert " ".join(boss_line.split())[:30] in " ".join(screen_text(app).split())
        assert chat.query_one(ReplyInput).value == "still typing"


async def test_sending_during_the_pause_reveals_then_sends() -> None:
    case = _success_case()
    app = make_app(script=SCRIPT, persona=case.get("persona"), typing_delay=30)
    async with app.run_test(size=(100, 30)) as pilot:
        chat = await _open(pilot)
        await say(pilot, case["replies"][0])
        await say(pilot, case["replies"][1])
        boss_bubbles = [b for b in chat.query(Bubble) if b.has_class("boss")]
        assert len(boss_bubbles) == 2  # the opening and the first answer; the second is pending
        assert chat.state.inputs == tuple(case["replies"][:2])


async def test_coach_line_shows_flags_while_typing_and_hides() -> None:
    app = make_app(script=SCRIPT)
    async with app.run_test(size=(120, 30)) as pilot:
        chat = await _open(pilot)
        text = "sorry to bother you, I think maybe I'd sort of like to just ask"
        expected = coach(text, expects=chat.state.current.expects)
        assert expected, "the coach flags nothing in a reply full of hedges"
        await type_text(pilot, text)
        await pilot.pause(0.3)
        line = chat.query_one(CoachLine)
        shown = visible_text(line)
        assert expected[0].check.title in shown
        assert expected[0].words[0] in shown
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert not line.display
        assert app.prefs.coach_line is False


async def test_restart_starts_over() -> None:
    case = _success_case()
    recorder = ListRecorder()
    app = make_app(script=SCRIPT, persona=case.get("persona"), recorder=recorder)
    async with app.run_test(size=(100, 30)) as pilot:
        chat = await _open(pilot)
        await say(pilot, case["replies"][0])
        await pilot.press("ctrl+r")
        await pilot.pause()
        # a conversation with turns is not thrown away without asking: Esc keeps it
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is chat and len(chat.state.transcript) == 2
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is chat
        assert len(chat.state.transcript) == 1
        assert not _user_bubbles(chat)
        assert recorder.calls[:4] == [
            ("started", 1),
            ("turn", case["replies"][0]),
            ("finished", None),
            ("started", 1),
        ]
        # with no turns yet there is nothing to lose: no question
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.screen is chat


async def test_switching_persona_mid_conversation_asks_first() -> None:
    app = make_app(script=SCRIPT)
    async with app.run_test(size=(100, 30)) as pilot:
        chat = await _open(pilot)
        await say(pilot, "hello there")
        first = chat.state.persona
        other = next(p for p in chat.personas if p.id != first.id)
        chat.switch_persona(other.id)
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert f"Switch to {other.name}?" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert chat.state.persona == first and chat.state.turn == 1
        chat.switch_persona(other.id)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert chat.state.persona == other and chat.state.turn == 0


async def test_escape_asks_before_leaving() -> None:
    recorder = ListRecorder()
    app = make_app(script=SCRIPT, recorder=recorder)
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(pilot)
        await say(pilot, "hello there")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LeaveScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert recorder.calls == [("started", 1), ("turn", "hello there"), ("finished", None)]


async def test_quitting_mid_conversation_closes_the_session() -> None:
    recorder = ListRecorder()
    app = make_app(script=SCRIPT, recorder=recorder)
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(pilot)
        await say(pilot, "hello there")
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert recorder.calls == [("started", 1), ("turn", "hello there"), ("finished", None)]


async def test_a_huge_paste_is_cut_not_refused_and_nothing_breaks() -> None:
    app = make_app(script=SCRIPT)
    async with app.run_test(size=(100, 30)) as pilot:
        chat = await _open(pilot)
        reply = chat.query_one(ReplyInput)
        reply.post_message(events.Paste("x" * 1_000_000))
        await pilot.pause()
        assert len(reply.value) == MAX_REPLY
        await pilot.press("enter")
        await pilot.pause()
        assert chat.state.inputs == ("x" * MAX_REPLY,)


async def test_a_coach_check_switched_off_from_the_app_stays_off() -> None:
    from rehearse.workspace.settings import load_config

    app = make_app(script=SCRIPT)
    async with app.run_test(size=(120, 30)) as pilot:
        chat = await _open(pilot)
        text = "sorry to bother you, I think maybe I'd sort of like to just ask"
        assert "hedge" in {f.check.id for f in coach(text, expects=chat.state.current.expects)}
        app.toggle_check("hedge", "Hedging the ask")
        await type_text(pilot, text)
        await pilot.pause(0.3)
        shown = visible_text(chat.query_one(CoachLine))
        assert "Hedging the ask" not in shown
        assert load_config().disabled_checks == {"hedge"}
        app.toggle_check("hedge", "Hedging the ask")
        assert load_config().disabled_checks == frozenset()


async def test_the_reply_box_grows_with_a_long_reply_and_stays_one_paragraph() -> None:
    app = make_app(script=SCRIPT)
    async with app.run_test(size=(80, 24)) as pilot:
        chat = await _open(pilot)
        reply = chat.query_one(ReplyInput)
        one_line = reply.size.height
        long = "I'd like to talk about what comes next for me, " * 4
        await type_text(pilot, long)
        await pilot.pause()
        # every word in sight: the box is as tall as the wrapped reply
        assert reply.size.height > one_line
        assert reply.wrapped_document.height <= reply.size.height
        # a pasted paragraph becomes one line; Enter sends, it never adds a line
        reply.value = ""
        reply.post_message(events.Paste("First line\n\n  second line  "))
        await pilot.pause()
        assert reply.value == "First line second line"
        await pilot.press("enter")
        await pilot.pause()
        assert chat.state.inputs == ("First line second line",) and reply.value == ""
        assert reply.size.height == one_line
        # ctrl+z is the conversation's take back, not the box's undo
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert chat.state.inputs == () and reply.value == "First line second line"
