"""The bundled scripts and personas: clean, complete, and every test plan passes."""

from __future__ import annotations

import pytest

from rehearse.engine.authoring.model_answers import model_problems
from rehearse.engine.authoring.testplan import Case, load_plan, run_case

from .helpers import ROOT, bundled_catalog

CATALOG = bundled_catalog()
SCRIPTS = sorted(CATALOG.scripts)
PLANS = sorted((ROOT / "scripts").glob("*.test.yaml"))


def plan_cases() -> list[tuple[str, Case]]:
    cases = []
    for path in PLANS:
        plan, report = load_plan(path)
        assert plan is not None, [d.render() for d in report.items]
        cases.extend((plan.script, case) for case in plan.cases)
    return cases


CASES = plan_cases()


def test_bundled_content_loads_without_any_problem() -> None:
    assert CATALOG.broken == []
    assert [d.render() for d in CATALOG.report.items] == []
    assert SCRIPTS == ["fumbled-promotion", "not-this-role", "passed-over"]


def test_personas_cover_easy_and_hard() -> None:
    personas = CATALOG.personas
    assert len(personas) >= 4
    assert {p.difficulty for p in personas.values()} >= {"easy", "hard"}
    assert len({p.patience for p in personas.values()}) >= 2


@pytest.mark.parametrize("script_id", SCRIPTS)
def test_script_is_complete(script_id: str) -> None:
    script = CATALOG.scripts[script_id]
    assert len(script.nodes) >= 12
    outcomes = {n.end for n in script.nodes.values() if n.is_ending}
    assert outcomes >= {"success", "partial", "fail"}
    assert len([p for p in script.personas if p in CATALOG.personas]) >= 2
    for node in script.nodes.values():
        if node.is_ending:
            assert node.debrief is not None, node.id
            continue
        assert node.hint is not None and node.model is not None, node.id
        for reply in node.replies:
            assert len(reply.say) >= 4, f"{node.id}.{reply.id}"


@pytest.mark.parametrize("script_id", SCRIPTS)
def test_every_ending_is_reached_by_a_test_case(script_id: str) -> None:
    script = CATALOG.scripts[script_id]
    endings = {n.id for n in script.nodes.values() if n.is_ending}
    planned = {case.expect.get("end") for sid, case in CASES if sid == script_id}
    assert endings <= planned, f"endings without a case: {sorted(endings - planned)}"


@pytest.mark.parametrize("script_id", SCRIPTS)
def test_every_listed_persona_plays_in_some_case(script_id: str) -> None:
    script = CATALOG.scripts[script_id]
    played = {case.persona or script.personas[0] for sid, case in CASES if sid == script_id}
    assert set(script.personas) <= played


@pytest.mark.parametrize(("script_id", "case"), CASES, ids=[f"{s}:{c.name}" for s, c in CASES])
def test_plan_case_passes(script_id: str, case: Case) -> None:
    result = run_case(case, CATALOG.scripts[script_id], CATALOG.personas)
    assert result.passed, "\n".join(result.problems) + "\n" + result.trail()


@pytest.mark.parametrize("script_id", SCRIPTS)
def test_the_same_script_differs_between_personas(script_id: str) -> None:
    from rehearse.engine.runtime.session import Setup, begin, step

    script = CATALOG.scripts[script_id]
    transcripts = set()
    for persona_id in script.personas:
        state = begin(Setup(script, CATALOG.personas[persona_id], seed=1))
        state, _ = step(state, "hmm, the weather is nice today")
        transcripts.add(tuple(t.boss for t in state.transcript))
    assert len(transcripts) == len(script.personas)


@pytest.mark.parametrize("script_id", SCRIPTS)
def test_plans_cover_at_least_90_percent_of_the_script(script_id: str) -> None:
    from rehearse.engine.authoring.coverage import script_coverage

    script = CATALOG.scripts[script_id]
    states = [run_case(case, script, CATALOG.personas).state for sid, case in CASES if sid == script_id]
    coverage = script_coverage(script, [s for s in states if s is not None], walk=False)
    assert coverage.combined_pct >= 90, coverage.untested_replies()


@pytest.mark.parametrize("script_id", SCRIPTS)
def test_every_turn_has_a_model_answer_that_works(script_id: str) -> None:
    """Clean by the coach at its node, understood as the reply it names, and followed from
    the start, a success with every persona (the debrief offers these as strong replies)."""
    script = CATALOG.scripts[script_id]
    turns = [n for n in script.nodes.values() if not n.is_ending]
    assert [n.id for n in turns if n.model is None or n.model_reply is None] == []
    problems = model_problems(script, CATALOG.personas)
    assert [f"{p.node}: {p.message} ({p.persona})" for p in problems] == []
