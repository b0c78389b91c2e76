"""How well rehearse understands what people type: figures on the labelled sets.

Standalone (not collected by pytest):

    .venv/bin/python tests/benchmarks/bench_understanding.py            # held-out figures
    .venv/bin/python tests/benchmarks/bench_understanding.py --sweep    # tune on the tune half
    .venv/bin/python tests/benchmarks/bench_understanding.py --failures # every tune-half miss
    .venv/bin/python tests/benchmarks/bench_understanding.py --cv       # out-of-fold, per TAKE_BELIEF
    .venv/bin/python tests/benchmarks/bench_understanding.py --plan-steps  # relabel plan steps

The tune half of tests/fixtures/understanding_eval.yaml, the older match_eval.yaml and the
bundled test plans' steps (plan_steps.yaml) are the tuning material. The sweep moves one
threshold at a time over a grid, keeping a change when it raises the utility on them (a
right reading scores 1, a check-back on the right reply 0.7, a wrong reply -10), and prints
the values to write into rehearse/engine/runtime/matching.py. Figures are reported on the
HELD half, per register and per intent, with the time one decision takes; its misses are
not listed, so that no one tunes on them by reading.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["REHEARSE_HOME"] = tempfile.mkdtemp(prefix="rehearse-bench-")

from rehearse.engine.runtime import matching, recognise  # noqa: E402
from tests import evaluation  # noqa: E402

GRID: dict[tuple[ModuleType, str], Sequence[float]] = {
    (matching, "THRESHOLD"): (48, 50, 52, 54, 56, 58, 60, 62, 65),
    (matching, "MARGIN"): (3, 5, 7, 9, 12),
    (matching, "INTENT_SCALE"): (70, 80, 90, 100, 110, 120),
    (matching, "CHECK_FLOOR"): (30, 35, 40, 45, 50),
    (matching, "CHECK_MARGIN"): (6, 9, 12, 15, 20),
    (matching, "ASIDE_CONFIDENCE"): (0.3, 0.4, 0.5, 0.6, 0.7),
    (matching, "ASIDE_OVERRIDE"): (0.7, 0.8, 0.85, 0.9, 0.95, 1.01),
    (matching, "VETO_CONFIDENCE"): (0.3, 0.4, 0.5, 0.6, 0.7, 0.8),
    (matching, "VETO_BELOW"): (0.02, 0.05, 0.1),
    (matching, "KEYWORD_BONUS"): (0.0, 2.0, 4.0, 6.0),
    (matching, "KEYWORD_BONUS_MAX"): (4.0, 8.0, 12.0),
    (matching, "LEAD_BONUS"): (0.0, 5.0, 10.0),
    (matching, "INTENT_DOUBT"): (0.0, 5.0, 10.0, 15.0, 20.0, 30.0),
    (matching, "INTENT_TRUST"): (0.1, 0.2, 0.3, 0.5),
    (matching, "INTENT_GATE"): (0.5, 0.6, 0.7, 0.8, 1.01),
    (recognise, "TEMPERATURE"): (2.0, 3.0, 4.0, 5.0, 6.0, 8.0),
}


WRONG_COST = 10.0  # a wrong reply costs this many right ones (--wrong-cost)
CHECK_VALUE = 0.7  # a check-back on the right reply is worth this much of a right one


def utility(outcomes: Sequence[evaluation.Outcome]) -> float:
    return sum(
        1.0 if o.right else CHECK_VALUE if o.checked_right else -WRONG_COST if o.wrong_reply else 0.0
        for o in outcomes
    )


def run(items: Sequence[evaluation.Item]) -> list[evaluation.Outcome]:
    recognise.recognise.cache_clear()
    return evaluation.evaluate(items)


def sweep(items: Sequence[evaluation.Item], rounds: int = 2) -> None:
    best = utility(run(items))
    print(f"start: utility {best:.1f}")
    for _ in range(rounds):
        for (module, name), values in GRID.items():
            keep = getattr(module, name)
            for value in values:
                setattr(module, name, value)
                score = utility(run(items))
                if score > best + 1e-9:
                    best, keep = score, value
            setattr(module, name, keep)
            print(f"  {module.__name__.rsplit('.', 1)[-1]}.{name} = {keep}  (utility {best:.1f})")


def report(title: str, outcomes: Sequence[evaluation.Outcome]) -> None:
    print(f"\n{title}: {evaluation.figures(outcomes).line()}")
    for key in ("register", "intent"):
        print(f"  by {key}:")
        for name, f in evaluation.by(outcomes, key).items():
            print(
                f"    {name:20} n={f.n:3}  accuracy {f.accuracy:6.1%}  wrong {f.wrong_rate:5.1%}  "
                f"out-of-scope {f.out_recall:6.1%}"
            )


def failures(outcomes: Sequence[evaluation.Outcome]) -> None:
    for o in outcomes:
        if o.right:
            continue
        d = o.decision
        top = ", ".join(f"{s.reply} {s.score:.0f}" for s in d.scores[:3])
        mark = "WRONG" if o.wrong_reply else "check" if o.checked_right else "miss"
        print(
            f"{mark:5} {o.item.script}/{o.item.node} [{o.item.register}] {o.item.text!r}\n"
            f"      expected {o.item.expect}, got {d.kind} {d.reply or ''} "
            f"(read as {d.intent} {d.confidence:.2f}; top: {top})"
        )


def plan_cases() -> tuple[int, int]:
    """How many bundled test-plan cases pass, as `rehearse test scripts` counts them."""
    from rehearse.engine.authoring.testplan import load_plan, run_plan

    recognise.recognise.cache_clear()
    passed = total = 0
    cat = evaluation.catalog()
    for path in sorted((ROOT / "scripts").glob("*.test.yaml")):
        plan, _ = load_plan(path)
        assert plan is not None, path
        for result in run_plan(plan, cat.scripts, cat.personas):
            total += 1
            passed += result.passed
    return passed, total


def relabel_plan_steps() -> None:
    """Rewrite plan_steps.yaml from the cases that pass now (each step, what it took)."""
    from rehearse.engine.authoring.testplan import load_plan, run_plan

    head = [line for line in evaluation.PLAN_STEPS.read_text().splitlines() if line.startswith("#")]
    seen: set[tuple[str, str, str | None]] = set()
    rows = []
    cat = evaluation.catalog()
    for path in sorted((ROOT / "scripts").glob("*.test.yaml")):
        plan, _ = load_plan(path)
        assert plan is not None, path
        for result in run_plan(plan, cat.scripts, cat.personas):
            if not result.passed or result.state is None:
                continue
            turns = result.state.transcript[1:]
            for i, turn in enumerate(turns):
                kind = turn.decision.kind if turn.decision else None
                key = (plan.script, turn.node, turn.user)
                if (i and turns[i - 1].kind == "checkback") or key in seen:
                    continue  # the yes or no that settles a check-back says nothing here
                seen.add(key)
                expect = turn.reply or ("aside" if kind == "aside" else "none")
                if kind == "checkback" and turn.decision is not None:
                    # what was meant: the reply the user's yes confirmed (else: none of them)
                    settled = turns[i + 1] if i + 1 < len(turns) else None
                    confirmed = settled is not None and settled.reply == turn.decision.reply
                    expect = turn.decision.reply if confirmed and turn.decision.reply else "none"
                row = {"script": plan.script, "node": turn.node, "text": turn.user, "expect": expect}
                fields = ", ".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in row.items())
                rows.append(f"- {{{fields}, register: plan}}")
    evaluation.PLAN_STEPS.write_text("\n".join([*head, "", *rows]) + "\n", encoding="utf-8")
    print(f"{len(rows)} steps written to {evaluation.PLAN_STEPS}")


def _rows(items: Sequence[evaluation.Item]) -> list[list[tuple[tuple[float, ...], float]]]:
    """Per tuning item, every reply's (1, *features) and whether it is the reply meant."""
    out = []
    for item in items:
        scoring = matching.scoring_of(
            item.text, evaluation.candidates(item.script, item.node), recognise.recognise(item.text)
        )
        out.append(
            [
                ((1.0, *features), 1.0 if reply == item.expect else 0.0)
                for reply, features in matching.decision_features(scoring).items()
            ]
        )
    return out


def fitted(rows: Sequence[tuple[tuple[float, ...], float]], c: float = 1.0, rounds: int = 25) -> list[float]:
    """The decision model's bias and weights (logistic regression, L2 with strength 1/c, by
    Newton's method) on (features, meant) rows; the bias is not penalised."""
    n = len(rows[0][0])
    w = [0.0] * n
    for _ in range(rounds):
        grad = [0.0 if j == 0 else w[j] / c for j in range(n)]
        hess = [[(1.0 / c if i == j and i else 0.0) for j in range(n)] for i in range(n)]
        for x, y in rows:
            z = sum(a * b for a, b in zip(w, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))
            g, h = p - y, p * (1.0 - p)
            for i in range(n):
                grad[i] += g * x[i]
                hx = h * x[i]
                row = hess[i]
                for j in range(i, n):
                    row[j] += hx * x[j]
        for i in range(n):
            for j in range(i):
                hess[i][j] = hess[j][i]
        step = _solve(hess, grad)
        w = [a - b for a, b in zip(w, step, strict=True)]
        if max(abs(b) for b in step) < 1e-7:
            break
    return w


def fit(items: Sequence[evaluation.Item]) -> None:
    """Fit the decision model on every reply of every tuning item (is this the reply
    meant?) and print the weights to write into rehearse/engine/runtime/matching.py."""
    rows = [row for rows in _rows(items) for row in rows]
    w = fitted(rows)
    print(f"{len(rows)} replies of {len(items)} tuning items")
    print("DECISION_WEIGHTS: tuple[float, ...] = (")
    for name, value in zip(matching.DECISION_FEATURES, w[1:], strict=True):
        print(f"    {value:.4f},  # {name}")
    print(")")
    print(f"DECISION_BIAS = {w[0]:.4f}")


FOLDS = 5
TAKE_GRID = (0.97, 0.95, 0.9, 0.85, 0.8, 0.7)


def cross_validate(items: Sequence[evaluation.Item]) -> None:
    """Out-of-fold figures on the tuning material for each TAKE_BELIEF: the decision model
    is refitted on four fifths of the items and decides the fifth it never saw (a negation
    pair stays in one fold), so the figures say what a threshold does on new phrasings
    without reading the held-out half."""

    def fold(item: evaluation.Item) -> int:
        key = f"cv{item.pair or item.text}".encode()
        return int(hashlib.sha256(key).hexdigest(), 16) % FOLDS

    rows = _rows(items)
    folds = [[i for i, item in enumerate(items) if fold(item) == k] for k in range(FOLDS)]

    def others(k: int) -> list[tuple[tuple[float, ...], float]]:
        return [row for j, f in enumerate(folds) if j != k for i in f for row in rows[i]]

    weights = [fitted(others(k)) for k in range(FOLDS)]
    kept = matching.TAKE_BELIEF, matching.DECISION_BIAS, matching.DECISION_WEIGHTS
    try:
        for take in TAKE_GRID:
            matching.TAKE_BELIEF = take
            outcomes = []
            for k, w in enumerate(weights):
                matching.DECISION_BIAS, matching.DECISION_WEIGHTS = w[0], tuple(w[1:])
                outcomes += run([items[i] for i in folds[k]])
            figures = evaluation.figures(outcomes).line()
            print(f"TAKE_BELIEF {take}: {figures}  utility {utility(outcomes):.1f}")
    finally:
        matching.TAKE_BELIEF, matching.DECISION_BIAS, matching.DECISION_WEIGHTS = kept


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """x with a x = b (Gaussian elimination with partial pivoting; a is small)."""
    n = len(b)
    m = [[*row, rhs] for row, rhs in zip(a, b, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(col + 1, n):
            f = m[r][col] / m[col][col]
            for k in range(col, n + 1):
                m[r][k] -= f * m[col][k]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][k] * x[k] for k in range(r + 1, n))) / m[r][r]
    return x


def timing(items: Sequence[evaluation.Item]) -> None:
    samples = []
    for item in items[:300]:
        cands = evaluation.candidates(item.script, item.node)
        recognise.recognise.cache_clear()
        start = time.perf_counter()
        matching.decide(item.text, cands)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p99 = samples[int(len(samples) * 0.99) - 1]
    print(f"\ndecide() with recognition: p50 {statistics.median(samples):.2f} ms, p99 {p99:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sweep", action="store_true", help="tune the thresholds on the tune half")
    parser.add_argument("--failures", action="store_true", help="list every tune-half miss")
    parser.add_argument("--fit", action="store_true", help="fit the decision model on the tune half")
    parser.add_argument("--cv", action="store_true", help="out-of-fold tune figures per TAKE_BELIEF")
    parser.add_argument("--plan-steps", action="store_true", help="relabel plan_steps.yaml")
    parser.add_argument("--wrong-cost", type=float, default=10.0, help="what a wrong reply costs")
    parser.add_argument("--set", choices=["understanding", "match", "both"], default="understanding")
    args = parser.parse_args()
    if args.plan_steps:
        relabel_plan_steps()
        return
    global WRONG_COST
    WRONG_COST = args.wrong_cost
    paths = {
        "understanding": [evaluation.UNDERSTANDING_SET],
        "match": [evaluation.MATCH_SET],
        "both": [evaluation.UNDERSTANDING_SET, evaluation.MATCH_SET],
    }[args.set]
    items = [i for p in paths if p.exists() for i in evaluation.load(p)]
    tune = [i for i in items if i.half == "tune"]
    held = [i for i in items if i.half == "held"]
    if args.set == "understanding" and evaluation.MATCH_SET.exists():
        # the older set (written apart too) is tuning material as a whole
        tune += evaluation.load(evaluation.MATCH_SET)
    tune += evaluation.load(evaluation.PLAN_STEPS)
    kinds = dict(evaluation.counts(items))
    print(f"{len(items)} utterances: {len(tune)} to tune, {len(held)} held out; {kinds}")
    if args.fit:
        fit(tune)
        return
    if args.cv:
        cross_validate(tune)
        return
    if args.sweep:
        sweep(tune)
        report("tune half", run(tune))
    outcomes = run(held)
    report("HELD-OUT half", outcomes)
    if args.failures:
        print()
        failures(run(tune))
    passed, total = plan_cases()
    print(f"\nbundled test-plan cases passing: {passed}/{total}")
    timing(items)


if __name__ == "__main__":
    main()
