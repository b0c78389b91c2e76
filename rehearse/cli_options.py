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
