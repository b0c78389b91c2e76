"""Every human output of a played session speaks in the user's words: node, reply and check
ids appear only in --json fields. Played along each bundled script's test-plan paths."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from rehearse.cli.group import cli
from rehearse.engine.runtime.coach import checks
from tests.ui.helpers import cached_load, case_for

SCRIPTS = ("fumbled-promotion", "not-this-role", "passed-over")


def invoke(*args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(cli, list(args), input=input, obj={}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def internal_ids(script_id: str) -> set[str]:
    """Ids no reader would take for words: those joined with _ or -."""
    script = cached_load([]).scripts[script_id]
    ids = set(script.nodes)
    ids |= {r.id for node in script.nodes.values() for r in node.replies}
    ids |= {c.id for c in checks()}
    return {i for i in ids if "_" in i or "-" in i}


@pytest.mark.parametrize("script_id", SCRIPTS)
@pytest.mark.parametrize("outcome", ["success", "fail"])
def test_human_outputs_show_words_never_ids(script_id: str, outcome: str) -> None:
    case = case_for(script_id, outcome)
    args = ["play", script_id, "--plain", "--seed", str(case.get("seed", 0)), "--name", "Ana"]
    if case.get("persona"):
        args += ["--persona", case["persona"]]
    # a hedged first try, checked back and refused, then the case: flags and a check-back on record
    replies = ["um I guess maybe sort of", *case["replies"]]
    outputs = {
        "play": invoke(*args, input="".join(f"{r}\n" for r in replies)),
        "replay": invoke("replay", "latest", "--plain"),
        "sessions": invoke("sessions"),
        "stats": invoke("stats"),
        "markdown": invoke("export", "latest", "--format", "md"),
        "html": invoke("export", "latest", "--format", "html"),
    }
    ids = internal_ids(script_id)
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(map(re.escape, sorted(ids, key=len, reverse=True))) + r")(?![\w-])"
    )
    for name, text in outputs.items():
        found = sorted({m.group(1) for m in pattern.finditer(text)})
        assert found == [], f"{name} shows internal ids {found}"
