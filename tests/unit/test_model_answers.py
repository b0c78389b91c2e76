"""Model answers: the debrief offers them as strong replies, so `rehearse check` warns when
one is flagged by the coach, not understood as its reply, or leads nowhere good."""

from __future__ import annotations

from rehearse.engine.authoring.check import lint_model_answers
from rehearse.engine.authoring.model_answers import model_problems
from rehearse.engine.compile.loader import script_from_text

from .helpers import MINI, mini_catalog

GOOD = (MINI / "mini.yaml").read_text()
OPENING_MODEL = '''    model: "I'd like to be considered for the {{ role }} job."'''


def naming(reply: str) -> str:
    """The fixture with the opening's model answer naming ``reply``."""
    say = "I'd like to be considered for the {{ role }} job."
    return GOOD.replace(OPENING_MODEL, f'    model:\n      say: "{say}"\n      reply: {reply}')


def findings(text: str) -> dict[str, list[str]]:
    script, report = script_from_text(text, "mini.yaml")
    assert script is not None, [d.render() for d in report.items]
    lint_model_answers(script, dict(mini_catalog().personas), report)
    out: dict[str, list[str]] = {}
    for d in report.items:
        out.setdefault(d.code, []).append(d.render())
    return out


def test_the_fixture_s_model_answers_work() -> None:
    assert OPENING_MODEL in GOOD
    assert findings(GOOD) == {}


def test_a_hedged_model_answer_is_flagged_at_its_words() -> None:
    text = GOOD.replace(
        OPENING_MODEL,
        '''    model: "I was sort of wondering if I could be considered for the {{ role }} job."''',
    )
    [warning] = findings(text)["W150"]
    assert "hedging the ask" in warning and "sort of" in warning
    assert "\n" + " " * warning.splitlines()[1].index("sort of") + "^^^^^^^" in warning


def test_a_model_answer_read_as_another_reply_or_not_at_all() -> None:
    named = naming("knock_peer")
    [warning] = findings(named)["W151"]
    assert "not understood as 'knock_peer': read as 'want'" in warning
    vague = GOOD.replace(OPENING_MODEL, '''    model: "The weather has been lovely this week."''')
    assert "not understood as a reply" in findings(vague)["W151"][0]


def test_a_model_answer_naming_a_missing_reply_is_an_error_with_a_suggestion() -> None:
    _, report = script_from_text(naming("wnat"), "mini.yaml")
    [error] = [d for d in report.items if d.code == "R108"]
    assert "names reply 'wnat'" in error.message and error.hint is not None and "want" in error.hint


def test_model_answers_that_lead_to_a_bad_ending_are_found_for_each_persona() -> None:
    recover_model = '''    model: "You're right, that wasn't fair. I want the {{ role }} job."'''
    assert recover_model in GOOD
    text = GOOD.replace(OPENING_MODEL, '''    model: "Bob is useless at his job"''').replace(
        recover_model, '''    model: "Bob is still useless"'''
    )
    script, _ = script_from_text(text, "mini.yaml")
    assert script is not None
    walks = [p for p in model_problems(script, mini_catalog().personas) if p.kind == "walk"]
    assert {p.persona for p in walks} == {"pat", "kim"}
    assert all("ends at 'blew_it' (fail), not a success" in p.message for p in walks)


def test_a_variable_starting_a_sentence_in_lower_case_is_flagged_once_filled_in() -> None:
    text = GOOD.replace(OPENING_MODEL, '    model: "I want to be considered. {{ role }} is the job I want."')
    [warning] = findings(text)["W153"]
    assert "starts a sentence in lower case once filled in (“lead is the…”)" in warning
    fixed = GOOD.replace(
        OPENING_MODEL, '    model: "I want to be considered. The {{ role }} job is what I want."'
    )
    assert "W153" not in findings(fixed)
