"""Commands for practising: open the app, play a script (in the app or plain), list what
there is, and ask the coach about a phrasing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from rehearse.cli.launch import run_app
from rehearse.cli.options import PATH_OPTION, PRESSURE_OPTION, Count, given_paths
from rehearse.cli.output import echo, echo_json, fail, parse_vars
from rehearse.workspace.settings import Launch


@click.command("list")
@PATH_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def list_command(ctx: click.Context, extra_paths: tuple[Path, ...], as_json: bool) -> None:
    """List the scripts and personas rehearse can find."""
    from rehearse.workspace import paths
    from rehearse.workspace.library import catalog

    extra = given_paths(ctx, extra_paths)
    cat = catalog(extra)
    scripts = sorted(cat.scripts.values(), key=lambda s: s.id)
    personas = sorted(cat.personas.values(), key=lambda p: p.id)
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
                for s in scripts
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
                for p in personas
            ],
            "broken": [{"path": b.path, "error": b.first.render() if b.first else ""} for b in cat.broken],
            "search_path": [str(p) for p in paths.search_path(extra)],
        }
        echo_json(data)
        return
    echo("Scripts:")
    for s in scripts:
        echo(f"  {s.id:<22} {s.title}  [{', '.join(s.personas)}]")
    echo("Personas:")
    for p in personas:
        echo(f"  {p.id:<22} {p.name}, {p.title} ({p.difficulty}, patience {p.patience})")
    for b in cat.broken:
        first = b.first.render().splitlines()[0] if b.first else ""
        echo(f"Broken: {first}")
    echo(f"Your own scripts go in: {paths.data_dir() / 'scripts'}")


@click.command("play")
@click.argument("script")
@click.option("--persona", "-p", help="Persona id (default: the script's first).")
@click.option("--seed", type=Count(), default=None, help="Seed for the boss's line choices.")
@click.option("--name", default=None, help="Your name, as the boss says it.")
@click.option("--var", "var_pairs", multiple=True, metavar="KEY=VALUE", help="Set a script variable.")
@click.option("--plain", is_flag=True, help="Plain line mode over stdin/stdout (no full-screen app).")
@click.option(
    "--json", "as_json", is_flag=True, help="With --plain: print the transcript as JSON at the end."
)
@click.option("--no-save", is_flag=True, help="Do not keep this session in your session history.")
@PRESSURE_OPTION
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
    pressure: bool,
    watch: bool,
) -> None:
    """Rehearse SCRIPT (an id or a file)."""
    from rehearse.workspace.library import NotFound, looks_like_file, script_and_persona

    if watch and plain:
        fail("--watch goes with the app, not --plain")
    if watch and not Path(script).is_file():
        fail(f"--watch needs a script file: '{script}' is not one (give its path)")
    if as_json and not plain:
        fail("--json goes with --plain")
    extra = given_paths(ctx)
    try:
        found = script_and_persona(script, persona, extra)
    except NotFound as exc:
        fail(str(exc))
    variables = parse_vars(var_pairs)
    unknown = [k for k in variables if k not in found.script.vars]
    if unknown:
        known = ", ".join(found.script.vars) or "none"
        fail(f"unknown variable '{unknown[0]}' for {found.script.id} (its variables: {known})")
    if plain:
        from rehearse.cli.plain import play_plain

        play_plain(
            found.script,
            found.persona,
            name=name,
            variables=variables,
            seed=seed,
            as_json=as_json,
            save=not no_save,
            pressure=pressure,
        )
        return
    if looks_like_file(script):
        extra.append(Path(script).parent)
    launch = Launch(
        extra_paths=tuple(extra),
        script=found.script,
        persona=found.persona,
        seed=seed,
        name=name,
        variables=variables,
        watch=Path(script) if watch else None,
        pressure=pressure,
    )
    # a watched script changes under the session, so its sessions are not kept
    run_app(launch, save=not no_save and not watch)


@click.command("coach")
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
    from rehearse.engine.diagnostics import did_you_mean
    from rehearse.engine.model import MOMENTS
    from rehearse.engine.runtime.coach import applies, checks, coach
    from rehearse.workspace.settings import disabled_checks

    moments: set[str] = {m.strip() for m in (expects or "").split(",") if m.strip()}
    for moment in sorted(moments - set(MOMENTS)):
        hint = did_you_mean(moment, MOMENTS) or f"moments: {', '.join(MOMENTS)}"
        fail(f"--expects: unknown moment '{moment}'; {hint}")
    disabled: set[str] = set() if all_checks else set(disabled_checks())
    if script_id is not None:
        from rehearse.cli.author import node_of
        from rehearse.workspace.library import NotFound, script_and_persona

        if node is None:
            fail("--script needs --node")
        try:
            found = script_and_persona(script_id, None, given_paths(ctx))
        except NotFound as exc:
            fail(str(exc))
        target = node_of(found.script, node)
        moments |= set(target.expects)
        disabled |= set(target.coach_off)
    flags = coach(text, expects=frozenset(moments), disabled=frozenset(disabled))
    idle = [c for c in checks() if c.id not in disabled and not applies(c, moments)]
    if as_json:
        data: list[dict[str, Any]] = [
            {
                "check": f.check.id,
                "title": f.check.title,
                "rationale": f.check.rationale,
                "suggestion": f.check.suggestion,
                "spans": [{"start": s.start, "end": s.end, "text": text[s.start : s.end]} for s in f.spans],
            }
            for f in flags
        ]
        result = {"flags": data, "not_run": [{"check": c.id, "moments": sorted(c.moments)} for c in idle]}
        echo_json(result)
        return
    if not flags:
        echo("Nothing to flag.")
    for f in flags:
        words = ", ".join(f'"{text[s.start : s.end]}"' for s in f.spans)
        echo(f"{f.check.title} [{f.check.id}]: {words}")
        echo(f"  why: {f.check.rationale}")
        echo(f"  try: {f.check.suggestion}")
    if idle:
        names = ", ".join(f"{c.title.lower()} [{c.id}]" for c in idle)
        if script_id is not None:
            echo(f"Not checked, because this node's moments do not call for them: {names}.")
        else:
            echo(
                f"Not checked, because they depend on the moment ({names}): say which with "
                "--expects (ask, thanks, decline, advice, recover) or give --script and --node."
            )
