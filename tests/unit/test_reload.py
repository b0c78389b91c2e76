"""Hot reload: replaying a session's replies over an edited script (engine/reload.py)."""

from __future__ import annotations

import pytest

from rehearse.engine.compile.loader import script_from_text
from rehearse.engine.model import Script
from rehearse.engine.runtime import session
from rehearse.engine.runtime.reload import Divergence, replay_onto
from rehearse.engine.runtime.session import State

from .helpers import MINI, mini_state

SOURCE = (MINI / "mini.yaml").read_text(encoding="utf-8")
WANT = "I want to be considered for the lead job"


def edited(old: str, new: str, text: str = SOURCE) -> Script:
    """The mini script with one edit (which must apply exactly once)."""
    assert text.count(old) == 1, old
    script, report = script_from_text(text.replace(old, new), "mini.yaml")
    assert script is not None, [d.render() for d in report.items]
    return script


def played(*inputs: str, persona: str = "pat", seed: int = 3, **vars: str) -> State:
    return session.play(mini_state(persona=persona, seed=seed, **vars).setup, inputs)


@pytest.mark.parametrize(
    "inputs",
    [
        (),
        ("hmm",),
        (WANT, "yes please"),
        ("Bob is useless and lazy", "I want the lead job", "not yet"),
        ("purple", "elephants", WANT),
    ],
)
def test_the_same_script_replays_to_the_same_state(inputs: tuple[str, ...]) -> None:
    old = played(*inputs)
    script, _ = script_from_text(SOURCE, "mini.yaml")
    assert script is not None
    new, divergence = replay_onto(old, script)
    assert divergence is None
    assert new.transcript == old.transcript
    assert (new.node, new.scores, new.flags, new.visits) == (old.node, old.scores, old.flags, old.visits)
    assert new.script is script


def test_an_edited_boss_line_shows_in_the_replayed_transcript() -> None:
    old = played(WANT)
    script = edited(
        'text: "Great. Shall we set up a chat with HR?"', 'text: "Lovely. Shall I book HR for Tuesday?"'
    )
    new, divergence = replay_onto(old, script)
    assert divergence is None
    assert new.inputs == (WANT,)
    assert new.node == "agreed_q"
    assert new.transcript[-1].boss == "Lovely. Shall I book HR for Tuesday?"
    assert old.transcript[-1].boss == "Great. Shall we set up a chat with HR?"
    # play continues on the new version
    after, turn = session.step(new, "yes please")
    assert turn.boss == "Done. I'll send the invite." and after.ending is not None


def test_a_reply_that_now_leads_elsewhere_stops_the_replay_before_it() -> None:
    old = played(WANT, "yes please")
    assert old.ending is not None
    script = edited("        next: invited", "        next: vague")
    new, divergence = replay_onto(old, script)
    assert divergence == Divergence(
        2, "yes please", "yes -> invited (ends: success)", "yes -> vague (ends: partial)"
    )
    # the state after the last reply that still went the same way, on the new script
    assert new.inputs == (WANT,)
    assert new.node == "agreed_q" and new.ending is None
    assert new.script is script
    assert session.undo(new).inputs == ()


def test_a_reply_that_is_no_longer_understood_is_reported() -> None:
    old = played(WANT, "yes please")
    # without `kind: affirm` and the example, "yes please" no longer lands
    script = edited(
        'kind: affirm\n        say: ["yes please", "that would be great", "let\'s do it",',
        'say: ["book it in", "that would be great", "let\'s do it",',
    )
    new, divergence = replay_onto(old, script)
    assert divergence is not None
    assert (divergence.turn, divergence.text) == (2, "yes please")
    assert divergence.before == "yes -> invited (ends: success)"
    assert divergence.after == "not understood"
    assert new.inputs == (WANT,)


def test_the_first_reply_diverging_leaves_the_opening() -> None:
    old = played(WANT, "yes please")
    script = edited("          - to: agreed_q", "          - to: recover")
    new, divergence = replay_onto(old, script)
    assert divergence is not None
    assert divergence.turn == 1 and divergence.before == "want -> agreed_q"
    assert divergence.after == "want -> recover"
    assert new.inputs == () and new.node == "opening"
    assert len(new.transcript) == 1


def test_a_node_that_became_an_ending_stops_the_replay() -> None:
    old = played(WANT, "yes please")
    # agreed_q turned into an ending (its replies removed)
    start = SOURCE.index("  agreed_q:")
    end = SOURCE.index("  invited:")
    text = SOURCE[:start] + '  agreed_q:\n    end: partial\n    boss: "Fine."\n' + SOURCE[end:]
    script, report = script_from_text(text, "mini.yaml")
    assert script is not None, [d.render() for d in report.items]
    new, divergence = replay_onto(old, script)
    assert divergence is not None
    assert divergence.turn == 1
    assert divergence.after == "want -> agreed_q (ends: partial)"
    assert new.inputs == ()


def test_an_ambiguous_turn_must_offer_the_same_pair() -> None:
    old = played("I want the job Bob has")
    first = old.transcript[-1].decision
    assert first is not None and first.kind == "ambiguous", first
    script, _ = script_from_text(SOURCE, "mini.yaml")
    assert script is not None
    same, divergence = replay_onto(old, script)
    assert divergence is None and same.offered == old.offered == ("knock_peer", "want")
    # without its keyword, running Bob down no longer competes
    new, divergence = replay_onto(old, edited("keywords: [bob]", "keywords: [lazy]"))
    assert divergence is not None
    assert divergence.before == "ambiguous (knock_peer or want)"
    assert divergence.after != divergence.before
    assert new.inputs == ()


def test_numbered_picks_open_the_options_again_and_follow_their_order() -> None:
    start = mini_state(seed=3)
    menu = session.open_menu(start)
    assert session.options(menu)[0].reply == "want"
    old, _ = session.step(menu, "1")
    assert old.last == "want"
    script, _ = script_from_text(SOURCE, "mini.yaml")
    assert script is not None
    new, divergence = replay_onto(old, script)
    assert divergence is None and new.node == old.node
    # reorder the replies of the opening: option 1 is now another reply
    want_at = SOURCE.index("      want:\n")
    knock_at = SOURCE.index("      knock_peer:\n")
    recover_at = SOURCE.index("  recover:\n")
    text = SOURCE[:want_at] + SOURCE[knock_at:recover_at] + SOURCE[want_at:knock_at] + SOURCE[recover_at:]
    swapped, report = script_from_text(text, "mini.yaml")
    assert swapped is not None, [d.render() for d in report.items]
    new, divergence = replay_onto(old, swapped)
    assert divergence is not None
    assert divergence.before == "want -> agreed_q"
    assert divergence.after == "knock_peer -> recover"


def test_setup_is_kept_and_new_variables_get_their_defaults() -> None:
    old = played(WANT, persona="kim", seed=11, role="analyst")
    script = edited("vars: {role: lead}", "vars: {role: lead, team: platform}")
    new, divergence = replay_onto(old, script)
    assert divergence is None
    assert new.persona.id == "kim" and new.setup.seed == 11
    assert new.setup.user_name == old.setup.user_name
    assert dict(new.setup.vars) == {"role": "analyst", "team": "platform"}
    assert new.node == "pushback"  # kim is sceptical


def test_divergence_describes_itself() -> None:
    d = Divergence(3, "not yet", "no -> vague (ends: partial)", "not understood")
    assert d.describe() == "turn 3, “not yet”: no -> vague (ends: partial) -> not understood"
