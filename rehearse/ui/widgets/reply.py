"""The reply box: it wraps and grows with a long reply, so what you type stays in sight.

A reply is one paragraph: Enter sends it, a pasted paragraph is joined into one line, and
text past the limit is cut with a note instead of refused. Characters a terminal would obey
(ESC, bidirectional overrides) never enter it: they are shown as visible stand-ins. The
text area's own undo and redo keys (ctrl+z, ctrl+y) are left to the conversation (take
back, author view).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import TextArea

from rehearse.engine.inert import inert

#: Keys the conversation keeps for itself while the reply box has the focus.
_KEPT_BY_THE_SCREEN = {"ctrl+z,super+z", "ctrl+y,super+y", "f6", "f7"}


class ReplyInput(TextArea, inherit_bindings=False):
    BINDINGS: ClassVar[list[BindingType]] = [
        b for b in TextArea.BINDINGS if isinstance(b, Binding) and b.key not in _KEPT_BY_THE_SCREEN
    ]

    @dataclass
    class Submitted(Message):
        """Enter was pressed: ``value`` is the reply as typed."""

        input: ReplyInput
        value: str

        @property
        def control(self) -> ReplyInput:
            return self.input

    def __init__(self, *, placeholder: str = "", id: str | None = None, max_length: int = 0) -> None:
        super().__init__(
            "",
            soft_wrap=True,
            tab_behavior="focus",
            compact=True,
            highlight_cursor_line=False,
            placeholder=placeholder,
            id=id,
        )
        self.max_length = max_length
        # a steady cursor: one place to type, easy to find, and the same in every screenshot
        self.cursor_blink = False

    @property
    def value(self) -> str:
        return self.text

    @value.setter
    def value(self, text: str) -> None:
        """Replace the reply, with the cursor after it (a stored reply may hold characters a
        terminal obeys: they come back as visible stand-ins, as the transcript shows them)."""
        self.load_text(inert(text))
        self.move_cursor(self.document.end)

    async def _on_key(self, event: events.Key) -> None:
        if event.key in ("enter", "shift+enter", "ctrl+j"):
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self, self.text))
            return
        if (
            self.max_length
            and event.is_printable
            and len(self.text) >= self.max_length
            and self.selection.is_empty
        ):
            event.stop()
            event.prevent_default()
            return
        await super()._on_key(event)

    async def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()
        if self.read_only:
            return
        text = inert(" ".join(line.strip() for line in (event.text or "").splitlines() if line.strip()))
        start, end = sorted(self.selection)
        selected = len(self.get_text_range(start, end))
        room = max(0, self.max_length - len(self.text) + selected) if self.max_length else len(text)
        if len(text) > room:
            text = text[:room]
            self.notify(f"Your paste was cut to {self.max_length} characters.", markup=False)
        if text:
            self.replace(text, start, end)
