"""The `rehearse` command. With no arguments it opens the app at once; everything else goes
through the click group in ``group.py`` (one module per family of commands).

Heavy modules (the engine's Jinja2 and rapidfuzz, and above all Textual) are imported
inside the commands that need them, so `rehearse --help` and plain mode start fast and the
engine commands never load the UI.
"""

from __future__ import annotations

import sys


def main() -> None:
    if len(sys.argv) == 1:
        from rehearse.cli.launch import run_app
        from rehearse.workspace.settings import Launch

        run_app(Launch())
        return
    from rehearse.cli.group import cli

    cli(obj={})
