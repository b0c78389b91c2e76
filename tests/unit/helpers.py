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


def transcript_says(script_id: str, node: str, text: str) -> str:
    """How the transcript says ``text`` was read, said at ``node`` of a bundled script."""
    import dataclasses

    from rehearse.engine.runtime import session as sess
    from rehearse.history.codec import record_of
    from rehearse.views.session import understood
    from tests import evaluation

    script = evaluation.catalog().scripts[script_id]
    persona = evaluation.catalog().personas[script.personas[0]]
    state = dataclasses.replace(sess.begin(sess.Setup(script, persona)), node=node)
    after, turn = sess.step(state, text)
    return understood(record_of(turn, after.previous)).text
