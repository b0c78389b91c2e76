"""The engine and the command line never load the UI toolkit."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "rehearse" / "engine"


def test_importing_engine_and_cli_loads_no_textual_or_rich() -> None:
    code = (
        "import sys, importlib, pkgutil, rehearse.engine as e\n"
        "for m in pkgutil.iter_modules(e.__path__): importlib.import_module('rehearse.engine.' + m.name)\n"
        "import rehearse.cli, rehearse.plain, rehearse.checking\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_engine_source_has_no_ui_import() -> None:
    for path in ENGINE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in ("textual", "rich"), f"{path}: imports {name}"
