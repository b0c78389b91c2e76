"""How every command speaks: one way to fail, one way to print text a person or a script
wrote (made inert for the terminal), and KEY=VALUE parsing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from rehearse.views.text import clean


def fail(message: str, code: int = 2) -> NoReturn:
    """Say what went wrong on stderr and exit with ``code`` (2: usage, 1: the work failed)."""
    click.echo(f"rehearse: {clean(message)}", err=True)
    sys.exit(code)


def echo(text: str = "", *, err: bool = False) -> None:
    """Print a line whose parts may come from users or scripts: control characters shown."""
    click.echo(clean(text), err=err)


def emit(text: str, output: Path | None, *, done: str | None = None) -> None:
    """Print ``text`` as it is, or write it to ``output`` and say so (``done``) on stderr."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    echo(done or f"Wrote {output}", err=True)


def parse_vars(pairs: tuple[str, ...]) -> dict[str, str]:
    result: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"'{pair}' is not KEY=VALUE", param_hint="--var")
        result[key.strip()] = value
    return result
