"""Misspelt words are read as the word meant; real words, names and shorthand never change."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rehearse.engine.runtime import matching
from rehearse.engine.runtime.recognise import model
from rehearse.engine.runtime.spelling import corrected_as, corrections, english
from tests import evaluation


def _read(text: str, node_words: frozenset[str] = frozenset()) -> str:
    m = model()
    return corrected_as(text, corrections(text, m.known, m.targets, node_words))


def test_a_misspelt_word_is_read_as_the_word_meant() -> None:
    assert _read("i wnat to aplly, evryones knows it") == "i want to apply, everyone knows it"
    # a misspelling the library itself has ("definately" in its typed-fast phrasings) is a
    # word the model has learnt, and stays
    assert _read("definately") == "definately"
    # two letters swapped keep their letters: "wnat" is "want", not the commoner "what"
    assert _read("wnat") == "want"
    # a contraction typed without its apostrophe, misspelt too
    assert _read("i shoudnt have said it") == "i shouldnt have said it"


def test_a_letter_held_down_is_read_as_the_word_it_spells() -> None:
    assert _read("noooo, yesss, gooood, pleeease, reallyyy") == "no, yes, good, please, really"


def test_real_words_the_library_lacks_are_never_changed() -> None:
    """A nearest neighbour would turn these into other words the library has ("unknown"
    into "known"); English has them, so they stay as typed."""
    m = model()
    for word in ("unknown", "stole", "flattened", "thinner", "dating", "employability"):
        assert word not in m.known and word in english()
        assert _read(f"it was {word} really") == f"it was {word} really"


def test_names_shorthand_and_short_words_stay_as_typed() -> None:
    assert _read("so Wnat said it") == "so Wnat said it"  # capitalised inside a sentence: a name
    assert _read("Wnat to apply. Definitly") == "Want to apply. Definitely"  # a sentence's start
    assert _read("idk tbh, dont know") == "idk tbh, dont know"
    assert _read("teh form") == "teh form"  # three letters and fewer are too easily another word
    # the node's own words, and the session's names (a colleague called Sami)
    assert corrections("sami did", model().known, model().targets) == (("sami", "same"),)
    assert corrections("sami did", model().known, model().targets, frozenset({"sami"})) == ()


def test_the_sessions_names_are_never_misspelt() -> None:
    """A colleague the user called Sami, typed in lower case, stays Sami; with the
    script's own colleague, "sami" is a misspelt "same"."""
    from rehearse.engine.runtime.session import Setup, begin

    script = evaluation.catalog().scripts["not-this-role"]
    persona = evaluation.catalog().personas[script.personas[0]]
    text = "sami will get it anyway, whats the point"
    state = begin(Setup(script, persona, vars={"colleague": "Sami"}).with_defaults())
    assert "“sami”" not in matching.decide(text, state.candidates()).reason
    default = evaluation.candidates("not-this-role", "opening")
    assert "(read “sami” as “same”)" in matching.decide(text, default).reason


def test_the_matcher_reads_a_misspelt_reply_and_says_so() -> None:
    candidates = evaluation.candidates("not-this-role", "opening")
    decision = matching.decide("i wnat to aplly for it", candidates)
    assert decision.reply == "agree_apply"
    assert "(read “wnat” as “want”, “aplly” as “apply”)" in decision.reason


_LETTERS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10)


@settings(max_examples=200, deadline=None)
@given(st.lists(_LETTERS, min_size=1, max_size=8))
def test_reading_is_settled_after_one_pass_and_keeps_english(words: list[str]) -> None:
    text = " ".join(words)
    once = _read(text)
    assert _read(once) == once
    for typed, read in zip(text.split(), once.split(), strict=True):
        if typed in english():
            assert read == typed
