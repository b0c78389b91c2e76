"""Play every bundled script through the app, by typing, to a success and to a fail."""

from __future__ import annotations

import pytest

from rehearse.ui.screens.chat import ChatScreen
from rehearse.ui.screens.debrief import DebriefScreen
from tests.ui.helpers import BUNDLED_IDS, case_for, make_app, say, screen_text, wait_ready


@pytest.mark.parametrize("outcome", ["success", "fail"])
@pytest.mark.parametrize("script_id", BUNDLED_IDS)
async def test_play_to_ending(script_id: str, outcome: str) -> None:
    case = case_for(script_id, outcome)
    app = make_app(
        script=script_id,
        persona=case.get("persona"),
        seed=case.get("seed", 0),
        variables=case.get("vars") or {},
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_ready(pilot)
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        assert chat.state.persona.id == (case.get("persona") or chat.state.script.personas[0])
        for reply in case["replies"]:
            assert chat.state.ending is None
            await say(pilot, reply)
        ending = chat.state.ending
        assert ending is not None and ending.outcome == outcome
        assert chat.state.inputs == tuple(case["replies"])
        # the end banner says so, and Enter opens the debrief
        assert "The conversation is over" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        debrief = app.screen
        assert isinstance(debrief, DebriefScreen)
        badge = {"success": "Success", "fail": "Not this time"}[outcome]
        text = screen_text(app)
        assert badge in text
        assert "How it went · score" in text
