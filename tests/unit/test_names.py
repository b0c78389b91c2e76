"""Your name given to someone else in the conversation is caught before play."""

from __future__ import annotations

import re

import pytest

from rehearse.engine.diagnostics import Loc
from rehearse.engine.runtime.session import Setup, begin
from rehearse.engine.templating import Namespace, Text
from rehearse.views.names import clash_warning, name_clashes

from .helpers import bundled_catalog


def test_a_variable_holding_the_user_s_first_name_clashes() -> None:
    variables = {"role": "product lead", "winner": "Alex", "manager_role": "hiring manager"}
    assert name_clashes("Alex", variables) == (("winner", "Alex"),)
    assert name_clashes("alex smith", variables) == (("winner", "Alex"),)
    assert name_clashes("Alexandra", variables) == ()
    assert name_clashes("Sam", variables) == ()
    assert name_clashes("you", {"peer": "you"}) == ()  # the stand-in when no name is given
    assert name_clashes("Lead", {"role": "a lead role that is long enough to be prose"}) == ()


def test_the_warning_names_both_and_the_way_out() -> None:
    warning = clash_warning("Alex", (("winner", "Alex"),))
    assert warning.startswith("Your name, Alex, is also the winner in this conversation (Alex)")
    assert "Change your name or the winner's." in warning
    assert clash_warning("Alex", ()) == ""


@pytest.mark.parametrize(
    ("source", "named", "unnamed"),
    [
        ("Come in, {{ user.name }}. What's up?", "Come in, Ana. What's up?", "Come in. What's up?"),
        ("Hi {{ user.name }}, come in.", "Hi Ana, come in.", "Hi, come in."),
        ("{{ user.name }}, hi. What is it?", "Ana, hi. What is it?", "Hi. What is it?"),
        ("{{user.name}}. I've ten minutes.", "Ana. I've ten minutes.", "I've ten minutes."),
        ("Hi {{ user.name }}.", "Hi Ana.", "Hi."),
        (
            "I mean it, {{ user.name }}, you're doing well.",
            "I mean it, Ana, you're doing well.",
            "I mean it, you're doing well.",
        ),
        # not addressing the user: left to read "you"
        (
            "The panel picked {{ user.name }} last time.",
            "The panel picked Ana last time.",
            "The panel picked you last time.",
        ),
    ],
)
def test_the_boss_leaves_out_a_name_the_user_did_not_give(source: str, named: str, unnamed: str) -> None:
    text = Text.compile(source, Loc("t.yaml", 1, 1))
    user = {"role": "lead"}
    assert text.render({**user, "user": Namespace({"name": "Ana"})}) == named
    assert text.render({**user, "user": Namespace({"name": "you"})}) == unnamed


def test_no_bundled_line_calls_a_user_without_a_name_you() -> None:
    catalog = bundled_catalog()
    vocative = re.compile(r"(,\s*you[.,!?]|\b(hi|hello|morning)\s+you\b|^you[.,])", re.IGNORECASE)
    for script in catalog.scripts.values():
        for persona in catalog.personas_for(script):
            for seed in range(6):
                for nobody in ("you", "", " "):
                    setup = Setup(script, persona, user_name=nobody, seed=seed)
                    opening = begin(setup).transcript[0].boss
                    assert not vocative.search(opening), (script.id, persona.id, opening)
                    assert ",." not in opening and "  " not in opening
