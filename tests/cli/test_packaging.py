"""The wheel carries the bundled scripts and personas, where an installed rehearse finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_bundled_content_and_templates(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = tmp_path.glob("rehearse-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    scripts = {p.name for p in (ROOT / "scripts").glob("*.yaml")}
    personas = {p.name for p in (ROOT / "personas").glob("*.yaml")}
    assert {f"rehearse/_bundled/scripts/{n}" for n in scripts} <= names
    assert {f"rehearse/_bundled/personas/{n}" for n in personas} <= names
    assert "rehearse/engine/runtime/coach_data/checks.yaml" in names
    assert "rehearse/views/templates/session.html.j2" in names
    assert "rehearse/engine/authoring/templates/new_script.yaml.j2" in names
    styles = {p.name for p in (ROOT / "rehearse" / "ui" / "styles").glob("*.tcss")}
    assert {f"rehearse/ui/styles/{n}" for n in styles} <= names
    assert "rehearse-0.1.0.dist-info/entry_points.txt" in names
