"""The full lint: graph, unused declarations, and examples the matcher would misread."""

from __future__ import annotations

import pytest

from rehearse.engine.compile.loader import script_from_text
from rehearse.engine.compile.matchlint import _flipped, lint_matching, lint_robustness
from rehearse.engine.model import Persona

from .helpers import MINI

GOOD = (MINI / "mini.yaml").read_text()
BOSS = Persona(id="pat", name="Pat")


def findings(text: str) -> dict[str, list[str]]:
    script, report = script_from_text(text, "s.yaml")
    if script is not None:
        lint_matching(script, BOSS, report)
    out: dict[str, list[str]] = {}
    for d in report.items:
        out.setdefault(d.code, []).append(d.message)
    return out


def test_the_fixture_is_clean() -> None:
    assert findings(GOOD) == {}


LOOP = """
  loop_a:
    boss: a
    hint: h
    model: m
    replies:
      go:
        say: ["go on to b", "next one please", "carry on", "onwards to b"]
        next: loop_b
  loop_b:
    boss: b
    hint: h
    model: m
    replies:
      back:
        say: ["back to a", "return please", "again from a", "once more a"]
        next: loop_a
"""


def test_unreachable_nodes_and_endings() -> None:
    found = findings(GOOD + LOOP.replace("loop_a:", "orphan_a:", 1).replace("next: loop_a", "next: orphan_a"))
    assert any("node 'orphan_a' is unreachable" in m for m in found["W110"])
    text = GOOD.replace("        next: blew_it\n  pushback:", "        next: recover\n  pushback:")
    text = text.replace(
        '      no:\n        kind: deny\n        say: ["no I am not sure"',
        '      no:\n        kind: deny\n        say: ["no I am not sure"',
    )
    text = text.replace("        next: blew_it\n  agreed_q:", "        next: recover\n  agreed_q:")
    found = findings(text)
    assert any("ending 'blew_it' (fail) is unreachable" in m for m in found["W110"])


def test_dead_end_node_is_an_error() -> None:
    text = GOOD + LOOP.replace("next: loop_b", "next: loop_a")
    text = text.replace(
        "        coach: Talk about yourself, not Bob.\n        next: recover",
        "        coach: Talk about yourself, not Bob.\n        next: loop_a",
    )
    found = findings(text)
    assert any("node 'loop_a' is a dead end" in m for m in found["R111"])


def test_no_ending_reachable_is_a_warning() -> None:
    text = GOOD + LOOP
    text = text.replace(
        "        coach: Talk about yourself, not Bob.\n        next: recover",
        "        coach: Talk about yourself, not Bob.\n        next: loop_a",
    )
    found = findings(text)
    assert sorted(found["W112"]) == [
        "no ending can be reached from node 'loop_a'",
        "no ending can be reached from node 'loop_b'",
    ]


def test_unused_variable_and_rubric_dimension() -> None:
    text = GOOD.replace("vars: {role: lead}", "vars: {role: lead, team: ops}").replace(
        "  grace: Be kind about colleagues.",
        "  grace: Be kind about colleagues.\n  evidence: Unused.",
    )
    found = findings(text)
    assert found["W120"] == ["variable 'team' is declared but no text uses it"]
    assert found["W122"] == ["rubric dimension 'evidence' is never scored by any reply"]


def test_colliding_examples_name_the_other_reply() -> None:
    text = GOOD.replace('"Bob keeps messing up the releases"', '"I want to be considered for the lead job"')
    found = findings(text)
    assert any("example of 'knock_peer' at node 'opening'" in m and "'want'" in m for m in found["W130"])


def test_example_ruled_out_by_its_own_forbid_list() -> None:
    text = GOOD.replace("        keywords: [bob]\n", "        keywords: [bob]\n        forbid: [lazy]\n")
    found = findings(text)
    assert any("'knock_peer'" in m and "forbidden word 'lazy'" in m for m in found["W131"])


def test_a_criterion_written_as_a_claim_is_flagged_and_advice_is_not() -> None:
    claim = findings(GOOD.replace("  grace: Be kind about colleagues.", "  grace: You thanked your boss."))
    assert claim["W123"] == [
        "the criterion of rubric dimension 'grace' is written as a claim about what happened"
    ]
    for advice in ("Thank your boss.", "Your thanks should come first.", "You should thank your boss."):
        clean = findings(GOOD.replace("  grace: Be kind about colleagues.", f"  grace: {advice}"))
        assert "W123" not in clean, advice


def test_a_reply_with_no_intent_and_no_meaning_is_a_warning_at_the_reply() -> None:
    text = GOOD.replace('        means: "this is about Bob"\n', "")
    assert findings(text)["W125"] == [
        "reply 'knock_peer' has no `intent` and no `means`: "
        "the boss would check it back in the words of its label"
    ]
    _, report = script_from_text(text, "s.yaml")
    [d] = [d for d in report.items if d.code == "W125"]
    assert text.splitlines()[d.loc.line - 1].strip() == "knock_peer:"
    with_intent = text.replace(
        "        label: Run down a colleague\n",
        "        label: Run down a colleague\n        intent: disparage_colleague\n",
    )
    assert "W125" not in findings(with_intent)


def test_both_criterion_and_its_old_name_is_a_warning() -> None:
    text = GOOD.replace(
        "    criterion: Say plainly what you want.",
        "    criterion: Say plainly what you want.\n    description: Old.",
    )
    assert findings(text)["W124"] == ["'description' is the old name of 'criterion': keep one"]


# -- robustness: variants of each example (`rehearse check --robustness`) -------------------

ROBUST = """\
id: rb
title: Robustness
situation: s
goal: g
personas: [pat]
rubric: {clarity: c}
start: ask
nodes:
  ask:
    boss: "So, are you in?"
    hint: h
    model: "If I do this, is the job mine?"
    replies:
      guarantee:
        say:
          - "if I do this, is the job mine?"
          - "I am ready for the lead role and I know the team well"
        next: done
      later:
        say: ["maybe next year, once the migration is over", "ask me again after the summer"]
        next: done
  done:
    end: success
    boss: "Fine."
    debrief: d
"""


def robustness(text: str) -> list[tuple[str, int, int, str]]:
    script, report = script_from_text(text, "rb.yaml")
    assert script is not None
    lint_robustness(script, BOSS, report)
    return [(d.code, d.loc.line, d.loc.col, d.message) for d in report.items]


def test_a_negated_example_still_read_as_its_reply_is_warned_at_the_example() -> None:
    found = robustness(ROBUST)
    assert [f[:3] for f in found if f[0] == "W141"] == [("W141", 16, 13)]
    message = next(f[3] for f in found if f[0] == "W141")
    assert "if I don't do this, is the job mine?" in message and "'guarantee'" in message
    # the other example's negation ("I am not ready ...") is not read as it: no warning
    assert not any("not ready" in f[3] for f in found)


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("if I do this, is the job mine?", "if I don't do this, is the job mine?"),
        ("I want the lead role", "I don't want the lead role"),
        ("I think it is fair", "I don't think it is fair"),
        ("I am ready", "I am not ready"),
        ("It's about my chances", "It's not about my chances"),
        ("I do not want it", "I do want it"),
        ("I can't see it", "I can see it"),
        ("I’m ready for it", "I’m not ready for it"),  # curly apostrophes negate as straight ones
        ("It’s about my chances", "It’s not about my chances"),
        ("I won’t apply", "I will apply"),
        ("Thanks, that helps", None),
    ],
)
def test_an_example_is_negated_as_a_person_would_say_it(text: str, negated: str | None) -> None:
    assert _flipped(text) == negated


def test_a_variant_read_as_another_reply_is_warned() -> None:
    # "ready" and "prepared" are one concept to the matcher; here they mean different replies
    summer = '"ask me again after the summer"]'
    text = ROBUST.replace(summer, summer[:-1] + ', "I am prepared"]')
    text = text.replace('"I am ready for the lead role and I know the team well"', '"I am ready"')
    found = robustness(text)
    assert ("W140", 17, 13) in [f[:3] for f in found], found
    assert any("with a synonym (\"I am prepared\") would be understood as 'later'" in f[3] for f in found)
