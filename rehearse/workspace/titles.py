"""The scripts' titles from a scan of each file's top-level keys, for the home screen's first
frame.

Loading the catalog (YAML, templates, validation) takes a few hundred milliseconds; reading
the top-level ``id:`` and ``title:`` lines of a few files takes one or two. The scan reads
the files every time, so it is never stale; what it cannot read for certain (a title written
as a block or a flow, a file too big) it leaves out, and the catalog, arriving a moment
later, has the last word.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from rehearse.engine.compile.files import kind_of, yaml_files
from rehearse.workspace.paths import search_path

MAX_SCAN_BYTES = 1_000_000  # a bigger file waits for the catalog
_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+(.*?))?[ \t]*\r?$", re.MULTILINE)
_COMMENT = re.compile(r"[ \t]+#.*$")
_PLAIN_ID = re.compile(r"^[a-z][a-z0-9_-]*$")  # an id YAML could not read as a number
_YAML_WORDS = frozenset({"null", "true", "false", "yes", "no", "on", "off"})  # not text to YAML


@dataclass(frozen=True)
class Title:
    """A script as the header scan sees it."""

    id: str
    title: str
    path: Path


def _scalar(raw: str | None) -> str | None:
    """A one-line YAML scalar's value, or None when it is not one this scan can be sure of."""
    if not raw:
        return None
    if raw[0] == '"':
        try:
            value = json.loads(raw)  # YAML's common escapes in double quotes are JSON's
        except ValueError:
            return None
        return value if isinstance(value, str) else None
    if raw[0] == "'":
        body = raw[1:-1] if len(raw) > 1 and raw.endswith("'") else None
        return body.replace("''", "'") if body is not None and "'" not in body.replace("''", "") else None
    if raw[0] in "|>[{&*!%@`#":
        return None
    return _COMMENT.sub("", raw).strip() or None


def _top_keys(path: Path) -> list[tuple[str, str | None]] | None:
    """Every line of ``path`` that looks like a top-level key, as (key, raw value)."""
    try:
        if path.stat().st_size > MAX_SCAN_BYTES:
            return None
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return [(m.group(1), m.group(2)) for m in _TOP_KEY.finditer(text)]


def _title(path: Path, lines: list[tuple[str, str | None]]) -> Title | None:
    keys: dict[str, str | None] = {}
    for key, raw in lines:
        keys.setdefault(key, raw)
    if kind_of(keys, path) != "script":
        return None
    script_id, title = _scalar(keys.get("id")), _scalar(keys.get("title"))
    if script_id is None or title is None:
        return None
    return Title(script_id, title, path)


def scan(path: Path) -> Title | None:
    """The id and title of the script in ``path``, or None (not a script, or not certain)."""
    lines = _top_keys(path)
    return None if lines is None else _title(path, lines)


def script_id_of(path: Path) -> str | None:
    """The id of the script ``path`` holds, only when the scan is sure the catalog would read
    that id: one ``id:`` line, a plain id that YAML reads as text (not a number, null or a
    boolean), outside a personas folder. A line of a multi-line value that looks like a
    top-level key would make a second ``id:`` line or a value no id has."""
    lines = _top_keys(path)
    if lines is None or path.parent.name == "personas" or sum(key == "id" for key, _ in lines) != 1:
        return None
    found = _title(path, lines)
    if found is None or not _PLAIN_ID.match(found.id) or found.id in _YAML_WORDS:
        return None
    return found.id


def titles(extra: list[Path] | None = None) -> list[Title]:
    """Every script on the search path that the scan can read, the first file for an id
    winning (as in the catalog), sorted as the home screen lists them."""
    found: dict[str, Title] = {}
    seen: set[Path] = set()
    for root in search_path(extra):
        for path in yaml_files(root):
            resolved = path.resolve()
            if resolved in seen or path.parent.name == "personas":
                continue
            seen.add(resolved)
            title = scan(path)
            if title is not None:
                found.setdefault(title.id, title)
    return sorted(found.values(), key=lambda t: (t.title.lower(), t.id))
