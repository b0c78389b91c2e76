"""Options shared by commands in several modules."""

from __future__ import annotations

from pathlib import Path

import click

PATH_OPTION = click.option(
    "--path",
    "extra_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Another folder of scripts and personas (repeatable).",
)


def given_paths(ctx: click.Context, more: tuple[Path, ...] = ()) -> list[Path]:
    """The --path folders given to `rehearse` itself, then those given to the command."""
    obj = ctx.find_root().obj or {}
    return [*obj.get("paths", []), *more]
