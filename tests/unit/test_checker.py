"""The checker finds every finding of a file in one pass, whatever else is wrong with it,
and says "empty" for an empty file (issue 12, attack 6). The located attacks themselves
live in the hostile corpus (test_hostile.py)."""

from __future__ import annotations

from pathlib import Path

from rehearse.engine.authoring.check import check_paths
from rehearse.engine.compile.loader import script_from_text
from tests.unit.helpers import MINI

ORPHAN = """  orphan:
    boss: Nobody comes here.
    replies:
      yes:
        kind: affirm
        say: ["yes please", "that would be great", "let's do it", "sounds good to me"]
        next: invited
"""


def copy_mini(tmp_path: Path, text: str) -> Path:
    for name in ("pat.yaml", "kim.yaml"):
        (tmp_path / name).write_text((MINI / name).read_text())
    (tmp_path / "mini.yaml").write_text(text)
    return tmp_path / "mini.yaml"


def codes(path: Path) -> set[str]:
    return {d.code for d in check_paths([path], lambda extra: extra).diagnostics}


def test_an_unknown_top_level_field_and_a_dangling_next_hide_nothing(tmp_path: Path) -> None:
    text = (MINI / "mini.yaml").read_text().replace("id: mini", "id: mini\ncolour: blue")
    text = text.replace(
        "        next: blew_it\n  pushback:", "        next: blew_itt\n" + ORPHAN + "  pushback:", 1
    )
    text = text.replace('"Bob keeps messing up the releases"', '"I want to be considered for the lead job"')
    # R011 and R102 are errors; the unreachable node and the example that reads as the
    # other reply are found in the same pass
    found = check_paths([copy_mini(tmp_path, text)], lambda extra: extra).diagnostics
    assert {"R011", "R102", "W110", "W130"} <= {d.code for d in found}
    # a reply id may repeat from node to node: the message says which node's
    [dangling] = [d.message for d in found if d.code == "R102"]
    assert dangling == "reply 'again' at node 'recover' goes to unknown node 'blew_itt'"


def test_a_zero_byte_file_is_empty(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_bytes(b"")
    [diagnostic] = check_paths([tmp_path / "empty.yaml"], lambda extra: extra).diagnostics
    assert diagnostic.code == "R010" and "the file is empty" in diagnostic.message


def test_a_deep_condition_in_a_stored_script_is_a_diagnostic_not_a_crash() -> None:
    """rehearse replay loads the stored copy of a script with script_from_text."""
    deep = "(" * 70 + "true" + ")" * 70
    text = (MINI / "mini.yaml").read_text().replace('when: "persona.traits.sceptical"', f'when: "{deep}"')
    script, report = script_from_text(text, "stored")
    assert script is None
    assert [d.code for d in report.errors] == ["R022"]


def test_a_script_with_nothing_but_an_id_gets_its_findings_and_no_internal_error(tmp_path: Path) -> None:
    found = codes(copy_mini(tmp_path, "id: mini\n"))
    assert "R012" in found and "R009" not in found  # missing fields, never "please report a bug"
    no_start = (MINI / "mini.yaml").read_text().replace("start: opening\n", "")
    found = codes(copy_mini(tmp_path, no_start))
    assert "R012" in found and "R009" not in found


def test_a_very_long_source_line_is_shown_as_a_window_around_the_caret() -> None:
    from rehearse.engine.diagnostics import SOURCE_WINDOW, Diagnostic, Loc

    line = "x: " + "9" * 5000 + " end"
    shown = Diagnostic("R006", "error", Loc("f.yaml", 7, 4), "too long", source_line=line, width=80).render()
    _, source, caret = shown.splitlines()[:3]
    assert len(source) < SOURCE_WINDOW + 20 and source.endswith("…")
    assert caret.index("^") == source.index("9")  # the caret still points at the number
    far = Diagnostic("R011", "error", Loc("f.yaml", 7, 5002), "here", source_line=line).render()
    _, source, caret = far.splitlines()[:3]
    assert source.split("| ")[1].startswith("…") and source[caret.index("^")] == "9"
