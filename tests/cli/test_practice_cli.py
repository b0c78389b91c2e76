"""Practice from the command line: drill (--list, --json, --plain), retry, explore, compare,
and pressure mode in plain play."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner, Result

from rehearse.cli.group import cli
from rehearse.cli.plain import PlainRunner
from rehearse.engine.runtime import session as sess
from rehearse.engine.runtime.debrief import POINTS_PER_SCORE
from rehearse.history.store import Store
from rehearse.workspace.library import script_and_persona
from rehearse.workspace.paths import database_path
from tests.cli.helpers import ROOT

CLARIFY = "purple elephants on the moon"


def days_ago() -> datetime:
    """Three days before now, worked out when a test records (not when the module is
    imported: a suite that runs across midnight would count one day more)."""
    return datetime.now(UTC) - timedelta(days=3)


def invoke(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, obj={}, catch_exceptions=False)


def ok(*args: str, input: str | None = None) -> Result:
    result = invoke(*args, input=input)
    assert result.exit_code == 0, result.output
    return result


def setup(persona: str = "joe", seed: int = 2) -> sess.Setup:
    found = script_and_persona("not-this-role", persona)
    return sess.Setup(found.script, found.persona, user_name="Alex", seed=seed)


def record(replies: list[str], *, at: datetime | None = None, persona: str = "joe") -> int:
    """A session of not-this-role played at ``at``, three days ago unless said (its weak
    moments due a day later)."""
    played = at or days_ago()
    with Store.open(database_path()) as store:
        store.clock = lambda: played
        state = sess.begin(setup(persona))
        sid = store.start(state)
        for text in replies:
            state, turn = sess.step(state, text)
            store.record(sid, state, turn)
        store.finish(sid, state)
        return sid


def strong_opening() -> str:
    text = sess.model_answer(sess.begin(setup()))
    assert text is not None
    return text


# -- drill ---------------------------------------------------------------------------------


def test_drill_list_with_nothing_due() -> None:
    assert "No moments are due for a drill." in ok("drill", "--list").output
    assert "No moments are due" in ok("drill").output


def test_drill_list_says_what_is_due_and_why_in_words() -> None:
    record([CLARIFY])
    out = ok("drill", "--list").output
    assert "1 moment due for a drill:" in out
    assert "Not this role: here is what I want instead, with Joe Brennan" in out
    assert "due 2 days ago" in out
    assert "not understood: the boss asked you to say it another way" in out
    assert "opening" not in out  # no node ids in words


def test_drill_list_json_has_the_ids_for_tools() -> None:
    sid = record([CLARIFY])
    data = json.loads(ok("drill", "--list", "--json").output)
    (moment,) = data["moments"]
    assert (moment["script"], moment["node"], moment["persona"]) == ("not-this-role", "opening", "joe")
    assert moment["is_due"] and moment["from_session"] == sid and moment["from_turn"] == 1
    assert moment["reasons"][0]["kind"] == "missed"
    assert datetime.fromisoformat(moment["due"]) < datetime.now(UTC)


def test_drill_list_all_shows_moments_not_due_yet() -> None:
    record([CLARIFY], at=datetime.now(UTC))
    assert "No moments are due" in ok("drill", "--list").output
    out = ok("drill", "--list", "--all").output
    assert "1 moment:" in out and "due tomorrow" in out


def test_drill_options_that_do_not_go_together() -> None:
    assert invoke("drill", "--json").exit_code == 2
    assert invoke("drill", "--list", "--plain").exit_code == 2


def test_drill_plain_plays_each_due_moment_and_gives_a_verdict() -> None:
    source = record([CLARIFY])
    result = ok("drill", "--plain", input=strong_opening() + "\n")
    out = result.output
    assert "Moment 1 of 1: Not this role" in out
    assert "Why it is back: not understood" in out
    assert "✓ Strong: it landed at once" in out
    assert "Drilled 1 of 1 moment." in out
    with Store.open(database_path()) as store:
        assert store.due_count() == 0
        drilled = store.load("latest")
        assert (drilled.parent, drilled.parent_turn) == (source, 1)
        (moment,) = store.moments(datetime.now(UTC) + timedelta(days=60), due_only=False)
        assert moment.memory.reviews == 2 and moment.memory.last_grade == "good"


def test_drill_plain_stops_at_the_end_of_input() -> None:
    record([CLARIFY])
    out = ok("drill", "--plain", input="").output
    assert "(stopped)" in out and "Drilled 0 of 1 moment." in out


def test_purge_removes_the_cards() -> None:
    record([CLARIFY])
    ok("purge", "--yes")
    assert "No moments to drill yet." in ok("drill", "--list", "--all").output


# -- retry ---------------------------------------------------------------------------------


def test_retry_plain_continues_from_the_turn_as_a_linked_session() -> None:
    sid = record([CLARIFY, strong_opening()])
    out = ok("retry", str(sid), "--turn", "2", "--plain", input=":quit\n").output
    assert "picking up before turn 2" in out
    with Store.open(database_path()) as store:
        new = store.load("latest")
        old = store.load(sid)
    assert (new.parent, new.parent_turn) == (sid, 2)
    assert new.inputs == (CLARIFY,)
    assert new.turns[1].boss == old.turns[1].boss


def test_retry_a_turn_that_does_not_exist() -> None:
    sid = record([CLARIFY])
    result = invoke("retry", str(sid), "--turn", "9", "--plain")
    assert result.exit_code == 2 and "no turn 9" in result.output


# -- explore -------------------------------------------------------------------------------


def test_explore_lists_every_reply_and_where_it_leads() -> None:
    sid = record([CLARIFY])
    out = ok("explore", str(sid), "--turn", "1").output
    state = sess.begin(setup())
    assert f"You said: “{CLARIFY}”" in out
    for candidate in state.candidates():
        assert candidate.label in out
        assert f" {candidate.id}\n" not in out
    assert "Shortest way to success:" in out
    assert "← what you said" not in out  # it was not understood as any of them


def test_explore_json_agrees_with_the_engine() -> None:
    sid = record([strong_opening()])
    data = json.loads(ok("explore", str(sid), "--turn", "1", "--json").output)
    state = sess.begin(setup())
    assert [b["reply"] for b in data["branches"]] == [c.id for c in state.candidates()]
    assert data["chosen"] in [c.id for c in state.candidates()]
    assert data["complete"] and data["shortest_success"]["outcome"] == "success"
    for branch in data["branches"]:
        menu = sess.open_menu(state)
        _, turn = sess.step(menu, str(menu.offered.index(branch["reply"]) + 1))
        assert branch["boss"] == turn.boss


def test_explore_without_sessions_fails_clearly() -> None:
    result = invoke("explore", "latest", "--turn", "1")
    assert result.exit_code == 2 and "rehearse sessions" in result.output


# -- compare -------------------------------------------------------------------------------


def test_compare_two_attempts() -> None:
    a = record([CLARIFY, strong_opening()])
    b = record([strong_opening()])
    out = ok("compare", str(a), str(b)).output
    assert f"A: session {a}" in out and f"B: session {b}" in out
    assert "(20" in out and ", unfinished), with" in out and ", · " not in out  # the word, no stray dot
    assert "They went apart at turn 1: the same question, a different answer." in out
    assert "≠ they went apart here" in out
    assert "Rubric (0-100; B against A):" in out
    with Store.open(database_path()) as store:
        moved = store.load(str(b)).turns[1].score_delta
    # each turn's score moves on the debrief's 0-100 scale, as the debrief shows them
    assert moved and all(f"{d} {n * POINTS_PER_SCORE:+d}" in out for d, n in moved.items())
    data = json.loads(ok("compare", str(a), str(b), "--json").output)
    assert data["diverged_at"] == 1
    assert data["turns"][0]["a"]["said"] == CLARIFY
    assert {d["dimension"] for d in data["rubric"]} == set(setup().script.rubric)


def test_compare_refuses_two_different_scripts() -> None:
    a = record([CLARIFY])
    found = script_and_persona("passed-over", None)
    with Store.open(database_path()) as store:
        b = store.start(sess.begin(sess.Setup(found.script, found.persona, seed=1)))
    result = invoke("compare", str(a), str(b))
    assert result.exit_code == 2 and "same conversation" in result.output


# -- pressure ------------------------------------------------------------------------------


def test_plain_play_with_pressure_keeps_each_replys_time_and_stats_show_it() -> None:
    ok("play", "not-this-role", "--plain", "--pressure", "--seed", "2", input=f"{CLARIFY}\n:quit\n")
    with Store.open(database_path()) as store:
        kept = store.load("latest")
    timing = kept.turns[1].timing
    assert timing is not None and timing.first_key is None and timing.send >= 0
    out = ok("stats").output
    assert "to reply" in out and "latest: turn 1" in out
    assert json.loads(ok("stats", "--json").output)["scripts"][0]["hesitation"][0]["turn"] == 1


def test_without_pressure_nothing_is_timed() -> None:
    ok("play", "not-this-role", "--plain", "--seed", "2", input=f"{CLARIFY}\n:quit\n")
    with Store.open(database_path()) as store:
        assert store.load("latest").turns[1].timing is None
    assert "to reply" not in ok("stats").output


class Ticks:
    """A clock the test moves: each call is ten seconds on."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 10
        return self.now


@pytest.mark.parametrize(("silences", "nudges"), [(0, 0), (2, 2)])
def test_plain_pressure_nudges_after_the_personas_patience(silences: int, nudges: int) -> None:
    """Dana waits 40 seconds; each wait that ends with no line brings "Still with me?"."""
    answers = iter([False] * silences + [True] * 5)
    waited: list[float] = []

    def wait(seconds: float) -> bool:
        waited.append(seconds)
        return next(answers)

    out = io.StringIO()
    state = sess.begin(setup("dana"))
    runner = PlainRunner(state, out, echo=False, pressure=True, clock=Ticks(), wait=wait)
    final = runner.run(io.StringIO(f"{CLARIFY}\n"), debrief=False)
    turn = final.transcript[1]
    assert turn.nudges == nudges
    assert turn.timing == sess.Timing(None, 10.0)
    assert set(waited) == {40.0}
    said = [line for line in out.getvalue().splitlines() if line.startswith("Dana Whitfield: ")]
    assert len(said) == 1 + nudges + 1  # the opening, the nudges, the answer
    expected = state
    for _ in range(nudges):
        expected, _said = sess.nudge(expected)
    expected, _turn = sess.step(expected, CLARIFY)
    assert final.total_misses == expected.total_misses > nudges  # Dana's nudges cost patience


# -- the docs' examples --------------------------------------------------------------------

DOC_ATTEMPT = [
    "Oh, thank you, that is kind of you",
    "I'd only lose to Priya again anyway",
    "I want to become the go-to person for training here",
]


def _doc_block(command: str) -> list[str]:
    """The output lines docs/sessions.md shows for ``$ command`` (its "..." left out)."""
    text = (ROOT / "docs" / "sessions.md").read_text(encoding="utf-8")
    block = text.split(f"$ {command}\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip() and line.strip() != "..."]


def _doc_session() -> int:
    with Store.open(database_path()) as store:
        played = days_ago()
        store.clock = lambda: played
        state = sess.begin(setup("joe", seed=4))
        sid = store.start(state)
        for text in DOC_ATTEMPT:
            state, turn = sess.step(state, text)
            store.record(sid, state, turn)
        store.finish(sid, state)
        return sid


def test_the_docs_drill_and_explore_examples_are_what_rehearse_prints() -> None:
    sid = _doc_session()
    listed = ok("drill", "--list").output.splitlines()
    shown = _doc_block("rehearse drill --list")  # the docs' session was played yesterday
    assert listed == [line.replace("(due now)", "(due 2 days ago)") for line in shown]
    explored = ok("explore", str(sid), "--turn", "1").output.splitlines()
    for line in _doc_block("rehearse explore 1 --turn 1"):
        assert line in explored
    answers = [line[5:] for line in _doc_block("rehearse drill --plain") if line.startswith("You: ")]
    drilled = ok("drill", "--plain", input="".join(f"{a}\n" for a in answers)).output.splitlines()
    assert [line for line in drilled if line.strip()] == _doc_block("rehearse drill --plain")


def test_piped_input_is_never_nudged() -> None:
    import os

    from rehearse.cli.plain import waiter

    read, write = os.pipe()
    with os.fdopen(read) as stream, os.fdopen(write, "w"):
        assert waiter(stream)(5.0) is True  # at once (watching would say False): a pipe never hesitates
    assert waiter(io.StringIO(""))(5.0) is True


def test_exports_show_the_pace_of_a_pressure_session() -> None:
    ok("play", "not-this-role", "--plain", "--pressure", "--seed", "2", input=f"{CLARIFY}\n:quit\n")
    for fmt in ("md", "html"):
        out = ok("export", "latest", "--format", fmt).output
        assert "Pace" in out and "to send" in out
    ok("play", "not-this-role", "--plain", "--seed", "2", input=f"{CLARIFY}\n:quit\n")
    assert "Pace" not in ok("export", "latest", "--format", "md").output
