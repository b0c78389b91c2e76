"""The labelled understanding set (tests/fixtures/understanding_eval.yaml): its shape, that
it was written apart from what the matcher learns from, and the figures that must not
regress on its held-out half (figures in full: tests/benchmarks/bench_understanding.py)."""

from __future__ import annotations

from collections import Counter

from rapidfuzz import fuzz, process

from rehearse.engine.runtime.intents import library
from rehearse.engine.runtime.words import normalise
from tests import evaluation as ev

#: The wrong-reply gate is the issue's 2%; the others hold what is measured today (1.8%
#: wrong, 77.5% at once, 90.0% with a check-back, 96.1% asked again, 91.2% of asides met as
#: asides) with a little room, so the figures cannot regress.
MAX_HELD_OUT_WRONG = 0.02
MIN_HELD_OUT_ACCURACY = 0.755
MIN_HELD_OUT_WITH_CHECKBACK = 0.88
MIN_OUT_OF_SCOPE = 0.94
MIN_ASIDES = 0.88
NEAR_IDENTICAL = 92
REGISTERS = {"plain", "terse", "casual", "formal", "rambling", "typos", "british", "american", "but", "curly"}


def items() -> list[ev.Item]:
    return ev.load(ev.UNDERSTANDING_SET)


def test_the_set_is_large_varied_and_a_third_out_of_scope() -> None:
    found = items()
    assert len(found) >= 600
    kinds = ev.counts(found)
    assert (kinds["aside"] + kinds["none"]) / len(found) >= 0.30
    assert set(Counter(i.register for i in found)) == REGISTERS
    pairs = Counter(i.pair for i in found if i.pair)
    assert len(pairs) >= 40 and set(pairs.values()) == {2}
    halves = Counter(i.half for i in found)
    assert halves["tune"] >= 250 and halves["held"] >= 250


def test_every_item_names_a_real_node_and_reply_of_a_bundled_script() -> None:
    problems = []
    for item in items():
        script = ev.catalog().scripts[item.script]
        node = script.nodes.get(item.node)
        if node is None or node.is_ending:
            problems.append(f"{item.script}/{item.node}: no such turn node")
            continue
        if item.in_scope and item.expect not in {r.id for r in node.replies}:
            problems.append(f"{item.script}/{item.node}: no reply {item.expect!r}")
        if item.intent not in {*library(), "other"}:
            problems.append(f"{item.text!r}: no intent {item.intent!r}")
    assert problems == []
    covered = {(i.script, i.node) for i in items()}
    every = {
        (s.id, n.id)
        for s in ev.catalog().scripts.values()
        if s.id in ev.SCRIPTS
        for n in s.nodes.values()
        if not n.is_ending
    }
    assert every <= covered


def test_it_was_written_apart_from_the_examples_and_the_library() -> None:
    learnt = [normalise(p.text) for intent in library().values() for p in intent.phrasings]
    close = []
    for item in items():
        text = normalise(item.text)
        examples = [normalise(e) for c in ev.candidates(item.script, item.node) for e in c.raw_examples]
        found = process.extractOne(text, [*examples, *learnt], scorer=fuzz.ratio, score_cutoff=NEAR_IDENTICAL)
        if found is not None and len(text.split()) > 3:
            close.append(f"{item.text!r} ~ {found[0]!r}")
    # Independent writers still land on a few stock sentences ("Thanks, that's really kind
    # of you"): at most 3% of the set may sit that close to something the matcher learnt.
    assert len(close) <= len(items()) * 3 // 100, close


def test_held_out_figures_do_not_regress() -> None:
    held = [i for i in items() if i.half == "held"]
    figures = ev.figures(ev.evaluate(held))
    assert figures.wrong_rate <= MAX_HELD_OUT_WRONG, figures.line()
    assert figures.accuracy >= MIN_HELD_OUT_ACCURACY, figures.line()
    assert figures.with_checkback >= MIN_HELD_OUT_WITH_CHECKBACK, figures.line()
    assert figures.out_recall >= MIN_OUT_OF_SCOPE, figures.line()
    assert figures.aside_right >= MIN_ASIDES, figures.line()
