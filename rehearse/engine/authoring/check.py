"""`rehearse check`: load files or folders and gather every diagnostic."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from rehearse.engine.authoring.model_answers import model_problems
from rehearse.engine.authoring.testplan import load_plan
from rehearse.engine.collector import paused
from rehearse.engine.compile.catalog import (
    SearchPath,
    is_test_plan,
    load_catalog,
    plan_files,
    yaml_files,
)
from rehearse.engine.compile.loader import guarded
from rehearse.engine.compile.matchlint import lint_matching, lint_robustness
from rehearse.engine.diagnostics import Diagnostic, Loc, Report
from rehearse.engine.model import Persona, Script


@dataclass
class CheckResult:
    files: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> int:
        return len(self.diagnostics) - self.errors

    def summary(self) -> str:
        files = f"{self.files} file{'s' if self.files != 1 else ''}"
        if not self.diagnostics:
            return f"{files} checked: no problems."
        return f"{files} checked: {self.errors} error(s), {self.warnings} warning(s)."

    def to_json(self) -> dict[str, object]:
        return {
            "files": self.files,
            "errors": self.errors,
            "warnings": self.warnings,
            "diagnostics": [d.to_json() for d in self.diagnostics],
        }


def check_paths(
    targets: list[Path],
    search: SearchPath,
    extra: list[Path] | None = None,
    *,
    robustness: bool = False,
) -> CheckResult:
    """Check files and folders; ``search`` gives the folders where named personas may live;
    ``robustness`` also tries variants of every example (slower)."""
    result = CheckResult()
    files: list[Path] = []
    plans: list[Path] = []
    for target in targets:
        if not target.exists():
            result.diagnostics.append(Diagnostic("R000", "error", Loc(str(target)), "no such file or folder"))
            continue
        files.extend(f for f in yaml_files(target) if not is_test_plan(f))
        plans.extend(plan_files([target]))
    result.files = len(files) + len(plans)
    for plan in plans:
        _, report = load_plan(plan)
        result.diagnostics.extend(report.items)
    # Personas named by the checked scripts may live elsewhere on the search path.
    roots = search([*(extra or []), *(p.parent for p in files)])
    known = load_catalog(roots, personas_only=True).personas
    checked = load_catalog(files, known_personas=known)
    result.diagnostics.extend(checked.report.items)
    personas = {**known, **checked.personas}
    for script in [*checked.scripts.values(), *checked.drafts.values()]:
        report = Report()
        report.add_sources_from(checked.report)
        persona = _lint_persona(script, personas)
        complete = script.id in checked.scripts
        with paused():
            guarded(script.path, report, partial(lint_matching, script, persona, report))
            if robustness:
                guarded(script.path, report, partial(lint_robustness, script, persona, report))
            if complete:  # following model answers needs the whole graph
                lint_model_answers(script, personas, report)
        result.diagnostics.extend(report.items)
    result.diagnostics.sort(key=lambda d: (d.loc.file, d.loc.line, d.loc.col))
    return result


def _lint_persona(script: Script, personas: dict[str, Persona]) -> Persona:
    """The persona whose voice fills examples during the matching lint."""
    for persona_id in script.personas:
        if persona_id in personas:
            return personas[persona_id]
    return Persona(id="boss", name="Boss")


MODEL_CODES = {"flagged": "W150", "not_understood": "W151", "walk": "W152", "lower_case": "W153"}
MODEL_HINTS = {
    "flagged": "the debrief offers it as a strong reply: rewrite it so the coach has nothing to say",
    "not_understood": "reword it, or add it (or something like it) to the reply's `say:` examples",
    "walk": "each node's model answer should lead on towards a success ending",
    "lower_case": "a variable's value starts a sentence: reword so the sentence starts with your own words",
}


def lint_model_answers(script: Script, personas: dict[str, Persona], report: Report) -> None:
    """Warn about model answers that are flagged, not understood, or lead nowhere good."""
    for problem in model_problems(script, personas):
        node = script.nodes[problem.node]
        loc = node.model.loc if node.model is not None and problem.kind != "walk" else node.loc
        who = f" with {personas[problem.persona].name}" if problem.persona in personas else ""
        width = 1
        for word in problem.words:  # point at the flagged words when the source shows them
            at = report.find(loc, word, lines=0)
            if at is not None:
                loc, width = at, len(word)
                break
        report.add(
            MODEL_CODES[problem.kind],
            loc,
            problem.message + who,
            hint=MODEL_HINTS[problem.kind],
            severity="warning",
            width=width,
        )
