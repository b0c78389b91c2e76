"""A stored session as Markdown, HTML or JSON, to share with a mentor.

Everything here reads a ``StoredSession`` (through its ``SessionView``), so a session shows
exactly as it happened even after its script was edited or deleted. Text the user or a
script wrote is data in a template context, never template source; control characters are
made visible (``clean``), HTML is autoescaped, and Markdown escapes the characters that would
turn into markup.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import TYPE_CHECKING

from rehearse.history.codec import session_to_json
from rehearse.history.records import StoredSession
from rehearse.views.session import view_of_stored
from rehearse.views.text import clean, signed

if TYPE_CHECKING:
    from jinja2 import Environment

EXPORT_FORMAT = "rehearse-session"
EXPORT_VERSION = 1
TEMPLATES = {"md": "session.md.j2", "html": "session.html.j2"}


_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
# Block markers left at the start of a line once _MD_INLINE has escaped > * _ (heading,
# list item, rule, setext underline, ordered list).
_MD_LINE_START = re.compile(r"^(\s*)([#+=-](?=\s|$|[#+=-])|\d{1,9}[.)](?=\s|$))", re.MULTILINE)


def _escape_start(match: re.Match[str]) -> str:
    marker = match.group(2)
    if marker[0].isdigit():
        return match.group(1) + marker[:-1] + "\\" + marker[-1]
    return match.group(1) + "\\" + marker


def md(text: object) -> str:
    """Markdown that shows the text literally: no emphasis, links, HTML or headings."""
    value = _MD_INLINE.sub(r"\\\1", clean(text).strip())
    value = _MD_LINE_START.sub(_escape_start, value)
    return value.replace("\n", "\\\n")


def md_cell(text: object) -> str:
    """``md`` for a table cell: on one line."""
    return md(" ".join(clean(text).split()))


# -- exports -------------------------------------------------------------------------------


def _load_template(name: str) -> str:
    return (resources.files("rehearse.views") / "templates" / name).read_text(encoding="utf-8")


def environment() -> Environment:
    from jinja2 import Environment, FunctionLoader, StrictUndefined

    env = Environment(
        loader=FunctionLoader(_load_template),
        autoescape=lambda name: bool(name) and ".html" in str(name),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["clean"] = clean
    env.filters["md"] = md
    env.filters["cell"] = md_cell
    env.filters["signed"] = signed
    return env


def export_json(stored: StoredSession) -> str:
    data = {"format": EXPORT_FORMAT, "format_version": EXPORT_VERSION, **session_to_json(stored)}
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return text.encode("utf-8", "backslashreplace").decode("utf-8") + "\n"


def export(stored: StoredSession, fmt: str) -> str:
    """The session as md, html or json."""
    if fmt == "json":
        return export_json(stored)
    template = environment().get_template(TEMPLATES[fmt])
    return template.render(s=view_of_stored(stored))
