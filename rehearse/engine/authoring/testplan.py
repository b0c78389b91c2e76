"""Test plans: YAML files of typed replies and what must hold, run against a script.

A plan lives beside its script (`scripts/<id>.test.yaml`). Each case plays the replies
through the real engine (session.play) and checks the ending, visits, boss lines, scores
and, per reply, which reply it was understood as. Failures read like a diff.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rehearse.engine.compile.loader import _Builder, load_document
from rehearse.engine.diagnostics import Report
from rehearse.engine.model import OUTCOMES, Persona, Script, frozen_map
from rehearse.engine.runtime.session import Setup, State, play

PLAN_KEYS = ("script", "cases")
CASE_KEYS = ("name", "persona", "seed", "vars", "user", "replies", "expect")
EXPECT_KEYS = ("end", "outcome", "visits", "not_visits", "stops_at", "scores", "boss_contains")
STEP_KEYS = ("say", "reply", "node", "decision")


@dataclass(frozen=True)
class PlanStep:
    say: str
    reply: str | None = None
    node: str | None = None
    decision: str | None = None


@dataclass(frozen=True)
class Case:
    name: str
    persona: str | None
    seed: int
    vars: Mapping[str, str]
    user: str
    steps: tuple[PlanStep, ...]
    expect: Mapping[str, Any]
    line: int = 0


@dataclass(frozen=True)
class Plan:
    path: str
    script: str
    cases: tuple[Case, ...]


@dataclass(frozen=True)
class CaseResult:
    case: Case
    problems: tuple[str, ...]
    state: State | None = field(default=None, compare=False, repr=False)

    @property
    def passed(self) -> bool:
        return not self.problems

    def trail(self) -> str:
        """The conversation as it went, for a failure message."""
        if self.state is None:
            return ""
        lines = []
        for turn in self.state.transcript[1:]:
            understood = turn.reply or (turn.decision.kind if turn.decision else "?")
            lines.append(f"  [{turn.node}] {turn.user!r} -> {understood} -> {turn.next_node}")
        return "\n".join(lines)


def load_plan(path: Path | str, report: Report | None = None) -> tuple[Plan | None, Report]:
    report = report if report is not None else Report()
    loaded = load_document(Path(path), report)
    if loaded is None:
        return None, report
    doc, _text = loaded
    b = _Builder(doc, report)
    root = b.mapping(doc.value, (), "a test plan")
    if root is None:
        return None, report
    b.keys(root, (), PLAN_KEYS, "the test plan")
    script_id = b.text(root, (), "script", required=True, what="the test plan")
    cases: list[Case] = []
    raw_cases = root.get("cases")
    if not isinstance(raw_cases, list):
        b.error("R013", ("cases",), "'cases' must be a list of cases")
        raw_cases = []
    for i, raw in enumerate(raw_cases):
        path_i: tuple[str | int, ...] = ("cases", i)
        data = b.mapping(raw, path_i, "a test case")
        if data is None:
            continue
        b.keys(data, path_i, CASE_KEYS, "a test case")
        steps: list[PlanStep] = []
        raw_steps = data.get("replies") or []
        if not isinstance(raw_steps, list):
            b.error("R013", (*path_i, "replies"), "'replies' must be a list")
            raw_steps = []
        for j, raw_step in enumerate(raw_steps):
            if isinstance(raw_step, dict):
                b.keys(raw_step, (*path_i, "replies", j), STEP_KEYS, "a reply step")
                steps.append(
                    PlanStep(
                        str(raw_step.get("say", "")),
                        _opt(raw_step.get("reply")),
                        _opt(raw_step.get("node")),
                        _opt(raw_step.get("decision")),
                    )
                )
            else:
                steps.append(PlanStep(str(raw_step)))
        expect = b.mapping(data.get("expect") or {}, (*path_i, "expect"), "'expect'") or {}
        b.keys(expect, (*path_i, "expect"), EXPECT_KEYS, "'expect'")
        outcome = expect.get("outcome")
        if outcome is not None and outcome not in OUTCOMES:
            b.error(
                "R015",
                (*path_i, "expect", "outcome"),
                f"outcome must be one of {', '.join(OUTCOMES)}",
            )
        seed = data.get("seed", 0)
        cases.append(
            Case(
                name=str(data.get("name") or f"case {i + 1}"),
                persona=_opt(data.get("persona")),
                seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else 0,
                vars=frozen_map({str(k): str(v) for k, v in (data.get("vars") or {}).items()}),
                user=str(data.get("user") or "Alex"),
                steps=tuple(steps),
                expect=frozen_map(expect),
                line=doc.loc(path_i).line,
            )
        )
    if script_id is None or not report.ok:
        return None, report
    return Plan(str(path), script_id, tuple(cases)), report


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def run_case(case: Case, script: Script, personas: Mapping[str, Persona]) -> CaseResult:
    persona_id = case.persona or script.personas[0]
    persona = personas.get(persona_id)
    if persona is None:
        return CaseResult(case, (f"unknown persona '{persona_id}'",))
    setup = Setup(script, persona, user_name=case.user, vars=case.vars, seed=case.seed)
    state = play(setup, [s.say for s in case.steps])
    problems: list[str] = []
    turns = state.transcript[1:]
    if len(turns) < len(case.steps):
        problems.append(f"the conversation ended after {len(turns)} of {len(case.steps)} replies")
    for step, turn in zip(case.steps, turns, strict=False):
        if step.reply is not None and turn.reply != step.reply:
            got = turn.reply or (turn.decision.kind if turn.decision else "?")
            problems.append(f"{step.say!r} at '{turn.node}': expected reply '{step.reply}', got '{got}'")
        if step.node is not None and turn.node != step.node:
            problems.append(f"{step.say!r}: expected to be at '{step.node}', was at '{turn.node}'")
        if step.decision is not None and turn.decision is not None and turn.decision.kind != step.decision:
            problems.append(f"{step.say!r}: expected decision '{step.decision}', got '{turn.decision.kind}'")
        elif step.decision is None and turn.decision is not None and turn.decision.kind == "none":
            # a plan reads as a transcript: a reply the boss did not understand says so, or it
            # is a stale line (a "yes" to a check-back that no longer comes)
            problems.append(
                f"{step.say!r} at '{turn.node}' was not understood; write it as "
                "{say: ..., decision: none} if that is what it tests"
            )
    problems.extend(_check_expect(case.expect, state))
    return CaseResult(case, tuple(problems), state)


def _check_expect(expect: Mapping[str, Any], state: State) -> list[str]:
    problems: list[str] = []
    ending = state.ending
    if "end" in expect:
        got = ending.node if ending else None
        if got != expect["end"]:
            where = f"ended at '{got}'" if ending else f"stopped at '{state.node}' without an ending"
            problems.append(f"expected to end at '{expect['end']}', {where}")
    if "outcome" in expect:
        got_outcome = ending.outcome if ending else None
        if got_outcome != expect["outcome"]:
            problems.append(f"expected outcome '{expect['outcome']}', got '{got_outcome or 'none'}'")
    if "stops_at" in expect and (ending is not None or state.node != expect["stops_at"]):
        problems.append(
            f"expected to stop at '{expect['stops_at']}', got '{ending.node if ending else state.node}'"
        )
    for node in _as_list(expect.get("visits")):
        if state.visits.get(node, 0) == 0:
            problems.append(f"expected to visit '{node}', it was not visited")
    for node in _as_list(expect.get("not_visits")):
        if state.visits.get(node, 0) > 0:
            problems.append(f"expected not to visit '{node}', it was visited")
    said = [t.boss for t in state.transcript]
    for text in _as_list(expect.get("boss_contains")):
        if not any(text.lower() in line.lower() for line in said):
            problems.append(f"no boss line contains {text!r}")
    for dim, bounds in (expect.get("scores") or {}).items():
        low, high = _bounds(bounds)
        got_score = state.scores.get(dim, 0)
        if not low <= got_score <= high:
            problems.append(f"score '{dim}' is {got_score}, expected {low}..{high}")
    return problems


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _bounds(value: Any) -> tuple[float, float]:
    if isinstance(value, list) and len(value) == 2:
        return float(value[0]), float(value[1])
    if isinstance(value, str) and ".." in value:
        low, _, high = value.partition("..")
        return float(low) if low else float("-inf"), float(high) if high else float("inf")
    return float(value), float(value)


def run_plan(plan: Plan, scripts: Mapping[str, Script], personas: Mapping[str, Persona]) -> list[CaseResult]:
    script = scripts.get(plan.script)
    if script is None:
        return [CaseResult(c, (f"unknown script '{plan.script}'",)) for c in plan.cases]
    return [run_case(case, script, personas) for case in plan.cases]
