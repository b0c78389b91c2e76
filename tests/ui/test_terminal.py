"""End to end: the installed `rehearse` command in a real pseudo-terminal.

pexpect runs it in a pty; pyte plays the terminal, so the test reads the screen a person
would see. Two turns are typed, the boss's expected lines must appear, and ctrl+q quits
cleanly with exit status 0.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pexpect
import pyte

from rehearse.engine.runtime.session import Setup, begin, step
from rehearse.workspace.library import catalog

COLS, ROWS = 100, 30
REPLIES = (
    "thanks for thinking of me for it, I appreciate it, but I've decided I won't be applying",
    "the thing I'd really like is to become the person everyone goes to for training",
)


def _rehearse_command() -> str:
    candidate = Path(sys.executable).parent / "rehearse"
    assert candidate.exists(), f"the rehearse command is not installed next to {sys.executable}"
    return str(candidate)


class Terminal:
    def __init__(self, child: pexpect.spawn) -> None:
        self.child = child
        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.ByteStream(self.screen)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def pump(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                data = self.child.read_nonblocking(65536, timeout=0.05)
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                return
            self.stream.feed(data)

    def wait_for(self, fragment: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump(0.1)
            if fragment in self.text():
                return
        raise AssertionError(f"never saw {fragment!r} on screen:\n{self.text()}")


def _play(home: Path, *extra: str) -> pexpect.spawn:
    """`rehearse play not-this-role` (Joe, seed 3, Alex) in a real pseudo-terminal."""
    env = {
        **os.environ,
        "REHEARSE_HOME": str(home),
        "TERM": "xterm-256color",
        "COLUMNS": str(COLS),
        "LINES": str(ROWS),
    }
    env.pop("TEXTUAL", None)
    return pexpect.spawn(
        _rehearse_command(),
        ["play", "not-this-role", "--persona", "joe", "--seed", "3", "--name", "Alex", *extra],
        env=env,
        dimensions=(ROWS, COLS),
        timeout=30,
    )


def _fragment(text: str, limit: int = 24) -> str:
    words: list[str] = []
    for word in text.split():
        if len(" ".join([*words, word])) > limit:
            break
        words.append(word)
    return " ".join(words)


def test_two_turns_in_a_real_terminal_then_quit(rehearse_home: Path) -> None:
    cat = catalog()
    setup = Setup(cat.scripts["not-this-role"], cat.personas["joe"], user_name="Alex", seed=3)
    state = begin(setup)
    expected = []
    for reply in REPLIES:
        state, turn = step(state, reply)
        expected.append(turn.boss)
    assert state.ending is None

    child = _play(rehearse_home)
    term = Terminal(child)
    try:
        term.wait_for("Type your reply")
        opening = begin(setup).transcript[0].boss
        term.wait_for(_fragment(opening))
        for reply, boss in zip(REPLIES, expected, strict=True):
            child.send(reply)
            term.wait_for(_fragment(reply))
            child.send("\r")
            term.wait_for(_fragment(boss))
        assert "Traceback" not in term.text()
        child.sendcontrol("q")
        child.expect(pexpect.EOF, timeout=20)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, term.text()


def test_invalid_utf8_and_a_stray_esc_in_a_paste_neither_crash_nor_lose_the_reply(
    rehearse_home: Path,
) -> None:
    """Issue 12, attack 5: Latin-1 bytes (a paste, an old terminal) are read as letters,
    and an ESC byte before Enter neither leaves the conversation nor loses the reply."""
    cat = catalog()
    setup = Setup(cat.scripts["not-this-role"], cat.personas["joe"], user_name="Alex", seed=3)
    reply = "thanks, but I've decided I won't be applying"  # short: the box never scrolls
    _, turn = step(begin(setup), "caf\u00e9 " + reply)
    child = _play(rehearse_home, "--no-save")
    term = Terminal(child)
    try:
        term.wait_for("Type your reply")
        child.send(b"caf\xe9 " + reply.encode())  # 0xE9: "é" in Latin-1, invalid UTF-8
        term.wait_for("café thanks")
        child.send(b"\x1b")  # alone: the terminal's escape key
        term.wait_for("press Esc")
        child.send("\r")
        term.wait_for(_fragment(turn.boss))
        assert child.isalive() and "Leave this conversation?" not in term.text()
        child.sendcontrol("q")
        child.expect(pexpect.EOF, timeout=20)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, term.text()
