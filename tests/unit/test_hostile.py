"""The corpus of hostile scripts (tests/fixtures/hostile): each one is reported by check
where its header says, with the words it says, and none stops the rest from loading.

A file's header holds ``# expect: CODE LINE:COL words`` lines, one per finding."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from rehearse.engine.authoring.check import check_paths
from rehearse.engine.compile.catalog import load_catalog
from rehearse.engine.inert import inert
from rehearse.engine.runtime import session
from rehearse.engine.runtime.session import Setup, begin, hint, step
from tests.unit.helpers import MINI, ROOT, mini_state

HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
FILES = sorted(p for p in HOSTILE.rglob("*.yaml") if p.name != "pat.yaml")
EXPECT = re.compile(r"^# expect: (\w+) (\d+):(\d+) (.+)$", re.MULTILINE)


def expected(path: Path) -> list[tuple[str, int, int, str]]:
    found = [(c, int(line), int(col), words) for c, line, col, words in EXPECT.findall(path.read_text())]
    assert found, f"{path.name} has no '# expect:' line"
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_check_reports_each_hostile_file_where_it_says(path: Path) -> None:
    result = check_paths([path], lambda extra: [*extra, HOSTILE])
    found = {(d.code, d.loc.line, d.loc.col): d for d in result.diagnostics}
    for code, line, col, words in expected(path):
        diagnostic = found.get((code, line, col))
        assert diagnostic is not None, [d.render() for d in result.diagnostics]
        assert words in diagnostic.render()


def test_one_bad_file_never_stops_the_rest() -> None:
    catalog = load_catalog([HOSTILE, MINI])
    assert "mini" in catalog.scripts and "pat" in catalog.personas
    broken = {Path(b.path).stem for b in catalog.broken}
    assert broken == {p.stem for p in FILES}


def test_a_template_past_a_limit_at_play_gives_a_fixed_line(tmp_path: Path) -> None:
    """Names from the session (the user's name) can push a template past a limit only
    in play; the line is replaced, the conversation goes on."""
    text = (MINI / "mini.yaml").read_text()
    text = text.replace(
        "hint: Say plainly that you want the {{ role }} job.", 'hint: "{{ user.name * 9999 }}"'
    )
    (tmp_path / "mini.yaml").write_text(text)
    for name in ("pat.yaml", "kim.yaml"):
        (tmp_path / name).write_text((MINI / name).read_text())
    catalog = load_catalog([tmp_path])
    assert not catalog.broken, [d.render() for b in catalog.broken for d in b.diagnostics]
    state = begin(Setup(catalog.scripts["mini"], catalog.personas["pat"], user_name="Ana"))
    assert hint(state) == "(This line of the script could not be shown.)"
    state, _ = step(state, "la la")
    state, turn = step(state, "la la")  # the second miss shows the hint
    assert turn.hint == "(This line of the script could not be shown.)"
    state, _ = step(state, "I want to be considered for the lead job")
    assert state.node == "agreed_q"


INPUTS = yaml.safe_load((ROOT / "tests" / "fixtures" / "hostile-inputs.yaml").read_text())


@pytest.mark.parametrize("case", INPUTS, ids=lambda c: f"{c['at']}-{c['say'][:12]!r}x{c.get('times', 1)}")
def test_hostile_inputs_are_read_as_text(case: dict[str, Any]) -> None:
    state = mini_state()
    if case["at"] == "menu":
        state = session.open_menu(state)
    typed = case["say"] * case.get("times", 1)
    after, turn = step(state, typed)
    assert turn.decision.kind == case["expect"]
    assert turn.decision.reply == case.get("reply")
    shown = inert(turn.user)
    assert not any(c in shown for c in "\x1b\x07\x9b\u202e\u2066\x00\x7f")
    assert after.node != "opening" if case["expect"] == "matched" else after.node == "opening"
