"""The `rehearse` click group: every subcommand, one module per family.

- play.py:     (no command) the app, play, list, coach
- author.py:   check, test, why, graph, new, schema
- review.py:   sessions, replay, export, stats, purge
- practice.py: drill, retry, explore, compare
"""

from __future__ import annotations

from pathlib import Path

import click

from rehearse import __version__
from rehearse.cli import author, play, practice, review
from rehearse.cli.launch import run_app
from rehearse.cli.options import PATH_OPTION
from rehearse.workspace.settings import Launch


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rehearse")
@PATH_OPTION
@click.pass_context
def cli(ctx: click.Context, extra_paths: tuple[Path, ...]) -> None:
    """Rehearse a hard conversation with your manager before having it for real.

    With no command, opens the app: pick a conversation, rehearse it, read the debrief.
    """
    ctx.ensure_object(dict)
    ctx.obj["paths"] = list(extra_paths)
    if ctx.invoked_subcommand is None:
        run_app(Launch(extra_paths=extra_paths))


for command in (
    play.list_command,
    play.play_command,
    play.coach_command,
    author.check_command,
    author.test_command,
    author.why_command,
    author.graph_command,
    author.new_command,
    author.schema_command,
    review.sessions_command,
    review.replay_command,
    review.export_command,
    review.stats_command,
    review.purge_command,
    practice.drill_command,
    practice.retry_command,
    practice.explore_command,
    practice.compare_command,
):
    cli.add_command(command)
