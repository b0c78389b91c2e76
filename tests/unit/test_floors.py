"""The floors of the package hold: each imports only what stands below it.

engine  <  history, workspace  <  views  <  ui  <  cli

The engine is pure logic (no textual, rich, click or sqlite3); history, workspace and views
know no UI toolkit and no command line; only ``rehearse.history.store`` opens SQLite; and
nothing imports the app or the command line from below.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "rehearse"
FLOORS = {"engine": 0, "history": 1, "workspace": 1, "views": 2, "ui": 3, "cli": 4}
FORBIDDEN = {
    "engine": {"textual", "rich", "click", "sqlite3"},
    "history": {"textual", "rich", "click"},
    "workspace": {"textual", "rich", "click", "sqlite3"},
    "views": {"textual", "rich", "click", "sqlite3"},
}


def _imports(path: Path) -> list[str]:
    """Every module a file imports, at the top or inside functions (TYPE_CHECKING too)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{a.name}" for a in node.names]
    return names


def _floor_of(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0]


def test_the_top_of_the_package_holds_only_floors() -> None:
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert loose == []
    assert sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__") == sorted(
        FLOORS
    )


def test_no_floor_imports_from_a_floor_above_it_or_a_forbidden_library() -> None:
    problems = []
    for path in PACKAGE.rglob("*.py"):
        if path.parent == PACKAGE:
            continue
        floor = _floor_of(path)
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] in FORBIDDEN.get(floor, set()):
                problems.append(f"{path.relative_to(PACKAGE)} imports {name}")
            if parts[0] != "rehearse" or len(parts) < 2 or parts[1] not in FLOORS:
                continue
            other = parts[1]
            if FLOORS[other] > FLOORS[floor] or (other != floor and FLOORS[other] == FLOORS[floor]):
                problems.append(f"{path.relative_to(PACKAGE)} ({floor}) imports {name}")
    assert problems == []


def test_only_the_store_opens_sqlite() -> None:
    users = sorted(
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if "sqlite3" in {n.split(".")[0] for n in _imports(p)}
    )
    assert users == ["history/store.py"]


def test_importing_the_lower_floors_loads_no_ui_cli_or_database() -> None:
    code = (
        "import sys, importlib, pkgutil\n"
        "import rehearse.engine as e, rehearse.history as h, rehearse.workspace as w, rehearse.views as v\n"
        "for pkg in (e, h, w, v):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        if m.name != 'rehearse.history.store': importlib.import_module(m.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'click', 'sqlite3'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_command_line_and_plain_mode_load_no_ui() -> None:
    code = (
        "import sys, rehearse.cli.group, rehearse.cli.plain\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_rendering_a_situation_for_the_home_screen_loads_no_matcher_or_coach() -> None:
    code = (
        "import sys\n"
        "from rehearse.workspace.library import catalog\n"
        "from rehearse.engine.runtime.setup import Setup, opening_situation\n"
        "import rehearse.ui.screens.home\n"
        "cat = catalog()\n"
        "s = cat.scripts['passed-over']\n"
        "assert opening_situation(Setup(s, cat.personas_for(s)[0], user_name='Robin'))\n"
        "heavy = ('matching', 'coach', 'recognise', 'session')\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('rehearse.engine.runtime.')"
        " and m.rsplit('.', 1)[1] in heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
