"""Plain line mode: the engine over stdin/stdout, for screen readers, pipes and tests."""

from __future__ import annotations

import random
import select
import sys
import time
from collections.abc import Callable, Mapping
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


def waiter(stream: IO[str]) -> Callable[[float], bool]:
    """Wait up to some seconds for a line on ``stream``: True when one may be read. Only a
    terminal is watched: piped input cannot hesitate (and may sit read ahead in a buffer
    that select cannot see), so it is never nudged."""
    try:
        fd = stream.fileno() if stream.isatty() else None
    except (AttributeError, OSError, ValueError):
        fd = None
    if fd is None:
        return lambda seconds: True

    def wait(seconds: float) -> bool:
        ready, _, _ = select.select([fd], [], [], seconds)
        return bool(ready)

    return wait


class PlainRunner:
    """Reads one reply per line until an ending, :quit, the end of input, or ``until``
    says the state is far enough (a drill ends when its moment is answered).

    In pressure mode each reply's time to send is kept (the first key cannot be seen line
    by line), and a persona's ``patience_seconds`` without a line brings "Still with me?".
    """

    def __init__(
        self,
        state: State,
        out: IO[str],
        *,
        echo: bool,
        recorder: Recorder | None = None,
        pressure: bool = False,
        until: Callable[[State], bool] | None = None,
        brief: bool = False,
        clock: Callable[[], float] = time.monotonic,
        wait: Callable[[float], bool] | None = None,
    ) -> None:
        self.state = state
        self.out = out
        self.echo = echo
        self.recorder: Recorder = recorder or NullRecorder()
        self.pressure = pressure
        self.until = until
        self.brief = brief  # only the boss's last line (a drill says the rest itself)
        self.clock = clock
        self.wait = wait
        self.stopped = False  # :quit or the end of input

    def say(self, text: str = "") -> None:
        print(inert(text), file=self.out, flush=True)

    def boss(self, text: str) -> None:
        self.say(f"{self.state.persona.name}: {text}")

    def intro(self) -> None:
        if self.brief:
            self.show(self.state.transcript[-1])
            return
        script = self.state.script
        persona = self.state.persona
        self.say(f"{script.title}, with {persona.name}" + (f" ({persona.title})" if persona.title else ""))
        self.say(f"Situation: {sess.situation(self.state)}".rstrip())
        self.say(f"Goal: {sess.goal(self.state)}")
        self.say(f"One reply per line. Commands: {COMMANDS}")
        if self.pressure:
            self.say("Pressure mode: the time each reply takes is kept.")
        self.say()
        if len(self.state.transcript) > 1:
            self.say(f"(picking up before turn {self.state.turn + 1}, where the boss had just said:)")
        self.show(self.state.transcript[-1])

    def read(self, lines: IO[str]) -> tuple[str, sess.Timing | None]:
        """The next line, and in pressure mode how long it took; the boss nudges meanwhile."""
        if not self.pressure:
            return lines.readline(), None
        asked = self.clock()
        patience = self.state.persona.patience_seconds
        wait = self.wait or waiter(lines)
        while patience and self.state.ending is None and not wait(patience):
            self.state, said = sess.nudge(self.state)
            self.boss(said)
        line = lines.readline()
        return line, sess.Timing(None, max(0.0, self.clock() - asked))

    def show(self, turn: sess.Turn) -> None:
        self.boss(turn.boss)
        if turn.hint:
            self.say(f"  (hint) {turn.hint}")
        for option in turn.options:
            self.say(f"  {option.number}. {option.label}")

    def run(self, lines: IO[str], *, debrief: bool = True) -> State:
        self.recorder.started(self.state)
        self.intro()
        while self.state.ending is None and not (self.until is not None and self.until(self.state)):
            line, timing = self.read(lines)
            if not line:
                self.stopped = True
                break
            text = line.rstrip("\r\n")
            if self.echo:
                self.say(f"You: {text}")
            command = text.strip().lower()
            if command == ":quit":
                self.stopped = True
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
            self.state, turn = sess.step(self.state, text, timing)
            self.recorder.turn(self.state, turn)
            self.show(turn)
        self.recorder.finished(self.state)
        if debrief:
            self.say()
            for line in debrief_lines(view_of_state(self.state)):
                self.say(line)
        return self.state


def run_plain(
    state: State,
    *,
    as_json: bool,
    stdin: IO[str] | None = None,
    recorder: Recorder | None = None,
    pressure: bool = False,
) -> State:
    """Play ``state`` on stdin/stdout (with ``as_json``, the talk goes to stderr and the
    transcript as JSON to stdout)."""
    if stdin is None:
        stdin = sys.stdin
        tolerant_stdin(stdin)  # invalid UTF-8 (a Latin-1 terminal) is read, not a crash
    out = sys.stderr if as_json else sys.stdout
    runner = PlainRunner(state, out, echo=not stdin.isatty(), recorder=recorder, pressure=pressure)
    final = runner.run(stdin)
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
    pressure: bool = False,
) -> State:
    """`rehearse play --plain`: a new session, saved turn by turn unless ``save`` is off."""
    from rehearse.cli.launch import warn
    from rehearse.engine.templating import UNNAMED
    from rehearse.views.names import clash_warning, name_clashes
    from rehearse.workspace.settings import default_name, disabled_checks, load_prefs

    # the name saved in the app, as the app would use it
    name = name or load_prefs().name or default_name() or UNNAMED
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
        return run_plain(state, as_json=as_json, pressure=pressure)
    from rehearse.history.recorder import StoreRecorder
    from rehearse.workspace.paths import database_path

    with StoreRecorder(database_path(), warn=warn) as recorder:
        return run_plain(state, as_json=as_json, recorder=recorder, pressure=pressure)
