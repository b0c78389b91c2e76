"""The help screen: how it works, and every key, screen by screen (``rehearse.ui.keys``
builds the table from the screens' own bindings, so it cannot drift)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from rehearse.ui import styles
from rehearse.ui.safe import plain
from rehearse.ui.widgets.footer import KeysFooter

INTRO = (
    "Pick a conversation, choose who plays your manager, and type what you would say. "
    "The boss answers; at the end the debrief shows how each reply landed and how it "
    "could land better. Everything stays on your machine. The mouse works too: click a "
    "script, a persona, a numbered option or a button. Your own scripts go in the scripts "
    "folder of rehearse's data folder (`rehearse list` shows where); one with a problem "
    "shows in the list with its first error."
)


class HelpScreen(ModalScreen[None]):
    """Keys and a few words on how it works."""

    CSS_PATH = styles.LATER  # see rehearse.ui.styles

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q,question_mark", "close", "Close", key_display="esc"),
    ]

    def __init__(self, sections: Mapping[str, list[tuple[str, str]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog", classes="dialog"):
            yield Label("rehearse: keys and how it works", classes="dialog-title")
            with VerticalScroll(id="help-body", can_focus=True):
                yield Static(plain(INTRO), classes="help-intro", markup=False)
                for section, rows in self.sections.items():
                    yield Label(section, classes="section-title")
                    for key, text in rows:
                        with Horizontal(classes="help-row"):
                            yield Static(plain(key, "bold $text-accent"), classes="help-key", markup=False)
                            yield Static(plain(text), classes="help-text", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
