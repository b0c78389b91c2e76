"""Practice that sticks: drill the moments you fumbled, retry a stored session from a turn,
explore where every other reply would have led, and compare two attempts.

Only click is imported at module level; the store, the engine and the views load inside
the commands (``rehearse --help`` stays fast).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from rehearse.cli.launch import run_app, warn
from rehearse.cli.options import PRESSURE_OPTION, Count
from rehearse.cli.output import echo, echo_json, fail
from rehearse.cli.review import load_session, user_store
from rehearse.workspace.settings import Launch

if TYPE_CHECKING:
    from rehearse.engine.runtime.session import State
    from rehearse.history.records import StoredSession


def _state_at(stored: StoredSession, turn: int) -> State:
    """The state before ``turn`` of a stored session, from the copy of the script kept with
    it; a turn the session never reached is a clear error."""
    from rehearse.history.errors import StoreError
    from rehearse.history.replay import state_before

    last = len(stored.replies) + (0 if stored.outcome is not None else 1)
    if not 1 <= turn <= max(1, last):
        fail(f"session {stored.id} has turns 1 to {max(1, last)}; there is no turn {turn}")
    try:
        state = state_before(stored, turn)
    except StoreError as exc:
        fail(str(exc), 1)
    if state.ending is not None:
        fail(f"the conversation of session {stored.id} had ended before turn {turn}")
    return state


# -- retry ---------------------------------------------------------------------------------


@click.command("retry")
@click.argument("session", metavar="ID|latest")
@click.option("--turn", "-k", "turn", type=Count(1), required=True, help="Retry from this turn.")
@click.option("--plain", is_flag=True, help="Plain line mode over stdin/stdout (no full-screen app).")
@PRESSURE_OPTION
@click.option("--no-save", is_flag=True, help="Do not keep this retry in your session history.")
def retry_command(session: str, turn: int, plain: bool, pressure: bool, no_save: bool) -> None:
    """Rehearse a stored session again from turn K (a new session, linked to it).

    Everything before turn K is played again from the stored inputs, over the copy of the
    script kept with the session, so the conversation up to there is the one you had.
    """
    with user_store() as store:
        stored = load_session(store, session)
    state = _state_at(stored, turn)
    if plain:
        from rehearse.cli.plain import run_plain
        from rehearse.history.recorder import NullRecorder, Recorder, StoreRecorder
        from rehearse.workspace.paths import database_path

        if no_save:
            run_plain(state, as_json=False, recorder=NullRecorder(), pressure=pressure)
            return
        with StoreRecorder(database_path(), warn=warn) as saving:
            recorder: Recorder = saving
            recorder.retry_of(stored.id, turn)
            run_plain(state, as_json=False, recorder=recorder, pressure=pressure)
        return
    launch = Launch(
        script=state.script,
        persona=state.persona,
        personas=(state.persona,),
        resume=state,
        retry_of=(stored.id, turn),
        pressure=pressure,
    )
    run_app(launch, save=not no_save)


# -- drills --------------------------------------------------------------------------------


@click.command("drill")
@click.option("--list", "as_list", is_flag=True, help="List the moments due, with why each is due.")
@click.option("--all", "every", is_flag=True, help="With --list: every moment, due or not.")
@click.option("--json", "as_json", is_flag=True, help="With --list: print JSON.")
@click.option("--plain", is_flag=True, help="Drill on stdin/stdout (no full-screen app).")
@PRESSURE_OPTION
def drill_command(as_list: bool, every: bool, as_json: bool, plain: bool, pressure: bool) -> None:
    """Drill the moments you fumbled, when they are due.

    Each moment (a point of a script, with one boss) where a reply went badly comes back a
    day later, then spaced further each time it goes well (FSRS). A drill starts the
    conversation at that moment, as it stood, and ends when your reply moves it on.
    """
    from datetime import UTC, datetime

    from rehearse.views.practice import moment_json, moment_lines, when_due

    if (as_json or every) and not as_list:
        fail("--json and --all go with --list")
    if as_list and plain:
        fail("--list and --plain do not go together")
    now = datetime.now(UTC)
    with user_store() as store:
        rows = store.moments(now, due_only=not every)
        upcoming = store.next_due(now)
    if as_list:
        if as_json:
            echo_json(
                {"now": now.isoformat(timespec="seconds"), "moments": [moment_json(r, now) for r in rows]}
            )
            return
        for line in moment_lines(rows, now, due_only=not every):
            echo(line)
        if upcoming is not None and not every:
            echo(f"The next one is {when_due(upcoming, now)}.")
        return
    due = [r for r in rows if r.memory.is_due(now)]
    if not due:
        echo("No moments are due for a drill.")
        if upcoming is not None:
            echo(f"The next one is {when_due(upcoming, now)}.")
        else:
            echo("A moment where a reply goes badly comes back the next day.")
        return
    if plain:
        _drill_plain(pressure)
        return
    run_app(Launch(drill=True, pressure=pressure))


def _drill_plain(pressure: bool) -> None:
    """Each due moment in turn on stdin/stdout, saved as a retry of the session it came
    from; a verdict after each."""
    from datetime import UTC, datetime

    from rehearse.cli.plain import COMMANDS, PlainRunner
    from rehearse.engine.practice import drill
    from rehearse.history.errors import StoreError
    from rehearse.history.recorder import StoreRecorder
    from rehearse.history.replay import state_before
    from rehearse.views.practice import moment_title, verdict_lines, why_due
    from rehearse.workspace.paths import database_path

    def say(text: str = "") -> None:
        echo(text)

    with StoreRecorder(database_path(), warn=warn) as recorder:
        store = recorder.store()
        if store is None:
            fail("the session database cannot be opened", 1)
        rows = store.moments(datetime.now(UTC))
        say(f"{len(rows)} moment{'s' if len(rows) != 1 else ''} to drill. Commands: {COMMANDS}")
        done = 0
        for number, row in enumerate(rows, start=1):
            try:
                start = state_before(store.load(row.session), row.turn)
            except (KeyError, StoreError) as exc:
                say(f"(moment {number} cannot be played again: {exc})")
                continue
            say()
            say(f"Moment {number} of {len(rows)}: {moment_title(row)}")
            say(f"Why it is back: {why_due(row)}")
            recorder.retry_of(row.session, row.turn)
            runner = PlainRunner(
                start,
                sys.stdout,
                echo=not sys.stdin.isatty(),
                recorder=recorder,
                pressure=pressure,
                until=lambda state, start=start: drill.settled(start, state),  # type: ignore[misc]
                brief=True,
            )
            final = runner.run(sys.stdin, debrief=False)
            if runner.stopped and not drill.settled(start, final):
                say("(stopped)")
                break
            done += 1
            say()
            for line in verdict_lines(drill.verdict(start, final), tries=drill.tries(start, final)):
                say(line)
        say()
        say(f"Drilled {done} of {len(rows)} moment{'s' if len(rows) != 1 else ''}.")


# -- what if -------------------------------------------------------------------------------


@click.command("explore")
@click.argument("session", metavar="ID|latest")
@click.option("--turn", "-k", "turn", type=Count(1), required=True, help="The turn to explore.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def explore_command(session: str, turn: int, as_json: bool) -> None:
    """What if: every reply turn K offered, what the boss would have said to it, and where
    each could still lead (best and worst endings, the shortest way to success).

    Worked out by playing the script itself, reply by reply, from the state before turn K.
    """
    from rehearse.engine.practice.explore import what_if
    from rehearse.views.practice import what_if_json, what_if_lines

    with user_store() as store:
        stored = load_session(store, session)
    state = _state_at(stored, turn)
    found = what_if(state)
    record = next((r for r in stored.replies if r.index == turn), None)
    said = record.user if record is not None else None
    chosen = record.reply if record is not None else None
    if as_json:
        echo_json({"session": stored.id, "turn": turn, **what_if_json(found, said=said, chosen=chosen)})
        return
    heading = f"What if, at turn {turn} of session {stored.id} ({stored.script_title})"
    persona = stored.persona_name or stored.persona_id
    for line in what_if_lines(found, persona=persona, said=said, chosen=chosen, heading=heading):
        echo(line)


# -- attempt against attempt ---------------------------------------------------------------


@click.command("compare")
@click.argument("first", metavar="A")
@click.argument("second", metavar="B", default="latest")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def compare_command(first: str, second: str, as_json: bool) -> None:
    """Two attempts at one script side by side: turn by turn, where they went apart, and
    the rubric difference per dimension (B against A)."""
    from rehearse.views.compare import NotComparable, compare, compare_json, compare_lines

    with user_store() as store:
        a, b = load_session(store, first), load_session(store, second)
    try:
        found = compare(a, b)
    except NotComparable as exc:
        fail(str(exc))
    if as_json:
        echo_json(compare_json(found))
        return
    for line in compare_lines(found):
        echo(line)
