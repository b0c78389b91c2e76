"""Command palette entries that name scripts and personas.

Textual's SystemCommandsProvider reads command titles as markup, and script titles and
persona names come from files anyone may write, so these entries are built as plain Content
here. The app and the current screen each offer their entries through ``PaletteSource``
(the provider asks both), so the palette knows no screen and no screen knows the app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from rehearse.ui.safe import plain


@dataclass(frozen=True)
class PaletteEntry:
    text: str  # may hold script titles and persona names: always shown as plain text
    run: Callable[[], Any]
    help: str


@runtime_checkable
class PaletteSource(Protocol):
    def palette_entries(self) -> Iterable[PaletteEntry]: ...


class RehearseCommands(Provider):
    """Start a script, open the sessions, switch persona, toggle checks and the panel."""

    def _entries(self) -> Iterator[PaletteEntry]:
        for source in (self.app, self.screen):
            if isinstance(source, PaletteSource):
                yield from source.palette_entries()

    async def discover(self) -> Hits:
        for entry in self._entries():
            yield DiscoveryHit(plain(entry.text), entry.run, text=entry.text, help=entry.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self._entries():
            text = entry.text
            score, offsets = matcher.fuzzy_search.match(matcher.query, text)
            if score > 0:
                display: Content = plain(text)
                for offset in offsets:
                    if not text[offset].isspace():
                        display = display.stylize("reverse", offset, offset + 1)
                yield Hit(score, display, entry.run, text=text, help=entry.help)
