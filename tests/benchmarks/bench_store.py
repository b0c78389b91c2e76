"""Benchmark the session store: listing, counts and stats with 10,000 sessions vs 10.

Run: .venv/bin/python tests/benchmarks/bench_store.py [--sessions 10000]
(Not collected by pytest. Prints figures; exits 1 if a ratio is over budget.)

Budget (DESIGN.md): session list and stats with 10,000 stored sessions as fast as with a
handful, here within 1.2x of the same call, returning the same number of rows, on a
database of 10. Also prints what committing one turn costs (p50/p99), which is what a
player waits for after every reply.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rehearse.engine.compile.catalog import load_catalog  # noqa: E402
from rehearse.engine.runtime import session as sess  # noqa: E402
from rehearse.engine.runtime.session import Setup, State  # noqa: E402
from rehearse.history.store import Store  # noqa: E402

BUDGET = 1.2


def sample_states() -> list[State]:
    """A few finished and unfinished sessions of each bundled script, played for real."""
    catalog = load_catalog([ROOT])
    states: list[State] = []
    for script in sorted(catalog.scripts.values(), key=lambda s: s.id):
        for persona in catalog.personas_for(script):
            for depth in (2, 4, 9, 0):
                state = sess.begin(Setup(script, persona, user_name="Bench", seed=depth))
                for _ in range(depth or 20):
                    if state.ending is not None:
                        break
                    # depth 0: replies that never land, until the boss runs out of patience
                    answer = sess.model_answer(state) if depth else None
                    state, _turn = sess.step(state, answer or "purple monkey dishwasher")
                states.append(state)
    # Interleave (script, outcome) kinds, so that the 10-session database holds one of each
    # and a filtered page or the summary has as many rows to return as from the big one.
    groups: dict[tuple[str, str], list[State]] = {}
    for state in states:
        kind = (state.script.id, state.ending.outcome if state.ending else "")
        groups.setdefault(kind, []).append(state)
    mixed: list[State] = []
    while any(groups.values()):
        for group in groups.values():
            if group:
                mixed.append(group.pop(0))
    return mixed


def fill(path: Path, states: list[State], n: int, newest: int = 10) -> float:
    """n sessions, the newest ``newest`` being states[:newest] in both databases, so the
    first page of the big one holds the same rows as the small one."""
    start = time.perf_counter()
    order = [states[(newest + i) % len(states)] for i in range(n - newest)] + states[:newest]
    with Store.open(path) as store:
        for state in order:
            store.start(state)
    return time.perf_counter() - start


def per_call(fn: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def compare(
    small: Store,
    large: Store,
    name: str,
    op: Callable[[Store], object],
    rounds: int = 25,
    calls: int = 200,
) -> tuple[str, float, float, float]:
    """Best per-call time over interleaved rounds (the least disturbed measurement)."""
    best_small = best_large = float("inf")
    for _ in range(rounds):
        best_small = min(best_small, per_call(lambda: op(small), calls))
        best_large = min(best_large, per_call(lambda: op(large), calls))
    return name, best_small, best_large, best_large / best_small


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    args = parser.parse_args()

    states = sample_states()
    script = states[0].script.id
    with tempfile.TemporaryDirectory() as tmp:
        small_path, large_path = Path(tmp) / "small.sqlite3", Path(tmp) / "large.sqlite3"
        fill(small_path, states, 10)
        took = fill(large_path, states, args.sessions)
        size = large_path.stat().st_size / 1e6
        kinds = len({(st.script.id, st.ending.outcome if st.ending else "") for st in states})
        print(
            f"filled {args.sessions} sessions ({len(states)} distinct transcripts, {kinds} kinds "
            f"of script and outcome) in {took:.1f} s; {size:.1f} MB"
        )

        with Store.open(small_path) as small, Store.open(large_path) as large:
            assert small.count() == 10 and large.count() == args.sessions
            cases: list[tuple[str, Callable[[Store], object], bool]] = [
                ("sessions(limit=10)", lambda s: s.sessions(limit=10), True),
                ("sessions(script, limit=3)", lambda s: s.sessions(script=script, limit=3), True),
                (
                    "sessions(outcome=fail, limit=3)",
                    lambda s: s.sessions(outcome="fail", limit=3),
                    True,
                ),
                ("count()", lambda s: s.count(), True),
                ("count(script, outcome)", lambda s: s.count(script=script, outcome="fail"), True),
                ("summary()", lambda s: s.summary(), True),
                ("stats(script, limit=3)", lambda s: s.stats(script=script, limit=3), True),
                ("stats(limit=10)", lambda s: s.stats(limit=10), True),
                ("load('latest')", lambda s: s.load("latest"), False),
                ("sessions() default page (50 vs 10 rows)", lambda s: s.sessions(), False),
            ]
            print(f"\n{'operation':<42} {'10 sessions':>12} {f'{args.sessions} sessions':>16} {'ratio':>7}")
            over = []
            for name, op, budgeted in cases:
                label, t_small, t_large, ratio = compare(small, large, name, op)
                flag = ""
                if budgeted and ratio > BUDGET:
                    flag = "  OVER BUDGET"
                    over.append(label)
                elif not budgeted:
                    flag = "  (not budgeted)"
                print(f"{label:<42} {t_small * 1e6:>10.1f}us {t_large * 1e6:>14.1f}us {ratio:>6.2f}x{flag}")

            # Committing one turn: one transaction, as during play.
            state = next(s for s in states if len(s.transcript) >= 4 and s.ending is None)
            sid = large.start(sess.begin(state.setup))
            turns = state.transcript[1:]
            chain = {}
            current: State | None = state
            while current is not None:
                chain.setdefault(current.turn, current)
                current = current.previous
            samples = []
            for i in range(2000):
                turn = turns[i % len(turns)]
                after = chain[turn.index]
                start = time.perf_counter()
                large.record(sid, after, turn)
                samples.append(time.perf_counter() - start)
            samples.sort()
            p50 = statistics.median(samples)
            p99 = samples[int(len(samples) * 0.99) - 1]
            print(
                f"\ncommit one turn (record, {len(samples)} samples, WAL, synchronous=NORMAL): "
                f"p50 {p50 * 1e3:.3f} ms, p99 {p99 * 1e3:.3f} ms"
            )
    if over:
        print(f"\nover the {BUDGET}x budget: {', '.join(over)}")
        return 1
    print(f"\nall budgeted operations within {BUDGET}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
