"""Running test plans: find them, run them through the engine, report pass/fail and coverage.

The search path is the caller's (``search`` maps extra folders to every folder to look in),
so this stays free of where the user's files live.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rehearse.engine.authoring.testplan import CaseResult, load_plan, run_plan
from rehearse.engine.compile.catalog import Catalog, SearchPath, load_catalog, plan_files


def run_plans(
    targets: list[Path],
    *,
    extra: list[Path],
    search: SearchPath,
    verbose: bool,
    echo: Callable[[str], None],
    coverage: bool = False,
    min_coverage: float | None = None,
) -> bool:
    missing = [t for t in targets if not t.exists()]
    for target in missing:
        echo(f"{target}: no such file or folder")
    if missing:
        return False
    roots = targets or search(extra)
    files = plan_files(roots)
    if not files:
        echo("No test plans found (looked for *.test.yaml).")
        return False
    catalog = load_catalog(search([*extra, *(f.parent for f in files)]))
    passed = failed = 0
    played: dict[str, list[CaseResult]] = {}
    for file in files:
        plan, report = load_plan(file)
        if plan is None:
            for d in report.items:
                echo(d.render())
            failed += 1
            continue
        results = run_plan(plan, catalog.scripts, catalog.personas)
        played.setdefault(plan.script, []).extend(results)
        for result in results:
            label = f"{file}:{result.case.line}: {plan.script} / {result.case.name}"
            if result.passed:
                passed += 1
                if verbose:
                    echo(f"PASS {label}")
                continue
            failed += 1
            echo(f"FAIL {label}")
            for problem in result.problems:
                echo(f"  - {problem}")
            echo(result.trail())
    echo(f"{passed} passed, {failed} failed")
    covered = True
    if coverage or min_coverage is not None:
        folders = _plan_folders(targets, files)
        covered = report_coverage(catalog, played, folders, min_coverage, echo)
    return failed == 0 and covered


def _plan_folders(targets: list[Path], files: list[Path]) -> set[Path]:
    """Folders whose scripts are in scope: those holding plans, and folders named outright."""
    folders = {f.parent.resolve() for f in files}
    for target in targets:
        if target.is_dir():
            folders.add(target.resolve())
            if (target / "scripts").is_dir():
                folders.add((target / "scripts").resolve())
    return folders


def report_coverage(
    catalog: Catalog,
    played: dict[str, list[CaseResult]],
    folders: set[Path],
    min_coverage: float | None,
    echo: Callable[[str], None],
) -> bool:
    """Print each script's coverage; False if any is below min_coverage."""
    from rehearse.engine.authoring.coverage import format_coverage, script_coverage

    in_scope = {s.id for s in catalog.scripts.values() if Path(s.path).resolve().parent in folders}
    ids = sorted((set(played) & set(catalog.scripts)) | in_scope)
    echo("")
    echo("Coverage (combined = tested nodes + replies + branches, over all of them):")
    low: list[str] = []
    for script_id in ids:
        script = catalog.scripts[script_id]
        results = played.get(script_id, [])
        states = [r.state for r in results if r.state is not None]
        cov = script_coverage(script, states, catalog.personas_for(script), cases=len(results))
        for line in format_coverage(cov):
            echo(line)
        if not results:
            echo("  (no test plan names this script)")
        if min_coverage is not None and cov.combined_pct < min_coverage:
            low.append(f"{script_id} ({cov.combined_pct:.1f}%)")
    if low:
        echo(f"Coverage below {min_coverage:g}%: {', '.join(low)}")
        return False
    return True
