"""The replay screen: turn by turn (keys and mouse), how each reply was understood, the
strong reply beside yours, retry from a turn, and turns an edited script now reads
differently; and its snapshots."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from rehearse.engine.runtime.session import Setup
from rehearse.ui.messages import OpenReplay
from rehearse.ui.screens.chat import ChatScreen
from rehearse.ui.screens.replay import ReplayScreen
from rehearse.views.diff import word_diff
from rehearse.workspace.library import catalog as load_catalog
from tests.ui import sessions_data as sd
from tests.ui.helpers import case_for, say, wait_ready
from tests.ui.sessions_data import DATA, frozen, utc  # noqa: F401  (fixtures)
from tests.ui.test_sessions import SIZES

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
CLARIFY = "purple elephants on the moon"


def _text(screen: ReplayScreen, name: str) -> str:
    widget = screen.query_one(f"#turn-{name}", Static)
    return str(getattr(widget.visual, "plain", "")) if widget.display else ""


def _styled_words(screen: ReplayScreen, name: str, style: str) -> set[str]:
    content = screen.query_one(f"#turn-{name}", Static).visual
    return {content.plain[span.start : span.end] for span in content.spans if style in str(span.style)}


def _record_fail() -> tuple[int, dict[str, Any]]:
    """A hedged first reply (flagged), a reply the boss does not follow, then the rest."""
    case = case_for("not-this-role", "fail")
    setup = sd.setup_for("not-this-role", case.get("persona"), seed=case.get("seed", 0))
    return sd.record(setup, [sd.HEDGED, CLARIFY, *case["replies"]]), case


async def _open(pilot: Any, session_id: int, turn: int | None = None) -> ReplayScreen:
    await wait_ready(pilot)
    pilot.app.post_message(OpenReplay(session_id, turn))
    await pilot.pause()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReplayScreen)
    return screen


def test_word_diff_marks_the_words_each_side_lacks() -> None:
    mine, model = word_diff("I think I'd like the job, maybe", "I'd like the lead job.")
    said = "I think I'd like the job, maybe"
    strong = "I'd like the lead job."
    assert [said[s:e] for s, e in mine] == ["I", "think", "maybe"]
    assert [strong[s:e] for s, e in model] == ["lead"]
    assert word_diff("Same words.", "same words") == ([], [])


async def test_replay_shows_each_turn_as_it_happened() -> None:
    session_id, _ = _record_fail()
    with sd.store() as store:
        stored = store.load(session_id)
    first = stored.turns[1]
    async with sd.saving_app().run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot, session_id)
        assert screen.current is not None and screen.current.index == 1
        # the boss's line you answered, and what you said
        assert " ".join(stored.turns[0].boss.split())[:40] in " ".join(_text(screen, "before").split())
        assert _text(screen, "you") == sd.HEDGED
        # the coach's flagged words are underlined
        flagged = _styled_words(screen, "you", "underline")
        words = [w for c in first.coaching for w in c.words]
        assert words and all(any(w in f or f in w for f in flagged) for w in words)
        # the strong reply beside it, the differing words highlighted on both sides
        model = _text(screen, "model")
        assert model
        mine_diff, model_diff = word_diff(sd.HEDGED, model)
        assert {sd.HEDGED[s:e] for s, e in mine_diff} <= _styled_words(screen, "you", "strike")
        assert {model[s:e] for s, e in model_diff} <= _styled_words(screen, "model", "bold")
        # the legend tells the highlights apart in words, not by colour alone
        legend = _text(screen, "legend")
        assert "struck through: only in yours; in bold: only in the strong reply" in legend
        assert "underlined: flagged by the coach" in legend
        # how it was understood: the decision, the reply, the close alternatives and scores
        understood = _text(screen, "understood")
        assert first.label and first.label in understood
        alternatives = _text(screen, "alternatives")
        top = sorted(first.scores, key=lambda s: -s.score)[:3]
        for score in top:
            assert f"{score.score:3.0f}" in alternatives
        assert first.label in alternatives
        # the coach's notes and flags
        coach = _text(screen, "coach")
        for check in first.coaching:
            assert check.title in coach
        if first.coach_note:
            assert " ".join(first.coach_note.split())[:40] in coach
        assert " ".join(first.boss.split())[:40] in " ".join(_text(screen, "boss").split())


async def test_step_with_keys_and_with_clicks() -> None:
    session_id, _ = _record_fail()
    with sd.store() as store:
        stored = store.load(session_id)
    async with sd.saving_app().run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot, session_id)
        assert screen.current.index == 1
        await pilot.press("right")
        assert screen.current.index == 2
        assert _text(screen, "you") == CLARIFY
        assert "not understood" in _text(screen, "understood")
        await pilot.press("j")
        assert screen.current.index == 3
        await pilot.press("k", "left")
        assert screen.current.index == 1
        await pilot.press("left")  # already at the first turn
        assert screen.current.index == 1
        await pilot.click("#replay-next")
        await pilot.pause()
        assert screen.current.index == 2
        await pilot.click("#replay-next")
        await pilot.click("#replay-prev")
        await pilot.pause()
        assert screen.current.index == 2
        await pilot.press("end")
        assert screen.current.index == stored.turns[-1].index
        strip = str(screen.query_one("#turn-strip", Static).visual.plain)
        assert f"Turn {stored.turns[-1].index} of {len(stored.turns) - 1}" in strip
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, ReplayScreen)


async def test_retry_from_a_turn_starts_a_linked_session() -> None:
    session_id, case = _record_fail()
    k = 3
    with sd.store() as store:
        old = store.load(session_id)
        before = store.count()
    async with sd.saving_app().run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot, session_id, turn=k)
        assert screen.current.index == k
        await pilot.press("r")
        await pilot.pause()
        chat = pilot.app.screen
        assert isinstance(chat, ChatScreen)
        # the conversation so far is the one you had, up to the turn you retry
        assert chat.state.turn == k - 1
        assert [t.user for t in chat.state.transcript[1:]] == [t.user for t in old.turns[1:k]]
        assert [t.boss for t in chat.state.transcript] == [t.boss for t in old.turns[:k]]
        with sd.store() as store:
            assert store.count() == before + 1
            new_id = store.latest_id()
            assert new_id is not None and new_id != session_id
            new = store.load(new_id)
        assert new.parent == session_id
        assert new.parent_turn == k
        assert [t.user for t in new.turns] == [t.user for t in old.turns[:k]]
        # and it goes on live, recorded in the new session
        await say(pilot, case["replies"][0])
        with sd.store() as store:
            assert len(store.load(new_id).turns) == k + 1
            assert store.load(session_id).turn_count == old.turn_count


async def test_retry_from_a_button_click() -> None:
    session_id, _ = _record_fail()
    async with sd.saving_app().run_test(size=(120, 40)) as pilot:
        await _open(pilot, session_id)
        await pilot.click("#replay-retry")
        await pilot.pause()
        chat = pilot.app.screen
        assert isinstance(chat, ChatScreen)
        assert chat.state.turn == 0
        with sd.store() as store:
            new = store.load("latest")
        assert (new.parent, new.parent_turn) == (session_id, 1)


async def test_a_session_without_replies_and_literal_text() -> None:
    silent = sd.record(sd.setup_for("not-this-role"), [])
    odd = "[red]not markup[/red] {{ 7 * 7 }} \x1b[2J"
    noisy = sd.record(sd.setup_for("not-this-role"), [odd])
    async with sd.saving_app().run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, silent)
        assert screen.current is None
        assert "You did not reply" in _text(screen, "before")
        await pilot.press("right", "left")  # nothing to step through, nothing breaks
        await pilot.press("escape")
        await pilot.pause()
        screen = await _open(pilot, noisy)
        shown = _text(screen, "you")
        assert "[red]not markup[/red] {{ 7 * 7 }}" in shown
        assert "\x1b" not in shown and "␛[2J" in shown


EDIT_FROM = """        next:
          - when: "persona.traits.sceptical"
            to: pushback
          - to: agreed_q"""
EDIT_TO = """        next: pushback"""


async def test_an_edited_script_marks_the_turns_that_go_differently_now(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    shutil.copytree(MINI, folder)
    catalog = load_catalog([folder])
    script = catalog.scripts["mini"]
    setup = Setup(script, catalog.personas["pat"], user_name="Alex", seed=0)
    session_id = sd.record(setup, ["I want to be considered for the lead job", "yes please"])
    with sd.store() as store:
        recorded = store.load(session_id)
    assert recorded.outcome == "success"
    path = folder / "mini.yaml"
    text = path.read_text(encoding="utf-8")
    assert EDIT_FROM in text
    path.write_text(text.replace(EDIT_FROM, EDIT_TO), encoding="utf-8")

    async with sd.saving_app(extra_paths=[folder]).run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot, session_id)
        replay = screen.replay
        assert replay.script_changed
        assert sorted(replay.changed) == [1, 2]
        assert "now the boss answers “Are you sure you want the headache?”" in replay.changed[1]
        note = screen.query_one("#replay-note", Static)
        assert note.display and "script has changed" in str(note.visual.plain)
        strip = str(screen.query_one("#turn-strip", Static).visual.plain)
        assert "2≠" in strip
        # shown as it happened: the stored boss line, not the new one
        await pilot.press("right")
        assert screen.current.index == 2
        assert "Done. I'll send the invite." in _text(screen, "boss")
        assert "≠" in _text(screen, "changed")
        assert "now" in _text(screen, "changed")

    # an unchanged script shows no marker
    path.write_text(text, encoding="utf-8")
    async with sd.saving_app(extra_paths=[folder]).run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot, session_id)
        assert not screen.replay.script_changed
        assert not screen.replay.changed
        assert not screen.query_one("#replay-note", Static).display
        assert _text(screen, "changed") == ""


# ------------------------------------------------------------------------- snapshots


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_replay(snap_compare: Any, size: tuple[int, int]) -> None:
    case = case_for("not-this-role", "fail", DATA / "scripts")
    setup = sd.setup_for("not-this-role", case.get("persona"), seed=case.get("seed", 0))
    sd.record(setup, [sd.HEDGED, CLARIFY, *case["replies"]])

    async def run_before(pilot: Any) -> None:
        await wait_ready(pilot)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ReplayScreen)

    assert snap_compare(sd.saving_app(), terminal_size=size, run_before=run_before)


async def test_the_app_can_open_straight_into_a_session_s_replay() -> None:
    session_id, _ = _record_fail()
    async with sd.saving_app(replay=session_id).run_test(size=(80, 24)) as pilot:
        await wait_ready(pilot)
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, ReplayScreen)
        assert screen.replay.stored.id == session_id
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, ReplayScreen)  # back to the list, as from the app


async def test_a_no_read_as_a_yes_negated_is_shown_as_its_opposite() -> None:
    """ "It isn't nerves." is the no because it negates the yes's example "It is nerves.";
    the replay must not say the reply it was read as was closest to that example."""
    setup = sd.setup_for("not-this-role", "joe")
    said = [
        "Thanks, but I'm not going to apply this time.",
        "I want to become the go-to person for training.",
    ]
    session_id = sd.record(setup, [*said, "It isn't nerves."], finish=False)
    async with sd.saving_app().run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot, session_id, 3)
        assert _text(screen, "you") == "It isn't nerves."
        alternatives = _text(screen, "alternatives")
        chosen = next(line for line in alternatives.splitlines() if line.startswith("→"))
        assert "Hold the line kindly" in chosen
        after = alternatives.split(chosen, 1)[1].splitlines()[1]
        assert "the opposite of “It is nerves.”" in after
        assert "the opposite of" in _text(screen, "understood")
