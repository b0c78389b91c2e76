"""Rubric arithmetic and the debrief: every point traced to the turn that gave it."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from rehearse.engine.runtime import session
from rehearse.engine.runtime.debrief import (
    BASE,
    FLAG_POINTS,
    POINTS_PER_SCORE,
    Contribution,
    DimensionScore,
    build_debrief,
    highlight,
    merged,
    next_time,
    overall,
    score_of,
    verdict_of,
)

from .helpers import mini_state


def play(*inputs: str):  # type: ignore[no-untyped-def]
    return session.play(mini_state().setup, list(inputs))


def test_a_dimension_the_replies_raise_is_met_and_one_never_touched_is_not_shown() -> None:
    debrief = build_debrief(play("I want to apply for the lead position", "yes please"))
    dims = {d.name: d for d in debrief.dimensions}
    assert dims["clarity"].score == BASE + 2 * POINTS_PER_SCORE
    assert dims["clarity"].verdict == "met" and dims["clarity"].line == "You said what you want."
    [c] = dims["clarity"].contributions
    assert (c.turn, c.points, c.ref, c.source) == (
        1,
        20,
        "want",
        "your reply, taken as “Say you want the job”",
    )
    # never touched: no score, no verdict line, and the total is clarity's alone
    assert (dims["grace"].verdict, dims["grace"].score, dims["grace"].line) == ("not_shown", None, None)
    assert debrief.score == dims["clarity"].score
    assert debrief.next_time == ()


def test_flags_on_checks_tied_to_a_dimension_make_it_partly_met() -> None:
    # a hedged ask is checked back ("You mean ...?"); the yes settles it
    state = play("sorry to bother you, I was just wondering if maybe I could apply for the lead job", "yes")
    dims = {d.name: d for d in build_debrief(state).dimensions}
    sources = sorted(c.source for c in dims["clarity"].contributions)
    assert sources == [
        "a flag: Apologising for yourself",
        "a flag: Hedging the ask",
        "your reply, taken as “Say you want the job”",
    ]
    assert dims["clarity"].score == BASE + 2 * POINTS_PER_SCORE + 2 * FLAG_POINTS
    # the met line claims "You said what you want": not shown for a partly met criterion
    assert dims["clarity"].verdict == "partly" and dims["clarity"].line is None
    assert "Say plainly what you want." in build_debrief(state).next_time


def test_only_losses_is_missed_and_scores_are_clamped_to_0_100() -> None:
    state = play("Bob is useless at his job", "Bob is still useless")
    debrief = build_debrief(state)
    dims = {d.name: d for d in debrief.dimensions}
    assert dims["grace"].score == BASE - 4 * POINTS_PER_SCORE and dims["grace"].verdict == "missed"
    assert all(0 <= d.score <= 100 for d in dims.values() if d.score is not None)
    assert "Be kind about colleagues." in debrief.next_time


@given(st.lists(st.integers(-3, 3), max_size=30))
def test_verdicts_follow_the_signs_of_the_evidence(points: list[int]) -> None:
    contribs = [Contribution(i, "d", p * POINTS_PER_SCORE, "reply", "r", "R") for i, p in enumerate(points)]
    gains, losses = any(p > 0 for p in points), any(p < 0 for p in points)
    expected = {(True, True): "partly", (True, False): "met", (False, True): "missed"}.get(
        (gains, losses), "not_shown"
    )
    assert verdict_of(contribs) == expected


def test_a_flag_made_good_later_is_no_evidence_against() -> None:
    """Declining without an alternative, then naming one: the dimension is met, not partly
    met, and its criterion is not offered as a tip for next time."""
    flag = Contribution(3, "d", FLAG_POINTS, "flag", "decline", "Declining without an alternative")
    good = Contribution(4, "d", -FLAG_POINTS, "made_good", "decline", "Declining without an alternative")
    reply = Contribution(4, "d", 2 * POINTS_PER_SCORE, "reply", "goal", "Name it")
    assert verdict_of([flag, good, reply]) == "met"
    assert verdict_of([flag, reply]) == "partly"  # never made good
    later = replace(flag, turn=7)  # flagged again after it was made good: against again
    assert verdict_of([flag, good, reply, later]) == "partly"


def test_a_cost_always_shows_however_far_the_gains_go_over_the_top() -> None:
    """Four good replies and a hedge flagged: "partly met" must not read 100/100."""
    gains = [Contribution(i, "d", 2 * POINTS_PER_SCORE, "reply", "r", "R") for i in range(4)]
    flag = Contribution(5, "d", FLAG_POINTS, "flag", "hedge", "Hedging the ask")
    assert score_of(gains) == 100
    assert score_of([*gains, flag]) == 100 + FLAG_POINTS
    assert verdict_of([*gains, flag]) == "partly"
    good = Contribution(6, "d", -FLAG_POINTS, "made_good", "hedge", "Hedging the ask")
    assert score_of([*gains, flag, good]) == 100  # made good: no cost left
    losses = [Contribution(i, "d", -3 * POINTS_PER_SCORE, "reply", "r", "R") for i in range(3)]
    assert score_of([*losses, gains[0]]) == 0


@given(st.lists(st.integers(-3, 3), max_size=30))
def test_a_score_is_within_bounds_and_never_full_with_a_cost(points: list[int]) -> None:
    contribs = [Contribution(i, "d", p * POINTS_PER_SCORE, "reply", "r", "R") for i, p in enumerate(points)]
    score = score_of(contribs)
    assert 0 <= score <= 100
    assert score < 100 or all(p >= 0 for p in points)


def test_alike_contributions_of_a_turn_read_once() -> None:
    """A reply that makes good three earlier flags of one check is one line, its points
    summed; other turns, checks and kinds stay apart, in the order they came."""
    title = "Declining without an alternative"
    flags = [Contribution(t, "d", FLAG_POINTS, "flag", "decline", title) for t in (1, 2, 3)]
    goods = [Contribution(4, "d", -FLAG_POINTS, "made_good", "decline", title) for _ in range(3)]
    ask = Contribution(4, "d", -FLAG_POINTS, "made_good", "no_ask", "No explicit ask")
    reply = Contribution(4, "d", 2 * POINTS_PER_SCORE, "reply", "goal", "Name it")
    out = merged([*flags, *goods, ask, reply])
    assert [(c.turn, c.kind, c.points) for c in out] == [
        (1, "flag", FLAG_POINTS),
        (2, "flag", FLAG_POINTS),
        (3, "flag", FLAG_POINTS),
        (4, "made_good", -3 * FLAG_POINTS),
        (4, "made_good", -FLAG_POINTS),
        (4, "reply", 2 * POINTS_PER_SCORE),
    ]
    assert out[3].source == f"making good 3 flags: {title}"
    assert out[4].source == "making good a flag: No explicit ask"
    assert out[0].source == f"a flag: {title}"
    assert sum(c.points for c in out) == sum(c.points for c in [*flags, *goods, ask, reply])


def test_the_total_ignores_dimensions_not_shown() -> None:
    def dim(score: int | None) -> DimensionScore:
        return DimensionScore("d", "c", "not_shown" if score is None else "met", score, (), None)

    assert overall([dim(80), dim(None), dim(60)]) == 70
    assert overall([dim(None)]) is None


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


def test_next_time_gives_the_same_advice_once_however_it_is_worded() -> None:
    def missed(name: str, criterion: str) -> DimensionScore:
        return DimensionScore(name, criterion, "missed", 0, (), None)

    tips = next_time(
        [],
        [
            missed("direction", "After the no, say what you want instead and ask for help toward it."),
            missed("clarity", "Name what you want instead, and ask for concrete help toward it."),
            missed("gratitude", "Thank your boss for the vote of confidence."),
        ],
    )
    assert tips == (
        "After the no, say what you want instead and ask for help toward it.",
        "Thank your boss for the vote of confidence.",
    )


def test_a_flag_a_later_reply_made_good_owes_no_tip() -> None:
    """No ask in turn 1, an ask in turn 2: "Name it" would tell you to do what you did."""
    from rehearse.engine.runtime.coach import coach
    from rehearse.engine.runtime.debrief import TurnReview

    def review(index: int, text: str) -> TurnReview:
        flags = coach(text, expects={"ask", "decline"})
        return TurnReview(index, "n", text, None, flags, None, None, 0)

    vague = review(1, "No thanks, I will pass on it.")
    checks = {f.check.id for f in vague.flags}
    assert {"no-ask", "decline-no-alternative"} <= checks
    alone = next_time([vague])
    owed = [f.check.suggestion for f in vague.flags if f.check.id in ("no-ask", "decline-no-alternative")]
    assert all(tip in alone for tip in owed)
    made_good = review(
        2, "What I'd really like is to build the training side; could you help me get a course?"
    )
    assert not any(tip in next_time([vague, made_good]) for tip in owed)
    # ... while a later reply that makes neither good leaves them owed
    assert all(tip in next_time([vague, review(2, "It's just not for me.")]) for tip in owed)


def test_highlight_marks_flagged_words_but_not_whole_reply_flags() -> None:
    state = play("sorry to bother you, could I apply for the lead job")
    turn = state.transcript[1]
    marked = highlight(turn.user or "", turn.coaching)
    assert marked.startswith("«sorry to bother»")


def _with_sam(*replies: str) -> tuple[session.State, list[session.Turn]]:
    """passed-over with Sam, these replies said in turn."""
    from rehearse.workspace.library import catalog

    found = catalog()
    state = session.begin(
        session.Setup(found.scripts["passed-over"], found.personas["sam"], user_name="Ana", seed=1)
    )
    turns = []
    for reply in replies:
        state, turn = session.step(state, reply)
        turns.append(turn)
    return state, turns


def test_a_key_turn_that_settled_a_check_back_says_what_it_confirmed() -> None:
    from rehearse.views.session import view_of_state

    asked = "Thanks for telling me. What could I have done differently?"
    state, turns = _with_sam(asked, "yes")
    assert turns[0].kind == "checkback"
    key = next(k for k in view_of_state(state).key_turns if k.index == 2)
    assert key.you == f"yes (confirming “{asked}”)"


def test_a_new_reply_after_a_check_back_is_not_called_a_confirmation() -> None:
    from rehearse.views.session import view_of_state

    opening = "Thanks for telling me yourself. I'm disappointed, not going to lie, but I'd value your advice."
    asked = "Where exactly did I fall short?"
    instead = "Fair enough. Could we agree a plan with a check-in in three months?"  # not a yes or a no
    state, (first, checked, new) = _with_sam(opening, asked, instead)
    assert first.decision is not None and first.decision.kind == "matched"
    assert checked.kind == "checkback"
    assert new.decision is not None and new.decision.kind == "matched"
    view = view_of_state(state)
    key = next(k for k in view.key_turns if k.index == 3)
    assert key.you == instead
    assert not next(t for t in view.turns if t.index == 3).confirmed


def test_a_no_to_a_check_back_is_not_called_a_reply_not_understood() -> None:
    """The boss misread and you said so: the no is neither a miss nor a graded moment."""
    from rehearse.engine.practice.moments import assess
    from rehearse.views.session import view_of_state

    asked = "Thanks for telling me. What could I have done differently?"
    state, (checked, no) = _with_sam(asked, "no")
    assert checked.kind == "checkback" and no.kind == "clarify"
    said_no = next(t for t in view_of_state(state).turns if t.index == 2)
    assert said_no.understood.headline == "not what you meant"
    assert said_no.understood.detail == "you said no when the boss checked, so the boss asked again"
    assert "not understood" not in said_no.understood.text
    before = state.previous
    assert before is not None and assess(before, no) is None


def test_a_flag_made_good_by_a_later_reply_is_made_good_in_the_rubric_too() -> None:
    """No thanks in turn 1, thanks in turn 2: "gratitude: missed" (or "partly met") would
    deny the thanks. Turn 1 is the hedge's own example (always taken, and hedging scores
    nothing for gratitude), so only the flag and its making good count."""
    from rehearse.workspace.library import catalog

    found = catalog()
    setup = session.Setup(found.scripts["not-this-role"], found.personas["sam"], user_name="Ana", seed=21)
    replies = (
        "maybe? I keep going back and forth",
        "Thanks, that's kind of you. But I'd rather focus on training and development.",
    )
    dims = {d.name: d for d in build_debrief(session.play(setup, list(replies))).dimensions}
    gratitude = [(c.turn, c.points, c.source) for c in dims["gratitude"].contributions]
    assert gratitude == [
        (1, FLAG_POINTS, "a flag: Leaving out thanks"),
        (2, -FLAG_POINTS, "making good a flag: Leaving out thanks"),
    ]
    assert dims["gratitude"].verdict == "met" and dims["gratitude"].score == BASE


def test_a_reply_taken_by_its_intent_is_said_to_be_read_so_not_a_match_percentage() -> None:
    """The score of a reply its intent's reading carried is that confidence scaled, 70 at
    most: shown as "70% match, closest to ..." it claimed a likeness to the example that
    nothing measured. Words that match an example still show how closely."""
    from rehearse.views.session import view_of_state

    state, _ = _with_sam("Bit deflated, if I'm honest. I'd set my heart on it.")
    said = view_of_state(state).turns[0].understood.text
    assert said.startswith(
        "understood as “Tell them how upset you are” (read as “Say how disappointed you are”"
    )
    assert "% match" not in said
    state, _ = _with_sam("I'm okay, thanks. I'd really like your advice on what to work on.")
    assert "% match, closest to “" in view_of_state(state).turns[0].understood.text
    # a reply not understood names its nearest reply the same way
    from rehearse.history.codec import records_of
    from rehearse.views.session import understood

    state, _ = _with_sam("Bit deflated, if I'm honest. I'd set my heart on it.")
    said_turn = next(r for r in records_of(state) if r.user)
    missed = replace(said_turn, decision="none", reply=None, kind="clarify")
    assert understood(missed).detail == (
        "the boss asked you to say it another way (closest: “vent”, read as “Say how disappointed you are”)"
    )
    # a session kept by a library that had an intent this one has not never shows its name
    unknown = tuple(
        replace(s, notes=("intent no_such_intent 0.93",)) if s.reply == said_turn.reply else s
        for s in said_turn.scores
    )
    shown = understood(replace(said_turn, scores=unknown)).text
    assert "no_such_intent" not in shown and "% match" in shown
