"""The phrasing coach: every check flags what it should and leaves the traps alone."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rehearse.engine.runtime import coach as coach_module
from rehearse.engine.runtime.coach import MAX_CHARS, MOMENTS, Check, Flag, Span, check_ids, checks, coach
from rehearse.engine.runtime.words import written, written_where

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "coach_corpus.yaml"

IDS = (
    "hedge",
    "disclaimer",
    "self-apology",
    "long-apology",
    "colleague",
    "no-ask",
    "entitlement",
    "self-deprecation",
    "decline-no-alternative",
    "no-thanks",
    "abstract-feedback",
    "threat-to-leave",
)
EVERY_MOMENT = frozenset(MOMENTS)


def fired(text: str, expects: Iterable[str] = EVERY_MOMENT, **kw: Any) -> dict[str, Flag]:
    return {f.check.id: f for f in coach(text, expects=frozenset(expects), **kw)}


def words(text: str, check: str, expects: Iterable[str] = EVERY_MOMENT) -> tuple[str, ...]:
    flag = fired(text, expects).get(check)
    return flag.words if flag else ()


# --------------------------------------------------------------------------- the API


def test_checks_are_the_twelve_in_a_stable_order() -> None:
    assert tuple(c.id for c in checks()) == IDS
    assert check_ids() == IDS
    assert checks() == checks()
    assert all(isinstance(c, Check) for c in checks())


def test_every_check_explains_itself_in_one_line() -> None:
    for check in checks():
        assert re.fullmatch(r"[a-z]+(?:-[a-z]+)*", check.id)
        assert check.title and check.suggestion
        assert check.rationale and "\n" not in check.rationale
        assert check.rationale.endswith(".")
        assert check.moments <= set(MOMENTS)


def test_moment_gated_checks() -> None:
    by_id = {c.id: c for c in checks()}
    assert by_id["no-ask"].moments == {"ask"}
    assert by_id["no-thanks"].moments == {"thanks"}
    assert by_id["decline-no-alternative"].moments == {"decline"}
    assert by_id["abstract-feedback"].moments == {"advice"}
    always = set(IDS) - {"no-ask", "no-thanks", "decline-no-alternative", "abstract-feedback"}
    assert all(not by_id[i].moments for i in always)


def test_an_answer_both_ways_is_not_declining() -> None:
    def declines(text: str) -> bool:
        return any(f.check.id == "decline-no-alternative" for f in coach(text, expects={"decline"}))

    assert not declines("yes and no") and not declines("Yeah and no, honestly")
    assert declines("I thought about it and no") and declines("Thanks, but no")


def test_flag_words_are_the_spans_of_the_original_text() -> None:
    text = "Sorry to bother you — I was just wondering if maybe I could lead, right?"
    for flag in coach(text, expects={"ask"}):
        assert flag.words == tuple(text[s.start : s.end] for s in flag.spans)
    assert words(text, "hedge") == ("I was just wondering", "maybe")
    assert words(text, "disclaimer") == ("right?",)
    assert words(text, "self-apology") == ("Sorry to bother",)


def test_wordings_typed_without_apostrophes_are_flagged_as_typed() -> None:
    # the patterns know "if that's ok" and "I'm just okay at it"; fast typists write neither
    text = "id quite like to be considered, if thats alright"
    assert words(text, "hedge") == ("if thats alright",)
    assert words("im just ok at it tbh", "self-deprecation") == ("im just ok at it",)
    # the same words with their apostrophes give the same flags
    assert words("I'd quite like to be considered, if that's alright", "hedge") == ("if that's alright",)


TYPED_FAST = ["if", "thats", "ok", "im", "u", "dunno", "I", "lead", ",", "cud"]


def test_a_softened_hope_is_a_hedged_ask() -> None:
    # "I was sort of hoping" softens the ask it makes: a hedge, and an ask all the same
    for text, softener in (
        ("I was sort of hoping you'd back me.", "sort of"),
        ("i was kinda hoping to apply", "kinda"),
    ):
        assert words(text, "hedge") == (softener,)
        assert words(text, "no-ask") == ()


@given(st.lists(st.sampled_from(TYPED_FAST), max_size=12))
def test_written_out_spans_point_back_at_what_was_typed(tokens: list[str]) -> None:
    text = " ".join(tokens)
    typed = written_where(text)
    if typed is None:
        assert written(text) == text
        return
    form, starts, ends = typed
    assert form == written(text) and len(starts) == len(ends) == len(form) + 1
    assert starts == sorted(starts) and ends == sorted(ends) and ends[-1] == len(text)
    assert all(starts[i] < ends[i + 1] for i in range(len(form)))
    # each word of the form points at the word typed, or at the word it was written out of
    for m in re.finditer(r"\S+", form):
        piece = text[starts[m.start()] : ends[m.end()]]
        assert piece == m.group() or m.group() in written(piece).split()


def test_flags_come_in_check_order_with_sorted_disjoint_spans() -> None:
    text = (
        "I'm so sorry about yesterday, I was exhausted and I blew it. I'm no expert, but Dave "
        "is lazy. I've been here fifteen years, so it's my turn. I'll quit otherwise."
    )
    flags = coach(text, expects=EVERY_MOMENT)
    order = [c.id for c in checks()]
    ids = [f.check.id for f in flags]
    assert ids == sorted(ids, key=order.index)
    for flag in flags:
        assert flag.spans == tuple(sorted(flag.spans, key=lambda s: s.start))
        for a, b in zip(flag.spans, flag.spans[1:], strict=False):
            assert a.end <= b.start


def test_span_and_flag_are_frozen_values() -> None:
    span = Span(1, 3)
    assert span == Span(1, 3)
    with pytest.raises(AttributeError):
        span.start = 2  # type: ignore[misc]
    flag = coach("Honestly I deserve it.")[0]
    with pytest.raises(AttributeError):
        flag.spans = ()  # type: ignore[misc]


def test_blank_replies_are_never_flagged() -> None:
    for text in ("", " ", "\n\t  "):
        assert coach(text, expects=EVERY_MOMENT) == ()


def test_expects_accepts_any_collection() -> None:
    text = "Okay, noted."
    assert fired(text, ["thanks"]).keys() == fired(text, {"thanks"}).keys() == {"no-thanks"}
    assert fired(text, ("ask", "thanks")).keys() == {"no-ask", "no-thanks"}


# --------------------------------------------------------------------------- gating


def test_a_greeting_is_never_flagged_for_lacking_an_ask() -> None:
    for text in ("Hi! Good, thanks, you?", "Morning.", "Sure, now works."):
        assert "no-ask" not in fired(text, [])
        assert "no-thanks" not in fired(text, [])


def test_no_ask_only_when_the_node_expects_an_ask() -> None:
    text = "The audit went fine and the team is in good shape."
    assert "no-ask" in fired(text, ["ask"])
    for moments in ([], ["thanks"], ["decline"], ["advice"], ["recover"]):
        assert "no-ask" not in fired(text, moments)


def test_no_ask_flags_the_whole_reply() -> None:
    text = "  I've done the job informally for a year.  "
    (span,) = fired(text, ["ask"])["no-ask"].spans
    assert text[span.start : span.end] == text.strip()


def test_no_thanks_only_when_thanks_are_due() -> None:
    text = "Okay, I'll think about it."
    assert "no-thanks" in fired(text, ["thanks"])
    # Holding the line on a decline or asking for advice does not call for thanks.
    for moments in ([], ["decline"], ["advice"], ["ask"], ["recover"]):
        assert "no-thanks" not in fired(text, moments)


def test_decline_without_alternative_only_at_a_decline() -> None:
    text = "No, I don't want it."
    assert "decline-no-alternative" in fired(text, ["decline"])
    assert "decline-no-alternative" not in fired(text, ["ask", "thanks", "advice", "recover"])


def test_abstract_feedback_only_when_advice_is_the_moment() -> None:
    text = "Could you give me some feedback on my interview?"
    assert "abstract-feedback" in fired(text, ["advice"])
    assert "abstract-feedback" not in fired(text, ["ask", "thanks", "decline", "recover"])


def test_long_apology_applies_anywhere() -> None:
    text = "I'm so sorry about yesterday, I was exhausted and I completely blew it."
    for moments in ([], ["recover"], ["ask"]):
        assert "long-apology" in fired(text, moments)


# --------------------------------------------------------------------------- disabling


def test_disabled_checks_do_not_run() -> None:
    text = "Sorry to bother you, I was just wondering if maybe I could apply?"
    assert {"hedge", "self-apology"} <= fired(text).keys()
    left = fired(text, disabled=["hedge"])
    assert "hedge" not in left and "self-apology" in left
    assert fired(text, disabled={"hedge", "self-apology"}).keys().isdisjoint({"hedge", "self-apology"})
    assert fired(text, disabled=tuple(IDS)) == {}


def test_disabling_an_unknown_id_is_harmless() -> None:
    text = "I was just wondering if maybe I could apply."
    assert fired(text, disabled=["no-such-check"]).keys() == fired(text).keys()


# --------------------------------------------------------------------------- each check

FLAGS: list[tuple[str, str, list[str], tuple[str, ...]]] = [
    # (check, text, expects, exact flagged words)
    ("hedge", "I think maybe I'd like to be considered.", ["ask"], ("I think maybe",)),
    ("hedge", "I was just wondering if I could apply.", ["ask"], ("I was just wondering",)),
    ("hedge", "I'd sort of like the lead role.", ["ask"], ("sort of",)),
    ("hedge", "I'm kind of interested in the role.", ["ask"], ("kind of",)),
    ("hedge", "I'd like a training remit, if that's an option.", ["ask"], ("if that's an option",)),
    ("hedge", "Would it be possible maybe to talk about a path?", ["ask"], ("maybe",)),
    ("hedge", "Perhaps we could revisit the budget.", ["ask"], ("Perhaps",)),
    ("hedge", "I think I'd like to put my name forward.", ["ask"], ("I think",)),
    ("hedge", "I guess I could give it a go.", ["ask"], ("I guess",)),
    ("disclaimer", "I'm no expert, but the rota is the problem.", [], ("I'm no expert",)),
    (
        "disclaimer",
        "This might sound silly, but I'd like to lead.",
        [],
        ("This might sound silly",),
    ),
    ("disclaimer", "We could run it in-house, right?", [], ("right?",)),
    ("disclaimer", "It's a fair ask, isn't it?", [], ("isn't it?",)),
    ("disclaimer", "I could be wrong, but the role needs a lead.", [], ("I could be wrong",)),
    ("self-apology", "Sorry to bother you, can we talk?", ["ask"], ("Sorry to bother",)),
    (
        "self-apology",
        "Sorry, I know you're busy. Can we talk?",
        ["ask"],
        ("Sorry, I know you're busy",),
    ),
    ("self-apology", "I hate to bother you with this.", [], ("I hate to bother",)),
    ("self-apology", "Sorry, but I'd like to be considered.", [], ("Sorry, but I'd like",)),
    ("long-apology", "I'm sorry about yesterday, I was a mess.", [], ("sorry", "I was a mess")),
    ("long-apology", "Sorry. I'm so sorry.", [], ("Sorry", "sorry")),
    (
        "long-apology",
        "I really blew it, I'd had no sleep. Sorry.",
        [],
        ("I really blew it", "Sorry"),
    ),
    ("colleague", "Bob would be a terrible lead.", [], ("Bob would be a terrible lead",)),
    ("colleague", "I'm more experienced than Priya.", [], ("I'm more experienced than Priya",)),
    ("colleague", "Unlike Dave, I finish things.", [], ("Unlike Dave",)),
    ("colleague", "Honestly, she's out of her depth.", [], ("she's out of her depth",)),
    (
        "entitlement",
        "I've been here fifteen years, so I deserve it.",
        [],
        ("I've been here fifteen years", "I deserve it"),
    ),
    ("entitlement", "It should have been me.", [], ("It should have been me",)),
    ("entitlement", "Honestly the decision was unfair.", [], ("the decision was unfair",)),
    ("entitlement", "It's my turn.", [], ("It's my turn",)),
    ("self-deprecation", "I'm not good enough.", [], ("I'm not good enough",)),
    ("self-deprecation", "I wouldn't get it anyway.", [], ("I wouldn't get it",)),
    (
        "self-deprecation",
        "I'm probably not the right person for it.",
        [],
        ("I'm probably not the right person",),
    ),
    ("self-deprecation", "I just got lucky.", [], ("I just got lucky",)),
    ("decline-no-alternative", "No, I don't want it.", ["decline"], ("I don't want it",)),
    ("decline-no-alternative", "Thanks, but I'll pass.", ["decline"], ("I'll pass",)),
    ("no-thanks", "Okay, noted.", ["thanks"], ("Okay, noted.",)),
    # "don't appreciate" is not gratitude
    ("no-thanks", "I don't appreciate that.", ["thanks"], ("I don't appreciate that.",)),
    ("abstract-feedback", "Any feedback?", ["advice"], ("Any feedback?",)),
    ("abstract-feedback", "I'd like some feedback.", ["advice"], ("I'd like some feedback",)),
    (
        "threat-to-leave",
        "If nothing changes, I'll start looking elsewhere.",
        [],
        ("I'll start looking elsewhere",),
    ),
    ("threat-to-leave", "I'd have to resign.", [], ("I'd have to resign",)),
    ("threat-to-leave", "I've had a couple of offers.", [], ("I've had a couple of offers",)),
    ("threat-to-leave", "I've had a recruiter in touch.", [], ("I've had a recruiter in touch",)),
    ("threat-to-leave", "I'm not sure I'd stay.", [], ("I'm not sure I'd stay",)),
    ("self-deprecation", "I'd never get it.", [], ("I'd never get it",)),
    ("disclaimer", "Not to blow my own trumpet, but I ran it.", [], ("Not to blow my own trumpet",)),
    ("abstract-feedback", "Why wasn't it me?", ["advice"], ("Why wasn't it me",)),
    (
        "no-ask",
        "I've kept the platform running for years.",
        ["ask"],
        ("I've kept the platform running for years.",),
    ),
    # the issue's own examples that read a little under the intent thresholds
    ("colleague", "Priya can barely run a stand-up", [], ("Priya can barely run",)),
    ("colleague", "How is he better than me?", [], ("How is he better",)),
    ("colleague", "Bob couldn't even chair the retro.", [], ("Bob couldn't even chair",)),
    ("self-deprecation", "I'd only mess it up", [], ("I'd only mess it up",)),
    ("self-deprecation", "Honestly, I'd just let the team down.", [], ("I'd just let the team down",)),
    ("colleague", "Dev? He can't even estimate a ticket.", [], ("He can't even estimate",)),
    ("colleague", "She cuts corners on QC.", [], ("She cuts corners",)),
    ("self-deprecation", "Me? I'd be hopeless.", [], ("I'd be hopeless",)),
    ("self-deprecation", "I'm just not in that league.", [], ("I'm just not in that league",)),
]


@pytest.mark.parametrize(("check", "text", "expects", "expected"), FLAGS)
def test_flags(check: str, text: str, expects: list[str], expected: tuple[str, ...]) -> None:
    assert words(text, check, expects) == expected


CLEAN: list[tuple[str, str, list[str]]] = [
    # (check that must NOT fire, text, expects): the traps
    ("self-apology", "Sorry to hear that.", []),
    ("self-apology", "I'm sorry for your loss.", []),
    ("self-apology", "Sorry I missed the deadline, here's the fix.", []),
    ("long-apology", "Sorry I missed the deadline, here's the fix.", []),
    (
        "long-apology",
        "Sorry about yesterday, you caught me off guard. I'd like the role.",
        ["recover"],
    ),
    ("self-apology", "Sorry, I didn't catch that. March or May?", []),
    ("hedge", "We got it in just in time.", []),
    ("hedge", "I just finished the migration.", []),
    ("hedge", "I think the numbers show we grew 20%.", []),
    ("hedge", "What kind of training would help?", []),
    ("hedge", "That's very kind of you.", []),
    ("hedge", "Maybe I wasn't clear yesterday.", []),
    ("hedge", "I was just wondering if you had a few minutes to talk.", ["ask"]),
    ("colleague", "Bob said the rollout was a mess.", []),
    ("colleague", "Priya did a great job on the launch.", []),
    ("colleague", "Compared to last year, we're faster.", []),
    ("disclaimer", "I'm no expert on budgets, but how is headcount approved?", []),
    ("disclaimer", "I've got a run going right now.", []),
    ("disclaimer", "It's the right role for someone.", []),
    ("disclaimer", "Is that right?", []),
    ("disclaimer", "I'm not an expert in SQL yet, and I'd like to learn.", []),
    ("threat-to-leave", "I'm not going to leave.", []),
    ("threat-to-leave", "I have no plans to leave, I want to grow here.", []),
    ("threat-to-leave", "I'll leave that with you.", []),
    ("threat-to-leave", "Annual leave is booked for August.", []),
    ("threat-to-leave", "I'll move on to the next point.", []),
    ("abstract-feedback", "My feedback to the team was about labelling.", ["advice"]),
    ("abstract-feedback", "Thanks for the feedback, that's useful.", ["advice"]),
    ("abstract-feedback", "Any feedback on what I should work on next time?", ["advice"]),
    ("self-deprecation", "I'm not good enough at SQL yet, so I'd like training.", []),
    ("self-deprecation", "I'm not the right person to ask about budgets.", []),
    ("self-deprecation", "I'm not ready to commit to a date yet.", []),
    ("entitlement", "I'm not challenging the decision.", []),
    ("entitlement", "She deserved it.", []),
    ("entitlement", "I've been here eight years and I want the next eight to be my best.", []),
    ("entitlement", "It was unfair of me to say that about Dave.", []),
    ("no-ask", "I'd like to be considered for the lead role.", ["ask"]),
    ("no-ask", "Can we set up a check-in next month?", ["ask"]),
    ("no-ask", "Please consider me.", ["ask"]),
    ("no-ask", "What's the next step?", ["ask"]),
    ("no-ask", "I'm interested in the lead role.", ["ask"]),
    ("no-thanks", "Thank you, that helps.", ["thanks"]),
    ("no-thanks", "I really appreciate it.", ["thanks"]),
    ("no-thanks", "I'm grateful for the advice.", ["thanks"]),
    (
        "decline-no-alternative",
        "I'll pass, but I'd like to focus on training instead.",
        ["decline"],
    ),
    ("decline-no-alternative", "I'd love to apply.", ["decline"]),
    # found by the fresh batches of the fourth pass
    ("threat-to-leave", "I've been looking at the data from the new analyser.", []),
    ("threat-to-leave", "I'll move on to the budget question now.", []),
    ("threat-to-leave", "I'm disappointed, but I'll get over it and move on.", []),
    ("threat-to-leave", "I'm going to leave the rota as it is for now.", []),
    ("threat-to-leave", "Otherwise I'm out of ideas, honestly.", []),
    ("threat-to-leave", "I know you've moved on, but can I come back to it?", []),
    ("colleague", "Excel is a nightmare for this.", []),
    ("colleague", "March is terrible for me, could we do April?", []),
    ("colleague", "I sit next to Priya, so I've seen how she runs inductions.", []),
    ("colleague", "Dave couldn't run the session, so I covered it.", []),
    ("colleague", "We did better than them in the audit.", []),
    ("colleague", "I'm the only one who knows the old billing system.", []),
    ("entitlement", "It's my turn to do the on-call this weekend.", []),
    ("entitlement", "I should have got that to you sooner.", []),
    ("entitlement", "It's ridiculous how much time we spend in meetings.", []),
    ("entitlement", "It's not fair on the people doing most of the nights.", []),
    ("self-deprecation", "I don't stand a chance of finishing this today.", []),
    ("self-deprecation", "I'm not confident the budget will be approved.", []),
    ("self-deprecation", "I'm not great at talking about myself, but I'm working on it.", []),
    ("disclaimer", "I might be off on Friday for the dentist.", []),
    ("disclaimer", "So the next step is a chat with HR, right?", []),
    ("disclaimer", "I think the deadline is the 14th, right? Just checking.", []),
    ("self-apology", "I know you're busy, so thank you for making the time.", []),
    ("hedge", "I'd like to take Friday off if that's OK.", []),
    (
        "abstract-feedback",
        "I'd like some feedback on my presentation, specifically the budget section.",
        ["advice"],
    ),
    ("no-ask", "I'd sort of like to try.", ["ask"]),
    ("no-ask", "What does the interview process look like?", ["ask"]),
    ("no-thanks", "Brilliant, ta.", ["thanks"]),
    ("colleague", "She can't even make it in today, her little one is ill.", []),
    ("colleague", "He can barely keep up with the tickets since half the team left.", []),
    ("colleague", "How is she getting on with the new rota?", []),
    ("self-deprecation", "I'd mess it up if I rushed it, so I want a proper handover.", []),
    ("self-deprecation", "I won't let you down.", []),
    ("self-deprecation", "I'd be useless without a proper handover, so can we plan one?", []),
    ("self-deprecation", "Who would put me forward for it, you or HR?", []),
    # deference to a peer is not entitlement ("I was the obvious pick" is)
    (
        "entitlement",
        "i kinda assumed bob was the obvious pick so it didnt feel like it was on the table for me",
        [],
    ),
]


@pytest.mark.parametrize(("check", "text", "expects"), CLEAN)
def test_traps_are_not_flagged(check: str, text: str, expects: list[str]) -> None:
    assert check not in fired(text, expects or EVERY_MOMENT), fired(text, expects).get(check)


def test_skill_gap_is_advice_not_self_deprecation_but_a_global_verdict_is() -> None:
    assert "self-deprecation" not in fired("I'm not good enough at SQL yet, so I'd like training.")
    assert "self-deprecation" in fired("I'm not good enough, so I'd like training.")


def test_no_expert_is_flagged_before_a_claim_but_not_in_a_question() -> None:
    assert "disclaimer" in fired("I'm no expert, but the budget is too small.")
    assert "disclaimer" not in fired("I'm no expert, but is the budget fixed?")


def test_curly_and_straight_apostrophes_are_the_same() -> None:
    for straight in (
        "I'm no expert, but I'd sort of like the role, if that's an option, isn't it?",
        "I'm sorry, I couldn't sleep and I was a mess. I'll quit otherwise.",
        "I don't want it.",
    ):
        curly = straight.replace("'", "’")
        a = {k: f.spans for k, f in fired(straight).items()}
        b = {k: f.spans for k, f in fired(curly).items()}
        assert a == b and a


def test_case_and_spacing_do_not_matter() -> None:
    assert words("I WAS JUST WONDERING if i could apply", "hedge") == ("I WAS JUST WONDERING",)
    assert words("i  was\njust   wondering if i could apply", "hedge") == ("i  was\njust   wondering",)


# --------------------------------------------------------------------------- robustness


def test_a_huge_paste_is_checked_up_to_the_limit() -> None:
    text = "Sorry to bother you. " + "x" * 1_000_000 + " I'd like the role."
    flags = fired(text, ["ask"])
    assert "self-apology" in flags
    # The ask lies beyond the limit: "no ask" cannot be judged, so it is not flagged.
    assert "no-ask" not in flags
    for flag in flags.values():
        assert all(s.end <= MAX_CHARS for s in flag.spans)


@pytest.mark.parametrize(
    "text",
    [
        "[red]sorry[/red] {{ user.name }} {% for x in y %}",
        "\x1b[31msorry to bother you\x1b[0m\x00\x07",
        "‮I was just wondering‬ if I could lead 🙂🙂",
        "İİİ sorry to bother you İstanbul",
        "'" * 5000,
        "sorry " * 2000,
        "I'm " * 2000,
        ", but " * 2000,
    ],
)
def test_odd_input_never_crashes_and_spans_stay_in_range(text: str) -> None:
    for flag in coach(text, expects=EVERY_MOMENT):
        for span in flag.spans:
            assert 0 <= span.start < span.end <= len(text)


def test_text_that_lower_case_lengthens_keeps_spans_right() -> None:
    text = "İİ Sorry to bother you, I was just wondering if I could lead."
    assert words(text, "self-apology") == ("Sorry to bother",)
    assert words(text, "hedge") == ("I was just wondering",)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcdeIimnorstuwy '’,.?!\n")) | st.characters(), max_size=200))
def test_random_text_gives_valid_spans(text: str) -> None:
    for flag in coach(text, expects=EVERY_MOMENT):
        assert flag.spans
        for span in flag.spans:
            assert 0 <= span.start < span.end <= len(text)
        assert flag.words == tuple(text[s.start : s.end] for s in flag.spans)


def test_every_pattern_in_the_data_compiles() -> None:
    # Patterns are compiled lazily, on first use: make sure none would fail then.
    count = 0
    for rule in coach_module._rules():
        for kind in ("patterns", "unless", "unless_sentence", "unless_text", "context"):
            for pat in getattr(rule, kind):
                assert pat.regex.pattern == pat.source
                count += 1
    assert count > 300


def test_the_data_loads_with_the_safe_loader() -> None:
    path = Path(coach_module.__file__).parent / "coach_data" / "checks.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [c["id"] for c in data["checks"]] == list(IDS)
    for check in data["checks"]:
        assert len(" ".join(str(check["rationale"]).split())) <= 100


def test_the_module_is_pure() -> None:
    source = Path(coach_module.__file__).read_text(encoding="utf-8")
    assert "textual" not in source and "import rich" not in source


# --------------------------------------------------------------------------- corpus


def load_corpus() -> list[dict[str, Any]]:
    items = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    assert isinstance(items, list)
    return items


def score(items: list[dict[str, Any]]) -> tuple[Counter[str], Counter[str], Counter[str]]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for item in items:
        got = {f.check.id for f in coach(item["text"], expects=frozenset(item["expects"]))}
        must = set(item["must"])
        tp.update(got & must)
        fp.update(got - must)
        fn.update(must - got)
    return tp, fp, fn


def report(tp: Counter[str], fp: Counter[str], fn: Counter[str]) -> str:
    lines = [f"{'check':24} {'prec':>6} {'recall':>6}   tp  fp  fn"]
    for cid in IDS:
        t, f, n = tp[cid], fp[cid], fn[cid]
        p = t / (t + f) if t + f else 1.0
        r = t / (t + n) if t + n else 1.0
        lines.append(f"{cid:24} {p:6.2f} {r:6.2f} {t:4} {f:3} {n:3}")
    return "\n".join(lines)


def test_corpus_is_well_formed() -> None:
    items = load_corpus()
    assert len(items) >= 170
    texts = [i["text"] for i in items]
    assert len(set(texts)) == len(texts), "duplicate replies"
    fired_anything = sum(1 for i in items if i["must"])
    assert fired_anything >= 60 and len(items) - fired_anything >= 60
    for item in items:
        assert set(item) <= {"text", "expects", "must", "must_not"}, item
        assert isinstance(item["text"], str) and item["text"].strip()
        assert set(item["expects"]) <= set(MOMENTS), item
        assert set(item["must"]) <= set(IDS), item
        assert set(item.get("must_not", [])) <= set(IDS), item
        assert not set(item["must"]) & set(item.get("must_not", [])), item
    for cid in IDS:
        assert sum(cid in i["must"] for i in items) >= 5, f"too few examples of {cid}"
        assert sum(cid in i.get("must_not", []) for i in items) >= 1 or cid in (
            "no-ask",
            "no-thanks",
        ), f"no trap for {cid}"


def test_corpus_traps_hold() -> None:
    broken = []
    for item in load_corpus():
        got = {f.check.id for f in coach(item["text"], expects=frozenset(item["expects"]))}
        bad = got & set(item.get("must_not", []))
        if bad:
            broken.append(f"{sorted(bad)}: {item['text']}")
    assert not broken, "\n".join(broken)


def test_corpus_precision_and_recall() -> None:
    tp, fp, fn = score(load_corpus())
    t, f, n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    precision = t / (t + f)
    recall = t / (t + n)
    table = report(tp, fp, fn)
    assert precision >= 0.90, f"precision {precision:.3f}\n{table}"
    assert recall >= 0.75, f"recall {recall:.3f}\n{table}"


def test_prime_compiles_every_pattern_once() -> None:
    coach_module.prime()
    compiled = coach_module._compiled.cache_info()
    coach_module.prime()
    assert coach_module._compiled.cache_info().hits >= compiled.hits + compiled.currsize
    assert coach_module._compiled.cache_info().currsize == compiled.currsize


def _required_strings() -> list[str]:
    coach_module.checks()  # builds the rules, which give every group of strings its id
    return sorted({s for group in coach_module._GROUP_IDS for s in group})


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(_required_strings()) | st.text(alphabet=st.sampled_from(list("abeinorst '’?,-\n"))),
        max_size=8,
    ).map("".join)
)
def test_the_scanner_finds_exactly_the_groups_a_substring_search_finds(text: str) -> None:
    """The one-scan pre-filter says what a substring search of every string would say."""
    low = coach_module._Reply(text).low
    groups = coach_module._GROUP_IDS
    found = coach_module._scanner().present(low)
    assert found == {gid for group, gid in groups.items() if any(s in low for s in group)}


def test_the_scanner_on_overlapping_and_nested_strings() -> None:
    scanner = coach_module._Scanner({("ab",): 0, ("abcd", "zz"): 1, ("bc",): 2, ("cd", "q"): 3, ("x",): 4})
    assert scanner.present("xabcd") == {0, 1, 2, 3, 4}
    assert scanner.present("abc") == {0, 2}
    assert scanner.present("bcq") == {2, 3}
    assert scanner.present("") == set()


def test_the_shipped_pattern_analysis_is_current() -> None:
    """coach_data/analysis.json spares every process parsing ~470 patterns; after editing a
    check, rebuild it with `python -m rehearse.engine.authoring.train`."""
    shipped = json.loads((Path(coach_module.__file__).parent / "coach_data" / "analysis.json").read_text())
    fresh = json.loads(json.dumps(coach_module.analysis()))
    if shipped["python"] != fresh["python"]:
        pytest.skip(f"the analysis was written by Python {shipped['python']}")
    assert shipped == fresh, "stale: run python -m rehearse.engine.authoring.train"


def test_patterns_built_from_the_shipped_analysis_equal_patterns_analysed_now(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    macros = coach_module._macros(coach_module.data())
    raw = coach_module._raw_patterns(coach_module.data())
    shipped = [coach_module._pat(p, macros) for p in raw]
    monkeypatch.setattr(coach_module, "_shipped", dict)  # nothing shipped: every pattern analysed
    assert [coach_module._pat(p, macros) for p in raw] == shipped


def test_checks_over_a_text_already_checked_say_what_a_fresh_check_says() -> None:
    """coach() and met_absent() share one analysis of the text (its memos filled by the
    first): the answers are those of a fresh analysis, in either order."""
    text = "Sorry, I just wanted to ask, is there any chance I could maybe lead the project?"
    moments = frozenset(MOMENTS)
    coach_module._reply.cache_clear()
    first = (coach(text, expects=moments), coach_module.met_absent(text))
    coach_module._reply.cache_clear()
    absent_first = coach_module.met_absent(text)
    assert (coach(text, expects=moments), absent_first) == first
    assert coach_module._reply.cache_info().hits >= 1


def test_an_ask_or_thanks_typed_fast_is_still_an_ask_or_thanks() -> None:
    """ "cud we do a check in every month" asks as plainly as "could we...": the checks of
    what a reply leaves out read shorthand, contractions without an apostrophe and
    misspellings written out, so the debrief never says a user did not ask when they did."""
    from rehearse.engine.runtime.coach import coach

    for text, moment in (
        ("cud we do a check in every month or so", "ask"),
        ("id love that, cud u put me forward", "ask"),
        ("thx so much for this", "thanks"),
        ("thnaks so much for this", "thanks"),
        ("ok so what shud i actualy work on first", "ask"),  # asking what to work on
        ("which skill should i work on first, stakeholders or the roadmap?", "ask"),
    ):
        assert not coach(text, expects={moment}), text
    assert coach("we do a check in every month", expects={"ask"})  # no ask: still flagged
