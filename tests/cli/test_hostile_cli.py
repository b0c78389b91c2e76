"""Hostile files and numbers through the real command line (issue 12): one bad file is a
diagnostic for that file, and the commands go on with the rest; no traceback."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner, Result

from rehearse.cli.group import cli
from tests.cli.helpers import MINI, ROOT, run

HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
HUGE = "9" * 4301


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), obj={})


def test_list_goes_on_past_hostile_files() -> None:
    result = invoke("--path", str(HOSTILE), "--path", str(MINI), "list")
    assert result.exit_code == 0, result.output
    assert "mini" in result.output and "not-this-role" in result.output
    assert "parentheses.yaml" in result.output  # named among the files that did not load


def test_play_goes_on_past_hostile_files() -> None:
    result = run("--path", str(HOSTILE), "--path", str(MINI), "play", "mini", "--plain", input=":quit\n")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_check_reports_every_hostile_file_without_a_traceback() -> None:
    result = invoke("check", str(HOSTILE))
    assert result.exit_code == 1
    assert "R021" in result.output and "R022" in result.output and "R006" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_huge_numbers_on_the_command_line_are_usage_errors() -> None:
    for args in (("sessions", "--limit", HUGE), ("sessions", "--delete", HUGE), ("stats", "--last", HUGE)):
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "is not a whole number of at most 18 digits" in result.output
    play = invoke("--path", str(MINI), "play", "mini", "--plain", "--seed", HUGE)
    assert play.exit_code == 2 and "--seed" in play.output


def test_a_huge_number_at_the_plain_menu_is_just_text() -> None:
    replies = "\n".join(["la la", "la la", "la la", HUGE, ":quit"]) + "\n"
    result = run("--path", str(MINI), "play", "mini", "--plain", input=replies)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_plain_mode_reads_invalid_utf8_as_latin1_letters() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rehearse", "--path", str(MINI), "play", "mini", "--plain", "--no-save"],
        input=b"caf\xe9 \xff ok\n:quit\n",
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "You: café ÿ ok" in result.stdout.decode()
