"""Plain line mode: the engine over stdin/stdout, for screen readers, pipes and tests."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import IO

from rehearse.debrief_text import debrief_lines
from rehearse.engine import session as sess
from rehearse.engine.debrief import build_debrief
from rehearse.engine.session import State, Turn
from rehearse.engine.transcript import transcript_json
from rehearse.textsafe import inert

COMMANDS = ":hint  :undo  :menu  :quit"


class PlainRunner:
    """Reads one reply per line until an ending, :quit or the end of input."""

    def __init__(
        self,
        state: State,
        out: IO[str],
        *,
        echo: bool,
        on_turn: Callable[[State, Turn], None] | None = None,
        on_undo: Callable[[State], None] | None = None,
    ) -> None:
        self.state = state
        self.out = out
        self.echo = echo
        self.on_turn = on_turn
        self.on_undo = on_undo

    def say(self, text: str = "") -> None:
        print(inert(text), file=self.out, flush=True)

    def boss(self, text: str) -> None:
        self.say(f"{self.state.persona.name}: {text}")

    def intro(self) -> None:
        script = self.state.script
        persona = self.state.persona
        self.say(f"{script.title}, with {persona.name}" + (f" ({persona.title})" if persona.title else ""))
        self.say(f"Situation: {sess.situation(self.state)}".rstrip())
        self.say(f"Goal: {sess.goal(self.state)}")
        self.say(f"One reply per line. Commands: {COMMANDS}")
        self.say()
        self.show(self.state.transcript[0])

    def show(self, turn: Turn) -> None:
        self.boss(turn.boss)
        if turn.hint:
            self.say(f"  (hint) {turn.hint}")
        for option in turn.options:
            self.say(f"  {option.number}. {option.label}")

    def run(self, lines: IO[str]) -> State:
        self.intro()
        while self.state.ending is None:
            line = lines.readline()
            if not line:
                break
            text = line.rstrip("\r\n")
            if self.echo:
                self.say(f"You: {text}")
            command = text.strip().lower()
            if command == ":quit":
                break
            if command == ":undo":
                before = self.state
                self.state = sess.undo(self.state)
                if self.on_undo is not None and self.state is not before:
                    self.on_undo(self.state)
                self.say(
                    "(took back your last reply)" if self.state is not before else "(nothing to take back)"
                )
                self.boss(self.state.transcript[-1].boss)
                continue
            if command == ":hint":
                self.say(f"  (hint) {sess.hint(self.state) or 'No hint here.'}")
                continue
            if command == ":menu":
                self.state = sess.open_menu(self.state)
                for option in sess.options(self.state):
                    self.say(f"  {option.number}. {option.label}")
                continue
            if not text.strip():
                continue
            self.state, turn = sess.step(self.state, text)
            if self.on_turn is not None:
                self.on_turn(self.state, turn)
            self.show(turn)
        self.outro()
        return self.state

    def outro(self) -> None:
        state = self.state
        self.say()
        if state.ending is None:
            self.say(f"Stopped at '{state.node}' before an ending.")
        for line in debrief_lines(build_debrief(state), boss_name=state.persona.name):
            self.say(line)


def run_plain(
    state: State,
    *,
    as_json: bool,
    stdin: IO[str] | None = None,
    on_turn: Callable[[State, Turn], None] | None = None,
    on_undo: Callable[[State], None] | None = None,
) -> State:
    stdin = stdin or sys.stdin
    out = sys.stderr if as_json else sys.stdout
    runner = PlainRunner(state, out, echo=not stdin.isatty(), on_turn=on_turn, on_undo=on_undo)
    final = runner.run(stdin)
    if as_json:
        json.dump(transcript_json(final), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    return final
