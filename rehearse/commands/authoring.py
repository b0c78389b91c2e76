"""Authoring commands: `rehearse graph`, `rehearse new` and `rehearse schema`.

`graph` draws a script (rehearse.engine.graph), `new` writes a playable starter script, its
test plan and the editor schemas from the templates in rehearse/templates, and `schema`
prints the JSON Schema of a format (rehearse.schema).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from rehearse.cli_options import PATH_OPTION

if TYPE_CHECKING:
    from rehearse.engine.model import Script


STARTER_TEMPLATES = {"script": "new_script.yaml.j2", "plan": "new_script.test.yaml.j2"}
SCHEMA_FILES = {
    "script": "rehearse-script.schema.json",
    "testplan": "rehearse-testplan.schema.json",
}
DEFAULT_SITUATION = (
    "You want to ask {{ persona.name }} for {{ request }}. You have ten minutes in their "
    "office before their next meeting, and you have never asked for anything like this before."
)


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"rehearse: {message}", err=True)
    sys.exit(code)


def _extra(ctx: click.Context, extra_paths: tuple[Path, ...]) -> list[Path]:
    obj = ctx.find_root().obj or {}
    return [*obj.get("paths", []), *extra_paths]


def find_script(name: str, extra: list[Path]) -> Script:
    """SCRIPT as a file, or as an id on the search path. Raises NotFound with what to do."""
    from rehearse.resolve import find_script as resolve_script

    return resolve_script(name, extra)[0]


# -- rehearse graph -----------------------------------------------------------------------


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
    from rehearse.engine.graph import analyse, render
    from rehearse.resolve import NotFound

    try:
        found = find_script(script, _extra(ctx, extra_paths))
    except NotFound as exc:
        _fail(str(exc))
        return
    text = render(found, "dot" if fmt == "dot" else "mermaid", "label" if labels else "id")
    shape = analyse(found)
    if shape.unreachable:
        click.echo(f"note: unreachable: {', '.join(sorted(shape.unreachable))}", err=True)
    if shape.dead_ends:
        click.echo(f"note: dead ends (no ending reachable): {', '.join(sorted(shape.dead_ends))}", err=True)
    if output is None:
        click.echo(text, nl=False)
        return
    if output.suffix.lower() in (".md", ".markdown"):
        text = f"```{fmt}\n{text}```\n"
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}")
    click.echo(f"Wrote {output}", err=True)


# -- rehearse schema ----------------------------------------------------------------------


@click.command("schema")
@click.argument("kind", type=click.Choice(["script", "persona", "testplan"]))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE instead of printing.")
def schema_command(kind: str, output: Path | None) -> None:
    """Print the JSON Schema (draft 2020-12) of a script, persona or test plan file.

    Save it next to your files and point your editor at it, for example with a first line
    `# yaml-language-server: $schema=./rehearse-script.schema.json`.
    """
    from rehearse.schema import schema

    text = json.dumps(schema(kind), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}")
    click.echo(f"Wrote {output}", err=True)


# -- rehearse new -------------------------------------------------------------------------


def _yaml_string(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML), never a template break."""
    return json.dumps(value, ensure_ascii=False)


def render_starter(name: str, situation: str | None = None) -> dict[str, str]:
    """The starter script and its test plan, as file name -> text."""
    from importlib import resources

    from jinja2 import Environment, StrictUndefined

    # The templates are themselves full of rehearse's own {{ }} templates, so the starter's
    # placeholders use other delimiters.
    env = Environment(
        variable_start_string="<<",
        variable_end_string=">>",
        block_start_string="<%",
        block_end_string="%>",
        comment_start_string="<#",
        comment_end_string="#>",
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    folder = resources.files("rehearse") / "templates"
    title = name.replace("-", " ").replace("_", " ").strip().capitalize() or name
    values = {
        "name": name,
        "id_yaml": _yaml_string(name),
        "title_yaml": _yaml_string(title),
        "situation_yaml": _yaml_string(" ".join((situation or DEFAULT_SITUATION).split())),
        "file": f"{name}.yaml",
        "test_file": f"{name}.test.yaml",
    }
    out = {}
    for key, template_name in STARTER_TEMPLATES.items():
        source = (folder / template_name).read_text(encoding="utf-8")
        filename = f"{name}.yaml" if key == "script" else f"{name}.test.yaml"
        out[filename] = env.from_string(source).render(values)
    return out


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
    from rehearse import paths
    from rehearse.engine.loader import ID_RE, script_from_text
    from rehearse.resolve import render_report
    from rehearse.schema import schema

    if not ID_RE.match(name):
        _fail(
            f"'{name}' is not a valid script name: use lower-case letters, digits, '-' and '_', "
            "starting with a letter or digit (for example: ask-for-a-raise)"
        )
    target = folder if folder is not None else paths.data_dir() / "scripts"
    files = render_starter(name, situation)
    script_text = files[f"{name}.yaml"]
    script, report = script_from_text(script_text, str(target / f"{name}.yaml"))
    if script is None:
        _fail("the starter would not load:\n" + render_report(report))
    existing = [target / filename for filename in files if (target / filename).exists()]
    if existing and not force:
        _fail(f"{existing[0]} already exists (use --force to overwrite it)", 1)
    try:
        target.mkdir(parents=True, exist_ok=True)
        for filename, text in files.items():
            (target / filename).write_text(text, encoding="utf-8")
            click.echo(f"Wrote {target / filename}")
        for kind, filename in SCHEMA_FILES.items():
            text = json.dumps(schema(kind), indent=2) + "\n"
            (target / filename).write_text(text, encoding="utf-8")
            click.echo(f"Wrote {target / filename} (editor support)")
    except OSError as exc:
        _fail(f"cannot write to {target}: {exc.strerror or exc}", 1)
    _warn_if_shadowed(ctx, name, target)
    click.echo("Next:")
    click.echo(f"  rehearse play {target / f'{name}.yaml'} --plain")
    click.echo(f"  rehearse test {target / f'{name}.test.yaml'} --coverage")
    click.echo(f"  rehearse graph {target / f'{name}.yaml'}")


def _warn_if_shadowed(ctx: click.Context, name: str, target: Path) -> None:
    from rehearse.resolve import catalog

    others = [
        s
        for s in catalog(_extra(ctx, ())).scripts.values()
        if s.id == name and Path(s.path).resolve().parent != target.resolve()
    ]
    for other in others:
        click.echo(
            f"note: another script with the id '{name}' exists ({other.path}); "
            "the first one found on the search path wins",
            err=True,
        )
