"""Opening the app from the command line. No click here: `rehearse` with no arguments goes
straight to the app without loading the command-line machinery."""

from __future__ import annotations

from rehearse.workspace.settings import Launch


def warn(message: str) -> None:
    import sys

    from rehearse.engine.inert import inert

    print(f"rehearse: {inert(message)}", file=sys.stderr)


def run_app(launch: Launch, *, save: bool = True) -> None:
    """Open the app, keeping sessions in the store unless told not to."""
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
