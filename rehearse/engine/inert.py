"""Text made inert for a terminal: the one function every display of a person's or a
script's words goes through (the app, plain mode, every command, the exports).

Printed raw, such text could clear the screen, retitle the window or write the clipboard
(ESC and the C1 controls start terminal sequences), or reorder what is shown (bidirectional
overrides). Each such character is replaced by a visible stand-in, so nothing is lost and
nothing is obeyed: C0 controls by their Unicode "control picture" (ESC becomes ␛), DEL by
␡, C1 controls, bidirectional embeddings, overrides and isolates, and lone surrogates
(undecodable input) by an escape such as ``\\x9b`` or ``\\u202e``. Newline and tab stay.
"""

from __future__ import annotations

import json
import re

_BIDI = "\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]")
# What JSON leaves raw (it escapes C0 itself): escaped as \\uXXXX, which any JSON reader
# turns back into the same text.
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_BIDI}\ud800-\udfff]")


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def inert(text: object) -> str:
    """``text`` (None shows as nothing) with every character a terminal would obey made
    visible; CRLF becomes a newline."""
    value = "" if text is None else str(text)
    return _UNSAFE.sub(_stand_in, value.replace("\r\n", "\n"))


def inert_json(value: object, *, indent: int | None = 2) -> str:
    """``value`` as JSON that is safe to print: readable Unicode, but controls, bidirectional
    overrides and lone surrogates escaped (json.dumps escapes only C0)."""
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
