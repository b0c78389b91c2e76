"""rehearse.engine.authoring.coverage: what the test cases exercise, and what is reachable at all."""

from __future__ import annotations

import textwrap

import pytest

from rehearse.engine.authoring import coverage
from rehearse.engine.authoring.testplan import load_plan, run_case
from rehearse.engine.compile.loader import persona_from_text, script_from_text
from rehearse.engine.model import Persona, Script
from rehearse.engine.runtime.session import Setup, State, begin, open_menu, play, step

from .helpers import ROOT, bundled_catalog, mini_catalog

# A loop that must be gone round three times before `secret` opens; a flag that opens
# `flagged`; a branch only a sceptical persona takes; and a node nothing leads to.
LOOPY = textwrap.dedent("""\
    id: loopy
    title: Loopy
    situation: s
    goal: g
    personas: [easy, tough]
    rubric: {clarity: c}
    start: opening
    nodes:
      opening:
        boss: "Hello."
        replies:
          circle:
            say: ["round we go", "once more around", "again please", "loop it"]
            next: lap
          flag:
            say: ["raise the flag", "flag it up", "set the marker", "mark this one"]
            set: {marked: true}
            next: opening
          leave:
            say: ["goodbye then", "I am off", "see you later", "time to go"]
            next:
              - when: "flags.marked"
                to: flagged
              - when: "persona.traits.sceptical"
                to: probed
              - to: done
      lap:
        boss: "Lap."
        replies:
          onward:
            say: ["keep going", "carry on", "next lap", "onward"]
            score: {clarity: 1}
            next:
              - when: "visits.lap > 2"
                to: secret
              - to: opening
      probed:
        boss: "Really?"
        replies:
          yes:
            kind: affirm
            say: ["yes really", "I am sure", "certainly", "without doubt"]
            next: done
      orphan:
        boss: "Nobody comes here."
        replies:
          out:
            say: ["get out", "leave now", "exit", "away"]
            next: done
      secret:
        end: success
        boss: "You found it."
      flagged:
        end: partial
        boss: "Flagged."
      done:
        end: fail
        boss: "Bye."
""")

EASY = "id: easy\nname: Easy\ntraits: {sceptical: false}\n"
TOUGH = "id: tough\nname: Tough\ntraits: {sceptical: true}\n"


def load(text: str) -> Script:
    script, report = script_from_text(text, "loopy.yaml")
    assert script is not None, [d.render() for d in report.items]
    return script


def persona(text: str) -> Persona:
    found, report = persona_from_text(text, "p.yaml")
    assert found is not None, [d.render() for d in report.items]
    return found


SCRIPT = load(LOOPY)
PERSONAS = [persona(EASY), persona(TOUGH)]


def picks(numbers: list[int], who: Persona = PERSONAS[0]) -> State:
    """Play by menu numbers, as the walk does."""
    state = begin(Setup(SCRIPT, who))
    for number in numbers:
        state, _ = step(open_menu(state), str(number))
    return state


def brute_force(script: Script, who: Persona, depth: int) -> coverage.Reach:
    """Every sequence of menu picks up to `depth`, with no merging of states at all."""
    nodes: set[str] = set()
    replies: set[tuple[str, str]] = set()
    taken: set[tuple[str, str, str]] = set()

    def go(state: State, left: int) -> None:
        nodes.add(state.node)
        if state.ending is not None or left == 0:
            return
        menu = open_menu(state)
        for number in range(1, len(menu.offered) + 1):
            after, turn = step(menu, str(number))
            assert turn.reply is not None
            replies.add((turn.node, turn.reply))
            taken.add((turn.node, turn.reply, turn.next_node))
            go(after, left - 1)

    go(begin(Setup(script, who)), depth)
    return coverage.Reach(frozenset(nodes), frozenset(replies), frozenset(taken))


# -- the universe of items --------------------------------------------------------------------


def test_branches_are_the_targets_of_conditional_nexts() -> None:
    found = [(b.node, b.reply, b.to, b.when) for b in coverage.branches(SCRIPT)]
    assert found == [
        ("opening", "leave", "flagged", "flags.marked"),
        ("opening", "leave", "probed", "persona.traits.sceptical"),
        ("opening", "leave", "done", None),
        ("lap", "onward", "secret", "visits.lap > 2"),
        ("lap", "onward", "opening", None),
    ]
    assert len(coverage.reply_refs(SCRIPT)) == 6


def test_played_collects_visited_nodes_chosen_replies_and_taken_branches() -> None:
    state = picks([2, 3])  # flag, then leave -> flagged
    reach = coverage.played([state])
    assert reach.nodes == {"opening", "flagged"}
    assert reach.replies == {("opening", "flag"), ("opening", "leave")}
    assert ("opening", "leave", "flagged") in reach.branches


# -- the walk ---------------------------------------------------------------------------------


def test_walk_finds_what_each_persona_can_reach() -> None:
    easy = coverage.walk_paths(SCRIPT, PERSONAS[0])
    assert easy.nodes == {"opening", "lap", "secret", "flagged", "done"}
    assert ("opening", "leave", "probed") not in easy.branches
    assert ("lap", "onward", "secret") in easy.branches
    assert not easy.truncated
    tough = coverage.walk_paths(SCRIPT, PERSONAS[1])
    assert "probed" in tough.nodes and ("probed", "yes") in tough.replies
    both = coverage.walk_all(SCRIPT, PERSONAS)
    assert both.nodes == set(SCRIPT.nodes) - {"orphan"}
    assert both.replies == set(coverage.reply_refs(SCRIPT)) - {("orphan", "out")}


@pytest.mark.parametrize("depth", [3, 5, 7, 9])
@pytest.mark.parametrize("who", [0, 1])
def test_walk_merges_states_without_losing_anything(depth: int, who: int) -> None:
    walked = coverage.walk_paths(SCRIPT, PERSONAS[who], max_depth=depth)
    exact = brute_force(SCRIPT, PERSONAS[who], depth)
    assert (walked.nodes, walked.replies, walked.branches) == (
        exact.nodes,
        exact.replies,
        exact.branches,
    )


def test_walk_bounds_say_when_they_cut_the_search_short() -> None:
    short = coverage.walk_paths(SCRIPT, PERSONAS[0], max_depth=3)
    assert short.truncated and "secret" not in short.nodes  # three laps take six replies
    few = coverage.walk_paths(SCRIPT, PERSONAS[0], max_paths=2)
    assert few.truncated and few.paths == 2
    full = coverage.walk_paths(SCRIPT, PERSONAS[0])
    assert not full.truncated and full.paths > 2


def test_visit_caps_follow_the_literals_conditions_compare_with() -> None:
    caps = coverage._visits_caps
    assert caps(["visits.lap > 2", "flags.x"]) == {"lap": 3}
    assert caps(["visits.a < 2 and visits.b == 0", "1 <= visits.a"]) == {"a": 3, "b": 1}
    assert caps(["visits.a", "not visits.b", "(visits.c) or x"]) == {"a": 1, "b": 1, "c": 1}
    assert caps(["visits.a - visits.b > 1"]) is None
    assert caps(["visits.a > visits.b"]) is None
    assert caps(["visits['a'] > 0"]) is None


def test_a_condition_reading_state_whole_is_walked_exactly() -> None:
    text = LOOPY.replace('"visits.lap > 2"', "\"visits['lap'] > 2\"")
    script = load(text)
    walked = coverage.walk_paths(script, PERSONAS[0], max_depth=7)
    exact = brute_force(script, PERSONAS[0], 7)
    assert walked.nodes == exact.nodes and walked.branches == exact.branches


# -- the report -------------------------------------------------------------------------------


def test_coverage_counts_and_tells_untested_from_unreachable() -> None:
    states = [picks([2, 3]), picks([3])]  # flagged; done
    cov = coverage.script_coverage(SCRIPT, states, PERSONAS)
    assert cov.cases == 2
    assert (cov.nodes_tested, len(cov.nodes)) == (3, 7)  # opening, flagged, done
    assert (cov.replies_tested, len(cov.replies)) == (2, 6)
    assert (cov.branches_tested, len(cov.branches)) == (2, 5)
    assert cov.node_pct == pytest.approx(300 / 7)
    assert cov.combined_pct == pytest.approx(100 * 7 / 18)
    assert dict(cov.untested_nodes()) == {
        "lap": "reachable, untested",
        "probed": "reachable, untested",
        "orphan": "unreachable",
        "secret": "reachable, untested",
    }
    assert dict(cov.untested_replies())[("orphan", "out")] == "unreachable"
    untested = {(b.node, b.reply, b.to): status for b, status in cov.untested_branches()}
    assert untested[("lap", "onward", "secret")] == "reachable, untested"
    lines = coverage.format_coverage(cov)
    assert lines[0] == (
        "loopy: 38.9% combined (2 cases)  nodes 3/7 (42.9%)  replies 2/6 (33.3%)  branches 2/5 (40.0%)"
    )
    assert "    orphan  [unreachable]" in lines
    assert "    lap.onward -> secret (when visits.lap > 2)  [reachable, untested]" in lines
    data = cov.to_json()
    assert data["combined_pct"] == 38.9 and data["nodes"] == {"tested": 3, "total": 7, "pct": 42.9}


def test_full_coverage_and_no_walk() -> None:
    states = [picks([1, 1, 1, 1, 1, 1]), picks([2, 3]), picks([3]), picks([3, 1], PERSONAS[1])]
    assert states[0].ending is not None and states[0].ending.node == "secret"
    cov = coverage.script_coverage(load(LOOPY.replace(ORPHAN, "")), states, walk=False)
    assert cov.combined_pct == 100.0 and cov.reachable is None
    assert not cov.untested_nodes() and not cov.untested_replies() and not cov.untested_branches()


ORPHAN = """  orphan:
    boss: "Nobody comes here."
    replies:
      out:
        say: ["get out", "leave now", "exit", "away"]
        next: done
"""


def test_bundled_scripts_report_without_error_and_every_node_is_reachable() -> None:
    catalog = bundled_catalog()
    for path in sorted((ROOT / "scripts").glob("*.test.yaml")):
        plan, report = load_plan(path)
        assert plan is not None, [d.render() for d in report.items]
        script = catalog.scripts[plan.script]
        results = [run_case(case, script, catalog.personas) for case in plan.cases]
        cov = coverage.script_coverage(
            script, [r.state for r in results if r.state is not None], catalog.personas_for(script)
        )
        assert cov.reachable is not None and not cov.reachable.truncated, script.id
        assert cov.reachable.nodes == set(script.nodes), script.id
        assert 0 < cov.combined_pct <= 100


def test_mini_cases_played_directly() -> None:
    catalog = mini_catalog()
    script = catalog.scripts["mini"]
    pat = catalog.personas["pat"]
    state = play(Setup(script, pat), ["I want to be considered for the lead job", "yes please"])
    cov = coverage.script_coverage(script, [state], catalog.personas_for(script))
    assert ("opening", "want") in cov.tested.replies and "invited" in cov.tested.nodes
    assert dict(cov.untested_nodes())["pushback"] == "reachable, untested"
