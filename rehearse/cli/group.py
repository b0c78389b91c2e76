"""The `rehearse` click group: every subcommand, one module per family.

- play.py:     (no command) the app, play, list, coach
- author.py:   check, test, why, graph, new, schema
- review.py:   sessions, replay, export, stats, purge
- practice.py: drill, retry, explore, compare
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from rehearse import __version__
from rehearse.cli import author, play, practice, review
from rehearse.cli.launch import run_app
from rehearse.cli.options import PATH_OPTION
from rehearse.engine.inert import inert
from rehearse.workspace.settings import Launch


@contextmanager
def _inert_errors() -> Iterator[None]:
    """Click's usage errors quote what was typed ("Got unexpected extra argument (...)"):
    shown raw, an ESC in it would be obeyed by the terminal."""
    try:
        yield
    except click.exceptions.NoArgsIsHelpError:
        raise  # (it shows the help, not a message)
    except click.UsageError as exc:  # exit code 2
        raise click.UsageError(inert(exc.format_message()), exc.ctx) from None
    except click.ClickException as exc:  # exit code 1, as every other error of click's
        raise click.ClickException(inert(exc.format_message())) from None


class _Group(click.Group):
    """The group, with every error click shows made inert (see ``_inert_errors``)."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        with _inert_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        with _inert_errors():
            return super().invoke(ctx)


@click.group(
    cls=_Group, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]}
)
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
