"""Saving failures show in the app (issue 12, attack 4): a notification that stays until
saving works again, and the chat's title bar says "not saving"; then it says so again."""

from __future__ import annotations

from typing import Any

from rehearse.history.recorder import StoreRecorder
from rehearse.history.store import Store
from rehearse.ui.app import SAVING_NOTICE
from rehearse.ui.screens.chat import ChatScreen
from rehearse.workspace import paths
from tests.ui.helpers import make_app, say, visible_text, wait_ready


def messages(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_a_full_disk_shows_until_saving_works_again() -> None:
    store = Store.open(paths.database_path())
    recorder = StoreRecorder(store=store)
    app = make_app(script="not-this-role", recorder=recorder, history=recorder)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_ready(pilot)
        chat = pilot.app.screen
        assert isinstance(chat, ChatScreen)
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        store._conn.execute(f"PRAGMA max_page_count = {pages}")
        await say(pilot, "Thank you for thinking of me. " * 60)
        await pilot.pause()
        [notice] = [n for n in pilot.app._notifications if "not being saved" in str(n.message)]
        assert "disk is full" in str(notice.message) and notice.timeout == SAVING_NOTICE
        assert "not saving" in visible_text(chat.query_one("#chat-title"))
        store._conn.execute("PRAGMA max_page_count = 1000000")
        await say(pilot, "I have thought hard about it and the mid-level post is not for me right now.")
        await pilot.pause()
        assert not any("not being saved" in m for m in messages(pilot.app))
        assert any(m.startswith("Saving works again") for m in messages(pilot.app))
        assert "not saving" not in visible_text(chat.query_one("#chat-title"))
    assert recorder.session_id is not None
    assert len(store.load(recorder.session_id).turns) == 3
    store.close()
