"""Bytes from a terminal always decode (issue 12, attack 5): invalid UTF-8 is read as the
Latin-1 letters it most likely is, and a character split between two reads still joins."""

from __future__ import annotations

import textual.drivers.linux_driver as linux_driver

from rehearse.ui.app import build_app
from rehearse.workspace.terminal import tolerant_decoder


def test_invalid_bytes_read_as_latin1_and_split_characters_join() -> None:
    decode = tolerant_decoder("utf-8")().decode
    assert decode(b"caf\xe9 \xff\xfe ") == "café ÿþ "
    assert decode(b"caf\xc3") + decode(b"\xa9") == "café"
    assert decode(b"\x1b[31m") == "\x1b[31m"


def test_the_app_makes_textuals_driver_decode_tolerantly() -> None:
    build_app()
    decode = linux_driver.getincrementaldecoder("utf-8")().decode
    # a byte that may start a character waits for the next read, as valid UTF-8 would
    assert decode(b"\xe9t\xe9") + decode(b"\r") == "été\r"
