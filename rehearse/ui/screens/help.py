"""Every key, screen by screen, built from the screens' own bindings so it cannot drift."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static

from rehearse.ui.safe import plain

INTRO = (
    "Pick a conversation, choose who plays your manager, and type what you would say. "
    "The boss answers; at the end the debrief shows how each reply landed and how it "
    "could land better. Everything stays on your machine. The mouse works too: click a "
    "script, a persona, a numbered option or a button. Your own scripts go in the scripts "
    "folder of rehearse's data folder (`rehearse list` shows where); one with a problem "
    "shows in the list with its first error."
)

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


def key_table() -> dict[str, list[tuple[str, str]]]:
    from rehearse.ui.app import RehearseApp
    from rehearse.ui.screens.chat import ChatScreen
    from rehearse.ui.screens.debrief import DebriefScreen
    from rehearse.ui.screens.home import FormInput, HomeScreen, PersonaPicker, ScriptList
    from rehearse.ui.screens.replay import ReplayScreen
    from rehearse.ui.screens.sessions import SessionsScreen, SessionTable

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
        "Everywhere": [
            *EXTRA["Everywhere"],
            *_rows(RehearseApp.BINDINGS),
            ("esc", "Close this help"),
        ],
    }


class HelpScreen(ModalScreen[None]):
    """Keys and a few words on how it works."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q,question_mark", "close", "Close", key_display="esc"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog", classes="dialog"):
            yield Label("rehearse: keys and how it works", classes="dialog-title")
            with VerticalScroll(id="help-body", can_focus=True):
                yield Static(plain(INTRO), classes="help-intro", markup=False)
                for section, rows in key_table().items():
                    yield Label(section, classes="section-title")
                    for key, text in rows:
                        with Horizontal(classes="help-row"):
                            yield Static(plain(key, "bold $text-accent"), classes="help-key", markup=False)
                            yield Static(plain(text), classes="help-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
