"""The labelled evaluation set for the matcher (tests/fixtures/match_eval.yaml).

The set's shape is checked here, and the one figure that must not regress: how often the
matcher picks a wrong reply (a reply other than the label, or any reply when the label is
clarify). Needless clarifies are cheap and are reported by tests/benchmarks/bench_matching.py.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

import pytest
import yaml
from rapidfuzz import fuzz

from rehearse.engine.runtime.matching import Candidate, decide, normalise
from rehearse.engine.runtime.session import Setup, begin
from rehearse.workspace import library as resolve

EVAL_SET = Path(__file__).resolve().parents[1] / "fixtures" / "match_eval.yaml"
CLARIFY = "clarify"
MAX_WRONG_REPLY_RATE = 0.02
NEAR_IDENTICAL = 90


def load_set() -> list[dict[str, str]]:
    return list(yaml.safe_load(EVAL_SET.read_text(encoding="utf-8")))


SCRIPTS = ("not-this-role", "fumbled-promotion", "passed-over")


@cache
def _catalog():  # type: ignore[no-untyped-def]
    # Only ever called under the autouse rehearse_home fixture: bundled scripts only.
    catalog = resolve.catalog([])
    missing = [s for s in SCRIPTS if s not in catalog.scripts]
    assert not missing, f"bundled scripts did not load: {missing}\n" + "\n".join(
        b.first.render() for b in catalog.broken if b.first
    )
    return catalog


def candidates(script_id: str, node: str) -> tuple[Candidate, ...]:
    return _candidates(script_id, node)


@cache
def _candidates(script_id: str, node: str) -> tuple[Candidate, ...]:
    catalog = _catalog()
    script = catalog.scripts[script_id]
    persona = catalog.personas[script.personas[0]]
    state = begin(Setup(script, persona))
    return dataclasses.replace(state, node=node).candidates()


def test_set_has_enough_utterances_and_enough_out_of_scope() -> None:
    items = load_set()
    assert len(items) >= 150, len(items)
    clarify = sum(1 for e in items if e["expect"] == CLARIFY)
    assert clarify / len(items) >= 0.25, f"{clarify}/{len(items)} labelled clarify"


def test_every_entry_names_a_real_node_and_reply() -> None:
    problems = []
    for e in load_set():
        assert set(e) >= {"script", "node", "text", "expect"}, e
        script = _catalog().scripts.get(e["script"])
        if script is None or e["node"] not in script.nodes or script.nodes[e["node"]].is_ending:
            problems.append(f"{e['script']}/{e['node']}: no such turn node")
            continue
        ids = {c.id for c in candidates(e["script"], e["node"])}
        if e["expect"] != CLARIFY and e["expect"] not in ids:
            problems.append(f"{e['script']}/{e['node']}: no reply {e['expect']!r}")
    assert not problems, "\n".join(problems)


def test_no_utterance_is_near_identical_to_an_example_of_its_node() -> None:
    close = []
    for e in load_set():
        text = normalise(e["text"])
        for cand in candidates(e["script"], e["node"]):
            for example in cand.raw_examples:
                ratio = fuzz.ratio(text, normalise(example))
                if ratio >= NEAR_IDENTICAL:
                    where = f"{e['script']}/{e['node']}"
                    close.append(f"{where}: {e['text']!r} ~ {example!r} ({ratio:.0f})")
    assert not close, "utterances too close to a `say` example:\n" + "\n".join(close)


def test_wrong_reply_rate_is_at_most_two_percent() -> None:
    items = load_set()
    wrong = []
    for e in items:
        decision = decide(e["text"], candidates(e["script"], e["node"]))
        got = decision.reply if decision.kind == "matched" else CLARIFY
        if got != CLARIFY and got != e["expect"]:
            top = ", ".join(f"{s.reply} {s.score:.0f}" for s in decision.scores[:3])
            kind = "false accept" if e["expect"] == CLARIFY else "wrong option"
            wrong.append(
                f"{kind}: {e['script']}/{e['node']}: {e['text']!r} expected {e['expect']}, "
                f"got {got} (top: {top})"
            )
    rate = len(wrong) / len(items)
    assert rate <= MAX_WRONG_REPLY_RATE, (
        f"wrong-reply rate {rate:.1%} ({len(wrong)}/{len(items)}) > {MAX_WRONG_REPLY_RATE:.0%}:\n"
        + "\n".join(wrong)
    )


@pytest.mark.parametrize("key", ["script", "node", "text", "expect"])
def test_entries_are_plain_strings(key: str) -> None:
    assert all(isinstance(e[key], str) and e[key].strip() for e in load_set())
