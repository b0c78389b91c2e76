"""check, why, list and plain play, through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from rehearse.cli.group import cli
from tests.cli.helpers import MINI, ROOT, run


def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), input=input, obj={}, catch_exceptions=False)


def test_check_clean_exits_zero() -> None:
    result = invoke("check", str(ROOT / "scripts"), str(ROOT / "personas"))
    assert result.exit_code == 0
    assert "no problems" in result.output


def test_check_reports_every_error_with_location_and_exits_one(tmp_path: Path) -> None:
    text = (MINI / "mini.yaml").read_text()
    text = text.replace("next: recover", "next: recovr").replace("hint: Say yes.", "hnit: Say yes.")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    result = invoke("--path", str(MINI), "check", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:" in result.output
    assert "did you mean 'recover'?" in result.output and "did you mean 'hint'?" in result.output
    assert "Traceback" not in result.output
    data = json.loads(invoke("--path", str(MINI), "check", "--format", "json", str(bad)).output)
    # the dangling next does not hide that 'recover' is now unreachable (issue 12)
    assert data["errors"] == 2 and {d["code"] for d in data["diagnostics"]} == {"R102", "R011", "W110"}


def test_check_missing_path_is_an_error() -> None:
    result = invoke("check", "/no/such/dir")
    assert result.exit_code == 1 and "no such file or folder" in result.output


def test_why_json_names_the_decision_and_every_score() -> None:
    result = invoke(
        "--path",
        str(MINI),
        "why",
        "mini",
        "opening",
        "I'd like to apply for the lead job",
        "--json",
    )
    data = json.loads(result.output)
    assert data["decision"] == "matched" and data["reply"] == "want"
    assert {s["reply"] for s in data["scores"]} == {"want", "knock_peer"}
    # the second reader: every reply's examples pooled, most favoured first
    together = data["examples_together"]
    assert together[0]["reply"] == "want" and sum(t["share"] for t in together) <= 1.0
    plain = invoke("--path", str(MINI), "why", "mini", "opening", "I'd like to apply for the lead job").output
    assert "examples together favour want " in plain


def test_why_unknown_node_suggests_one() -> None:
    result = CliRunner().invoke(cli, ["--path", str(MINI), "why", "mini", "openin", "hi"], obj={})
    assert result.exit_code != 0 and "did you mean 'opening'?" in result.output


def test_list_json_finds_bundled_content() -> None:
    data = json.loads(invoke("list", "--json").output)
    assert {s["id"] for s in data["scripts"]} >= {
        "not-this-role",
        "fumbled-promotion",
        "passed-over",
    }
    assert {p["id"] for p in data["personas"]} >= {"sam", "joe", "morgan", "dana"}


def test_plain_mode_in_a_pipe_reaches_an_ending_and_prints_the_rubric() -> None:
    replies = "I'd like to apply for the lead position\nyes please\n"
    result = run(
        "--path",
        str(MINI),
        "play",
        "mini",
        "--plain",
        "--seed",
        "1",
        "--name",
        "Ana",
        input=replies,
    )
    assert result.returncode == 0, result.stderr
    assert "Pat: " in result.stdout and "Ana" in result.stdout
    assert "Outcome: ✓ success" in result.stdout
    assert "clarity: met, 70/100  [" in result.stdout and "You said what you want." in result.stdout
    assert "turn 1: +20 from your reply, taken as “Say you want the job”" in result.stdout
    # never touched: no score, no claim, and the total is clarity's alone
    assert "grace: not scored\n    Be kind about colleagues.\nScore: 70/100" in result.stdout


def test_plain_json_transcript_and_end_of_input_stops_like_quit() -> None:
    result = run(
        "--path",
        str(MINI),
        "play",
        "mini",
        "--plain",
        "--json",
        "--seed",
        "2",
        input="Bob is useless at his job\n",
    )
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["ending"] is None and data["stopped_at"] == "recover"
    [opening, turn] = data["turns"]
    assert opening["user"] is None and turn["reply"] == "knock_peer" and turn["decision"] == "matched"
    assert turn["node"] == "opening" and turn["score_delta"] == {"grace": -2}
    assert "Unfinished: the conversation stopped after “That's not really fair on Bob." in result.stderr
    assert "recover" not in result.stderr


def test_plain_commands_undo_hint_quit() -> None:
    replies = ":hint\nBob is useless at his job\n:undo\n:quit\nnever read\n"
    result = run(
        "--path",
        str(MINI),
        "play",
        "mini",
        "--plain",
        "--json",
        "--var",
        "role=analyst",
        input=replies,
    )
    data = json.loads(result.stdout)
    assert len(data["turns"]) == 1 and data["stopped_at"] == "opening"
    assert "Say plainly that you want the analyst job." in result.stderr
    assert "took back" in result.stderr


def test_plain_shows_user_text_inert() -> None:
    result = run("--path", str(MINI), "play", "mini", "--plain", input="[red]hi[/red] \x1b[31m{{ 7*7 }}\n")
    assert "You: [red]hi[/red] \u241b[31m{{ 7*7 }}" in result.stdout
    assert "\x1b[31m" not in result.stdout


def test_bad_arguments_fail_clearly() -> None:
    unknown_script = run("play", "no-such-script", "--plain")
    assert unknown_script.returncode != 0 and "no script 'no-such-script'" in unknown_script.stderr
    close = run("play", "not-this-rol", "--plain")
    assert "did you mean 'not-this-role'?" in close.stderr
    persona = run("play", "not-this-role", "--persona", "dan", "--plain")
    assert persona.returncode != 0 and "did you mean 'dana'?" in persona.stderr
    var = run("play", "not-this-role", "--var", "nope=1", "--plain")
    assert var.returncode != 0 and "unknown variable 'nope'" in var.stderr
    for result in (unknown_script, close, persona, var):
        assert "Traceback" not in result.stderr


def test_a_broken_script_file_fails_with_its_location(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: broken\nnodes: [\n")
    result = run("play", str(bad), "--plain")
    assert result.returncode != 0 and f"{bad}:" in result.stderr and "Traceback" not in result.stderr


def test_a_picked_option_reads_as_its_words_and_is_not_coached() -> None:
    result = run(
        "--path",
        str(MINI),
        "play",
        "mini",
        "--plain",
        "--no-save",
        "--seed",
        "1",
        "--name",
        "Ana",
        input=":menu\n1\nyes\n",
    )
    assert result.returncode == 0, result.stderr
    debrief = result.stdout.split("The turns that moved your score most:")[1]
    assert "turn 1 (+20): Say you want the job (option 1)" in debrief
    assert "1. You: Say you want the job (option 1)" in debrief
    assert "understood as “Say you want the job” (picked option 1)" in debrief
    turn_1 = debrief.split("  2. You:")[0]
    assert "(phrasing)" not in turn_1 and "(what differs)" not in turn_1 and "“1”" not in turn_1


def test_plain_mode_uses_the_name_saved_in_the_app_and_warns_of_a_clash() -> None:
    from rehearse.workspace.settings import Prefs, save_prefs

    prefs = Prefs()
    prefs.name = "Robin"
    assert save_prefs(prefs)  # REHEARSE_HOME is this test's own folder
    result = run("play", "passed-over", "--plain", "--no-save", "--seed", "1", input=":quit\n")
    assert result.returncode == 0, result.stderr
    assert "Robin" in result.stdout.split("You:")[0]  # the boss greets the saved name
    assert "is also the" not in result.stderr
    prefs.name = "Alex"
    save_prefs(prefs)
    clash = run("play", "passed-over", "--plain", "--no-save", "--seed", "1", input=":quit\n")
    assert "Your name, Alex, is also the winner in this conversation (Alex)" in clash.stderr
    assert "(--name NAME, or --var winner=NAME)" in clash.stderr
    changed = run("play", "passed-over", "--plain", "--no-save", "--var", "winner=Priya", input=":quit\n")
    assert changed.returncode == 0 and "is also the" not in changed.stderr
