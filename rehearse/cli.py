"""The `rehearse` command. With no subcommand it opens the app.

Heavy modules (the engine's Jinja2 and rapidfuzz, and above all Textual) are imported
inside the commands that need them, so `rehearse --help` and plain mode start fast and the
engine commands never load the UI.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from rehearse import __version__
from rehearse.cli_options import PATH_OPTION


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"rehearse: {message}", err=True)
    sys.exit(code)


def _parse_vars(pairs: tuple[str, ...]) -> dict[str, str]:
    result: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"'{pair}' is not KEY=VALUE", param_hint="--var")
        result[key.strip()] = value
    return result


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
        _run_app(save=True, extra_paths=list(extra_paths))


def _run_app(*, save: bool, **kwargs: Any) -> None:
    """Open the app, keeping sessions in the store unless told not to."""
    from rehearse.ui.app import run_app
    from rehearse.ui.recording import LazyStoreRecorder

    if not save:
        run_app(**kwargs)
        return
    recorder = LazyStoreRecorder(warn=lambda m: click.echo(f"rehearse: {m}", err=True))
    try:
        run_app(recorder=recorder, history=recorder, **kwargs)
    finally:
        recorder.close()


@cli.command("list")
@PATH_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def list_command(ctx: click.Context, extra_paths: tuple[Path, ...], as_json: bool) -> None:
    """List the scripts and personas rehearse can find."""
    from rehearse import paths
    from rehearse.resolve import catalog

    cat = catalog([*ctx.obj["paths"], *extra_paths])
    if as_json:
        data = {
            "scripts": [
                {
                    "id": s.id,
                    "title": s.title,
                    "personas": list(s.personas),
                    "path": s.path,
                    "nodes": len(s.nodes),
                }
                for s in sorted(cat.scripts.values(), key=lambda s: s.id)
            ],
            "personas": [
                {
                    "id": p.id,
                    "name": p.name,
                    "title": p.title,
                    "difficulty": p.difficulty,
                    "patience": p.patience,
                    "path": p.path,
                }
                for p in sorted(cat.personas.values(), key=lambda p: p.id)
            ],
            "broken": [{"path": b.path, "error": b.first.render() if b.first else ""} for b in cat.broken],
            "search_path": [str(p) for p in paths.search_path(list(extra_paths))],
        }
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo("Scripts:")
    for s in sorted(cat.scripts.values(), key=lambda s: s.id):
        click.echo(f"  {s.id:<22} {s.title}  [{', '.join(s.personas)}]")
    click.echo("Personas:")
    for p in sorted(cat.personas.values(), key=lambda p: p.id):
        click.echo(f"  {p.id:<22} {p.name}, {p.title} ({p.difficulty}, patience {p.patience})")
    for b in cat.broken:
        first = b.first.render().splitlines()[0] if b.first else ""
        click.echo(f"Broken: {first}")
    click.echo(f"Your own scripts go in: {paths.data_dir() / 'scripts'}")


@cli.command("check")
@click.argument("targets", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def check_command(ctx: click.Context, targets: tuple[Path, ...], strict: bool, fmt: str) -> None:
    """Check scripts and personas (files or folders) and report every problem found."""
    from rehearse.checking import check_paths

    result = check_paths(list(targets), extra=ctx.obj["paths"])
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        for diagnostic in result.diagnostics:
            click.echo(diagnostic.render())
        click.echo(result.summary())
    failed = result.errors or (strict and result.warnings)
    sys.exit(1 if failed else 0)


@cli.command("why")
@click.argument("script")
@click.argument("node")
@click.argument("text")
@click.option("--persona", "-p", help="Persona id (default: the script's first).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def why_command(
    ctx: click.Context, script: str, node: str, text: str, persona: str | None, as_json: bool
) -> None:
    """Show how TEXT would be understood at NODE of SCRIPT, with every reply's score."""
    from rehearse.engine.diagnostics import did_you_mean
    from rehearse.engine.matching import decide
    from rehearse.engine.session import Setup, begin
    from rehearse.resolve import NotFound, script_and_persona
    from rehearse.textsafe import inert

    try:
        found = script_and_persona(script, persona, ctx.obj["paths"])
    except NotFound as exc:
        _fail(str(exc))
        return
    if node not in found.script.nodes:
        hint = did_you_mean(node, found.script.nodes)
        _fail(f"no node '{node}' in {found.script.id}" + (f"; {hint}" if hint else ""))
    target = found.script.nodes[node]
    if target.is_ending:
        _fail(f"node '{node}' is an ending: it has no replies to match")
    state = begin(Setup(found.script, found.persona))
    from dataclasses import replace

    decision = decide(text, replace(state, node=node).candidates())
    if as_json:
        data: dict[str, Any] = {"script": found.script.id, "node": node, "text": text, **decision.to_json()}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    chosen = decision.reply or (" or ".join(decision.candidates) if decision.candidates else "-")
    click.echo(f"{decision.kind}: {chosen}  ({decision.reason})")
    for s in decision.scores:
        extra = f'  via "{inert(s.example)}"' if s.example else ""
        notes = f"  [{'; '.join(s.notes)}]" if s.notes else ""
        click.echo(f"  {s.score:5.1f}  {s.reply}{extra}{notes}")


@cli.command("play")
@click.argument("script")
@click.option("--persona", "-p", help="Persona id (default: the script's first).")
@click.option("--seed", type=int, default=None, help="Seed for the boss's line choices.")
@click.option("--name", default=None, help="Your name, as the boss says it.")
@click.option("--var", "var_pairs", multiple=True, metavar="KEY=VALUE", help="Set a script variable.")
@click.option("--plain", is_flag=True, help="Plain line mode over stdin/stdout (no full-screen app).")
@click.option(
    "--json", "as_json", is_flag=True, help="With --plain: print the transcript as JSON at the end."
)
@click.option("--no-save", is_flag=True, help="Do not keep this session in your session history.")
@click.option(
    "--watch", is_flag=True, help="Live preview for authors: reload SCRIPT (a file) whenever it is saved."
)
@click.pass_context
def play_command(
    ctx: click.Context,
    script: str,
    persona: str | None,
    seed: int | None,
    name: str | None,
    var_pairs: tuple[str, ...],
    plain: bool,
    as_json: bool,
    no_save: bool,
    watch: bool,
) -> None:
    """Rehearse SCRIPT (an id or a file)."""
    from rehearse.resolve import NotFound, script_and_persona

    if watch and plain:
        _fail("--watch goes with the app, not --plain")
    if watch and not Path(script).is_file():
        _fail(f"--watch needs a script file: '{script}' is not one (give its path)")
    try:
        found = script_and_persona(script, persona, ctx.obj["paths"])
    except NotFound as exc:
        _fail(str(exc))
        return
    variables = _parse_vars(var_pairs)
    unknown = [k for k in variables if k not in found.script.vars]
    if unknown:
        known = ", ".join(found.script.vars) or "none"
        _fail(f"unknown variable '{unknown[0]}' for {found.script.id} (its variables: {known})")
    if as_json and not plain:
        _fail("--json goes with --plain")
    if plain:
        import random

        from rehearse.config import disabled_checks
        from rehearse.engine.session import Setup, begin
        from rehearse.plain import run_plain

        setup = Setup(
            found.script,
            found.persona,
            user_name=name or "you",
            vars=variables,
            seed=seed if seed is not None else random.randrange(1_000_000),
            disabled_checks=disabled_checks(),
        )
        state = begin(setup)
        if no_save:
            run_plain(state, as_json=as_json)
            return
        from rehearse.recording import StoreRecorder

        with StoreRecorder(warn=lambda m: click.echo(f"rehearse: {m}", err=True)) as recorder:
            recorder.started(state)
            final = run_plain(state, as_json=as_json, on_turn=recorder.turn, on_undo=recorder.took_back)
            recorder.finished(final)
        return
    from rehearse.resolve import looks_like_file

    extra = [*ctx.obj["paths"], *([Path(script).parent] if looks_like_file(script) else [])]
    # a watched script changes under the session, so its sessions are not kept
    _run_app(
        save=not no_save and not watch,
        extra_paths=extra,
        script=found.script.id,
        persona=found.persona.id,
        seed=seed,
        name=name,
        variables=variables,
        **({"watch": Path(script)} if watch else {}),
    )


@cli.command("test")
@click.argument("targets", nargs=-1, type=click.Path(path_type=Path))
@click.option("-v", "--verbose", is_flag=True, help="Show every case, not only failures.")
@click.option(
    "--coverage",
    is_flag=True,
    help="Report which nodes, replies and conditional branches the cases exercise.",
)
@click.option(
    "--min-coverage",
    type=click.FloatRange(0, 100),
    metavar="N",
    help="Fail when a script's combined coverage is below N% (implies --coverage).",
)
@click.pass_context
def test_command(
    ctx: click.Context, targets: tuple[Path, ...], verbose: bool, coverage: bool, min_coverage: float | None
) -> None:
    """Run test plans (*.test.yaml) for scripts; default: every plan on the search path."""
    from rehearse.testing import run_plans

    ok = run_plans(
        list(targets),
        extra=ctx.obj["paths"],
        verbose=verbose,
        echo=click.echo,
        coverage=coverage or min_coverage is not None,
        min_coverage=min_coverage,
    )
    sys.exit(0 if ok else 1)


from rehearse.commands.sessions import (  # noqa: E402
    export_command,
    purge_command,
    replay_command,
    sessions_command,
    stats_command,
)

cli.add_command(sessions_command)
cli.add_command(replay_command)
cli.add_command(export_command)
cli.add_command(stats_command)
cli.add_command(purge_command)

from rehearse.commands.authoring import graph_command, new_command, schema_command  # noqa: E402

cli.add_command(graph_command)
cli.add_command(new_command)
cli.add_command(schema_command)


@cli.command("coach")
@click.argument("text")
@click.option("--script", "script_id", help="Script id or file, to use a node's moments.")
@click.option("--node", help="The node whose moments (expects:) apply.")
@click.option("--expects", help="Moments without a script, e.g. ask,thanks.")
@click.option("--all", "all_checks", is_flag=True, help="Ignore checks switched off in your settings.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def coach_command(
    ctx: click.Context,
    text: str,
    script_id: str | None,
    node: str | None,
    expects: str | None,
    all_checks: bool,
    as_json: bool,
) -> None:
    """Show what in TEXT could undercut you, and why."""
    from rehearse.config import disabled_checks
    from rehearse.engine.coach import coach
    from rehearse.textsafe import inert

    moments: set[str] = {m.strip() for m in (expects or "").split(",") if m.strip()}
    disabled: set[str] = set() if all_checks else set(disabled_checks())
    if script_id is not None:
        from rehearse.engine.diagnostics import did_you_mean
        from rehearse.resolve import NotFound, script_and_persona

        try:
            found = script_and_persona(script_id, None, ctx.obj["paths"])
        except NotFound as exc:
            _fail(str(exc))
            return
        if node is None:
            _fail("--script needs --node")
        if node not in found.script.nodes:
            hint = did_you_mean(node or "", found.script.nodes)
            _fail(f"no node '{node}' in {found.script.id}" + (f"; {hint}" if hint else ""))
        target = found.script.nodes[node or ""]
        moments |= set(target.expects)
        disabled |= set(target.coach_off)
    flags = coach(text, expects=frozenset(moments), disabled=frozenset(disabled))
    if as_json:
        data = [
            {
                "check": f.check.id,
                "title": f.check.title,
                "rationale": f.check.rationale,
                "suggestion": f.check.suggestion,
                "spans": [{"start": s.start, "end": s.end, "text": text[s.start : s.end]} for s in f.spans],
            }
            for f in flags
        ]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    if not flags:
        click.echo("Nothing to flag.")
        return
    for f in flags:
        words = ", ".join(f'"{inert(text[s.start : s.end])}"' for s in f.spans)
        click.echo(f"{f.check.title} [{f.check.id}]: {words}")
        click.echo(f"  why: {f.check.rationale}")
        click.echo(f"  try: {f.check.suggestion}")


def main() -> None:
    cli(obj={})
