"""The intent library and scripts tying replies to it."""

from __future__ import annotations

from collections import Counter

from rehearse.engine.compile.loader import script_from_text
from rehearse.engine.runtime import intents
from rehearse.engine.runtime.intents import ASIDES, label, library, names

from .helpers import MINI

GOOD = (MINI / "mini.yaml").read_text()
REGISTERS = {"plain", "terse", "casual", "formal", "rambling", "typos", "british", "american", "but", "curly"}
WANT = "      want:\n"


def test_every_intent_has_many_phrasings_in_every_register() -> None:
    lib = library()
    assert set(lib) == set(names()) and len(names()) >= 29
    assert set(names()) >= ASIDES
    for intent in lib.values():
        registers = Counter(p.register for p in intent.phrasings)
        assert set(registers) == REGISTERS, intent.name
        assert min(registers.values()) >= 10, (intent.name, registers)
        texts = {p.text.strip().lower() for p in intent.phrasings}
        assert len(texts) >= 150, (intent.name, len(texts))
        assert all(isinstance(p.text, str) and p.text.strip() for p in intent.phrasings)
        assert intent.label and intent.label[0].isupper() and intent.description


def test_no_phrasing_stands_for_two_intents() -> None:
    owner: dict[str, str] = {}
    clashes = []
    for intent in library().values():
        for phrasing in intent.phrasings:
            key = " ".join(phrasing.text.lower().split())
            if owner.setdefault(key, intent.name) != intent.name:
                clashes.append((key, owner[key], intent.name))
    assert clashes == []


def test_labels_are_words_not_names() -> None:
    assert label("decline_role") == "Decline the role"
    assert label("no_such_intent") == "no_such_intent"


def test_a_reply_may_stand_for_an_intent_without_examples_of_its_own() -> None:
    text = GOOD.replace(WANT, WANT + "        intent: [express_interest]\n", 1)
    script, report = script_from_text(text, "s.yaml")
    assert report.ok and script is not None
    assert script.nodes["opening"].reply("want").intents == ("express_interest",)
    one = GOOD.replace(WANT, WANT + "        intent: express_interest\n", 1)
    script, _ = script_from_text(one, "s.yaml")
    assert script is not None and script.nodes["opening"].reply("want").intents == ("express_interest",)


def test_an_unknown_intent_is_an_error_with_a_did_you_mean() -> None:
    text = GOOD.replace(WANT, WANT + "        intent: decline_rol\n", 1)
    script, report = script_from_text(text, "s.yaml")
    assert script is None
    [problem] = [d for d in report.items if d.code == "R018"]
    assert "unknown intent 'decline_rol'" in problem.message and "decline_role" in (problem.hint or "")
    assert problem.loc.line == text.splitlines().index("        intent: decline_rol") + 1


def test_a_check_back_reads_an_intents_words_without_loading_every_phrasing() -> None:
    intents.library.cache_clear()
    assert intents.means("decline_role") == intents._read("decline_role").means != ""
    assert intents.label("decline_role") == intents._read("decline_role").label
    assert intents.label("no_such_intent") == intents.means("no_such_intent") == "no_such_intent"
    assert intents.library.cache_info().currsize == 0  # the phrasings stayed on disk
