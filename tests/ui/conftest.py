"""Helpers for the app's Pilot and snapshot tests.

Every test gets its own empty REHEARSE_HOME (tests/conftest.py). Loading the bundled
catalog takes a few hundred milliseconds, so while the home folder holds no scripts and no
extra path is given, the loaded catalog is shared between tests (it is immutable).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from rehearse import paths
from rehearse.engine.catalog import Catalog
from rehearse.ui import app as app_module
from rehearse.ui.app import RehearseApp, build_app

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
BUNDLED_IDS = sorted(p.stem for p in SCRIPTS.glob("*.yaml") if not p.name.endswith(".test.yaml"))
SEED = 7

_real_load = app_module.load_catalog
_shared: dict[str, Catalog] = {}


def _cached_load(extra_paths: list[Path]) -> Catalog:
    home = paths.data_dir()
    user_files = list(home.rglob("*.yaml")) if home.exists() else []
    if extra_paths or user_files:
        return _real_load(extra_paths)
    if "bundled" not in _shared:
        _shared["bundled"] = _real_load([])
    return _shared["bundled"]


@pytest.fixture(autouse=True)
def shared_catalog(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(app_module, "load_catalog", _cached_load)
    monkeypatch.delenv(app_module.EXIT_WHEN_READY_ENV, raising=False)
    yield


def make_app(**kwargs: Any) -> RehearseApp:
    """The app as tests use it: fixed seed, no typing pause, a fixed name."""
    kwargs.setdefault("seed", SEED)
    kwargs.setdefault("typing_delay", 0)
    kwargs.setdefault("name", "Alex")
    return build_app(**kwargs)


async def wait_ready(pilot: Any, timeout: float = 20.0) -> None:
    """Wait until the catalog has arrived and the home list is filled."""
    app = pilot.app
    waited = 0.0
    while not app.ready:
        await pilot.pause(0.02)
        waited += 0.02
        if waited > timeout:
            raise AssertionError("the catalog never arrived")
    await pilot.pause()


def plan_cases(script_id: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((SCRIPTS / f"{script_id}.test.yaml").read_text(encoding="utf-8"))
    return list(data.get("cases") or [])


def case_for(script_id: str, outcome: str) -> dict[str, Any]:
    """The first test-plan case expecting this outcome that the engine itself plays to it.

    The UI tests check that the app reproduces the engine; whether each case in a plan is
    right is the plan's own test (rehearse test).
    """
    from rehearse.engine.session import Setup, play

    catalog = _cached_load([])
    script = catalog.scripts[script_id]
    for case in plan_cases(script_id):
        if (case.get("expect") or {}).get("outcome") != outcome:
            continue
        persona = catalog.personas[case.get("persona") or script.personas[0]]
        setup = Setup(
            script, persona, user_name="Alex", vars=case.get("vars") or {}, seed=case.get("seed", 0)
        )
        state = play(setup, case["replies"])
        if state.ending is not None and state.ending.outcome == outcome:
            return case
    raise AssertionError(f"{script_id}: no test case reaches '{outcome}'")
