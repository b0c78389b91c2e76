"""Command palette entries that name scripts and personas.

Textual's SystemCommandsProvider reads command titles as markup, and script titles and
persona names come from files anyone may write, so these entries are built here as plain
Content instead. Help lines are our own words only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from rehearse.ui.safe import one_line, plain

if TYPE_CHECKING:
    from rehearse.ui.app import RehearseApp


Entry = tuple[str, Callable[[], Any], str]


class RehearseCommands(Provider):
    """Start a script, switch persona, toggle the side panel."""

    def _entries(self) -> Iterator[Entry]:
        app: RehearseApp = self.app  # type: ignore[assignment]
        catalog = getattr(app, "catalog", None)
        screen = self.screen
        if catalog is not None:
            for script in sorted(catalog.scripts.values(), key=lambda s: s.title.lower()):
                if app.personas_for(script):
                    yield (
                        f"Start: {one_line(script.title, 70)}",
                        partial(app.start_conversation, script.id),
                        "Rehearse this conversation (your last persona and settings)",
                    )
        yield (
            "Sessions",
            app.action_sessions,
            "Past sessions: replay them turn by turn, retry from a turn, see your progress",
        )
        switch = getattr(screen, "switch_persona", None)
        personas = getattr(screen, "persona_choices", None)
        if callable(switch) and callable(personas):
            for persona, current in personas():
                if current:
                    continue
                label = persona.name + (f", {persona.title}" if persona.title else "")
                yield (
                    f"Persona: {one_line(label, 60)} ({persona.difficulty})",
                    partial(switch, persona.id),
                    "Switch who plays your manager",
                )
        if catalog is not None and hasattr(app, "toggle_check"):
            from rehearse.engine.coach import checks

            disabled = app.disabled_checks()
            for check in checks():
                if check.id in disabled:
                    text, help_text = (
                        f"Coach: flag \u201c{check.title}\u201d again",
                        "Switch this check back on",
                    )
                else:
                    text, help_text = f"Coach: stop flagging \u201c{check.title}\u201d", check.rationale
                yield (text, partial(app.toggle_check, check.id, check.title), help_text)
        toggle = getattr(screen, "action_toggle_panel", None)
        if callable(toggle):
            yield ("Toggle side panel", toggle, "Show or hide the goal, rubric and patience panel")

    async def discover(self) -> Hits:
        for text, command, help_text in self._entries():
            yield DiscoveryHit(plain(text), command, text=text, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help_text in self._entries():
            score, offsets = matcher.fuzzy_search.match(matcher.query, text)
            if score > 0:
                display: Content = plain(text)
                for offset in offsets:
                    if not text[offset].isspace():
                        display = display.stylize("reverse", offset, offset + 1)
                yield Hit(score, display, command, text=text, help=help_text)
