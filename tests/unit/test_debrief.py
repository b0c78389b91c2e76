"""Rubric arithmetic and the debrief: every point traced to the turn that gave it."""

from __future__ import annotations

from rehearse.engine.runtime import session
from rehearse.engine.runtime.debrief import BASE, FLAG_POINTS, POINTS_PER_SCORE, build_debrief, highlight

from .helpers import mini_state


def play(*inputs: str):  # type: ignore[no-untyped-def]
    return session.play(mini_state().setup, list(inputs))


def test_scores_start_at_base_and_move_by_reply_points() -> None:
    debrief = build_debrief(play("I want to apply for the lead position", "yes please"))
    dims = {d.name: d for d in debrief.dimensions}
    assert dims["clarity"].score == BASE + 2 * POINTS_PER_SCORE
    assert dims["grace"].score == BASE and dims["grace"].contributions == ()
    [c] = dims["clarity"].contributions
    assert (c.turn, c.points, c.source) == (1, 20, "reply 'want'")


def test_flags_on_checks_tied_to_a_dimension_cost_points() -> None:
    # a hedged ask is checked back ("You mean ...?"); the yes settles it
    state = play("sorry to bother you, I was just wondering if maybe I could apply for the lead job", "yes")
    dims = {d.name: d for d in build_debrief(state).dimensions}
    sources = sorted(c.source for c in dims["clarity"].contributions)
    assert sources == ["flag 'hedge'", "flag 'self-apology'", "reply 'want'"]
    assert dims["clarity"].score == BASE + 2 * POINTS_PER_SCORE + 2 * FLAG_POINTS


def test_scores_are_clamped_to_0_100() -> None:
    state = play("Bob is useless at his job", "Bob is still useless")
    dims = {d.name: d for d in build_debrief(state).dimensions}
    assert dims["grace"].score == BASE - 4 * POINTS_PER_SCORE
    assert all(0 <= d.score <= 100 for d in dims.values())


def test_turn_reviews_carry_understanding_model_answer_and_coach_note() -> None:
    debrief = build_debrief(play("the weather is nice", "Bob is useless at his job"))
    first, second = debrief.turns
    assert first.reply is None
    assert first.model == "I'd like to be considered for the lead job."
    assert second.reply == "knock_peer" and second.coach_note == "Talk about yourself, not Bob."
    assert debrief.key_turns == (second,)


def test_next_time_lists_recurring_flags_first() -> None:
    state = play("sorry, I just wondered if maybe I could be considered", "not yet")
    state = session.undo(state)
    state, _ = session.step(state, "I was just wondering if maybe we could set it up, sorry")
    tips = build_debrief(state).next_time
    hedge_tip = next(
        f.check.suggestion for t in state.transcript for f in t.coaching if f.check.id == "hedge"
    )
    assert tips[0] == hedge_tip


def test_highlight_marks_flagged_words_but_not_whole_reply_flags() -> None:
    state = play("sorry to bother you, could I apply for the lead job")
    turn = state.transcript[1]
    marked = highlight(turn.user or "", turn.coaching)
    assert marked.startswith("«sorry to bother»")
