"""Plain line mode: the engine over stdin/stdout, for screen readers, pipes and tests."""

from __future__ import annotations

import random
import sys
from collections.abc import Mapping
from typing import IO

from rehearse.engine.inert import inert, inert_json
from rehearse.engine.model import Persona, Script
from rehearse.engine.runtime import session as sess
from rehearse.engine.runtime.session import Setup, State
from rehearse.history.codec import transcript_json
from rehearse.history.recorder import NullRecorder, Recorder
from rehearse.views.debrief_text import debrief_lines
from rehearse.views.session import view_of_state
from rehearse.workspace.terminal import tolerant_stdin

COMMANDS = ":hint  :undo  :menu  :quit"


class PlainRunner:
    """Reads one reply per line until an ending, :quit or the end of input."""

    def __init__(self, state: State, out: IO[str], *, echo: bool, recorder: Recorder | None = None) -> None:
        self.state = state
        self.out = out
        self.echo = echo
        self.recorder: Recorder = recorder or NullRecorder()

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

    def show(self, turn: sess.Turn) -> None:
        self.boss(turn.boss)
        if turn.hint:
            self.say(f"  (hint) {turn.hint}")
        for option in turn.options:
            self.say(f"  {option.number}. {option.label}")

    def run(self, lines: IO[str]) -> State:
        self.recorder.started(self.state)
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
                if self.state is not before:
                    self.recorder.took_back(self.state)
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
            self.recorder.turn(self.state, turn)
            self.show(turn)
        self.recorder.finished(self.state)
        self.say()
        for line in debrief_lines(view_of_state(self.state)):
            self.say(line)
        return self.state


def run_plain(
    state: State, *, as_json: bool, stdin: IO[str] | None = None, recorder: Recorder | None = None
) -> State:
    """Play ``state`` on stdin/stdout (with ``as_json``, the talk goes to stderr and the
    transcript as JSON to stdout)."""
    if stdin is None:
        stdin = sys.stdin
        tolerant_stdin(stdin)  # invalid UTF-8 (a Latin-1 terminal) is read, not a crash
    out = sys.stderr if as_json else sys.stdout
    final = PlainRunner(state, out, echo=not stdin.isatty(), recorder=recorder).run(stdin)
    if as_json:
        sys.stdout.write(inert_json(transcript_json(final)) + "\n")
    return final


def play_plain(
    script: Script,
    persona: Persona,
    *,
    name: str | None,
    variables: Mapping[str, str],
    seed: int | None,
    as_json: bool,
    save: bool,
) -> State:
    """`rehearse play --plain`: a new session, saved turn by turn unless ``save`` is off."""
    from rehearse.cli.launch import warn
    from rehearse.views.names import clash_warning, name_clashes
    from rehearse.workspace.settings import default_name, disabled_checks, load_prefs

    # the name saved in the app, as the app would use it
    name = name or load_prefs().name or default_name() or "you"
    clashes = name_clashes(name, {**script.vars, **variables})
    if clashes:
        key = clashes[0][0]
        warn(f"{clash_warning(name, clashes)} (--name NAME, or --var {key}=NAME)")
    setup = Setup(
        script,
        persona,
        user_name=name,
        vars=variables,
        seed=seed if seed is not None else random.randrange(1_000_000),
        disabled_checks=disabled_checks(),
    )
    state = sess.begin(setup)
    if not save:
        return run_plain(state, as_json=as_json)
    from rehearse.history.recorder import StoreRecorder
    from rehearse.workspace.paths import database_path

    with StoreRecorder(database_path(), warn=warn) as recorder:
        return run_plain(state, as_json=as_json, recorder=recorder)
