"""The older labelled set (tests/fixtures/match_eval.yaml, written apart from the scripts'
examples by an earlier writer): the understanding layer tunes on it, and must keep taking
a wrong reply at most 2% of the time on it."""

from __future__ import annotations

from tests import evaluation as ev

MAX_WRONG = 0.02


def test_the_older_set_names_real_replies_and_stays_under_two_percent_wrong() -> None:
    items = ev.load(ev.MATCH_SET)
    assert len(items) >= 300
    for item in items:
        if item.in_scope:
            assert item.expect in {c.id for c in ev.candidates(item.script, item.node)}, item
    figures = ev.figures(ev.evaluate(items))
    assert figures.wrong_rate <= MAX_WRONG, figures.line()
    assert figures.out_recall >= 0.9, figures.line()
