"""Small helpers shared by the UI tests (imported, not fixtures)."""

from __future__ import annotations

import html
import re
from typing import Any

from textual.widget import Widget


def screen_text(app: Any) -> str:
    """What the terminal shows, as plain text (from the SVG screenshot, tags removed)."""
    svg = app.export_screenshot()
    body = svg.split("</style>")[-1]
    text = re.sub(r"<[^>]+>", "", body)
    return html.unescape(text).replace("\u00a0", " ")


def visible_text(widget: Widget) -> str:
    """The plain text a Static-like widget shows."""
    visual = getattr(widget, "visual", None)
    plain = getattr(visual, "plain", None)
    if plain is not None:
        return str(plain)
    return str(widget.render())


def _send_keys(pilot: Any, text: str, *, enter: bool = False) -> None:
    from textual import events
    from textual.keys import _character_to_key

    app = pilot.app
    keys = [(char if char.isalnum() else _character_to_key(char), char) for char in text]
    if enter:
        keys.append(("enter", "\r"))
    for key, char in keys:
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)


async def type_text(pilot: Any, text: str) -> None:
    """Type text key by key through the app's real key path, then wait once.

    Pilot.press waits for the app to go idle after every key (about 50 ms each), which
    makes whole conversations slow; this sends the same Key events, in order, without
    the wait between them.
    """
    _send_keys(pilot, text)
    await pilot.pause()


async def say(pilot: Any, text: str) -> None:
    """Type a reply and press Enter."""
    _send_keys(pilot, text, enter=True)
    await pilot.pause()
    await pilot.pause()
