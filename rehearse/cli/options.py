"""Options shared by commands in several modules."""

from __future__ import annotations

from pathlib import Path

import click

from rehearse.engine.numbers import MAX_DIGITS, small_int

PATH_OPTION = click.option(
    "--path",
    "extra_paths",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Another folder of scripts and personas (repeatable).",
)

PRESSURE_OPTION = click.option(
    "--pressure",
    is_flag=True,
    help="Pressure mode: keep how long each reply takes; an impatient boss asks "
    "'Still with me?' when you take too long.",
)


class Count(click.ParamType[int]):
    """A whole number of at most 18 digits, at least ``minimum``: checked for length
    before conversion, so a 5,000-digit option is a usage error, not a traceback."""

    name = "integer"

    def __init__(self, minimum: int | None = None) -> None:
        self.minimum = minimum

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number: int | None = value
        else:
            number = small_int(str(value))
        if number is None:
            self.fail(f"{str(value)[:30]!r} is not a whole number of at most {MAX_DIGITS} digits", param, ctx)
        if self.minimum is not None and number < self.minimum:
            self.fail(f"{number} is smaller than {self.minimum}", param, ctx)
        return number


def given_paths(ctx: click.Context, more: tuple[Path, ...] = ()) -> list[Path]:
    """The --path folders given to `rehearse` itself, then those given to the command."""
    obj = ctx.find_root().obj or {}
    return [*obj.get("paths", []), *more]
