"""Opposite replies, a reply read without its one "not", and an answer in the words of the
boss's question (runtime/polarity.py, and how the matcher uses them)."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from rehearse.engine.runtime import matching
from rehearse.engine.runtime.polarity import Question, opposite_replies, with_a_not, without_its_not

from .helpers import transcript_says


@dataclass(frozen=True)
class _Reply:
    id: str
    raw_examples: tuple[str, ...] = ()
    intents: tuple[str, ...] = ()


def test_a_statement_loses_its_one_not() -> None:
    assert without_its_not("I wouldn't like to take it on.") == "i would like to take it on"
    assert without_its_not("It's not nerves.") == "it is nerves"


def test_no_reading_without_a_not_for_two_nots_a_hedge_or_a_short_text() -> None:
    assert without_its_not("I would like to take it on.") is None
    assert without_its_not("It's not that I don't want it.") is None  # two negators
    assert without_its_not("I'm not sure I want it.") is None  # a hedge, not the opposite
    assert without_its_not("Not me.") is None  # too short to read again


def test_a_plain_statement_takes_a_not_after_its_auxiliary_or_its_subject() -> None:
    assert with_a_not("I'd like to take it on.") == "i would not like to take it on"
    assert with_a_not("I accept that it's final.") == "i do not accept that it is final"
    assert with_a_not("Yeah, I think it was the right call.") == "yeah i do not think it was the right call"


def test_no_reading_with_a_not_for_a_negation_a_question_a_hedge_or_a_short_text() -> None:
    assert with_a_not("I wouldn't like to take it on.") is None  # has its "not" already
    assert with_a_not("how would you even know that about me") is None  # a question, unmarked
    assert with_a_not("Would that be formal?") is None
    assert with_a_not("I'm sure it's right.") is None  # "not sure" hedges
    assert with_a_not("Fair enough.") is None  # too short to read again


def test_replies_are_opposites_by_intent_or_by_a_negation_twin() -> None:
    replies = [
        _Reply("take", ("Count me in.",), ("express_interest",)),
        _Reply("decline", ("Not for me.",), ("decline_role",)),
        _Reply("nerves", ("It is nerves.",)),
        _Reply("not_nerves", ("It isn't nerves.",)),
        _Reply("other", ("Can we talk about pay?",)),
    ]
    found = opposite_replies(replies)
    assert found["take"] == {"decline"} and found["decline"] == {"take"}
    assert found["nerves"] == {"not_nerves"} and found["not_nerves"] == {"nerves"}
    assert found["other"] == frozenset()


MEAN_IT = Question.of(
    ["Leave? {% if flags.x %}Really? {% endif %}Do you mean it?", "Are you {{ how }} serious?"]
)


def test_a_short_answer_in_the_question_s_words_is_its_yes_or_no() -> None:
    assert MEAN_IT.answer("I mean it.") == "affirm"
    assert MEAN_IT.answer("I really do mean it") == "affirm"
    assert MEAN_IT.answer("I don't mean it.") == "deny"
    assert MEAN_IT.answer("I'm not serious.") == "deny"
    assert MEAN_IT.answer("I'd mean it not.") != "affirm"  # a "not" with nothing after it is no yes


def test_what_is_not_an_answer_to_the_question() -> None:
    assert MEAN_IT.answer("Do I mean it?") is None  # a question back
    assert MEAN_IT.answer("I don't know if I mean it.") is None  # two negators
    assert MEAN_IT.answer("Maybe I mean it.") is None  # undecided
    assert MEAN_IT.answer("Yes and no, I mean it.") is None
    assert MEAN_IT.answer("Can we talk about the training budget instead") is None  # other words
    words = "I mean it, I have been thinking about it for months now"
    assert MEAN_IT.answer(words) is None  # too long to be a plain answer
    assert Question().answer("I mean it.") is None  # nothing asked


def test_a_not_the_question_has_is_an_echo_not_a_no() -> None:
    regret = Question.of(["Will you regret not trying?"])
    assert regret.answer("I would regret not trying.") == "affirm"
    assert regret.answer("I wouldn't regret not trying.") == "deny"
    sure = Question.of(["You won't regret it?"])
    assert sure.answer("I won't regret it.") == "affirm"
    assert sure.answer("I would regret it.") == "deny"  # the question's "not" left out


@given(st.lists(st.sampled_from(["lead", "team", "project", "want"]), max_size=3))
def test_the_question_s_own_words_are_its_yes_and_with_a_not_its_no(words: list[str]) -> None:
    asked = Question.of(["Do you want to lead the team and own the project?"])
    said = " ".join(["want", *words])
    assert asked.answer(f"I {said}") == "affirm"
    assert asked.answer(f"I do not {said}") == "deny"


def test_only_the_question_s_own_words_and_a_not_of_what_it_asks_answer_it() -> None:
    headache = Question.of(["Are you sure you want the headache? It's a lot of meetings."])
    assert headache.answer("I'm sure.") == "affirm"
    assert headache.answer("I'm not sure I want it.") is None  # a hedge
    assert headache.answer("I want to be sure first.") is None  # "first" is not asked about
    assert headache.answer("It won't be a headache.") is None  # says no to what was not asked
    assert headache.answer("I'm sure, it's a lot of meetings.") is None  # not the question's words


def _at(script: str, node: str) -> tuple[matching.Candidate, ...]:
    from tests import evaluation

    return evaluation.candidates(script, node)


def test_the_boss_s_question_decides_a_short_yes_or_no_at_its_node() -> None:
    """ "Do you mean it?" The plain answers' words all but tie, and were checked back."""
    here = _at("not-this-role", "resign_alarm")
    yes, no = matching.decide("I mean it.", here), matching.decide("I don't mean it.", here)
    assert (yes.kind, yes.reply) == ("matched", "double_down")
    assert (no.kind, no.reply) == ("matched", "walk_back")
    assert "question's own words" in no.reason
    assert matching.decide("Do I mean it?", here).kind != "matched"


def test_a_reply_read_through_its_not_is_the_opposite_reply() -> None:
    """Without its "not" the reply is plainly accepting the decision, so with it, it is
    its opposite here: still upset about it (the words of the two all but tie)."""
    here = _at("passed-over", "acknowledge_feelings")
    said = "I haven't accepted it, I just needed to say it out loud."
    assert matching.decide("I have accepted it, I just needed to say it out loud.", here).reply == "accept"
    decision = matching.decide(said, here)
    assert (decision.kind, decision.reply) == ("matched", "keep_venting")
    assert decision.reason.startswith("read through its “not”")


def test_a_reply_read_against_a_not_is_the_opposite_reply() -> None:
    """ "I'm interested" all but ties with "I'm not interested" in words; with a "not" it
    is plainly declining, so as it stands it is agreeing to apply."""
    here = _at("not-this-role", "opening")
    assert matching.decide("I am not interested", here).reply == "decline_flat"
    decision = matching.decide("I'm interested", here)
    assert (decision.kind, decision.reply) == ("matched", "agree_apply")
    assert decision.reason.startswith("read against a “not”")


def test_opposites_in_meaning_turn_on_a_not_whatever_the_question_asks() -> None:
    """ "Leave? ... Do you mean it?" asks about meaning it, and the "not" of "I don't want to
    stay here" is on wanting; but wanting to stay and leaving are opposites whatever the
    question asks, so it is doubling down, not "lost you"."""
    here = _at("not-this-role", "resign_alarm")
    decision = matching.decide("honestly I don't want to stay here", here)
    assert (decision.kind, decision.reply) == ("matched", "double_down")
    assert decision.reason.startswith("read through its “not”")


def test_a_check_back_its_turned_not_reads_as_the_opposite_of_is_taken() -> None:
    """ "Thanks, but that's not a fair read of where I am." alone is only checked back as
    defending your record; without its "not" it is (checked back as) thanking and taking the
    advice away, defending's one opposite here: the two readings agree."""
    here = _at("passed-over", "advice_given")
    alone = matching._decide_whole("Thanks, but that's not a fair read of where I am.", here, None)
    assert (alone.kind, alone.reply) == ("checkback", "defend")
    turned = matching.decide("Thanks, but that is a fair read of where I am.", here)
    assert turned.reply == "thanks_leave" and turned.kind in ("matched", "checkback")
    decision = matching.decide("Thanks, but that's not a fair read of where I am.", here)
    assert (decision.kind, decision.reply) == ("matched", "defend")
    assert decision.reason.startswith("its “not” turned")


def test_a_check_back_on_one_of_two_opposites_of_its_turned_reading_is_taken() -> None:
    """ "I would not like to take it on" is declining, whose opposites at passed-over's
    opportunity are taking it on with and without a check-in; "I'd like to take it on." is
    checked back as the one of them its own words read as, and the two readings agree."""
    here = _at("passed-over", "opportunity")
    assert matching._weights_for(here).opposites["decline_it"] == {"take_it", "take_it_checkin"}
    assert matching._decide_whole("I'd like to take it on.", here, None).kind == "checkback"
    decision = matching.decide("I'd like to take it on.", here)
    assert (decision.kind, decision.reply) == ("matched", "take_it")


def test_a_statement_framed_as_untrue_is_not_turned_by_its_not() -> None:
    """ "It'd be a lie to say I'm not hoping" hopes: read literally, with or without its
    "not", it would be taken the other way."""
    here = _at("passed-over", "sceptical_probe")
    decision = matching.decide("It'd be a lie to say I'm not hoping.", here)
    assert not (decision.kind == "matched" and decision.reply == "not_reopening")
    assert not decision.reason.startswith(("its “not” turned", "read through", "read against"))


def test_a_reply_read_plainly_not_and_all_is_not_turned_by_its_not() -> None:
    """`rehearse check --robustness` found it: "I dont think you shuold judge me by other
    people" plainly argues, though "I do think you should judge me..." would be taken as
    arguing too; its "not" does not make it the opposite reply (giving way)."""
    here = _at("fumbled-promotion", "headache_push")
    decision = matching.decide("I dont think you shuold judge me by other people.", here)
    assert decision.reply != "cave"
    assert not decision.reason.startswith("read through")


def test_the_transcript_says_how_a_reply_read_by_its_answer_or_its_not_was_read() -> None:
    """Not the closest example of the words: for "I haven't accepted it..." that is an
    example of accepting, the reply it was not read as."""
    flipped = transcript_says(
        "passed-over", "acknowledge_feelings", "I haven't accepted it, I just needed to say it out loud."
    )
    assert "read through its “not”" in flipped and "% match" not in flipped
    assert "respect that" not in flipped  # the accepting example the words were closest to
    against = transcript_says("not-this-role", "opening", "I'm interested")
    assert against.endswith("(read against a “not”: with one, it says the opposite)")
    assert "% match" not in against
    both = transcript_says("passed-over", "advice_given", "Thanks, but that's not a fair read of where I am.")
    assert both.endswith("(read both ways: its words, and its words turned by a “not”)")
    answered = transcript_says("not-this-role", "resign_alarm", "I don't mean it.")
    assert answered.endswith("(a no to the boss's question, in its own words)")
    assert "walk_back" not in answered and answered.startswith("understood as “")


def test_at_a_yes_or_no_question_a_not_on_something_else_turns_nothing() -> None:
    """ "Are you sure you want the headache?" "It won't be a headache." is no "not sure":
    without its "not" it would be taken as sure, but the "not" is not on what was asked."""
    here = _at("fumbled-promotion", "headache")
    assert here[0].asked.heads == {"sure"}
    decision = matching.decide("It won't be a headache.", here)
    assert not (decision.kind == "matched" and decision.reply == "wobble")
    assert not decision.reason.startswith("read through")


def test_what_a_question_asks_opens_one_of_its_clauses() -> None:
    asked = Question.of(["Before I answer that: are you hoping I'll change my mind?"])
    assert "hop" in asked.heads and asked.negates_what_it_asks("I'm not hoping for that")
    assert not asked.negates_what_it_asks("I'm hoping it's not over")
    tagged = Question.of(["You're applying, I take it?"])
    assert "apply" in tagged.heads and tagged.answer("I'm not applying.") == "deny"


def test_a_no_taken_as_a_yes_negated_is_shown_as_its_opposite() -> None:
    """ "it isnt nerves" is the no because it negates the yes's example "It is nerves.": the
    transcript must not say it was closest to that example."""
    said = transcript_says("not-this-role", "pushback_regret", "it isnt nerves")
    assert "“Hold the line kindly”" in said
    assert "the opposite of “It is nerves.”" in said and "closest to" not in said


def test_a_check_back_is_answered_in_its_own_words() -> None:
    """ "...you're thinking of leaving?" "I'm thinking of leaving." is a yes, and "I'm not
    thinking of leaving." a no (both were read afresh at the node: checked back again, and
    not understood)."""
    import dataclasses

    from rehearse.engine.runtime import session as sess
    from rehearse.engine.runtime.reasons import is_confirmed
    from tests import evaluation

    script = evaluation.catalog().scripts["not-this-role"]
    persona = evaluation.catalog().personas[script.personas[0]]
    at = dataclasses.replace(sess.begin(sess.Setup(script, persona)), node="why_not")
    checking, turn = sess.step(at, "if Priya gets it again I'm leaving")
    assert turn.kind == "checkback" and "leaving?" in turn.boss
    _, yes = sess.step(checking, "I'm thinking of leaving.")
    assert yes.decision is not None and is_confirmed(yes.decision.reason)
    _, no = sess.step(checking, "I'm not thinking of leaving.")
    assert sess.said_no_to_checkback(no.decision)


def test_a_check_back_answered_no_in_its_first_clause_goes_on_to_what_was_meant() -> None:
    """ "...it's still really getting to you?" "It's not getting to me, I'd just like your
    advice for next time." says no in the check-back's words, then what was meant."""
    import dataclasses

    from rehearse.engine.runtime import session as sess
    from tests import evaluation

    script = evaluation.catalog().scripts["passed-over"]
    persona = evaluation.catalog().personas["morgan"]
    at = dataclasses.replace(sess.begin(sess.Setup(script, persona)), node="acknowledge_feelings")
    checking, turn = sess.step(at, "honestly i think the panel got it wrong")
    assert turn.kind == "checkback" and "getting to you?" in turn.boss
    _, meant = sess.step(checking, "It's not getting to me, I'd just like your advice for next time.")
    assert meant.decision is not None and meant.decision.kind == "matched"
    assert meant.decision.reply != checking.pending and meant.decision.reason.startswith("after a no")
    _, no = sess.step(checking, "It's not getting to me, I just disagree with it.")
    assert sess.said_no_to_checkback(no.decision)
