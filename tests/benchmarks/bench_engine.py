"""Engine benchmarks: what a user of the engine waits for, with medians and the spread.

    python tests/benchmarks/bench_engine.py [--quick]

1. One engine step (match + coach + render), p50/p99 (the median of five runs that
   alternate the workloads, with the spread of the p99), on a node with 8 replies x 8 examples
   and on the bundled node with the most examples, both with variations of its examples and
   with what people wrote there in the evaluation sets (tests/fixtures/*_eval.yaml and the
   bundled test plans' steps, each text as if seen for the first time) (budget: p99 under
   5 ms each); the live coach check per keystroke (budget 1 ms).
2. `rehearse check` on generated 500- and 5,000-node scripts, each run a fresh process
   (`python -m rehearse check FILE`), alternating with a fresh process that only parses the
   same YAML with libyaml's C loader (budget: 5,000 nodes within 1.5x of the parse; 500 ->
   5,000 nodes within 12x). The parse with the garbage collector off is shown too.
3. `rehearse replay --plain` of a stored 1,000-turn session, in a fresh process (budget:
   under 1.5 s).
Not collected by pytest: timings never belong in tests.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from rehearse.engine.compile.loader import persona_from_text, script_from_text  # noqa: E402
from rehearse.engine.model import Persona  # noqa: E402
from rehearse.engine.runtime import coach as coach_module  # noqa: E402
from rehearse.engine.runtime import matching, recognise, spelling, words  # noqa: E402
from rehearse.engine.runtime.coach import coach  # noqa: E402
from rehearse.engine.runtime.session import Setup, begin, examples_of, step  # noqa: E402
from rehearse.engine.runtime.warm import warm_up  # noqa: E402
from rehearse.history.store import Store  # noqa: E402
from rehearse.workspace.library import catalog  # noqa: E402

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
                # (what a check-back says back: without it, check would time printing a W125
                # warning for each of the 15,000 replies rather than checking them)
                f"        means: 'you pick option {r}'",
                "        say: [" + ", ".join(f"'{phrase(rng, n)}'" for n in (5, 4, 6, 3)) + "]",
                "        score: {clarity: 1}",
                "        next:",
                f'          - when: "visits.n{i} > 1"',
                f"            to: n{target}",
                f"          - to: n{target}",
            ]
    return "\n".join(out) + "\n"


OPENERS = ("", "", "Honestly, ", "Well, ", "I think ", "Okay. ", "To be fair, ")


def variation(rng: random.Random, replies: list[tuple[object, list[str]]]) -> str:
    """What someone might type at a node: one of its examples (as shown), a word dropped and
    another swapped for one of the node's words, maybe an opener, now and then two joined."""
    vocabulary = [w for _, examples in replies for e in examples for w in e.split()]

    def one() -> str:
        words = rng.choice(rng.choice(replies)[1]).split()
        if len(words) > 3:
            del words[rng.randrange(len(words))]
            words[rng.randrange(len(words))] = rng.choice(vocabulary)
        return " ".join(words)

    text = rng.choice(OPENERS) + one()
    return f"{text} {one()}" if rng.random() < 0.2 else text


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def spread(values: list[float], unit: str = "ms", scale: float = 1000) -> str:
    return (
        f"median {statistics.median(values) * scale:.1f} {unit} "
        f"(min {min(values) * scale:.1f}, max {max(values) * scale:.1f}, n={len(values)})"
    )


def _forget_texts() -> None:
    """Empty the caches keyed by a reply's text: a person types a reply once, so a step is
    timed as on the first sight of its text even when the bench repeats it."""
    for cached in (
        recognise.recognise,
        recognise.features,
        matching.phrase_of,
        matching._read,
        matching._clause_readings,
        matching._long_tokens,
        coach_module._coach_cached,
        words.expand,
        spelling._nearest,  # (by word: a misspelling typed for the first time)
    ):
        cached.cache_clear()


def _step_times(state, texts: list[str], cold: bool = False) -> list[float]:  # type: ignore[no-untyped-def]
    step(state, texts[0])  # the first step at a node prepares its examples, once per session
    times = []
    for text in texts:
        if cold:
            _forget_texts()
        t0 = time.perf_counter()
        step(state, text)
        times.append((time.perf_counter() - t0) * 1000)
    return times


RUNS = 5
"""Each step workload is timed in this many runs, alternating with the others, so that a
burst of load on the machine lands in one run of each rather than in one workload."""


def _report_step(what: str, runs: list[list[float]]) -> None:
    """p50 and p99 of each run; the verdict is on the median run's p99."""
    p50s = [percentile(times, 50) for times in runs]
    p99s = [percentile(times, 99) for times in runs]
    p99 = statistics.median(p99s)
    print(
        f"engine step, {what}: p50 {statistics.median(p50s):.2f} ms, p99 {p99:.2f} ms "
        f"(p99 of {len(runs)} runs of {len(runs[0])} steps: min {min(p99s):.2f}, max {max(p99s):.2f})  "
        f"(budget: p99 < 5 ms: {'OK' if p99 < 5 else 'OVER'})"
    )


def bench_step(rounds: int) -> None:
    script, report = script_from_text(wide_node_script(), "wide.yaml")
    assert script is not None, [d.render() for d in report.items]
    bundled = catalog([])  # the app has its catalog before a conversation opens ...
    warm_up()  # ... and warms up in a worker when one opens
    persona = Persona(id="p", name="P")
    wide = begin(Setup(script, persona, user_name="Ana", seed=1))
    rng = random.Random(2)
    wide_texts = [f"I think {phrase(rng, rng.randint(3, 14))}, if that's okay" for _ in range(rounds)]

    script, node = max(
        ((s, n) for s in bundled.scripts.values() for n in s.nodes.values()),
        key=lambda sn: sum(len(r.say) for r in sn[1].replies),
    )
    state = begin(Setup(script, bundled.personas_for(script)[0], user_name="Ana", seed=1))
    state = replace(state, node=node.id)
    written = _eval_texts(script.id, node.id)
    varied = [variation(rng, examples_of(state, node)) for _ in range(rounds)]
    examples = sum(len(r.say) for r in node.replies)
    where = f"{script.id}:{node.id}, {len(node.replies)} replies, {examples} examples"
    people = f"{len(written)} replies people wrote there, each as new"
    as_new = [written[i % len(written)] for i in range(max(rounds, len(written)))]
    workloads = (
        ("8 replies x 8 examples", wide, wide_texts, False),
        (f"largest bundled node ({where})", state, varied, False),
        (f"largest bundled node, {people}", state, as_new, True),
    )
    runs: dict[str, list[list[float]]] = {what: [] for what, *_ in workloads}
    for run in range(RUNS):
        for what, at, texts, cold in workloads:
            runs[what].append(_step_times(at, texts[run::RUNS], cold))
    for what, timed in runs.items():
        _report_step(what, timed)

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


def _eval_texts(script: str, node: str) -> list[str]:
    """What people wrote at this node in the evaluation sets and the test plans' steps."""
    from tests import evaluation

    sets = (evaluation.UNDERSTANDING_SET, evaluation.MATCH_SET, evaluation.PLAN_STEPS)
    return [i.text for path in sets for i in evaluation.load(path) if (i.script, i.node) == (script, node)]


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(REHEARSE_HOME=str(home), PYTHONPATH=str(ROOT))
    return env


def _wall(argv: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


PARSE = "import sys, yaml\nyaml.load(open(sys.argv[1], encoding='utf-8').read(), Loader=yaml.CSafeLoader)\n"
PARSE_NO_GC = "import gc\ngc.disable()\n" + PARSE


def bench_check(repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        env = _env(home)
        results: dict[int, dict[str, list[float]]] = {}
        for nodes in (500, 5000):
            path = Path(tmp) / f"big{nodes}.yaml"
            path.write_text(big_script(nodes))
            (Path(tmp) / "p.yaml").write_text("id: p\nname: P\n")
            argvs = {
                "check": [sys.executable, "-m", "rehearse", "check", str(path)],
                "parse": [sys.executable, "-c", PARSE, str(path)],
                "parse, gc off": [sys.executable, "-c", PARSE_NO_GC, str(path)],
            }
            for argv in argvs.values():  # untimed: bytecode and the OS file cache
                _wall(argv, env)
            times: dict[str, list[float]] = {k: [] for k in argvs}
            for _ in range(repeat):
                for name, argv in argvs.items():
                    times[name].append(_wall(argv, env))
            results[nodes] = times
            for name, values in times.items():
                print(f"{name:>14} {nodes:>5} nodes: {spread(values)}")
            check, parse = (statistics.median(times[k]) for k in ("check", "parse"))
            pairs = sorted(c / p for c, p in zip(times["check"], times["parse"], strict=True))
            verdict = "OK" if check / parse <= 1.5 else "OVER"
            no_gc = statistics.median(times["parse, gc off"])
            print(
                f"check / parse, {nodes} nodes: {check / parse:.2f}x "
                f"(pairwise {pairs[0]:.2f}-{pairs[-1]:.2f})"
                + (f"  (budget 1.5x: {verdict})" if nodes == 5000 else "")
                + f"; against the parse with gc off: {check / no_gc:.2f}x"
            )
        growth = statistics.median(results[5000]["check"]) / statistics.median(results[500]["check"])
        verdict = "OK" if growth <= 12 else "OVER"
        print(f"check growth 500 -> 5000 nodes: {growth:.1f}x  (budget: at most 12x: {verdict})")


def long_session(home: Path, turns: int) -> int:
    """A stored session of ``turns`` different replies on the 8x8 node, which loops."""
    source = wide_node_script()
    script, _ = script_from_text(source, str(home / "wide.yaml"))
    persona, _ = persona_from_text("id: p\nname: P\n", str(home / "p.yaml"))
    assert script is not None and persona is not None
    state = begin(Setup(script, persona, user_name="Ana", seed=1))
    examples = [
        t.source.replace("{{ role }}", "lead") for r in script.nodes["hub"].replies[1:] for t in r.say
    ]
    rng = random.Random(3)
    for i in range(turns):
        state, _turn = step(state, f"{examples[i % len(examples)]} {phrase(rng, 2)}")
    assert state.ending is None and len(state.transcript) >= turns
    with Store.open(home / "sessions.sqlite3") as store:
        return store.start(state)


def bench_replay(repeat: int, turns: int = 1000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        session = long_session(home, turns)
        argv = [sys.executable, "-m", "rehearse", "replay", str(session), "--plain"]
        env = _env(home)
        _wall(argv, env)
        times = [_wall(argv, env) for _ in range(repeat)]
        verdict = "OK" if statistics.median(times) < 1.5 else "OVER"
        print(
            f"replay --plain of a {turns}-turn session: {spread(times, 's', 1)}  (budget < 1.5 s: {verdict})"
        )


def main() -> None:
    quick = "--quick" in sys.argv
    bench_step(200 if quick else 2000)
    bench_replay(3 if quick else 7)
    bench_check(3 if quick else 7)


if __name__ == "__main__":
    main()
