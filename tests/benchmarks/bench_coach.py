"""Score the phrasing coach against tests/fixtures/coach_corpus.yaml and time it.

Standalone (not collected by pytest):

    .venv/bin/python tests/benchmarks/bench_coach.py            # figures
    .venv/bin/python tests/benchmarks/bench_coach.py --misses   # also list every miss

Quality: each corpus reply is coached with its node's moments; a check that fires and is in
the reply's `must` list is a true positive, one that fires and is not is a false positive,
one in `must` that does not fire is a false negative. Per check and overall: precision
(how often a flag is right: the figure that matters most) and recall.

Speed: the time of one coach() call per corpus reply (the best of several runs, to keep
other load on the machine out of it), as p50 / p90 / p99 / max in microseconds, with the
node's moments and with every moment switched on; the same for each check run alone; the
first call (loading and compiling the data); a dense 40-word reply; a pasted megabyte.
Target: well under 1 ms per call on a 40-word reply (it runs on every keystroke, debounced).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

CORPUS = ROOT / "tests" / "fixtures" / "coach_corpus.yaml"
HELDOUT = ROOT / "tests" / "fixtures" / "coach_heldout.yaml"


def half(text: str) -> str:
    """The held-out set's halves: tune (with the corpus) and held (reported)."""
    import hashlib

    return "tune" if int(hashlib.sha256(text.encode()).hexdigest(), 16) % 2 == 0 else "held"


DENSE = (
    "I was just wondering if maybe I could be considered for the lead role, if that's an "
    "option. I've been here fifteen years and I think I deserve it, right? Sorry to bother "
    "you, I know you're busy."
)


def best_of(fn: Callable[[], object], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def percentiles(seconds: list[float]) -> str:
    us = sorted(s * 1e6 for s in seconds)

    def at(q: float) -> float:
        return us[min(len(us) - 1, int(q * len(us)))]

    return f"p50 {statistics.median(us):6.0f}  p90 {at(0.90):6.0f}  p99 {at(0.99):6.0f}  max {us[-1]:6.0f} us"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list every wrong or missed flag")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per reply (best kept)")
    parser.add_argument(
        "--set",
        choices=["corpus", "tune", "held"],
        default="held",
        help="the corpus, or a half of the held-out set (default: the held half)",
    )
    args = parser.parse_args(argv)

    start = time.perf_counter()
    from rehearse.engine.model import MOMENTS
    from rehearse.engine.runtime.coach import checks, coach

    ids = [c.id for c in checks()]
    first_call = time.perf_counter() - start

    if args.set == "corpus":
        items: list[dict[str, Any]] = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    else:
        every_item = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))
        items = [i for i in every_item if half(i["text"]) == args.set]
    every = frozenset(MOMENTS)

    # ------------------------------------------------------------------ quality
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    misses: list[str] = []
    for item in items:
        flags = coach(item["text"], expects=frozenset(item["expects"]))
        got = {f.check.id for f in flags}
        must = set(item["must"])
        tp.update(got & must)
        fp.update(got - must)
        fn.update(must - got)
        if got != must:
            words = {f.check.id: f.words for f in flags if f.check.id not in must}
            misses.append(
                f"  {item['text']!r} expects={item['expects']}\n"
                f"      missed={sorted(must - got)} wrong={words}"
            )

    print(f"{args.set}: {len(items)} replies, {sum(bool(i['must']) for i in items)} with flags\n")
    print(f"{'check':24} {'precision':>9} {'recall':>7}    tp   fp   fn")
    for cid in ids:
        t, f, n = tp[cid], fp[cid], fn[cid]
        p = t / (t + f) if t + f else 1.0
        r = t / (t + n) if t + n else 1.0
        print(f"{cid:24} {p:9.3f} {r:7.3f} {t:5} {f:4} {n:4}")
    t, f, n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    print(f"{'overall':24} {t / (t + f):9.3f} {t / (t + n):7.3f} {t:5} {f:4} {n:4}")
    if args.misses and misses:
        print("\nMisses:")
        print("\n".join(misses))

    # ------------------------------------------------------------------ speed
    print(f"\nFirst call (load + compile the data): {first_call * 1000:.0f} ms")
    for label, moments in (("node's moments", None), ("every moment", every)):
        times = [
            best_of(
                lambda i=item, m=moments: coach(i["text"], expects=m or frozenset(i["expects"])),
                args.runs,
            )
            for item in items
        ]
        print(f"coach() per reply, {label:15} {percentiles(times)}")

    print("\nEach check alone (every moment on, the other checks disabled):")
    for cid in ids:
        off = [other for other in ids if other != cid]
        times = [
            best_of(lambda i=item, o=off: coach(i["text"], expects=every, disabled=o), args.runs)
            for item in items
        ]
        print(f"  {cid:24} {percentiles(times)}")

    words = len(DENSE.split())
    dense = best_of(lambda: coach(DENSE, expects=every), 50)
    print(f"\nA dense {words}-word reply that trips six checks: {dense * 1e6:.0f} us")
    paste = "I'm sorry, I really blew it. " * 40_000
    huge = best_of(lambda: coach(paste, expects=every), 3)
    print(f"A pasted {len(paste) / 1e6:.1f} MB reply: {huge * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
