"""`rehearse test`: find test plans, run them, print a pass/fail summary."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rehearse.engine.catalog import is_test_plan, load_catalog
from rehearse.engine.testplan import load_plan, run_plan
from rehearse.paths import search_path


def plan_files(targets: list[Path]) -> list[Path]:
    found: list[Path] = []
    for target in targets:
        if target.is_file():
            if is_test_plan(target):
                found.append(target)
        elif target.is_dir():
            for folder in (target, target / "scripts"):
                if folder.is_dir():
                    found.extend(sorted(folder.glob("*.test.yaml")))
    return found


def run_plans(targets: list[Path], *, extra: list[Path], verbose: bool,
              echo: Callable[[str], None]) -> bool:
    roots = targets or search_path(extra)
    files = plan_files(roots)
    if not files:
        echo("No test plans found (looked for *.test.yaml).")
        return False
    catalog = load_catalog(search_path([*extra, *(f.parent for f in files)]))
    passed = failed = 0
    for file in files:
        plan, report = load_plan(file)
        if plan is None:
            for d in report.items:
                echo(d.render())
            failed += 1
            continue
        for result in run_plan(plan, catalog.scripts, catalog.personas):
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
    return failed == 0
