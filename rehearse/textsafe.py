"""Make any text safe to print: control characters and escape sequences shown inert.

User input and script text may hold terminal escape sequences; printed raw they could move
the cursor, change colours or retitle the terminal. Each control character is replaced by
its visible Unicode "control picture" (ESC becomes U+241B), so nothing is lost or obeyed.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"\\x{code:02x}"


def inert(text: str) -> str:
    """Text with every control character except newline and tab made visible."""
    text = text.replace("\r\n", "\n")
    return _CONTROL.sub(_picture, text)
