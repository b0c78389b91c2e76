"""Shared fixtures: every test runs with its own empty rehearse home."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI explores the same examples every run, so a red build always reproduces; locally the
# search stays random and keeps finding new cases.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

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
