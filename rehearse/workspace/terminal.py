"""What the user's terminal sends, read as text whatever the bytes.

Invalid UTF-8 (a paste from elsewhere, a Latin-1 terminal) made Textual's input thread end
in UnicodeDecodeError, and plain mode's ``for line in stdin`` too. Each byte that is not
valid UTF-8 is read as the Latin-1 letter it most likely is (0xE9 is "é"), so nothing
crashes and no letter is lost.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from typing import IO

ERRORS = "rehearse-latin1"


def _as_latin1(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return bytes(error.object[error.start : error.end]).decode("latin-1"), error.end


codecs.register_error(ERRORS, _as_latin1)


def tolerant_decoder(encoding: str) -> Callable[[], codecs.IncrementalDecoder]:
    """A factory like ``codecs.getincrementaldecoder(encoding)`` whose decoders never raise."""
    decoder = codecs.getincrementaldecoder(encoding)
    return lambda: decoder(errors=ERRORS)


def tolerant_stdin(stream: IO[str]) -> None:
    """Make a text stream (stdin) read invalid bytes as Latin-1 instead of raising."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors=ERRORS)
