"""`rehearse coach` and the settings file that switches checks off."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rehearse.cli.group import cli
from rehearse.workspace.settings import Config, ConfigError, load_config, save_config

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini"
TEXT = "sorry, I know you're busy, but I was just wondering if maybe I could be considered"


def coach_json(*args: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(cli, ["coach", *args, "--json"], obj={})
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["flags"]  # type: ignore[no-any-return]


def test_flags_carry_exact_spans() -> None:
    flags = coach_json(TEXT)
    by_id = {f["check"]: f for f in flags}
    assert set(by_id) >= {"hedge", "self-apology"}
    for flag in flags:
        for span in flag["spans"]:  # type: ignore[attr-defined]
            assert TEXT[span["start"] : span["end"]] == span["text"]


def test_node_moments_switch_on_moment_checks() -> None:
    assert "no-ask" not in {f["check"] for f in coach_json("hello there")}
    result = CliRunner().invoke(
        cli,
        [
            "--path",
            str(MINI),
            "coach",
            "hello there",
            "--script",
            "mini",
            "--node",
            "opening",
            "--json",
        ],
        obj={},
    )
    assert "no-ask" in {f["check"] for f in json.loads(result.output)["flags"]}


def test_settings_switch_a_check_off_and_all_overrides(rehearse_home: Path) -> None:
    save_config(Config(frozenset({"hedge"})))
    assert load_config().disabled_checks == {"hedge"}
    assert "hedge" not in {f["check"] for f in coach_json(TEXT)}
    assert "hedge" in {f["check"] for f in coach_json(TEXT, "--all")}


def test_a_broken_settings_file_is_reported(rehearse_home: Path) -> None:
    path = rehearse_home / "config" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text("[coach\n")
    with pytest.raises(ConfigError, match=r"config\.toml"):
        load_config()
    result = CliRunner().invoke(cli, ["coach", TEXT], obj={})
    assert result.exit_code == 0 and "Hedging the ask" in result.output


def test_plain_output_names_the_words_and_why() -> None:
    result = CliRunner().invoke(cli, ["coach", TEXT], obj={})
    assert 'Hedging the ask [hedge]: "I was just wondering", "maybe"' in result.output
    assert "why: " in result.output and "try: " in result.output


def test_without_a_moment_it_says_which_checks_did_not_run() -> None:
    result = CliRunner().invoke(cli, ["coach", "I'm not applying.", "--json"], obj={})
    not_run = {c["check"] for c in json.loads(result.output)["not_run"]}
    assert {"no-ask", "no-thanks", "decline-no-alternative", "abstract-feedback"} <= not_run
    assert "hedge" not in not_run
    text = CliRunner().invoke(cli, ["coach", "I'm not applying."], obj={}).output
    assert "Not checked, because they depend on the moment" in text and "[no-thanks]" in text
    declined = CliRunner().invoke(cli, ["coach", "I'm not applying.", "--expects", "decline"], obj={})
    assert "Declining without an alternative" in declined.output


def test_at_a_node_it_does_not_ask_for_the_node_it_was_given() -> None:
    args = ["coach", "I'm not applying.", "--script", "fumbled-promotion", "--node", "peer_reaction"]
    text = CliRunner().invoke(cli, args, obj={}).output
    assert "this node's moments do not call for them" in text and "[no-thanks]" in text
    assert "give --script and --node" not in text


def test_an_unknown_moment_is_refused_with_a_did_you_mean() -> None:
    result = CliRunner().invoke(cli, ["coach", "hello", "--expects", "thanks,declin"], obj={})
    assert result.exit_code == 2
    assert "unknown moment 'declin'" in result.output and "decline" in result.output
