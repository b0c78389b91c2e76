"""Finding scripts and personas on a search path, by id, never by a path a script names.

A folder may hold YAML files directly, or `scripts/` and `personas/` subfolders. Files are
told apart by content (a script has `nodes`), test plans by their `.test.yaml` suffix. The
first file found for an id wins, so a user's own copy shadows a bundled one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from rehearse.engine.collector import paused
from rehearse.engine.compile.files import YAML_SUFFIXES, is_test_plan, kind_of, plan_files, yaml_files
from rehearse.engine.compile.loader import build_persona, draft_script, guarded, load_document
from rehearse.engine.compile.validate import validate_references
from rehearse.engine.diagnostics import Diagnostic, Report
from rehearse.engine.model import Persona, Script, frozen_map

SearchPath = Callable[[list[Path]], list[Path]]
"""Extra folders -> every folder to search, in order (the caller knows where users keep files)."""

__all__ = [
    "YAML_SUFFIXES",
    "Broken",
    "Catalog",
    "is_test_plan",
    "load_catalog",
    "outline",
    "plan_files",
    "yaml_files",
]


@dataclass(frozen=True)
class Broken:
    """A file that could not be loaded, kept so the app can show it with its first problem."""

    path: str
    kind: str
    diagnostics: tuple[Diagnostic, ...]

    @property
    def first(self) -> Diagnostic | None:
        errors = [d for d in self.diagnostics if d.is_error]
        return errors[0] if errors else (self.diagnostics[0] if self.diagnostics else None)


@dataclass
class Catalog:
    scripts: dict[str, Script] = field(default_factory=dict)
    personas: dict[str, Persona] = field(default_factory=dict)
    broken: list[Broken] = field(default_factory=list)
    # scripts built as far as they go despite errors: `rehearse check` lints them too, so a
    # file's findings all come in one pass; never played
    drafts: dict[str, Script] = field(default_factory=dict)
    report: Report = field(default_factory=Report)

    def personas_for(self, script: Script) -> list[Persona]:
        return [self.personas[p] for p in script.personas if p in self.personas]


def outline(script: Script) -> Script:
    """A script without its nodes and source text: what a list of scripts shows and a setup
    form reads (title, situation, personas, variables), a few kB instead of hundreds. Never
    played: ``not script.nodes`` tells an outline (a loaded script has its start node)."""
    return replace(script, nodes=frozen_map(), source="")


def load_catalog(
    roots: Iterable[Path],
    *,
    known_personas: dict[str, Persona] | None = None,
    personas_only: bool = False,
    keep: Callable[[Script], Script] | None = None,
    skip: Callable[[Path], bool] | None = None,
) -> Catalog:
    """Load every script and persona found under roots; problems go to report and broken.

    known_personas are personas found elsewhere (the search path) that scripts may name.
    ``keep`` is what is kept of each script once it is built and checked (``outline``:
    only one whole script is ever in memory at a time). A file ``skip`` says yes to is
    not read (the caller knows it holds nothing it asks for).
    """
    catalog = Catalog()
    seen_files: set[Path] = set()
    for root in roots:
        for path in yaml_files(root):
            resolved = path.resolve()
            if resolved in seen_files:
                continue
            seen_files.add(resolved)
            if (personas_only and path.parent.name != "personas") or (skip is not None and skip(path)):
                continue
            _load_file(catalog, path, keep)
    personas = {**(known_personas or {}), **catalog.personas}
    for script in catalog.scripts.values():
        guarded(script.path, catalog.report, partial(validate_references, script, personas, catalog.report))
    return catalog


def _load_file(catalog: Catalog, path: Path, keep: Callable[[Script], Script] | None) -> None:
    report = Report()
    with paused():
        kind = guarded(str(path), report, lambda: _load_file_inner(catalog, path, report, keep))
    catalog.report.add_sources_from(report)
    catalog.report.extend(report.items)
    if not report.ok:
        catalog.broken.append(Broken(str(path), kind or "script", tuple(report.items)))


def _load_file_inner(
    catalog: Catalog, path: Path, report: Report, keep: Callable[[Script], Script] | None
) -> str:
    """Load one file into the catalog; returns what kind of file it is."""
    loaded = load_document(path, report)
    if loaded is None:
        return "script"
    doc, text = loaded
    kind = kind_of(doc.value, path)
    if kind == "script":
        script = draft_script(doc, text, report)
        if script is not None:
            kept = keep(script) if keep is not None else script
            (catalog.scripts if report.ok else catalog.drafts).setdefault(script.id, kept)
    else:
        persona = build_persona(doc, text, report)
        if persona is not None and persona.id not in catalog.personas:
            catalog.personas[persona.id] = persona
    return kind
