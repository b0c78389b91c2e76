"""Commands for writing scripts: check, test, why, graph, new and schema.

Each loads what it needs inside the command, so `rehearse --help` stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from rehearse.cli.options import PATH_OPTION, given_paths
from rehearse.cli.output import echo, echo_json, emit, fail

if TYPE_CHECKING:
    from rehearse.engine.model import Node, Script

SCHEMA_FILES = {
    "script": "rehearse-script.schema.json",
    "testplan": "rehearse-testplan.schema.json",
}


def find_script(name: str, extra: list[Path]) -> Script:
    """SCRIPT as a file or an id on the search path; a clear failure if it is neither."""
    from rehearse.workspace.library import NotFound
    from rehearse.workspace.library import find_script as resolve

    try:
        return resolve(name, extra)[0]
    except NotFound as exc:
        fail(str(exc))


def node_of(script: Script, node_id: str) -> Node:
    """A node of the script, or a failure with a did-you-mean."""
    from rehearse.engine.diagnostics import did_you_mean

    if node_id not in script.nodes:
        hint = did_you_mean(node_id, script.nodes)
        fail(f"no node '{node_id}' in {script.id}" + (f"; {hint}" if hint else ""))
    return script.nodes[node_id]


@click.command("check")
@click.argument("targets", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option(
    "--robustness",
    is_flag=True,
    help="Also vary every example (a typo, a synonym, a 'but' opening, a negation) and warn "
    "about variants that would be misread (slower).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def check_command(
    ctx: click.Context, targets: tuple[Path, ...], strict: bool, robustness: bool, fmt: str
) -> None:
    """Check scripts and personas (files or folders) and report every problem found."""
    from rehearse.engine.authoring.check import check_paths
    from rehearse.workspace.paths import search_path

    result = check_paths(list(targets), search_path, extra=given_paths(ctx), robustness=robustness)
    if fmt == "json":
        echo_json(result.to_json())
    else:
        for diagnostic in result.diagnostics:
            echo(diagnostic.render())
        echo(result.summary())
    failed = result.errors or (strict and result.warnings)
    sys.exit(1 if failed else 0)


@click.command("test")
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
    from rehearse.engine.authoring.plans import run_plans
    from rehearse.workspace.paths import search_path

    ok = run_plans(
        list(targets),
        extra=given_paths(ctx),
        search=search_path,
        verbose=verbose,
        echo=echo,
        coverage=coverage or min_coverage is not None,
        min_coverage=min_coverage,
    )
    sys.exit(0 if ok else 1)


@click.command("why")
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
    from dataclasses import replace

    from rehearse.engine.runtime.intents import label
    from rehearse.engine.runtime.matching import as_read, decide, favoured
    from rehearse.engine.runtime.recognise import recognise
    from rehearse.engine.runtime.session import Setup, begin
    from rehearse.views.text import favoured_line
    from rehearse.workspace.library import NotFound, script_and_persona

    try:
        found = script_and_persona(script, persona, given_paths(ctx))
    except NotFound as exc:
        fail(str(exc))
    if node_of(found.script, node).is_ending:
        fail(f"node '{node}' is an ending: it has no replies to match")
    state = begin(Setup(found.script, found.persona))
    candidates = replace(state, node=node).candidates()
    recognised = recognise(as_read(text, candidates), explain=True)
    decision = decide(text, candidates, recognition=recognised)
    together = favoured(text, candidates)
    if as_json:
        data: dict[str, Any] = {
            "script": found.script.id,
            "node": node,
            "text": text,
            **decision.to_json(),
            "recognised": [
                {"intent": r.intent, "p": round(r.p, 3), "words": list(r.words), "closest": r.closest}
                for r in recognised.ranked[:3]
            ],
            "examples_together": [{"reply": reply, "share": round(share, 3)} for reply, share in together],
        }
        echo_json(data)
        return
    chosen = decision.reply or (" or ".join(decision.candidates) if decision.candidates else "-")
    echo(f"{decision.kind}: {chosen}  ({decision.reason})")
    for r in recognised.ranked[:3]:
        words = ", ".join(f"“{w}”" for w in r.words)
        echo(
            f"  reads as {label(r.intent)} [{r.intent}] {r.p:.2f}"
            + (f", from {words}" if words else "")
            + (f"; closest phrasing: “{r.closest}”" if r.closest else "")
        )
    if together:
        echo(f"  {favoured_line(together)}")
    for s in decision.scores:
        extra = f'  via "{s.example}"' if s.example else ""
        notes = f"  [{'; '.join(s.notes)}]" if s.notes else ""
        echo(f"  {s.score:5.1f}  {s.reply}{extra}{notes}")


@click.command("graph")
@click.argument("script")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot"]),
    default="mermaid",
    show_default=True,
    help="Mermaid (renders on GitHub) or Graphviz DOT.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write to FILE instead of printing (a .md file gets a fenced code block).",
)
@click.option("--labels", is_flag=True, help="Label edges with the replies' menu labels, not their ids.")
@PATH_OPTION
@click.pass_context
def graph_command(
    ctx: click.Context,
    script: str,
    fmt: str,
    output: Path | None,
    labels: bool,
    extra_paths: tuple[Path, ...],
) -> None:
    """Draw SCRIPT (an id or a file) as a graph: nodes, replies, endings, and trouble.

    Endings are coloured by outcome; unreachable nodes have a dashed border and dead ends
    (turns from which no ending can be reached) a thick red one.
    """
    from rehearse.engine.compile.graph import analyse, render

    found = find_script(script, given_paths(ctx, extra_paths))
    text = render(found, "dot" if fmt == "dot" else "mermaid", "label" if labels else "id")
    shape = analyse(found)
    if shape.unreachable:
        echo(f"note: unreachable: {', '.join(sorted(shape.unreachable))}", err=True)
    if shape.dead_ends:
        echo(f"note: dead ends (no ending reachable): {', '.join(sorted(shape.dead_ends))}", err=True)
    if output is not None and output.suffix.lower() in (".md", ".markdown"):
        text = f"```{fmt}\n{text}```\n"
    emit(text, output)


@click.command("schema")
@click.argument("kind", type=click.Choice(["script", "persona", "testplan"]))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE instead of printing.")
def schema_command(kind: str, output: Path | None) -> None:
    """Print the JSON Schema (draft 2020-12) of a script, persona or test plan file.

    Save it next to your files and point your editor at it, for example with a first line
    `# yaml-language-server: $schema=./rehearse-script.schema.json`.
    """
    from rehearse.engine.authoring.schema import schema

    emit(json.dumps(schema(kind), indent=2, ensure_ascii=False) + "\n", output)


@click.command("new")
@click.argument("name")
@click.option("--situation", help="The situation the user reads before starting (a template).")
@click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where to write (default: the scripts/ folder of your rehearse data directory).",
)
@click.option("--force", is_flag=True, help="Overwrite NAME.yaml and NAME.test.yaml if they exist.")
@click.pass_context
def new_command(
    ctx: click.Context, name: str, situation: str | None, folder: Path | None, force: bool
) -> None:
    """Start a new script NAME: a small playable script, its test plan and editor schemas.

    Writes NAME.yaml and NAME.test.yaml, plus rehearse-script.schema.json and
    rehearse-testplan.schema.json for editor completion.
    """
    from rehearse.engine.authoring.schema import schema
    from rehearse.engine.authoring.starter import render_starter
    from rehearse.engine.compile.loader import ID_RE, script_from_text
    from rehearse.workspace import paths
    from rehearse.workspace.library import render_report

    if not ID_RE.match(name):
        fail(
            f"'{name}' is not a valid script name: use lower-case letters, digits, '-' and '_', "
            "starting with a letter or digit (for example: ask-for-a-raise)"
        )
    target = folder if folder is not None else paths.data_dir() / "scripts"
    files = render_starter(name, situation)
    script_text = files[f"{name}.yaml"]
    script, report = script_from_text(script_text, str(target / f"{name}.yaml"))
    if script is None:
        fail("the starter would not load:\n" + render_report(report))
    existing = [target / filename for filename in files if (target / filename).exists()]
    if existing and not force:
        fail(f"{existing[0]} already exists (use --force to overwrite it)", 1)
    try:
        target.mkdir(parents=True, exist_ok=True)
        for filename, text in files.items():
            (target / filename).write_text(text, encoding="utf-8")
            echo(f"Wrote {target / filename}")
        for kind, filename in SCHEMA_FILES.items():
            text = json.dumps(schema(kind), indent=2) + "\n"
            (target / filename).write_text(text, encoding="utf-8")
            echo(f"Wrote {target / filename} (editor support)")
    except OSError as exc:
        fail(f"cannot write to {target}: {exc.strerror or exc}", 1)
    _warn_if_shadowed(ctx, name, target)
    echo("Next:")
    echo(f"  rehearse play {target / f'{name}.yaml'} --plain")
    echo(f"  rehearse test {target / f'{name}.test.yaml'} --coverage")
    echo(f"  rehearse graph {target / f'{name}.yaml'}")


def _warn_if_shadowed(ctx: click.Context, name: str, target: Path) -> None:
    from rehearse.workspace.library import catalog

    others = [
        s
        for s in catalog(given_paths(ctx)).scripts.values()
        if s.id == name and Path(s.path).resolve().parent != target.resolve()
    ]
    for other in others:
        echo(
            f"note: another script with the id '{name}' exists ({other.path}); "
            "the first one found on the search path wins",
            err=True,
        )
