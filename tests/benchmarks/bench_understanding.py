"""How well rehearse understands what people type: figures on the labelled sets.

Standalone (not collected by pytest):

    .venv/bin/python tests/benchmarks/bench_understanding.py            # held-out figures
    .venv/bin/python tests/benchmarks/bench_understanding.py --sweep    # tune on the tune half
    .venv/bin/python tests/benchmarks/bench_understanding.py --failures # every miss, held-out

The sets (tests/fixtures/understanding_eval.yaml, and the older match_eval.yaml) are split
in halves by tests/evaluation.py. The sweep moves one threshold at a time over a grid,
keeping a change when it raises the utility on the TUNE half (a right reading scores 1, a
check-back on the right reply 0.5, a wrong reply -5), and prints the values to write into
rehearse/engine/runtime/matching.py. Figures are reported on the HELD half, per register
and per intent, with the time one decision takes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["REHEARSE_HOME"] = tempfile.mkdtemp(prefix="rehearse-bench-")

from rehearse.engine.runtime import matching, recognise  # noqa: E402
from tests import evaluation  # noqa: E402

GRID: dict[tuple[object, str], Sequence[float]] = {
    (matching, "THRESHOLD"): (48, 50, 52, 54, 56, 58, 60, 62, 65),
    (matching, "MARGIN"): (3, 5, 7, 9, 12),
    (matching, "INTENT_SCALE"): (70, 80, 90, 100, 110, 120),
    (matching, "CHECK_FLOOR"): (30, 35, 40, 45, 50),
    (matching, "CHECK_MARGIN"): (6, 9, 12, 15, 20),
    (matching, "ASIDE_CONFIDENCE"): (0.3, 0.4, 0.5, 0.6, 0.7),
    (recognise, "TEMPERATURE"): (2.0, 3.0, 4.0, 5.0, 6.0, 8.0),
}


def utility(outcomes: Sequence[evaluation.Outcome]) -> float:
    return sum(
        1.0 if o.right else 0.5 if o.checked_right else -5.0 if o.wrong_reply else 0.0 for o in outcomes
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
    parser.add_argument("--failures", action="store_true", help="list every held-out miss")
    parser.add_argument("--set", choices=["understanding", "match", "both"], default="understanding")
    args = parser.parse_args()
    paths = {
        "understanding": [evaluation.UNDERSTANDING_SET],
        "match": [evaluation.MATCH_SET],
        "both": [evaluation.UNDERSTANDING_SET, evaluation.MATCH_SET],
    }[args.set]
    items = [i for p in paths if p.exists() for i in evaluation.load(p)]
    tune = [i for i in items if i.half == "tune"]
    held = [i for i in items if i.half == "held"]
    kinds = dict(evaluation.counts(items))
    print(f"{len(items)} utterances: {len(tune)} to tune, {len(held)} held out; {kinds}")
    if args.sweep:
        sweep(tune)
        report("tune half", run(tune))
    outcomes = run(held)
    report("HELD-OUT half", outcomes)
    if args.failures:
        print()
        failures(outcomes)
    timing(items)


if __name__ == "__main__":
    main()
