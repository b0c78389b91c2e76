"""Every key, screen by screen, from the screens' own bindings (for the help screen)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from rehearse.ui.screens.chat import ChatScreen
from rehearse.ui.screens.compare import CompareScreen
from rehearse.ui.screens.debrief import DebriefScreen
from rehearse.ui.screens.home import HomeScreen, ScriptList
from rehearse.ui.screens.home_form import FormInput, PersonaPicker
from rehearse.ui.screens.replay import ReplayScreen
from rehearse.ui.screens.sessions import SessionsScreen, SessionTable
from rehearse.ui.screens.whatif import WhatIfScreen

EXTRA: dict[str, list[tuple[str, str]]] = {
    "Home": [
        ("↑ ↓", "Choose a conversation, or a persona"),
        ("tab / shift+tab", "Next / previous field"),
    ],
    "Conversation": [
        ("⏎", "Send your reply (a number picks a numbered option)"),
        ("1 2 3…", "Pick an option when the boss offers a numbered list"),
        ("pgup / pgdn", "Scroll the conversation (or use the mouse wheel)"),
    ],
    "Debrief": [("↑ ↓ pgup pgdn", "Scroll the debrief")],
    "Sessions": [("↑ ↓ pgup pgdn", "Move through the sessions (more load as you reach the end)")],
    "Replay": [("↑ ↓ pgup pgdn", "Scroll a long turn")],
    "What if": [("↑ ↓ pgup pgdn", "Scroll the replies")],
    "Compare": [("↑ ↓ pgup pgdn", "Scroll the turns")],
    "Everywhere": [("^p", "Command palette: start a script, sessions, switch persona, panel or theme")],
}


def _key_text(binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    keys = []
    for key in binding.key.split(","):
        key = key.strip()
        key = {"question_mark": "?", "escape": "esc", "enter": "⏎"}.get(key, key)
        keys.append(key.replace("ctrl+", "^"))
    return " / ".join(keys)


def _rows(bindings: list[BindingType]) -> list[tuple[str, str]]:
    rows = []
    for item in bindings:
        if isinstance(item, Binding):
            description = item.tooltip or item.description
            if description:
                rows.append((_key_text(item), description))
    return rows


def key_table(app_bindings: list[BindingType]) -> dict[str, list[tuple[str, str]]]:
    """Section -> (keys, what they do); ``app_bindings`` are the keys that work everywhere."""
    home = [*_rows(ScriptList.BINDINGS), *_rows(PersonaPicker.BINDINGS), *_rows(FormInput.BINDINGS)]
    home = list(dict.fromkeys(home))[:1]  # the three Enter bindings say the same thing
    home[0] = ("⏎", "Start the highlighted conversation (from the list or any field)")
    return {
        "Home": [*home, *EXTRA["Home"], *_rows(HomeScreen.BINDINGS)],
        "Conversation": [*EXTRA["Conversation"], *_rows(ChatScreen.BINDINGS)],
        "Debrief": [*_rows(DebriefScreen.BINDINGS), *EXTRA["Debrief"]],
        "Sessions": [
            *_rows(SessionTable.BINDINGS),
            *EXTRA["Sessions"],
            *[r for r in _rows(SessionsScreen.BINDINGS) if r[0] != "f1"],
        ],
        "Replay": [
            *[r for r in _rows(ReplayScreen.BINDINGS) if r[0] != "f1"],
            *EXTRA["Replay"],
        ],
        "What if": [
            *[r for r in _rows(WhatIfScreen.BINDINGS) if r[0] != "f1"],
            *EXTRA["What if"],
        ],
        "Compare": [
            *[r for r in _rows(CompareScreen.BINDINGS) if r[0] != "f1"],
            *EXTRA["Compare"],
        ],
        "Everywhere": [
            *EXTRA["Everywhere"],
            *_rows(app_bindings),
            ("esc", "Close this help"),
        ],
    }
