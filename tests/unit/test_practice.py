"""Practice that sticks, in the engine: grading moments, scheduling them with FSRS, and the
what-if explorer (a fold of the engine's step)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rehearse.engine.practice import schedule
from rehearse.engine.practice.explore import choose, follow, reach, what_if
from rehearse.engine.practice.moments import assess, can_succeed
from rehearse.engine.runtime import session as sess
from rehearse.engine.runtime.debrief import POINTS_PER_SCORE
from rehearse.engine.runtime.session import Setup, State, begin
from tests.unit.helpers import bundled_catalog, mini_state

T0 = datetime(2026, 3, 2, 19, 0, tzinfo=UTC)


@cache
def _catalog():  # type: ignore[no-untyped-def]
    return bundled_catalog()


def _bundled_starts() -> list[tuple[str, str]]:
    cat = _catalog()
    return [(s.id, p.id) for s in cat.scripts.values() for p in cat.personas_for(s)]


def _start(script: str, persona: str, seed: int = 3) -> State:
    cat = _catalog()
    return begin(Setup(cat.scripts[script], cat.personas[persona], user_name="Alex", seed=seed))


# -- grading a moment ----------------------------------------------------------------------


def _graded(state: State, text: str) -> tuple[str | None, list[str]]:
    _, turn = sess.step(state, text)
    verdict = assess(state, turn)
    return (None, []) if verdict is None else (verdict.grade, [r.kind for r in verdict.reasons])


def test_a_clear_reply_is_good() -> None:
    assert _graded(mini_state(), "I want to be considered for the lead job") == ("good", [])


def test_a_reply_not_understood_is_again() -> None:
    assert _graded(mini_state(), "purple elephants on the moon") == ("again", ["missed"])


def test_a_reply_the_script_warns_about_is_again_and_says_why_in_words() -> None:
    state = mini_state()
    _, turn = sess.step(state, "Bob is useless at his job")
    verdict = assess(state, turn)
    assert verdict is not None and verdict.grade == "again"
    kinds = [r.kind for r in verdict.reasons]
    assert kinds == ["warned", "low"]
    lost = [f"{d} {n * POINTS_PER_SCORE:+d}" for d, n in turn.score_delta.items() if n < 0]
    assert lost and all(x in verdict.reasons[1].text for x in lost)  # on the debrief's scale
    assert "Run down a colleague" in verdict.reasons[0].text  # the label, not the id
    assert "knock_peer" not in " ".join(r.text for r in verdict.reasons)


def test_a_flagged_phrasing_is_hard() -> None:
    grade, kinds = _graded(mini_state(), "I think maybe I want to be considered for the lead job")
    assert (grade, kinds) == ("hard", ["flagged"])


def test_a_reply_that_leaves_no_way_to_success_is_a_dead_end() -> None:
    state = mini_state(persona="kim")
    state, _ = sess.step(state, "I want to be considered for the lead job")
    assert state.node == "pushback"
    grade, kinds = _graded(state, "no I am not sure")
    assert (grade, kinds) == ("again", ["dead_end"])


def test_the_opening_is_not_graded() -> None:
    state = mini_state()
    assert assess(state, state.transcript[0]) is None


def test_can_succeed_follows_the_next_rules() -> None:
    script = mini_state().script
    assert can_succeed(script, "opening") and can_succeed(script, "recover")
    assert not can_succeed(script, "blew_it") and not can_succeed(script, "vague")


# -- scheduling ----------------------------------------------------------------------------


def test_a_new_weak_moment_comes_back_after_a_day() -> None:
    memory = schedule.review(None, "again", T0)
    assert memory.due - T0 == timedelta(days=1)
    assert memory.is_due(T0 + timedelta(days=1)) and not memory.is_due(T0 + timedelta(hours=23))


def test_good_reviews_space_a_moment_further_each_time() -> None:
    memory = schedule.review(None, "again", T0)
    gaps = []
    for _ in range(4):
        at = memory.due
        memory = schedule.review(memory, "good", at)
        gaps.append(memory.due - at)
    assert gaps == sorted(gaps) and gaps[0] < gaps[-1]
    assert gaps[0] >= timedelta(days=1)


def test_a_lapse_brings_a_moment_back_the_next_day() -> None:
    memory = schedule.review(None, "again", T0)
    for _ in range(3):
        memory = schedule.review(memory, "good", memory.due)
    at = memory.due
    lapsed = schedule.review(memory, "again", at)
    assert lapsed.due - at == timedelta(days=1)
    assert lapsed.lapses == 1 and lapsed.relearning


GRADES = st.sampled_from(["again", "hard", "good"])
GAPS = st.integers(min_value=1, max_value=60 * 24 * 90)  # minutes between reviews (a log has no ties)


@given(st.lists(st.tuples(GRADES, GAPS), min_size=1, max_size=12))
def test_a_memory_is_the_fold_of_its_reviews(reviews: list[tuple[str, int]]) -> None:
    at, stamped = T0, []
    for grade, gap in reviews:
        at += timedelta(minutes=gap)
        stamped.append((grade, at))
    folded = schedule.replay(stamped)
    again = schedule.replay(list(reversed(stamped)))  # the log is read in time order
    assert folded == again
    assert folded is not None
    assert folded.reviews == len(reviews)
    assert folded.due > folded.last_review == stamped[-1][1]
    assert folded.lapses <= sum(1 for g, _ in stamped[1:] if g == "again")


# -- exploring -----------------------------------------------------------------------------


def test_exploring_is_deterministic() -> None:
    state = mini_state()
    assert what_if(state) == what_if(state)


def test_every_reply_of_the_moment_is_the_engines_own_step() -> None:
    state = mini_state()
    found = what_if(state)
    assert [b.reply for b in found.branches] == [c.id for c in state.candidates()]
    for branch in found.branches:
        menu = sess.open_menu(state)
        _, turn = sess.step(menu, str(menu.offered.index(branch.reply) + 1))
        assert branch.turn == turn


def test_the_explorer_names_best_worst_and_a_shortest_success() -> None:
    state = mini_state()
    found = what_if(state)
    assert found.complete
    assert found.reach.best is not None and found.reach.best.outcome == "success"
    assert found.reach.worst is not None and found.reach.worst.outcome == "fail"
    success = found.reach.success
    assert success is not None
    assert [(s.node, s.reply) for s in success.path] == [("opening", "want"), ("agreed_q", "yes")]
    assert success.path[0].label == "Say you want the job"
    peer = found.branch("knock_peer")
    assert peer is not None and peer.reach.success is not None
    assert len(peer.reach.success.path) == 2  # take it back, then say yes to HR


def test_an_ended_state_reaches_only_its_own_ending() -> None:
    state = mini_state()
    for text in ("I want to be considered for the lead job", "yes please"):
        state, _ = sess.step(state, text)
    assert state.ending is not None
    here = reach(state)
    assert here.best == here.worst == here.success
    with pytest.raises(sess.SessionOver):
        what_if(state)


def _landings(found):  # type: ignore[no-untyped-def]
    for branch in found.branches:
        for landing in (branch.reach.best, branch.reach.worst, branch.reach.success):
            if landing is not None:
                yield branch, landing


def _agrees(found) -> None:  # type: ignore[no-untyped-def]
    """Every ending the explorer promises is where playing its replies leads."""
    for branch, landing in _landings(found):
        end = follow(branch.state, landing.path) if branch.state.ending is None else branch.state
        assert end.ending is not None
        assert (end.ending.outcome, end.ending.node) == (landing.outcome, landing.node)
        assert end.transcript[-1].boss == landing.boss


@pytest.mark.parametrize(("script", "persona"), _bundled_starts())
def test_exploring_every_bundled_node_terminates_and_agrees_with_playing(script: str, persona: str) -> None:
    """From the start, and from the first state found at every node, the search finishes
    within its budget, and each promised ending is where the same replies lead."""
    start = _start(script, persona)
    seen: dict[str, State] = {}
    frontier = [start]
    while frontier:
        state = frontier.pop(0)
        if state.ending is not None or state.node in seen:
            continue
        seen[state.node] = state
        frontier += [choose(state, c.id)[0] for c in state.candidates()]
    playable = {n for n, node in start.script.nodes.items() if not node.end}
    assert set(seen) <= playable
    assert start.node in seen
    for node, state in seen.items():
        found = what_if(state)
        assert found.complete, f"{script}/{node}"
        assert found.node == node
        _agrees(found)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pick=st.sampled_from(_bundled_starts()),
    choices=st.lists(st.integers(min_value=0, max_value=20), max_size=6),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_exploring_anywhere_agrees_with_playing(pick: tuple[str, str], choices: list[int], seed: int) -> None:
    state = _start(*pick, seed=seed)
    for number in choices:
        if state.ending is not None:
            break
        candidates = state.candidates()
        state, _ = choose(state, candidates[number % len(candidates)].id)
    if state.ending is not None:
        return
    found = what_if(state)
    assert found == what_if(state)
    _agrees(found)
    if found.reach.success is not None:
        assert follow(state, found.reach.success.path).ending.outcome == "success"  # type: ignore[union-attr]


def test_why_a_moment_is_due_counts_every_answer_since_as_practice_not_as_drills() -> None:
    """Whole conversations and retries answer a moment too: "drilled 2 times" overclaimed."""
    from rehearse.engine.practice.moments import Reason
    from rehearse.engine.practice.schedule import Memory
    from rehearse.history.records import MomentRow
    from rehearse.views.practice import why_due

    def row(reviews: int) -> MomentRow:
        memory = Memory(T0, 1.0, 5.0, reviews, 0, T0, "again")
        reason = Reason("missed", "not understood: the boss asked you to say it another way")
        return MomentRow(1, "s", "S", "n", "p", "P", memory, 1, 1, "Why?", "again", (reason,))

    assert why_due(row(1)) == "not understood: the boss asked you to say it another way"
    assert why_due(row(3)).endswith("(practised 2 times since)")
    assert why_due(row(2)).endswith("(practised 1 time since)") and "drilled" not in why_due(row(3))


def test_when_a_moment_is_due_is_counted_on_the_users_own_calendar(monkeypatch: pytest.MonkeyPatch) -> None:
    """23:00 and 01:00 UTC are one day apart in London but the same evening in New York."""
    import time

    from rehearse.views.practice import when_due

    due = datetime(2026, 12, 6, 23, 0, tzinfo=UTC)
    now = due + timedelta(hours=2)
    try:
        for zone, said in (("Europe/London", "due yesterday"), ("America/New_York", "due now")):
            monkeypatch.setenv("TZ", zone)
            time.tzset()
            assert when_due(due, now) == said, zone
        assert when_due(now + timedelta(days=3), now) == "due in 3 days"
    finally:
        monkeypatch.undo()
        time.tzset()
