"""Loading the test fixtures and the bundled content for unit tests."""

from __future__ import annotations

from pathlib import Path

from rehearse.engine.compile.catalog import Catalog, load_catalog
from rehearse.engine.runtime.session import Setup, State, begin

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini"


def mini_catalog() -> Catalog:
    catalog = load_catalog([MINI])
    assert not catalog.broken, [b.first.render() for b in catalog.broken if b.first]
    return catalog


def bundled_catalog() -> Catalog:
    return load_catalog([ROOT])


def mini_state(persona: str = "pat", seed: int = 1, **vars: str) -> State:
    catalog = mini_catalog()
    setup = Setup(catalog.scripts["mini"], catalog.personas[persona], user_name="Ana", vars=vars, seed=seed)
    return begin(setup)
