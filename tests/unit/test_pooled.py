"""The pooled reader: which reply of a node all of its examples together favour, and how
the decision leans on it as a second opinion."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rehearse.engine.runtime import matching
from rehearse.engine.runtime.matching import decide, prepare
from rehearse.engine.runtime.pooled import Pooled
from rehearse.engine.runtime.recognise import example_features, features


def pooled(replies: dict[str, list[str]]) -> Pooled:
    return Pooled.of([(reply, [example_features(e) for e in said]) for reply, said in replies.items()])


NODE = {
    "mentor": [
        "I'd love a mentor",
        "someone senior to learn from",
        "regular time with a senior engineer",
        "pairing with someone more experienced",
        "a mentor outside my team",
    ],
    "leave": ["I'm thinking of leaving", "I might look elsewhere"],
}


def test_examples_that_each_share_a_word_add_up() -> None:
    """No single example of "mentor" is close to the text, but together they carry it."""
    shares = pooled(NODE).posterior(features("could I get time with someone senior, a mentor maybe"))
    assert max(shares, key=shares.__getitem__) == "mentor"
    assert shares["mentor"] > 0.9


def test_negated_words_count_apart_from_plain_ones() -> None:
    node = {"stay": ["I want to stay", "I'm staying", "I'd like to stay"], "go": ["I do not want to stay"]}
    shares = pooled(node).posterior(features("I really don't want to stay"))
    assert shares["go"] > shares["stay"]


def test_a_text_no_example_shares_a_feature_with_gets_equal_shares() -> None:
    shares = pooled(NODE).posterior(features("zebra quantum"))
    assert shares == pytest.approx({"mentor": 0.5, "leave": 0.5})


def test_a_reply_without_examples_is_left_out_rather_than_reading_every_word_as_likely() -> None:
    """An intent-only reply has nothing to pool: counted as empty, it would give every word of
    the node the same chance and outbid the replies whose examples know better."""
    node = {**NODE, "decline": []}
    shares = pooled(node).posterior(features("someone senior to learn from, a mentor"))
    assert set(shares) == {"mentor", "leave"}
    assert pooled({"mentor": NODE["mentor"], "decline": []}).posterior(features("a mentor")) == {}
    bare = (prepare("apply", ["put my name down", "I'd love to apply"]), prepare("decline", []))
    assert matching.favoured("put my name down, I want it", bare) == ()  # no opinion, not "decline"


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80))
def test_shares_are_a_distribution_over_the_replies(text: str) -> None:
    shares = pooled(NODE).posterior(features(text))
    assert set(shares) == set(NODE)
    assert sum(shares.values()) == pytest.approx(1.0)
    assert all(0.0 <= share <= 1.0 for share in shares.values())


# -- how the decision leans on it --------------------------------------------------------

CANDIDATES = (
    prepare("apply", ["count me in for the lead role", "I'll apply for it"], intents=("express_interest",)),
    prepare("decline", ["I won't be applying", "not for me this time"], intents=("decline_role",)),
    prepare("thanks_apply", ["thanks, I'll apply"], intents=("express_interest", "thank")),
)


def with_shares(monkeypatch: pytest.MonkeyPatch, shares: dict[str, float]) -> None:
    monkeypatch.setattr(matching, "_pooled_shares", lambda scoring: shares)


def test_a_reply_taken_at_once_is_checked_back_when_the_pooled_words_clearly_favour_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "count me in for the lead role"
    assert decide(text, CANDIDATES).kind == "matched"
    with_shares(monkeypatch, {"apply": 0.1, "decline": 0.8, "thanks_apply": 0.1})
    held = decide(text, CANDIDATES)
    assert (held.kind, held.reply, held.candidates) == ("checkback", "apply", ("apply",))
    assert "examples together favour 'decline'" in held.reason


def test_a_reply_that_turns_is_not_held_back_by_the_pooled_words(monkeypatch: pytest.MonkeyPatch) -> None:
    # the matcher reads "X but Y" by its Y; the pooled words count the X as well, which is
    # often a courtesy another reply's examples share ("I'm glad they liked me, but...")
    with_shares(monkeypatch, {"apply": 0.1, "decline": 0.8, "thanks_apply": 0.1})
    assert decide("count me in for the lead role", CANDIDATES).kind == "checkback"
    turned = decide("not sure at first, but count me in for the lead role", CANDIDATES)
    assert (turned.kind, turned.reply) == ("matched", "apply")


def test_a_near_tie_or_a_sibling_of_the_same_intent_does_not_hold_a_reply_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "count me in for the lead role"
    with_shares(monkeypatch, {"apply": 0.42, "decline": 0.45, "thanks_apply": 0.13})
    assert decide(text, CANDIDATES).kind == "matched"  # 0.45 is not clearly ahead of 0.42
    # "thanks_apply" also stands for express_interest: the author's words tell those apart
    with_shares(monkeypatch, {"apply": 0.05, "decline": 0.05, "thanks_apply": 0.9})
    assert (decide(text, CANDIDATES).kind, decide(text, CANDIDATES).reply) == ("matched", "apply")


def test_a_rival_the_authors_require_or_forbid_words_rule_out_does_not_hold_a_reply_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = "count me in for the lead role"
    with_shares(monkeypatch, {"apply": 0.1, "decline": 0.8, "thanks_apply": 0.1})
    assert decide(text, CANDIDATES).kind == "checkback"
    guarded = (CANDIDATES[0], replace(CANDIDATES[1], forbid=("lead",)), CANDIDATES[2])
    assert (decide(text, guarded).kind, decide(text, guarded).reply) == ("matched", "apply")


def test_a_check_back_the_pooled_words_all_but_name_is_taken_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "I reckon I might go for the lead thing after all"
    with_shares(monkeypatch, {"apply": 0.6, "decline": 0.2, "thanks_apply": 0.2})  # no opinion to speak of
    monkeypatch.setattr(matching, "_confirmed_by_its_opposite", lambda *args: None)  # nor a turned "not"
    checked = decide(text, CANDIDATES)
    assert checked.kind == "checkback" and checked.belief is not None
    assert matching.POOLED_BELIEF <= checked.belief < matching.TAKE_BELIEF
    with_shares(monkeypatch, {"apply": 0.996, "decline": 0.002, "thanks_apply": 0.002})
    taken = decide(text, CANDIDATES)
    assert (taken.kind, taken.reply) == ("matched", checked.reply)
    assert "and its examples together favour it (1.00)" in taken.reason
    with_shares(monkeypatch, {"apply": 0.9, "decline": 0.05, "thanks_apply": 0.05})
    assert decide(text, CANDIDATES).kind == "checkback"  # 0.9 is not all but certain


def test_a_reply_the_pooled_words_all_but_rule_out_gives_way_to_the_one_they_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where the scores took nothing, the reply the model believes in most is not checked
    back when the node's examples together all but rule it out and name another: that one
    is weighed on its own belief (here too low to ask about)."""
    text = "I reckon I might go for the lead thing after all"
    monkeypatch.setattr(matching, "_confirmed_by_its_opposite", lambda *args: None)
    with_shares(monkeypatch, {"apply": 0.6, "decline": 0.2, "thanks_apply": 0.2})
    assert (decide(text, CANDIDATES).kind, decide(text, CANDIDATES).reply) == ("checkback", "apply")
    with_shares(monkeypatch, {"apply": 0.02, "decline": 0.95, "thanks_apply": 0.03})
    weighed = decide(text, CANDIDATES)
    assert weighed.reply != "apply"
    assert "the examples together name 'decline' over 'apply'" in weighed.reason


def test_a_word_or_two_or_an_answer_torn_two_ways_is_never_taken_on_the_pooled_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with_shares(monkeypatch, {"apply": 1.0, "decline": 0.0, "thanks_apply": 0.0})
    # unsure as the model is (taking a word or two needs THIN_TAKE), the pooled words alone
    # would take a longer text
    monkeypatch.setattr(matching, "belief", lambda features: 0.5)
    assert decide("the lead role is what I am after", CANDIDATES).kind == "matched"
    for text in ("lead role", "the lead role, or maybe I should just stay put"):
        assert decide(text, CANDIDATES).kind != "matched", text


def test_torn_between_two_is_at_most_checked_back_but_a_question_between_options_is_not_torn() -> None:
    assert matching._two_ways("Training, I think, or maybe I should just go for the post")
    assert matching._two_ways("Some courses, maybe? Or should I just apply? I don't know.")
    assert matching._two_ways("Mentoring, I suppose. Or honestly perhaps I just apply, ugh.")
    assert not matching._two_ways("Is there a form to fill in, or should I just tell you?")
    assert not matching._two_ways("Is there a formal application, or do I just tell you?")


def test_asking_for_both_of_two_things_is_an_answer_two_ways() -> None:
    assert matching._two_ways("A monthly check-in would be good, and a guarantee too, so both, really")
    assert matching._two_ways("Honestly a mix of both")
    assert matching._two_ways("Both of those, if that's doable?")
    assert not matching._two_ways("We both know I've earned it")
    assert not matching._two_ways("Both of us want the team to do well, but count me in")


def test_the_pooled_reader_is_built_once_per_node() -> None:
    weights = matching._weights_for(CANDIDATES)
    assert weights.pooled is weights.pooled
    assert set(weights.pooled.replies) == {c.id for c in CANDIDATES}
    # a changed node is a new tuple, so it is read afresh
    changed = (*CANDIDATES[:2], replace(CANDIDATES[2], raw_examples=("thank you, count me in",)))
    assert matching._weights_for(changed).pooled is not weights.pooled
