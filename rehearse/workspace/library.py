"""Turning names from the command line into loaded scripts and personas."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rehearse.engine.compile.catalog import YAML_SUFFIXES, Catalog, load_catalog, outline
from rehearse.engine.compile.loader import load_script
from rehearse.engine.diagnostics import Report, did_you_mean
from rehearse.engine.model import Persona, Script
from rehearse.workspace.paths import search_path
from rehearse.workspace.titles import script_id_of


class NotFound(Exception):
    """A name the user gave that does not resolve; the message says what to do."""


@dataclass
class Resolved:
    script: Script
    persona: Persona
    catalog: Catalog


def catalog(extra: list[Path] | None = None) -> Catalog:
    return load_catalog(search_path(extra))


def catalog_for(script_id: str | None, extra: list[Path] | None = None) -> Catalog:
    """``catalog()`` as far as one script (None: no script) and every persona go: a file
    the header scan is sure holds another script is not read. Replay asks for a session's
    own script; reading every bundled script to find it took a fifth of a second."""

    def other(path: Path) -> bool:
        held = script_id_of(path)
        return held is not None and held != script_id and path.stem != script_id

    return load_catalog(search_path(extra), skip=other)


def listing(extra: list[Path] | None = None) -> Catalog:
    """The catalog as the app's home lists it: every script built and checked as by
    ``catalog``, one at a time, and kept as its outline (``whole`` reads one again when it
    is played), so the home screen never holds every script's nodes at once."""
    found = load_catalog(search_path(extra), keep=outline)
    found.report.forget_sources()
    return found


def whole(script: Script, personas: dict[str, Persona]) -> Script:
    """The whole script an outline stands for, read again from its file (a whole script is
    returned as it is). Raises NotFound when the file no longer holds it without errors."""
    if script.nodes:
        return script
    found = load_catalog([Path(script.path)], known_personas=personas)
    loaded = found.scripts.get(script.id)
    if loaded is None:
        errors = found.report.errors
        raise NotFound(f"{script.path}: " + (errors[0].message if errors else f"no script '{script.id}'"))
    return loaded


def looks_like_file(name: str) -> bool:
    return name.endswith(YAML_SUFFIXES) or "/" in name or Path(name).is_file()


def find_script(name: str, extra: list[Path] | None = None) -> tuple[Script, Catalog]:
    """SCRIPT as a file, or as an id on the search path, with the catalog it was found in.

    Raises NotFound with what to do: the file's diagnostics, or a did-you-mean.
    """
    extra = list(extra or [])
    if looks_like_file(name):
        path = Path(name)
        if not path.is_file():
            raise NotFound(f"no such script file: {name}")
        extra.append(path.parent)
        script, report = load_script(path)
        if script is None:
            raise NotFound(render_report(report))
        return script, catalog(extra)
    cat = catalog(extra)
    found = cat.scripts.get(name)
    if found is not None:
        return found, cat
    broken = [b for b in cat.broken if Path(b.path).stem == name]
    if broken and broken[0].first is not None:
        raise NotFound(f"script '{name}' has errors:\n" + broken[0].first.render())
    hint = did_you_mean(name, cat.scripts)
    known = ", ".join(sorted(cat.scripts)) or "none"
    raise NotFound(f"no script '{name}'" + (f"; {hint}" if hint else f" (known: {known})"))


def script_and_persona(name: str, persona: str | None, extra: list[Path] | None = None) -> Resolved:
    """Load SCRIPT (a file, or an id on the search path) and its persona (an id)."""
    script, cat = find_script(name, extra)
    persona_id = persona or (script.personas[0] if script.personas else "")
    found_persona = cat.personas.get(persona_id)
    if found_persona is None:
        hint = did_you_mean(persona_id, cat.personas)
        raise NotFound(
            f"no persona '{persona_id}'"
            + (f"; {hint}" if hint else "")
            + f" (this script is played by: {', '.join(script.personas)})"
        )
    return Resolved(script, found_persona, cat)


def render_report(report: Report) -> str:
    return "\n".join(d.render() for d in report.items)
