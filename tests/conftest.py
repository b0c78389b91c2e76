"""Shared fixtures: every test runs with its own empty rehearse home."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
PERSONAS = ROOT / "personas"


@pytest.fixture(autouse=True)
def rehearse_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("REHEARSE_HOME", str(home))
    monkeypatch.delenv("REHEARSE_PATH", raising=False)
    return home
