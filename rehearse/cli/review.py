"""Session history commands: sessions, replay, export, stats, purge.

Only click is imported at module level (``rehearse --help`` stays fast); the store and the
renderers load inside the commands.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from rehearse.cli.options import Count
from rehearse.cli.output import echo as _echo
from rehearse.cli.output import echo_json, echo_lines, emit
from rehearse.cli.output import fail as _fail
from rehearse.engine.collector import paused
from rehearse.views.outcomes import FILTERS

if TYPE_CHECKING:
    from rehearse.engine.runtime.session import State
    from rehearse.history.records import StatPoint, StoredSession, TimedTurn
    from rehearse.history.store import Store

OUTCOME_CHOICE = click.Choice(list(FILTERS))


@contextmanager
def user_store(*, write: bool = False) -> Iterator[Store]:
    """The user's session store (read-only when only reading and the folder is read-only
    or the disk full); a database that cannot be used ends the command with its message
    (which names the way out), never with a traceback or a reset."""
    from rehearse.history.errors import StoreError
    from rehearse.history.replay import backfill_scores
    from rehearse.history.store import Store
    from rehearse.workspace.paths import database_path

    try:
        store = Store.open(database_path()) if write else Store.open_for_reading(database_path())
    except StoreError as exc:
        _fail(str(exc))
    try:
        backfill_scores(store)
    except StoreError as exc:  # read-only or full: older sessions show no 0-100 scores yet
        if exc.broken:
            store.close()
            _fail(str(exc))
    try:
        yield store
    except StoreError as exc:
        _fail(str(exc))
    finally:
        store.close()


def load_session(store: Store, session: str) -> StoredSession:
    try:
        return store.load(session)
    except KeyError as exc:
        message = exc.args[0] if exc.args else str(exc)
        _fail(f"{message} (see `rehearse sessions`)")


def _reset_broken() -> None:
    from rehearse.history.errors import StoreError
    from rehearse.history.store import Store, move_aside
    from rehearse.workspace.paths import database_path

    path = database_path()
    try:
        Store.open(path).close()
    except StoreError as exc:
        if not exc.broken:
            _fail(str(exc), 1)
        try:
            moved = move_aside(path)
        except OSError as os_exc:
            _fail(
                f"cannot move {path} aside ({os_exc.strerror or os_exc}); nothing was changed. "
                "Make its folder writable and run this again.",
                1,
            )
        _echo(f"Moved the session database rehearse could not use to {moved}")
        _echo(
            "(kept as it was, not deleted). A new, empty database is created at "
            f"{path} the next time you rehearse."
        )
        return
    _echo(f"The session database at {path} opens fine: nothing to do.")


@click.command("sessions")
@click.option("--script", "script", metavar="ID", help="Only sessions of this script.")
@click.option("--outcome", type=OUTCOME_CHOICE, help="Only sessions with this outcome.")
@click.option(
    "--limit",
    "-n",
    type=Count(1),
    default=20,
    show_default=True,
    help="How many sessions to show.",
)
@click.option("--offset", type=Count(0), default=0, help="Skip this many (newest first).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--delete",
    "delete",
    type=Count(0),
    multiple=True,
    metavar="ID",
    help="Delete this stored session (repeatable).",
)
@click.option(
    "--reset-broken",
    is_flag=True,
    help="If the session database cannot be read (corrupt, or from a newer rehearse), "
    "rename it aside (keeping it) so a new one can be started.",
)
def sessions_command(
    script: str | None,
    outcome: str | None,
    limit: int,
    offset: int,
    as_json: bool,
    delete: tuple[int, ...],
    reset_broken: bool,
) -> None:
    """List your stored sessions, newest first."""
    if reset_broken:
        _reset_broken()
        return
    if delete:
        with user_store(write=True) as store:
            missing = [i for i in delete if not store.delete(i)]
        for i in delete:
            _echo(f"No session {i}." if i in missing else f"Deleted session {i}.")
        if missing:
            sys.exit(1)
        return
    from rehearse.views.outcomes import look
    from rehearse.views.text import local_time, one_line, score_cell

    with user_store() as store:
        rows = store.sessions(script=script, outcome=outcome, limit=limit, offset=offset)
        total = store.count(script=script, outcome=outcome)
        path = store.path
    if as_json:
        data = {
            "total": total,
            "offset": offset,
            "database": str(path),
            "sessions": [
                {
                    "id": r.id,
                    "started": r.started,
                    "ended": r.ended,
                    "script": r.script_id,
                    "title": r.script_title,
                    "persona": r.persona_id,
                    "persona_name": r.persona_name,
                    "outcome": r.outcome,
                    "score": r.score,
                    "turns": r.turns,
                    "parent": r.parent,
                    "parent_turn": r.parent_turn,
                }
                for r in rows
            ],
        }
        echo_json(data)
        return
    if not rows:
        _echo(
            "No stored sessions"
            + (" match." if (script or outcome or offset) else " yet.")
            + ("" if (script or outcome or offset) else " Rehearse one: rehearse play SCRIPT")
        )
        return
    # titles and names, as the app shows them (ids are in --json, for tools)
    titles = {r.id: one_line(r.script_title or r.script_id, 32) for r in rows}
    names = {r.id: one_line((r.persona_name or r.persona_id).split()[0], 16) for r in rows}
    width = max(6, *(len(t) for t in titles.values()))
    pwidth = max(7, *(len(n) for n in names.values()))
    _echo(
        f"{'ID':>5}  {'DATE':<16}  {'SCRIPT':<{width}}  {'PERSONA':<{pwidth}}  "
        f"{'OUTCOME':<10}  {'SCORE':>5}  {'TURNS':>5}"
    )
    for r in rows:
        outcome_text = look(r.outcome).word
        retry = f"  (retry of {r.parent})" if r.parent is not None else ""
        _echo(
            f"{r.id:>5}  {local_time(r.started):<16}  {titles[r.id]:<{width}}  "
            f"{names[r.id]:<{pwidth}}  {outcome_text:<10}  {score_cell(r.score):>5}  "
            f"{r.turns:>5}{retry}"
        )
    shown = offset + len(rows)
    if shown < total:
        _echo(f"Showing {offset + 1}-{shown} of {total}. More: --offset {shown}")
    _echo("Replay one: rehearse replay ID   Export: rehearse export ID --format html")


def _current_versions(stored: StoredSession) -> tuple[Any, Any, str]:
    """The script (and persona) as they are now, if they still exist: (script, persona, note)."""
    from rehearse.engine.compile.loader import load_script
    from rehearse.workspace.library import catalog_for

    script = None
    if stored.script_path and Path(stored.script_path).is_file():
        loaded, _ = load_script(stored.script_path)
        if loaded is not None and loaded.id == stored.script_id:
            script = loaded
    cat = catalog_for(None if script is not None else stored.script_id)
    if script is None:
        script = cat.scripts.get(stored.script_id)
    persona = cat.personas.get(stored.persona_id)
    if script is None:
        broken = [b for b in cat.broken if Path(b.path).stem == stored.script_id]
        if broken or (stored.script_path and Path(stored.script_path).is_file()):
            return None, persona, "the script file now has errors"
        return None, persona, "the script is no longer on the search path"
    return script, persona, ""


def _interactive() -> bool:
    """In a terminal, both ways: the app can run."""
    import sys

    return sys.stdin.isatty() and sys.stdout.isatty()


@click.command("replay")
@click.argument("session", default="latest", metavar="ID|latest")
@click.option(
    "--plain", is_flag=True, help="Print the transcript as plain lines (the default when not in a terminal)."
)
def replay_command(session: str, plain: bool) -> None:
    """Step through a stored session turn by turn in the app, with how each reply was
    understood (--plain prints it).

    The session is replayed from the copy of the script kept with it, so it shows as it
    happened even if the script was edited or deleted since; turns that would go
    differently with the current script are listed at the end.
    """
    with paused():
        _replay(session, plain)


def _replay(session: str, plain: bool) -> None:
    from rehearse import __version__
    from rehearse.history.errors import StoreError
    from rehearse.history.replay import TurnChange, rebuild
    from rehearse.views.debrief_text import replay_lines
    from rehearse.views.session import change_words, view_of_stored

    with user_store() as store:
        stored = load_session(store, session)
    if not plain and _interactive():
        from rehearse.cli.launch import run_app
        from rehearse.workspace.settings import Launch

        run_app(Launch(replay=stored.id))
        return
    state: State | None = None
    changes: list[TurnChange] = []
    note: str | None = None
    try:
        state, changes = rebuild(stored)
    except StoreError as exc:
        note = f"Note: {exc}"
    echo_lines([*replay_lines(view_of_stored(stored, state)), ""])
    if note is not None:
        _echo(note)
    elif changes:
        _echo(
            f"Note: replaying these inputs with rehearse {__version__} (the session was "
            f"recorded with {stored.app_version}) goes differently:"
        )
        for change in changes:
            _echo(f"  turn {change.turn}: {change_words(change)}")
    else:
        _echo("Replayed from the copy of the script kept with this session: every turn went the same way.")
    script, persona, why = _current_versions(stored)
    if script is None:
        _echo(f"The current script: {why}; this replay uses the copy kept with the session.")
        return
    persona_changed = persona is not None and persona.digest != stored.persona_sha
    if script.digest == stored.script_sha and not persona_changed:
        return
    what = "script" if script.digest != stored.script_sha else "persona"
    if script.digest != stored.script_sha and persona_changed:
        what = "script and persona"
    try:
        _, changed = rebuild(stored, script=script, persona=persona if persona_changed else None)
    except StoreError as exc:
        _echo(f"The {what} changed since this session, and cannot be replayed: {exc}")
        return
    if not changed:
        _echo(
            f"The {what} changed since this session; with the current version every turn "
            "still goes the same way."
        )
        return
    many = len(changed) != 1
    _echo(
        f"The {what} changed since this session. With the current version "
        f"{len(changed)} turn{'s go' if many else ' goes'} differently:"
    )
    for change in changed:
        _echo(f"  turn {change.turn}: {change_words(change)}")


@click.command("export")
@click.argument("session", default="latest", metavar="ID|latest")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html", "json"]),
    default=None,
    help="Output format (default: from the -o file's extension, else md).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
def export_command(session: str, fmt: str | None, output: Path | None) -> None:
    """Export a stored session as Markdown, a self-contained HTML page, or JSON."""
    from rehearse.views.export import export

    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output else ""
        fmt = {"md": "md", "markdown": "md", "html": "html", "htm": "html", "json": "json"}.get(suffix, "md")
    with user_store() as store:
        stored = load_session(store, session)
    emit(export(stored, fmt), output, done=f"Wrote session {stored.id} as {fmt} to {output}")


@dataclass
class _ScriptStats:
    script: str
    title: str
    attempts: int
    best: str | None
    outcomes: dict[str, int]
    points: list[StatPoint]
    timed: list[TimedTurn] = field(default_factory=list)  # pressure mode replies

    def to_json(self) -> dict[str, Any]:
        return {
            "hesitation": [
                {
                    "session": t.session,
                    "turn": t.turn,
                    "node": t.node,
                    "first_key": t.first_key,
                    "send": t.send,
                }
                for t in self.timed
            ],
            "script": self.script,
            "title": self.title,
            "attempts": self.attempts,
            "best": self.best,
            "outcomes": self.outcomes,
            "points": [
                {
                    "session": p.session_id,
                    "started": p.started,
                    "outcome": p.outcome,
                    "scores": dict(p.scores),
                    "score": p.score,
                }
                for p in self.points
            ],
        }


@click.command("stats")
@click.option("--script", "script", metavar="ID", help="Only this script.")
@click.option(
    "--last",
    type=Count(1),
    default=30,
    show_default=True,
    help="How many recent attempts to chart per script.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def stats_command(script: str | None, last: int, as_json: bool) -> None:
    """Attempts, outcomes and rubric scores over time, per script."""
    with user_store() as store:
        summary = store.summary()
        report: list[_ScriptStats] = []
        for sid in [script] if script is not None else list(summary):
            attempts, best = summary.get(sid, (0, None))
            latest = store.sessions(script=sid, limit=1)
            report.append(
                _ScriptStats(
                    sid,
                    latest[0].script_title if latest else "",
                    attempts,
                    best,
                    store.outcomes(sid),
                    store.stats(script=sid, limit=last),
                    store.timed_turns(sid, last),
                )
            )
    if as_json:
        data = {"scripts": [r.to_json() for r in report]}
        echo_json(data)
        return
    if not any(r.attempts for r in report):
        _echo("No stored sessions" + (f" of '{script}'." if script else " yet."))
        return
    for r in report:
        if r.attempts:
            _print_stats(r)


def _print_stats(r: _ScriptStats) -> None:
    from rehearse.views.outcomes import look
    from rehearse.views.sparks import sparkline
    from rehearse.views.text import score_cell

    order = FILTERS
    _echo(f"{r.script}  {r.title}")
    parts = [f"{r.outcomes[o]} {o}" for o in order if r.outcomes.get(o)]
    _echo(f"  attempts  {r.attempts}: {', '.join(parts)}; best: {r.best or 'none yet'}")
    points = r.points
    label = f"last {len(points)}, oldest first" if len(points) < r.attempts else "oldest first"
    _echo(
        f"  outcomes  {''.join(look(p.outcome).letter for p in points)}  ({label}; "
        + ", ".join(f"{look(o).letter} {look(o).word}" for o in FILTERS)
        + ")"
    )
    dims: list[str] = []
    for p in points:
        dims += [d for d in p.scores if d not in dims]
    rows = [("score", [p.score for p in points])]
    rows += [(d, [p.scores.get(d) for p in points]) for d in dims]
    width = max(9, *(len(name) for name, _ in rows))
    for name, values in rows:
        known = [v for v in values if v is not None]
        if not known:
            _echo(f"  {name:<{width}} not scored yet")
            continue
        first, now = score_cell(known[0]), score_cell(known[-1])
        trend = f"{first} -> {now}" if len(known) > 1 else now
        _echo(f"  {name:<{width}} {sparkline(known)}  {trend}  (best {max(known)}; 0-100)")
    _print_pace(r.timed, width)
    _echo()


def _print_pace(timed: list[TimedTurn], width: int) -> None:
    """Pressure mode: seconds to send per turn of the latest timed attempt, and the mean
    per attempt over time."""
    if not timed:
        return
    from rehearse.views.practice import seconds
    from rehearse.views.sparks import sparkline

    sessions = sorted({t.session for t in timed})
    means = [
        sum(t.send for t in timed if t.session == s) / sum(1 for t in timed if t.session == s)
        for s in sessions
    ]
    latest = [t for t in timed if t.session == sessions[-1]]
    per_turn = ", ".join(f"turn {t.turn} {seconds(t.send)}" for t in latest)
    trend = f"{seconds(means[0])} -> {seconds(means[-1])}" if len(means) > 1 else seconds(means[-1])
    _echo(f"  {'to reply':<{width}} {sparkline(means)}  {trend}  (mean seconds to send)")
    _echo(f"  {'':<{width}} latest: {per_turn}")


@click.command("purge")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def purge_command(yes: bool) -> None:
    """Delete every stored session (the database stays, empty)."""
    with user_store(write=True) as store:
        total = store.count()
        if total == 0:
            _echo("No stored sessions: nothing to delete.")
            return
        if not yes:
            click.confirm(
                f"Delete all {total} stored session{'s' if total != 1 else ''} "
                f"in {store.path}? This cannot be undone",
                abort=True,
            )
        deleted = store.purge()
    _echo(f"Deleted {deleted} session{'s' if deleted != 1 else ''}.")
