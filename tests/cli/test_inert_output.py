"""Script text never reaches the terminal raw: every command's human output and JSON go
through ``rehearse.engine.inert`` (issue 12, attack 3)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from click.testing import CliRunner, Result

from rehearse.cli.group import cli
from rehearse.engine.inert import inert, inert_json
from tests.cli.helpers import MINI, ROOT

# clear the screen, set the window title, write the clipboard, a C1 CSI, a right-to-left override
HOSTILE = "\x1b[2J\x1b]0;pwned\x07\x1b]52;c;ZWNobyBoaQ==\x07\x9b31m\u202eevil"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), obj={})


def hostile_copy(tmp_path: Path, *, error: str = "") -> Path:
    """The mini fixture with escapes in its title and a boss line (plus ``error``)."""
    folder = tmp_path / "hostile"
    folder.mkdir()
    for name in ("pat.yaml", "kim.yaml"):
        (folder / name).write_text((MINI / name).read_text())
    text = (MINI / "mini.yaml").read_text()
    title = json.dumps(HOSTILE)
    text = text.replace("title: A tiny script for engine tests", f"title: {title}")
    text = text.replace(
        'boss: "Are you sure you want the headache?"', f'boss: {json.dumps(HOSTILE)[:-1]}{error}"'
    )
    (folder / "mini.yaml").write_text(text)
    return folder


def assert_inert(text: str) -> None:
    for raw in RAW:
        assert raw not in text, repr(raw)


def test_inert_shows_every_character_a_terminal_would_obey() -> None:
    assert inert(HOSTILE) == "␛[2J␛]0;pwned␇␛]52;c;ZWNobyBoaQ==␇\\x9b31m\\u202eevil"
    assert inert("a\r\nb\tc\n") == "a\nb\tc\n"
    assert inert(None) == ""
    assert inert("\ud83d lone") == "\\ud83d lone"


def test_json_escapes_c1_controls_and_bidirectional_overrides_yet_reads_back_the_same() -> None:
    text = inert_json({"t": HOSTILE + "é"})
    assert_inert(text)
    assert "é" in text
    assert json.loads(text) == {"t": HOSTILE + "é"}


def test_list_shows_a_hostile_title_inert(tmp_path: Path) -> None:
    result = invoke("--path", str(hostile_copy(tmp_path)), "list")
    assert result.exit_code == 0, result.output
    assert "␛[2J" in result.output
    assert_inert(result.output)


def test_list_json_escapes_c1_and_overrides(tmp_path: Path) -> None:
    result = invoke("--path", str(hostile_copy(tmp_path)), "list", "--json")
    assert result.exit_code == 0, result.output
    assert_inert(result.output)
    titles = [s["title"] for s in json.loads(result.output)["scripts"]]
    assert HOSTILE in titles


def test_check_messages_and_source_lines_are_inert(tmp_path: Path) -> None:
    # the source line shown under the message holds a raw override (YAML allows it)
    result = invoke("check", str(hostile_copy(tmp_path, error="\u202e{{ nope. }}") / "mini.yaml"))
    assert result.exit_code == 1, result.output
    assert "error R020" in result.output and "\\u202e{{ nope. }}" in result.output
    assert_inert(result.output)


def test_graph_is_inert(tmp_path: Path) -> None:
    result = invoke("graph", str(hostile_copy(tmp_path) / "mini.yaml"), "--labels")
    assert result.exit_code == 0, result.output
    assert_inert(result.output)


def test_click_usage_errors_quote_what_was_typed_inert() -> None:
    hostile = HOSTILE.replace("=", "")  # (not KEY=VALUE)
    for args in (
        ("coach", "a", hostile),
        ("play", "not-this-role", "--var", hostile),
        ("why", "mini", "x", "y", hostile),
    ):
        result = invoke(*args)
        assert result.exit_code == 2
        assert inert(hostile) in result.output and not any(c in result.output for c in RAW), args


def test_commands_print_only_through_cli_output() -> None:
    """A new command cannot bypass the inert path: only cli/output.py calls click.echo, and
    print() appears only in plain mode and the launcher, both through inert."""
    allowed = {"output.py": {"echo"}, "plain.py": {"print"}, "launch.py": {"print"}}
    for path in sorted((ROOT / "rehearse" / "cli").glob("*.py")):
        calls = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                func = node.func
                if (
                    isinstance(func, ast.Attribute)
                    and func.attr in {"echo", "secho"}
                    and getattr(func.value, "id", "") == "click"
                ):
                    calls.add("echo")
                if isinstance(func, ast.Name) and func.id == "print":
                    calls.add("print")
        assert calls <= allowed.get(path.name, set()), (path.name, calls)
