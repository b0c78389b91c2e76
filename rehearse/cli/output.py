"""How every command speaks: one way to fail, one way to print text a person or a script
wrote, one way to print JSON (all made inert for the terminal by ``rehearse.engine.inert``),
and KEY=VALUE parsing. Commands print through these only (tests/cli/test_inert_output.py)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import click

from rehearse.engine.inert import inert, inert_json


def fail(message: str, code: int = 2) -> NoReturn:
    """Say what went wrong on stderr and exit with ``code`` (2: usage, 1: the work failed)."""
    click.echo(f"rehearse: {inert(message)}", err=True)
    sys.exit(code)


def echo(text: str = "", *, err: bool = False) -> None:
    """Print a line whose parts may come from users or scripts: control characters shown."""
    click.echo(inert(text), err=err)


def echo_lines(lines: Sequence[str]) -> None:
    """Print each line as ``echo`` does, in one write: a long replay prints thousands."""
    if lines:
        click.echo("\n".join(inert(line) for line in lines))


def echo_json(value: object) -> None:
    """Print ``value`` as JSON with controls and bidirectional overrides escaped."""
    click.echo(inert_json(value))


def emit(text: str, output: Path | None, *, done: str | None = None) -> None:
    """Print ``text`` (made inert), or write it to ``output`` and say so (``done``) on
    stderr. JSON from ``inert_json`` passes through unchanged."""
    text = inert(text)
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
