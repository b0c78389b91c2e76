"""A stored session as Markdown, HTML or JSON, to share with a mentor.

Everything here reads a ``StoredSession`` (through its ``SessionView``), so a session shows
exactly as it happened even after its script was edited or deleted. Text the user or a
script wrote is data in a template context, never template source; control characters are
made visible (``inert``), HTML is autoescaped, and Markdown escapes the characters that would
turn into markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import resources
from typing import TYPE_CHECKING

from rehearse.engine.inert import inert, inert_json
from rehearse.history.codec import session_to_json
from rehearse.history.records import StoredSession
from rehearse.views.session import view_of_stored
from rehearse.views.text import score_cell, signed

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
    value = _MD_INLINE.sub(r"\\\1", inert(text).strip())
    value = _MD_LINE_START.sub(_escape_start, value)
    return value.replace("\n", "\\\n")


def _md_pieces(pieces: Sequence[tuple[str, bool]]) -> str:
    """One line of user text as Markdown, flagged pieces in bold: markup escaped, every space
    kept (spaces around a flagged piece outside its bold, else they glue to their
    neighbours; leading and trailing ones as entities, which Markdown would otherwise drop
    or read as code)."""
    line = "".join(piece for piece, _ in pieces)
    out = ""
    at = 0
    for piece, flagged in pieces:
        core = piece.strip(" \t") if flagged else ""
        start = at + piece.find(core) if core else -1
        at += len(piece)
        if not core or not _can_embolden(line, start, start + len(core)):
            out += _MD_INLINE.sub(r"\\\1", piece)
            continue
        lead, trail = piece[: piece.index(core)], piece[piece.index(core) + len(core) :]
        out += lead + "**" + _MD_INLINE.sub(r"\\\1", core) + "**" + trail
    body = out.strip(" \t")
    if not body:
        return _entities(out)
    at = out.index(body)
    return _entities(out[:at]) + _MD_LINE_START.sub(_escape_start, body) + _entities(out[at + len(body) :])


def _can_embolden(line: str, start: int, end: int) -> bool:
    """CommonMark reads ``**`` as bold only when it flanks the words: punctuation at the edge
    of the words needs a space or punctuation on the outside ("1**<**" stays literal)."""

    def punct(c: str) -> bool:
        return not c.isalnum() and not c.isspace()

    before = line[start - 1] if start > 0 else " "
    after = line[end] if end < len(line) else " "
    opens = not punct(line[start]) or before.isspace() or punct(before)
    closes = not punct(line[end - 1]) or after.isspace() or punct(after)
    return opens and closes


def _entities(spaces: str) -> str:
    return "".join(f"&#{ord(c)};" for c in spaces)


def md_quote(segments: Sequence[tuple[str, bool]]) -> str:
    """A reply as a Markdown block quote that keeps every line (hard breaks) and space; only
    blank lines before the first words and after the last are left out."""
    lines: list[list[tuple[str, bool]]] = [[]]
    for text, flagged in segments:
        for i, piece in enumerate(inert(text).split("\n")):
            if i:
                lines.append([])
            if not piece:
                continue
            if lines[-1] and lines[-1][-1][1] == flagged:  # neighbours of a kind make one run
                lines[-1][-1] = (lines[-1][-1][0] + piece, flagged)
            else:
                lines[-1].append((piece, flagged))
    while len(lines) > 1 and not lines[-1]:  # a block cannot end (or start) on a line break
        lines.pop()
    while len(lines) > 1 and not lines[0]:
        lines.pop(0)
    return "\\\n".join("> " + _md_pieces(line) for line in lines)


def md_cell(text: object) -> str:
    """``md`` for a table cell: on one line."""
    return md(" ".join(inert(text).split()))


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
    env.filters["inert"] = inert
    env.filters["md"] = md
    env.filters["cell"] = md_cell
    env.filters["signed"] = signed
    env.filters["md_quote"] = md_quote
    env.filters["score"] = score_cell
    return env


def export_json(stored: StoredSession) -> str:
    data = {"format": EXPORT_FORMAT, "format_version": EXPORT_VERSION, **session_to_json(stored)}
    return inert_json(data) + "\n"


def export(stored: StoredSession, fmt: str) -> str:
    """The session as md, html or json."""
    if fmt == "json":
        return export_json(stored)
    template = environment().get_template(TEMPLATES[fmt])
    return template.render(s=view_of_stored(stored))
