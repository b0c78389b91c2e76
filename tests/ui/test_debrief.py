"""The debrief: outcome, rubric, each turn explained; try again, other persona, home."""

from __future__ import annotations

from typing import Any

from rehearse.engine.runtime import session as sess
from rehearse.engine.runtime.debrief import build_debrief
from rehearse.ui.messages import OpenDebrief
from rehearse.ui.screens.chat import ChatScreen
from rehearse.ui.screens.debrief import DebriefScreen, PersonaChoice
from rehearse.ui.screens.home import HomeScreen
from tests.ui.helpers import case_for, make_app, say, visible_text, wait_ready

SCRIPT = "not-this-role"


def _all_text(screen: Any) -> str:
    return " ".join(" ".join(visible_text(w).split()) for w in screen.query("Static"))


async def _reach_debrief(pilot: Any, case: dict[str, Any]) -> DebriefScreen:
    await wait_ready(pilot)
    for reply in case["replies"]:
        await say(pilot, reply)
    await pilot.press("enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, DebriefScreen)
    return screen


async def test_debrief_explains_every_turn() -> None:
    case = case_for(SCRIPT, "fail")
    app = make_app(script=SCRIPT, persona=case.get("persona"), seed=case.get("seed", 0))
    async with app.run_test(size=(120, 40)) as pilot:
        debrief = await _reach_debrief(pilot, case)
        state = debrief.state
        text = _all_text(debrief)
        assert state.ending is not None
        if state.ending.debrief:
            assert " ".join(state.ending.debrief.split())[:60] in text
        for dim, description in state.script.rubric.items():
            assert dim in text
            assert " ".join(description.split())[:40] in text
        review = build_debrief(state)
        for dim in review.dimensions:
            for c in dim.contributions:
                assert f"turn {c.turn} {c.points:+d} ({c.source})" in text
        for key in review.key_turns:
            assert f"Turn {key.index} ({key.points:+d}):" in text
        for tip in review.next_time:
            assert " ".join(tip.split())[:50] in text
        for turn in state.transcript[1:]:
            assert f"Turn {turn.index}" in text
            assert " ".join((turn.user or "").split()) in text
            model = sess.model_answer(state, turn.node)
            if model:
                assert " ".join(model.split())[:50] in text
            if turn.coach_note:
                assert " ".join(turn.coach_note.split())[:50] in text
            for flag in turn.coaching:
                assert flag.check.title in text
        assert any(t.coach_note for t in state.transcript[1:]), "pick a case with a coaching note"


async def test_flagged_words_are_highlighted_in_what_you_said() -> None:
    app = make_app(script=SCRIPT)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_ready(pilot)
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        reply = "sorry to bother you, I think maybe I'd sort of rather not apply, thanks"
        await say(pilot, reply)
        turn = chat.state.transcript[-1]
        assert turn.coaching, "the coach flags nothing in a hedged reply"
        app.post_message(OpenDebrief(chat.state))
        await pilot.pause()
        await pilot.pause()
        debrief = app.screen
        said = next(w for w in debrief.query(".turn-user"))
        content = said.visual
        flagged = {
            content.plain[span.start : span.end] for span in content.spans if "underline" in str(span.style)
        }
        for flag in turn.coaching:
            for word in flag.words:
                assert any(word in piece or piece in word for piece in flagged), word


async def test_try_again_same_persona_then_home() -> None:
    case = case_for(SCRIPT, "success")
    app = make_app(script=SCRIPT, persona=case.get("persona"), seed=case.get("seed", 0))
    async with app.run_test(size=(100, 30)) as pilot:
        debrief = await _reach_debrief(pilot, case)
        persona = debrief.state.persona.id
        await pilot.press("r")
        await pilot.pause()
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        assert chat.state.persona.id == persona
        assert len(chat.state.transcript) == 1
        assert len(app.screen_stack) == 2  # home, chat: the debrief was replaced
        for reply in case["replies"]:
            await say(pilot, reply)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        # p then esc: nothing changes
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PersonaChoice)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert len(app.screen_stack) == 1


async def test_try_again_with_another_persona() -> None:
    case = case_for(SCRIPT, "success")
    app = make_app(script=SCRIPT, persona=case.get("persona"), seed=case.get("seed", 0))
    async with app.run_test(size=(100, 30)) as pilot:
        debrief = await _reach_debrief(pilot, case)
        persona = debrief.state.persona.id
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PersonaChoice)
        await pilot.press("enter")
        await pilot.pause()
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        assert chat.state.persona.id != persona
        assert chat.state.persona.id in chat.state.script.personas
        assert app.prefs.for_script(SCRIPT).persona == chat.state.persona.id


async def test_keys_typed_on_after_leaving_the_debrief_never_replace_home() -> None:
    """Typing on into a debrief ("...the three...": h, then r) asks for home and then to try
    again before the debrief is gone: the second is stale, and never replaces the home
    screen itself (which crashed the app); a try-again from the debrief shown still works."""
    case = case_for(SCRIPT, "success")
    app = make_app(script=SCRIPT, persona=case.get("persona"), seed=case.get("seed", 0))
    async with app.run_test(size=(100, 30)) as pilot:
        debrief = await _reach_debrief(pilot, case)
        debrief.action_home()
        debrief.action_retry()
        await pilot.pause()
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, HomeScreen)
        assert len(app.screen_stack) == 1
        # so is a debrief asked for by a conversation already left
        app.post_message(OpenDebrief(debrief.state))
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, HomeScreen)
