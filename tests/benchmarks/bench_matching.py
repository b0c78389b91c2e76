"""Evaluate the reply matcher against tests/fixtures/match_eval.yaml.

Standalone (not collected by pytest):

    .venv/bin/python tests/benchmarks/bench_matching.py            # figures and failures
    .venv/bin/python tests/benchmarks/bench_matching.py --sweep    # also sweep THRESHOLD x MARGIN

Each utterance is matched with rehearse.engine.runtime.matching.decide() against the candidates of
its node in the bundled script (default persona, default vars). A decision of kind "none" or
"ambiguous" counts as clarify.

Figures:
  in-scope accuracy    in-scope utterances (label is a reply) matched to that reply
  wrong-option rate    in-scope utterances matched to another reply (over in-scope)
  false-accept rate    out-of-scope utterances (label clarify) matched to any reply (over clarify)
  wrong-reply rate     both kinds of wrong reply, over all utterances (the costly error)
  out-of-scope recall  clarify labels that got clarify
  needless clarify     in-scope utterances that got clarify (cheap: the boss asks again)
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rehearse.engine.runtime import matching  # noqa: E402
from rehearse.engine.runtime.matching import Candidate, Decision  # noqa: E402
from rehearse.engine.runtime.session import Setup, begin  # noqa: E402
from rehearse.workspace import library as resolve  # noqa: E402

EVAL_SET = ROOT / "tests" / "fixtures" / "match_eval.yaml"
CLARIFY = "clarify"
WRONG_COST = 5
CLARIFY_COST = 1


@dataclass(frozen=True)
class Item:
    script: str
    node: str
    text: str
    expect: str
    pair: str | None = None
    trap: str | None = None


@dataclass(frozen=True)
class Outcome:
    item: Item
    got: str  # a reply id or "clarify"
    decision: Decision

    @property
    def ok(self) -> bool:
        return self.got == self.item.expect

    @property
    def in_scope(self) -> bool:
        return self.item.expect != CLARIFY

    @property
    def wrong_option(self) -> bool:
        return self.in_scope and self.got not in (CLARIFY, self.item.expect)

    @property
    def false_accept(self) -> bool:
        return not self.in_scope and self.got != CLARIFY

    @property
    def wrong_reply(self) -> bool:
        return self.wrong_option or self.false_accept

    @property
    def needless_clarify(self) -> bool:
        return self.in_scope and self.got == CLARIFY


def load_items(path: Path = EVAL_SET) -> list[Item]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Item(
            str(e["script"]),
            str(e["node"]),
            str(e["text"]),
            str(e["expect"]),
            e.get("pair"),
            e.get("trap"),
        )
        for e in raw
    ]


@contextmanager
def isolated_home() -> Iterator[None]:
    """Load only the bundled scripts: no user data dir, no REHEARSE_PATH."""
    saved = {k: os.environ.get(k) for k in ("REHEARSE_HOME", "REHEARSE_PATH")}
    with tempfile.TemporaryDirectory() as home:
        os.environ["REHEARSE_HOME"] = home
        os.environ.pop("REHEARSE_PATH", None)
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def node_candidates(items: Sequence[Item]) -> dict[tuple[str, str], tuple[Candidate, ...]]:
    """Candidates of every (script, node) the set uses, prepared as a session prepares them."""
    with isolated_home():
        catalog = resolve.catalog([])
    found: dict[tuple[str, str], tuple[Candidate, ...]] = {}
    states = {}
    for item in items:
        key = (item.script, item.node)
        if key in found:
            continue
        if item.script not in states:
            if item.script not in catalog.scripts:
                broken = "\n".join(b.first.render() for b in catalog.broken if b.first)
                raise SystemExit(f"script {item.script!r} did not load\n{broken}")
            script = catalog.scripts[item.script]
            persona = catalog.personas[script.personas[0]]
            states[item.script] = begin(Setup(script, persona))
        state = states[item.script]
        if item.node not in state.script.nodes:
            raise SystemExit(f"{item.script}: no node {item.node!r} (text: {item.text!r})")
        found[key] = dataclasses.replace(state, node=item.node).candidates()
        ids = {c.id for c in found[key]}
        if item.expect != CLARIFY and item.expect not in ids:
            raise SystemExit(f"{item.script}/{item.node}: no reply {item.expect!r} (known: {sorted(ids)})")
    return found


def label_of(decision: Decision) -> str:
    return decision.reply if decision.kind == "matched" and decision.reply else CLARIFY


def evaluate(
    items: Sequence[Item],
    cands: dict[tuple[str, str], tuple[Candidate, ...]],
    timings: list[float] | None = None,
) -> list[Outcome]:
    out = []
    for item in items:
        c = cands[(item.script, item.node)]
        start = time.perf_counter()
        decision = matching.decide(item.text, c)
        if timings is not None:
            timings.append(time.perf_counter() - start)
        out.append(Outcome(item, label_of(decision), decision))
    return out


@dataclass(frozen=True)
class Summary:
    total: int
    in_scope: int
    out_scope: int
    correct_in: int
    wrong_option: int
    false_accept: int
    clarify_ok: int
    needless_clarify: int

    @property
    def wrong_reply(self) -> int:
        return self.wrong_option + self.false_accept

    @property
    def cost(self) -> int:
        return WRONG_COST * self.wrong_reply + CLARIFY_COST * self.needless_clarify


def summarise(outcomes: Sequence[Outcome]) -> Summary:
    return Summary(
        total=len(outcomes),
        in_scope=sum(o.in_scope for o in outcomes),
        out_scope=sum(not o.in_scope for o in outcomes),
        correct_in=sum(o.in_scope and o.ok for o in outcomes),
        wrong_option=sum(o.wrong_option for o in outcomes),
        false_accept=sum(o.false_accept for o in outcomes),
        clarify_ok=sum((not o.in_scope) and o.ok for o in outcomes),
        needless_clarify=sum(o.needless_clarify for o in outcomes),
    )


def pct(n: int, d: int) -> str:
    return f"{100.0 * n / d:5.1f}%  ({n}/{d})" if d else "  n/a"


def top_scores(decision: Decision, n: int = 3) -> str:
    return ", ".join(f"{s.reply} {s.score:.0f}" for s in decision.scores[:n])


def report(outcomes: Sequence[Outcome], timings: Sequence[float]) -> None:
    s = summarise(outcomes)
    print(f"eval set: {EVAL_SET.relative_to(ROOT)}")
    print(
        f"utterances: {s.total}  in scope: {s.in_scope}  out of scope (clarify): {s.out_scope}"
        f"  [THRESHOLD={matching.THRESHOLD:g} MARGIN={matching.MARGIN:g}]"
    )
    print()
    rows = (
        ("in-scope accuracy", pct(s.correct_in, s.in_scope), ""),
        ("wrong-option rate", pct(s.wrong_option, s.in_scope), "in-scope matched to another reply"),
        ("needless clarify", pct(s.needless_clarify, s.in_scope), "in-scope that got clarify"),
        ("out-of-scope recall", pct(s.clarify_ok, s.out_scope), "clarify labels that got clarify"),
        ("false-accept rate", pct(s.false_accept, s.out_scope), "clarify matched to a reply"),
        ("wrong-reply rate (all)", pct(s.wrong_reply, s.total), "wrong option + false accept"),
    )
    for name, figure, what in rows:
        print(f"{name:22} {figure}   {what}".rstrip())
    print(f"cost (wrong x{WRONG_COST} + needless clarify x{CLARIFY_COST}): {s.cost}")
    if timings:
        ms = sorted(t * 1000.0 for t in timings)
        p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
        print(
            f"decide() latency       p50 {statistics.median(ms):.2f} ms   p99 {p99:.2f} ms"
            f"   max {ms[-1]:.2f} ms   (n={len(ms)})"
        )

    print()
    print("by script:")
    for script in sorted({o.item.script for o in outcomes}):
        sub = summarise([o for o in outcomes if o.item.script == script])
        print(
            f"  {script:18} n={sub.total:3}  in-scope acc {pct(sub.correct_in, sub.in_scope)}"
            f"  oos recall {pct(sub.clarify_ok, sub.out_scope)}  wrong {sub.wrong_reply}"
        )
    traps: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        if o.item.trap:
            traps[o.item.trap].append(o)
    if traps:
        print("by trap:")
        for trap, group in sorted(traps.items()):
            ok = sum(o.ok for o in group)
            wrong = sum(o.wrong_reply for o in group)
            print(f"  {trap:14} ok {ok}/{len(group)}  wrong {wrong}")
    pairs: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        if o.item.pair:
            pairs[o.item.pair].append(o)
    if pairs:
        both = sum(all(o.ok for o in g) for g in pairs.values())
        pair_wrong = sum(o.wrong_reply for g in pairs.values() for o in g)
        print(
            f"negation pairs: {len(pairs)}  both sides right: {both}  wrong replies among them: {pair_wrong}"
        )

    failures = [o for o in outcomes if not o.ok]
    failures.sort(key=lambda o: (not o.wrong_reply, o.item.script, o.item.node))
    print()
    print(f"failures ({len(failures)}; WRONG = a wrong reply, the costly kind):")
    for o in failures:
        tag = "WRONG  " if o.wrong_reply else "clarify"
        extra = f" [{o.item.trap}]" if o.item.trap else ""
        extra += f" [{o.item.pair}]" if o.item.pair else ""
        print(
            f"  {tag} {o.item.script}/{o.item.node}: {o.item.text!r}{extra}\n"
            f"          expected {o.item.expect}, got {o.got} ({o.decision.kind});"
            f" top: {top_scores(o.decision)}"
        )


@contextmanager
def constants(threshold: float, margin: float) -> Iterator[None]:
    saved = (matching.THRESHOLD, matching.MARGIN)
    matching.THRESHOLD, matching.MARGIN = threshold, margin
    try:
        yield
    finally:
        matching.THRESHOLD, matching.MARGIN = saved


def sweep(
    items: Sequence[Item],
    cands: dict[tuple[str, str], tuple[Candidate, ...]],
    show: int = 8,
) -> list[tuple[int, float, float, Summary]]:
    rows = []
    for threshold in range(50, 76):
        for margin in range(0, 13):
            with constants(float(threshold), float(margin)):
                s = summarise(evaluate(items, cands))
            rows.append((s.cost, float(threshold), float(margin), s))
    rows.sort(key=lambda r: (r[0], r[3].wrong_reply, -r[1], -r[2]))
    current = next((r for r in rows if r[1] == matching.THRESHOLD and r[2] == matching.MARGIN), None)
    print()
    print(
        f"sweep: THRESHOLD 50..75 x MARGIN 0..12 ({len(rows)} settings); "
        f"cost = {WRONG_COST} x wrong reply + {CLARIFY_COST} x needless clarify"
    )
    header = "  THRESHOLD MARGIN  cost  wrong(opt+fa)  needless-clarify  in-acc   oos-recall"
    print(header)

    def line(r: tuple[int, float, float, Summary], mark: str = "") -> str:
        cost, t, m, s = r
        return (
            f"  {t:9.0f} {m:6.0f} {cost:5d}  {s.wrong_reply:3d} ({s.wrong_option}+{s.false_accept})"
            f"       {s.needless_clarify:4d}          {100.0 * s.correct_in / s.in_scope:5.1f}%"
            f"   {100.0 * s.clarify_ok / s.out_scope:5.1f}%{mark}"
        )

    for r in rows[:show]:
        print(line(r))
    if current is not None:
        rank = rows.index(current) + 1
        print(line(current, f"   <- current (rank {rank})"))
    zero_wrong = [r for r in rows if r[3].wrong_reply == 0]
    if zero_wrong:
        print("best with no wrong reply at all:")
        print(line(zero_wrong[0]))
    else:
        print("no setting in the grid gives zero wrong replies")
    print("best MARGIN for each THRESHOLD:")
    for threshold in range(50, 76):
        print(line(next(r for r in rows if r[1] == threshold)))
    _, t, m, _ = rows[0]
    with constants(t, m):
        left = [o for o in evaluate(items, cands) if o.wrong_reply]
    print(f"wrong replies left at THRESHOLD={t:g} MARGIN={m:g}:")
    for o in left:
        print(
            f"  {o.item.script}/{o.item.node}: {o.item.text!r} expected {o.item.expect},"
            f" got {o.got}; top: {top_scores(o.decision)}"
        )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="sweep THRESHOLD 50..75 x MARGIN 0..12")
    parser.add_argument("--top", type=int, default=8, help="how many sweep settings to print")
    parser.add_argument("--repeat", type=int, default=5, help="timing passes over the set")
    args = parser.parse_args(argv)

    items = load_items()
    cands = node_candidates(items)
    counts = Counter(i.expect == CLARIFY for i in items)
    assert counts[True] + counts[False] == len(items)

    timings: list[float] = []
    outcomes = evaluate(items, cands, timings)
    for _ in range(max(0, args.repeat - 1)):
        evaluate(items, cands, timings)
    report(outcomes, timings)
    if args.sweep:
        sweep(items, cands, show=args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
