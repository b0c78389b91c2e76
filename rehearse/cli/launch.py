"""Opening the app from the command line. No click here: `rehearse` with no arguments goes
straight to the app without loading the command-line machinery."""

from __future__ import annotations

from rehearse.engine.collector import paused
from rehearse.workspace.settings import Launch


def warn(message: str) -> None:
    import sys

    from rehearse.engine.inert import inert

    print(f"rehearse: {inert(message)}", file=sys.stderr)


def run_app(launch: Launch, *, save: bool = True) -> None:
    """Open the app, keeping sessions in the store unless told not to.

    The cyclic garbage collector is off from here until the app's first frame, where the app
    turns it back on: what startup builds (Textual's modules and classes, the styles, the
    widgets) lives on, so the collector would only scan it again and again."""
    with paused():
        _run(launch, save=save)


def _run(launch: Launch, *, save: bool) -> None:
    from rehearse.history.recorder import NullRecorder, StoreRecorder
    from rehearse.ui.app import build_app
    from rehearse.workspace.paths import database_path

    if not save:
        nothing = NullRecorder()
        build_app(launch, recorder=nothing, history=nothing).run()
        return
    # no warn: stderr is hidden under the app, which shows saving problems itself
    with StoreRecorder(database_path()) as recorder:
        build_app(launch, recorder=recorder, history=recorder).run()
