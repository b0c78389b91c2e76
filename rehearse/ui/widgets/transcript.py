"""The pieces of a conversation on screen: message bubbles, option cards, notes, banners.

Every text here arrives as Content built by rehearse.ui.safe, never as markup. Styling is
in rehearse/ui/styles/chat.tcss (these widgets are specific to this app).
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.events import Click
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Label, Static

from rehearse.ui.safe import plain


class Bubble(Static):
    """One line of dialogue: who says it, what they say, and an optional tag line.

    A single Static (not a container) so that `width: auto` with a `max-width` wraps the
    text and sizes the bubble to it.
    """

    def __init__(
        self, speaker: Content, body: Content, *, tag: Content | None = None, classes: str = ""
    ) -> None:
        lines = [speaker, body] + ([tag] if tag is not None else [])
        super().__init__(Content("\n").join(lines), classes=f"bubble {classes}".strip(), markup=False)
        self.speaker = speaker
        self.body = body


class Row(Horizontal):
    """A full-width row holding one bubble or card, aligned by who speaks."""

    def __init__(self, child: Widget, *, classes: str, group: int) -> None:
        super().__init__(child, classes=f"row {classes}")
        self.group = group


class PickOption(Message):
    """A numbered option was clicked."""

    def __init__(self, number: int) -> None:
        super().__init__()
        self.number = number


class OptionLine(Horizontal):
    """One clickable numbered option (the label wraps under itself, not under the number)."""

    def __init__(self, number: int, label: str) -> None:
        super().__init__(classes="option-line")
        self.number = number
        self.label = label

    def compose(self) -> ComposeResult:
        yield Static(
            Content.styled(f" {self.number} ", "bold reverse"),
            classes="option-number",
            markup=False,
        )
        yield Static(plain(self.label), classes="option-label", markup=False)

    @on(Click)
    def _clicked(self, event: Click) -> None:
        event.stop()
        self.post_message(PickOption(self.number))


class OptionsCard(Vertical):
    """Numbered replies: type a number (or click one), or say it your own way."""

    def __init__(self, title: str, options: Sequence[tuple[int, str]]) -> None:
        super().__init__(classes="card options-card")
        self._title = title
        self._options = list(options)

    def compose(self) -> ComposeResult:
        yield Label(plain(self._title), classes="card-title", markup=False)
        for number, label in self._options:
            yield OptionLine(number, label)
        yield Static(plain("Type a number, or say it in your own words."), classes="card-foot", markup=False)


class NoteCard(Vertical):
    """A hint, the situation, or any note from the app (not from the boss)."""

    def __init__(self, title: str, body: Content, *, classes: str = "") -> None:
        super().__init__(classes=f"card note-card {classes}".strip())
        self._title = title
        self._body = body

    def compose(self) -> ComposeResult:
        yield Label(plain(self._title), classes="card-title", markup=False)
        yield Static(self._body, classes="card-body", markup=False)


class ShowDebrief(Message):
    """The end banner was clicked."""


class EndBanner(Vertical):
    """The conversation is over: the outcome, and the way to the debrief."""

    def __init__(self, badge: Content, detail: str) -> None:
        super().__init__(classes="card end-banner")
        self._badge = badge
        self._detail = detail

    def compose(self) -> ComposeResult:
        yield Label(
            Content.assemble(("The conversation is over: ", "bold"), self._badge),
            classes="card-title",
            markup=False,
        )
        yield Static(plain(self._detail), classes="card-body", markup=False)
        yield Static(
            Content("\n").join(
                [
                    Content.assemble((" ⏎ ", "bold reverse"), " read your debrief"),
                    Content.assemble((" ^z ", "bold reverse"), " take your last reply back"),
                ]
            ),
            classes="card-foot",
            markup=False,
        )

    @on(Click)
    def _clicked(self, event: Click) -> None:
        event.stop()
        self.post_message(ShowDebrief())


class TypingIndicator(Static):
    """'Joe is typing…' during the short pause before the boss's line appears."""

    class Skip(Message):
        """Clicked: show the line now."""

    @on(Click)
    def _clicked(self, event: Click) -> None:
        event.stop()
        self.post_message(self.Skip())
