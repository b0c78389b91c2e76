"""The app's one stylesheet, kept as one Textual CSS file per screen in this folder.

The files are read as one stylesheet, in the order below: of two equally specific rules the
later one wins, as it would further down a single file. Reusable widgets keep their own
DEFAULT_CSS.

The first frame parses only what the home screen shows (``FIRST``: what every screen
shares, then the home); the app adds the rest (``LATER``) right after that frame
(``add_later``), before anything else can open. Every other screen also names ``LATER`` as
its CSS_PATH, so that Textual loads it should that screen open first (a key typed ahead of
the first frame); a file already added is not read again.
"""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.css.stylesheet import Stylesheet

FOLDER = Path(__file__).resolve().parent

FIRST: list[str | PurePath] = [FOLDER / "base.tcss", FOLDER / "home.tcss"]
LATER: list[str | PurePath] = [
    FOLDER / f"{name}.tcss"
    for name in ("chat", "debrief", "dialogs", "sessions", "replay", "whatif", "compare")
]


def add_later(stylesheet: Stylesheet) -> None:
    """Add and parse the files not in the first frame (those already there are kept)."""
    added = False
    for path in map(Path, LATER):
        if not stylesheet.has_source(str(path), ""):
            stylesheet.add_source(path.read_text(encoding="utf-8"), read_from=(str(path), ""))
            added = True
    if added:
        stylesheet.parse()  # only the new files: the others' rules are cached
