"""The footer every screen shows: its keys, whole, at any width the app supports.

At 80 columns the command palette's key gives way to the screen's own keys (ctrl+p still
works and is listed in the help); the footer is compact, so no key's word is cut.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Footer

#: Below this width the palette key is left out of the footer.
PALETTE_FROM = 100


class KeysFooter(Footer):
    def __init__(self) -> None:
        super().__init__(compact=True)

    def on_resize(self, event: events.Resize) -> None:
        self.show_command_palette = event.size.width >= PALETTE_FROM
