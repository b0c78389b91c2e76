"""Engine benchmarks, reported as figures and ratios measured side by side in one process.

    python tests/benchmarks/bench_engine.py [--quick]

1. One engine step (match + coach + render) on a node with 8 replies x 8 examples:
   p50/p99 (budget: p99 under 5 ms), and the live coach check per keystroke (budget 1 ms).
2. `rehearse check` (load + validate) on a generated 5,000-node script against parsing the
   same YAML alone (budget: within 2x), and at 500 nodes (growth for 10x: at most 12x).
Not collected by pytest: timings never belong in tests.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rehearse.engine.authoring.check import check_paths  # noqa: E402
from rehearse.engine.compile.loader import load_script, script_from_text  # noqa: E402
from rehearse.engine.model import Persona  # noqa: E402
from rehearse.engine.runtime.coach import coach  # noqa: E402
from rehearse.engine.runtime.session import Setup, begin, step  # noqa: E402
from rehearse.workspace.paths import search_path  # noqa: E402

WORDS = (
    "role training promotion team lead project budget scope pay review course mentor "
    "schedule family clients release quality hiring plan goal skills visibility growth"
).split()


SYLLABLES = "ka lo mi ne tu ra se vo di pa gu fe zo ri ba".split()
VOCABULARY = sorted({a + b + c for a in SYLLABLES for b in SYLLABLES for c in ("", "n", "s")})


def phrase(rng: random.Random, n: int) -> str:
    """Words from the domain and from a large made-up vocabulary, as varied as real examples."""
    return " ".join(rng.choice(WORDS if rng.random() < 0.3 else VOCABULARY) for _ in range(n))


def wide_node_script(replies: int = 8, examples: int = 8) -> str:
    rng = random.Random(1)
    lines = [
        "id: wide",
        "title: Wide",
        "situation: s {{ role }}",
        "goal: g",
        "personas: [p]",
        "vars: {role: lead}",
        "rubric: {clarity: c}",
        "start: hub",
        "nodes:",
        "  hub:",
        "    boss: 'So, {{ user.name }}, about the {{ role }}?'",
        "    hint: h",
        "    model: m",
        "    expects: [ask]",
        "    replies:",
    ]
    for r in range(replies):
        lines.append(f"      r{r}:")
        lines.append("        say:")
        for _ in range(examples):
            lines.append(f'          - "I would like {phrase(rng, 6)} for the {{{{ role }}}}"')
        lines.append(f"        keywords: [{WORDS[r]}]")
        lines.append("        score: {clarity: 1}")
        lines.append("        next: hub" if r else "        next: bye")
    lines += ["  bye:", "    end: success", "    boss: Bye.", "    debrief: Done."]
    return "\n".join(lines) + "\n"


def big_script(nodes: int) -> str:
    rng = random.Random(nodes)
    out = [
        "id: big",
        "title: Big",
        "situation: s",
        "goal: g",
        "personas: [p]",
        "vars: {role: lead}",
        "rubric: {clarity: c, grace: g}",
        "start: n0",
        "nodes:",
    ]
    for i in range(nodes):
        out.append(f"  n{i}:")
        if i >= nodes - 3:
            out += [
                f"    end: {('success', 'partial', 'fail')[i % 3]}",
                "    boss: bye",
                "    debrief: d",
            ]
            continue
        out += [
            f"    boss: ['Line {i} for {{{{ user.name }}}}', 'Other line {i}']",
            "    hint: a hint",
            "    model: a model answer",
            "    replies:",
        ]
        for r in range(3):
            target = min(nodes - 1, i + 1 + r)
            out += [
                f"      r{r}:",
                "        say: [" + ", ".join(f"'{phrase(rng, n)}'" for n in (5, 4, 6, 3)) + "]",
                "        score: {clarity: 1}",
                "        next:",
                f'          - when: "visits.n{i} > 1"',
                f"            to: n{target}",
                f"          - to: n{target}",
            ]
    return "\n".join(out) + "\n"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def bench_step(rounds: int) -> None:
    script, report = script_from_text(wide_node_script(), "wide.yaml")
    assert script is not None, [d.render() for d in report.items]
    persona = Persona(id="p", name="P")
    state = begin(Setup(script, persona, user_name="Ana", seed=1))
    rng = random.Random(2)
    texts = [f"I think {phrase(rng, rng.randint(3, 14))}, if that's okay" for _ in range(rounds)]
    step(state, texts[0])  # warm the per-session example cache, as the first real step does
    times = []
    for text in texts:
        t0 = time.perf_counter()
        step(state, text)
        times.append((time.perf_counter() - t0) * 1000)
    print(
        f"engine step (8 replies x 8 examples): p50 {percentile(times, 50):.2f} ms, "
        f"p99 {percentile(times, 99):.2f} ms  (budget: p99 < 5 ms)"
    )
    keystrokes = []
    sentence = "sorry, I know you're busy, but I was just wondering if maybe I could be considered"
    for _ in range(max(1, rounds // 10)):
        for end in range(1, len(sentence) + 1):
            t0 = time.perf_counter()
            coach(sentence[:end], expects=frozenset({"ask"}))
            keystrokes.append((time.perf_counter() - t0) * 1000)
    print(
        f"live coach check per keystroke: p50 {percentile(keystrokes, 50):.3f} ms, "
        f"p99 {percentile(keystrokes, 99):.3f} ms  (budget: < 1 ms)"
    )


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    best = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best.append(time.perf_counter() - t0)
    return statistics.median(best)


def _without_gc(fn):  # type: ignore[no-untyped-def]
    import gc

    gc.disable()
    try:
        return fn()
    finally:
        gc.enable()


def bench_check(repeat: int) -> None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for nodes in (500, 5000):
            path = Path(tmp) / f"big{nodes}.yaml"
            path.write_text(big_script(nodes))
            (Path(tmp) / "p.yaml").write_text("id: p\nname: P\n")
            script, report = load_script(path)
            assert script is not None, [d.render() for d in report.items[:5]]
            parse = timed(lambda p=path: yaml.load(p.read_text(), Loader=loader), repeat)
            parse_nogc = timed(
                lambda p=path: _without_gc(lambda: yaml.load(p.read_text(), Loader=loader)), repeat
            )
            check = timed(lambda p=path: check_paths([p], search_path), repeat)
            results[nodes] = (parse, check)
            print(
                f"check {nodes:>5} nodes: {check * 1000:7.1f} ms; YAML parse alone "
                f"{parse * 1000:7.1f} ms; ratio {check / parse:.2f}x  (budget: 2x); against a parse "
                f"with the garbage collector off too ({parse_nogc * 1000:.1f} ms): {check / parse_nogc:.2f}x"
            )
        growth = results[5000][1] / results[500][1]
        print(f"check growth 500 -> 5000 nodes: {growth:.1f}x  (budget: at most 12x)")


def main() -> None:
    quick = "--quick" in sys.argv
    bench_step(200 if quick else 2000)
    bench_check(3 if quick else 7)


if __name__ == "__main__":
    main()
