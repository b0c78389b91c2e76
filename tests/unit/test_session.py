"""The state machine: determinism, branching, escalation, patience, undo."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rehearse.engine.runtime import session
from rehearse.engine.runtime.session import SessionOver, step

from .helpers import bundled_catalog, mini_catalog, mini_state


def test_opening_renders_user_name_and_picks_a_variant_by_seed() -> None:
    lines = {mini_state(seed=s).transcript[0].boss for s in range(12)}
    assert lines == {"Hi Ana, what's up?", "Come in, Ana. What can I do for you?"}


def test_same_seed_and_inputs_give_the_same_transcript() -> None:
    inputs = ["hmm", "I'd like to be considered for the lead job", "yes please"]
    a = session.play(mini_state(seed=7).setup, inputs)
    b = session.play(mini_state(seed=7).setup, inputs)
    assert a.transcript == b.transcript
    assert a.ending is not None and a.ending.outcome == "success"


def test_matched_reply_moves_scores_flags_and_visits() -> None:
    state, turn = step(mini_state(), "I want to be considered for the lead job")
    assert turn.reply == "want" and turn.kind == "line"
    assert state.node == "agreed_q"
    assert state.scores["clarity"] == 2 and state.flags["asked"] is True
    assert state.visits["agreed_q"] == 1 and state.last == "want"
    assert turn.boss == "Great. Shall we set up a chat with HR?"


def test_conditional_next_follows_persona_traits() -> None:
    state, _ = step(mini_state(persona="kim"), "I want to be considered for the lead job")
    assert state.node == "pushback"


def test_when_condition_chooses_the_line_from_visits_and_flags() -> None:
    state, _ = step(mini_state(), "Bob is useless and lazy")
    assert state.node == "recover"
    state, turn = step(state, "I want the lead job")
    assert turn.boss == "Thanks for coming back to it. Shall we set up a chat with HR?"
    assert state.scores == {"clarity": 1, "grace": -2}


def test_vars_reach_templates_and_examples() -> None:
    state = mini_state(role="analyst")
    assert session.hint(state) == "Say plainly that you want the analyst job."
    state, turn = step(state, "count me in for the analyst role")
    assert turn.reply == "want"


def test_each_ending_outcome_is_reachable() -> None:
    setup = mini_state().setup
    success = session.play(setup, ["I want to apply for the lead position", "yes please"])
    partial = session.play(setup, ["I want to apply for the lead position", "not yet"])
    fail = session.play(setup, ["Bob is useless", "Bob is still useless"])
    assert [s.ending.outcome for s in (success, partial, fail) if s.ending] == [
        "success",
        "partial",
        "fail",
    ]
    assert success.ending is not None and success.ending.debrief == "You asked for the lead job clearly."
    assert success.transcript[-1].kind == "ending"


def test_escalation_rephrase_then_hint_then_menu_and_a_number_picks() -> None:
    state = mini_state()
    state, first = step(state, "banana keyboard orbit")  # no reply, and no aside either
    assert first.kind == "clarify" and first.boss == "Sorry, say that again?"
    state, second = step(state, "purple monkeys dishwasher")
    assert second.kind == "hint" and second.hint == "Say plainly that you want the lead job."
    state, third = step(state, "what time is lunch")
    assert third.kind == "menu"
    assert [o.label for o in third.options] == ["Say you want the job", "Run down a colleague"]
    state, picked = step(state, "1")
    assert picked.reply == "want" and picked.decision is not None
    assert picked.decision.reason == "picked option 1"
    assert state.misses == 0 and state.offered == ()


def test_a_number_without_a_menu_is_just_text() -> None:
    _, turn = step(mini_state(), "1")
    assert turn.reply is None and turn.kind == "clarify"


def test_open_menu_offers_every_reply() -> None:
    state = session.open_menu(mini_state())
    assert state.offered == ("want", "knock_peer")
    state, turn = step(state, "2")
    assert turn.reply == "knock_peer"


def test_patience_runs_out_into_a_distinct_ending() -> None:
    state = mini_state(persona="kim")
    state, first = step(state, "seven green lamps")
    assert first.kind == "clarify" and state.patience_left == 1
    state, last = step(state, "more weather")
    assert last.kind == "wrapup" and last.boss == "I have another meeting. We're done."
    assert state.ending is not None
    assert (state.ending.outcome, state.ending.reason, state.ending.node) == (
        "fail",
        "patience",
        None,
    )
    with pytest.raises(SessionOver):
        step(state, "wait")


def test_undo_returns_the_previous_state_exactly() -> None:
    start = mini_state()
    after, _ = step(start, "I want to be considered for the lead job")
    assert session.undo(after) == start
    assert session.undo(after).transcript == start.transcript
    assert session.undo(start) is start


def test_retry_from_turn_k_is_the_fold_of_the_first_k_minus_1_inputs() -> None:
    inputs = ["Bob is useless", "I want the lead job", "not yet"]
    full = session.play(mini_state().setup, inputs)
    state = full
    while state.turn > 1:
        state = session.undo(state)
    assert state == session.play(mini_state().setup, inputs[:1])


def test_ambiguous_reply_asks_which_and_a_number_resolves(monkeypatch: pytest.MonkeyPatch) -> None:
    from rehearse.engine.runtime import matching

    monkeypatch.setattr(matching, "MARGIN", 100.0)
    monkeypatch.setattr(matching, "THRESHOLD", 0.0)
    state, turn = step(mini_state(), "I want to be considered for the lead job")
    assert turn.kind == "ambiguous" and len(turn.options) == 2
    assert turn.boss.startswith("Do you mean ")
    state, picked = step(state, "1")
    assert picked.reply == turn.options[0].reply


def test_user_text_is_never_rendered_as_a_template() -> None:
    text = "{{ 7*7 }} {% for x in range(3) %}x{% endfor %} [red]no[/red]"
    _, turn = step(mini_state(), text)
    assert turn.user == text
    assert "49" not in turn.boss


def test_pure_step_does_not_change_its_input_state() -> None:
    state = mini_state()
    before = replace(state)
    step(state, "I want to be considered")
    assert state == before


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=8))
def test_any_inputs_fold_without_crashing_and_deterministically(inputs: list[str]) -> None:
    setup = mini_state(seed=3).setup
    a = session.play(setup, inputs)
    b = session.play(setup, inputs)
    assert a.transcript == b.transcript
    assert a.turn <= len(inputs)


def test_personas_change_the_conversation() -> None:
    catalog = mini_catalog()
    assert catalog.personas["kim"].patience < catalog.personas["pat"].patience


@pytest.mark.parametrize("name", ["Robin", "you", "Zoë O'Brien"])
def test_the_opening_situation_is_the_situation_of_a_begun_session(name: str) -> None:
    from rehearse.engine.runtime.setup import opening_situation

    for script_id in ("fumbled-promotion", "not-this-role", "passed-over"):
        script = bundled_catalog().scripts[script_id]
        for persona in bundled_catalog().personas_for(script):
            setup = session.Setup(script, persona, user_name=name, vars={"role": "night lead"})
            assert opening_situation(setup) == session.situation(session.begin(setup))


def test_thanks_said_once_is_not_asked_for_again() -> None:
    catalog = bundled_catalog()
    script = catalog.scripts["passed-over"]
    setup = session.Setup(script, catalog.personas["sam"], user_name="Robin")
    asked = "What specifically did the panel see in Alex that they didn't see in me?"

    def flags(state: session.State) -> set[str]:
        return {f.check.id for f in state.transcript[-1].coaching}

    cold = session.play(setup, [asked])
    assert "no-thanks" in flags(cold)  # the first reply, with no thanks at all
    warm = session.play(setup, ["Thanks for being honest with me, I appreciate it.", asked])
    assert "no-thanks" not in flags(warm) and "no-thanks" in warm.said
    # both replies taken back: the thanks no longer counts
    assert session.undo(session.undo(warm)).said == frozenset()
