"""The matcher: normalisation, negation, yes/no, keywords, decisions, order independence."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rehearse.engine.runtime.matching import Candidate, decide, expand, normalise, prepare
from rehearse.engine.runtime.words import turn_tail

WANT = prepare(
    "want",
    [
        "I want the lead role",
        "count me in for the lead job",
        "I would like to be considered",
        "I am interested in applying",
    ],
    kind="affirm",
    keywords=["considered", "interested", "apply"],
)
DECLINE = prepare(
    "decline",
    [
        "I do not want the role",
        "I would rather not apply",
        "not this time",
        "I am not interested in the post",
    ],
    kind="deny",
)
SORRY = prepare(
    "sorry",
    [
        "sorry about yesterday, I was a mess",
        "I am so sorry, I really blew it",
        "I apologise for how I came across",
        "I feel terrible about how it went",
    ],
)
NODE = [WANT, DECLINE, SORRY]


def test_contractions_are_expanded_before_punctuation_is_stripped() -> None:
    assert normalise("I don't, can't, won't; I'm sure") == "i do not  can not  will not  i am sure"
    assert expand("I dont know, Im fine") == "i do not know, i am fine"
    assert normalise("I\u2019d rather not") == "i would rather not"


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("yes", "want"),
        ("Yep!", "want"),
        ("nope", "decline"),
        ("no thanks", "decline"),
        ("I am interested", "want"),
        ("I am not interested", "decline"),
        ("I'm not interested, sorry", "decline"),
        ("I dont want it", "decline"),
        ("honestly I'd love to be considered for it", "want"),
        ("I'd rather not, thanks", "decline"),
        ("sorry, I really messed up yesterday", "sorry"),
    ],
)
def test_clear_replies_match(text: str, reply: str) -> None:
    decision = decide(text, NODE)
    assert (decision.kind, decision.reply) == ("matched", reply), decision.reason


@pytest.mark.parametrize("text", ["what is the weather like", "hmm", "", "   ", "banana"])
def test_out_of_scope_asks_to_clarify(text: str) -> None:
    decision = decide(text, NODE)
    assert decision.kind == "none" and decision.reply is None


def test_negation_on_one_side_costs_a_large_penalty() -> None:
    positive = decide("I want the lead role", [WANT]).scores[0].score
    negative = decide("I do not want the lead role", [WANT]).scores[0].score
    assert positive - negative >= 30
    assert "negation" in " ".join(decide("I do not want the lead role", [WANT]).scores[0].notes)


def test_a_negation_counts_when_neither_side_has_a_content_word() -> None:
    done = prepare("done", ["That's all from me."])
    said = decide("That's all from me.", [done]).scores[0]
    negated = decide("That's not all from me.", [done]).scores[0]
    assert said.score - negated.score >= 30
    assert "negation on one side only" in negated.notes
    # a leading "no," answers the question and is no negation of what follows
    assert "negation on one side only" not in decide("No, that's all from me.", [done]).scores[0].notes


def test_a_negated_yes_counts_toward_the_deny_reply() -> None:
    no_examples = prepare("no", ["maybe later"], kind="deny")
    decision = decide("I am not interested in applying", [WANT, no_examples])
    assert decision.reply == "no"
    assert "a negated yes counts as no" in decision.scores[0].notes


def test_not_sure_hedges_and_is_no_negated_yes() -> None:
    sure = prepare("in", ["For sure, I'm keen.", "sounds great, count me in"], kind="affirm")
    no = prepare("out", ["No, I'll pass on it.", "not for me, thanks"], kind="deny")
    hedged = decide("I'm not sure, honestly. It sounds like a lot.", [sure, no])
    assert "a negated yes counts as no" not in {n for s in hedged.scores for n in s.notes}
    assert hedged.reply != "out"
    refused = decide("I'm not keen, honestly.", [sure, no])
    assert "a negated yes counts as no" in {n for s in refused.scores for n in s.notes}


@pytest.mark.parametrize("text", ["yes and no", "Yes and no.", "yeah or no, hard to say"])
def test_yes_and_no_leads_neither_way(text: str) -> None:
    both = {n for s in decide(text, NODE).scores for n in s.notes}
    assert not any(n.startswith("starts with a plain") for n in both)
    plain = {n for s in decide("yes and I mean it", NODE).scores for n in s.notes}
    assert any(n.startswith("starts with a plain yes") for n in plain)


def test_after_but_only_what_follows_counts() -> None:
    decision = decide("I'd love to be considered, but I do not want the role", NODE)
    assert decision.reply == "decline"


def test_a_turn_word_at_the_very_end_does_not_hide_the_turn_before_it() -> None:
    # "yet" closing the sentence turns nothing: the point follows "but"
    for text in (
        "I'd really love to be considered for it, but I do not want the role just yet though",
        "I'd love to be considered, sure, but I'm not after the role, not yet",
    ):
        assert decide(text, NODE).reply == "decline"
    assert (
        turn_tail("fair worry, but i have not turned miserable yet.") == " i have not turned miserable yet."
    )
    assert turn_tail("it is not nerves though.") is None
    assert turn_tail("not yet") is None


def test_yet_and_though_closing_a_clause_turn_nothing() -> None:
    """ "I haven't quite made my mind up yet, to be honest." was read by its "to be honest"
    alone, the "yet" taken for a "but"; as conjunctions they still turn."""
    assert turn_tail("i have not quite made my mind up yet, to be honest.") is None
    assert turn_tail("i do mean it though, i want the job.") is None
    assert turn_tail("i want it, yet i am scared of it") == " i am scared of it"
    assert turn_tail("i hear you, though i would argue i did a lot") == " i would argue i did a lot"


def test_yes_inside_another_word_is_not_a_yes() -> None:
    decision = decide("yesterday", NODE)
    assert decision.reply != "want"


def test_keywords_are_typo_tolerant_and_add_to_the_score() -> None:
    plain = prepare("plain", ["count me in for the lead job"])
    keyed = prepare("keyed", ["count me in for the lead job"], keywords=["considered"])
    decision = decide("please consdered me for the lead job", [plain, keyed])
    by_id = {s.reply: s for s in decision.scores}
    assert by_id["keyed"].score > by_id["plain"].score
    assert by_id["keyed"].keywords == ("considered",)


def test_require_and_forbid_rule_replies_out() -> None:
    thanks = prepare("thanks", ["thank you but no", "thanks, but I will pass"], require=["thank", "grateful"])
    bare = prepare("bare", ["no I will pass", "I will pass on it"], forbid=["thank"])
    assert decide("thanks, but I will pass", [thanks, bare]).reply == "thanks"
    assert decide("I will pass on it", [thanks, bare]).reply == "bare"
    ruled = {s.reply: s for s in decide("I will pass on it", [thanks, bare]).scores}
    assert ruled["thanks"].score == 0 and ruled["thanks"].notes == ("needs one of: thank, grateful",)


def test_require_words_rule_out_only_the_intents_a_sibling_shares() -> None:
    # "than" tells comparing yourself with a peer from talking yourself down (both
    # self-deprecation); running the peer down is the comparison's alone, so a plain
    # reading of it still reaches the reply without the word
    compare = prepare(
        "compare",
        ["Bob is stronger technically than me", "I'm not as polished as Bob"],
        require=["than", "as polished"],
        intents=["disparage_colleague", "self_deprecate"],
    )
    down = prepare(
        "down", ["I'm really not the management type", "I'd be hopeless at it"], intents=["self_deprecate"]
    )
    ran_down = decide("Bob has never led anything", [compare, down])
    assert (ran_down.kind, ran_down.reply) == ("matched", "compare")
    decision = decide("Honestly, I'd make a useless manager", [compare, down])
    assert decision.reply == "down"
    assert {s.reply: s.score for s in decision.scores}["compare"] == 0


def test_two_close_replies_are_ambiguous_with_both_named() -> None:
    a = prepare("a", ["I want more training courses"])
    b = prepare("b", ["I want more training time"])
    decision = decide("I want more training", [a, b])
    assert decision.kind == "ambiguous" and set(decision.candidates) == {"a", "b"}


def test_every_decision_explains_every_reply() -> None:
    decision = decide("I would like to be considered", NODE)
    assert {s.reply for s in decision.scores} == {"want", "decline", "sorry"}
    scores = [s.score for s in decision.scores]
    assert scores == sorted(scores, reverse=True)
    assert decision.scores[0].example == "I would like to be considered"
    assert decision.to_json()["decision"] == "matched"


def shuffled(candidates: list[Candidate], rng: random.Random) -> list[Candidate]:
    """The same replies with their examples, and the replies themselves, in another order."""
    out = []
    for c in candidates:
        order = list(range(len(c.examples)))
        rng.shuffle(order)
        out.append(
            replace(
                c,
                examples=tuple(c.examples[i] for i in order),
                raw_examples=tuple(c.raw_examples[i] for i in order),
            )
        )
    rng.shuffle(out)
    return out


@settings(max_examples=120, deadline=None)
@given(st.text(max_size=60), st.integers(min_value=0, max_value=10_000))
def test_order_of_replies_and_examples_never_changes_the_decision(text: str, seed: int) -> None:
    base = decide(text, NODE)
    other = decide(text, shuffled(NODE, random.Random(seed)))
    assert (base.kind, base.reply, set(base.candidates)) == (
        other.kind,
        other.reply,
        set(other.candidates),
    )
    assert sorted((s.reply, round(s.score, 6)) for s in base.scores) == sorted(
        (s.reply, round(s.score, 6)) for s in other.scores
    )


@settings(max_examples=80, deadline=None)
@given(st.text(min_size=0, max_size=3000))
def test_any_text_decides_without_error(text: str) -> None:
    decision = decide(text, NODE)
    assert decision.kind in ("matched", "ambiguous", "none", "aside", "checkback")
    assert all(0.0 <= s.score <= 100.0 for s in decision.scores)


def test_pairs_pruned_by_their_bounds_decide_exactly_as_every_pair_scored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """token_set_ratio is computed only for pairs whose bound can still beat their reply's
    best; with every pair scored instead, each decision, score, example and note is the same."""
    import dataclasses
    import math

    from rehearse.engine.runtime import matching
    from tests import evaluation

    items = [
        i
        for path in (evaluation.UNDERSTANDING_SET, evaluation.MATCH_SET)
        for i in evaluation.load(path)
        if i.script == "passed-over"
    ][:150]
    pruned = [decide(i.text, evaluation.candidates(i.script, i.node)) for i in items]
    of = matching._Rows.of

    def unbounded(
        phrase: matching.Phrase, weights: matching._Weights, whole: matching.Phrase
    ) -> matching._Rows:
        rows = of(phrase, weights, whole)
        return dataclasses.replace(rows, bounds=[math.inf] * len(rows.bounds))

    monkeypatch.setattr(matching._Rows, "of", staticmethod(unbounded))
    matching._read.cache_clear()
    assert [decide(i.text, evaluation.candidates(i.script, i.node)) for i in items] == pruned


RAMBLING = (
    "um, so, I have been thinking about it a lot, over the weekend mostly, "
    "talked it through with my partner, slept on it twice, and honestly I do not want the role"
)


def test_a_long_reply_is_read_whole_and_by_its_last_clauses_only() -> None:
    from rehearse.engine.runtime import matching

    reading = matching._read(RAMBLING)
    assert len(reading.phrases) == matching.MAX_CLAUSES
    assert "weekend" in reading.phrases[0].text  # the whole, middle clauses and all
    assert reading.phrases[-1].text.endswith("do not want the role")
    assert not any("weekend" in p.text for p in reading.phrases[1:])


def test_a_long_reply_whose_point_comes_last_is_understood() -> None:
    decision = decide(RAMBLING, [WANT, DECLINE, SORRY])
    assert (decision.kind, decision.reply) == ("matched", "decline")
