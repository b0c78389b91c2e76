"""Numbers from people and files are length-checked before conversion (issue 12, attack
2): int() refuses 4,301 digits with a ValueError, and SQLite refuses past 2**63."""

from __future__ import annotations

from pathlib import Path

import pytest

from rehearse.engine.compile.catalog import load_catalog
from rehearse.engine.numbers import MAX_DIGITS, small_int
from rehearse.engine.runtime import session
from rehearse.history.store import Store
from tests.unit.helpers import MINI, mini_state

HUGE = "9" * 4301


def test_small_int_reads_short_whole_numbers_only() -> None:
    assert small_int(" 42 ") == 42 and small_int("-7") == -7 and small_int("+3") == 3
    assert small_int("9" * MAX_DIGITS) == int("9" * MAX_DIGITS)
    for text in ("9" * (MAX_DIGITS + 1), HUGE, "0" * 5000 + "1", "", "1.5", "٣", "12a"):
        assert small_int(text) is None, text


def test_a_huge_number_in_a_yaml_file_is_a_diagnostic_for_that_file(tmp_path: Path) -> None:
    for name in ("mini.yaml", "pat.yaml", "kim.yaml"):
        (tmp_path / name).write_text((MINI / name).read_text())
    (tmp_path / "huge.yaml").write_text(
        (MINI / "kim.yaml").read_text().replace("id: kim", f"id: huge\npatience: {HUGE}")
    )
    catalog = load_catalog([tmp_path])
    assert "mini" in catalog.scripts and {"pat", "kim"} <= set(catalog.personas)
    [broken] = catalog.broken
    assert [d.code for d in broken.diagnostics][:1] == ["R006"]


@pytest.mark.parametrize("typed", [HUGE, HUGE + ".", "9" * (MAX_DIGITS + 1)])
def test_a_huge_number_at_the_menu_is_just_text(typed: str) -> None:
    state = session.open_menu(mini_state())
    after, turn = session.step(state, typed)
    assert after.node == "opening" and turn.decision.kind != "matched"


def test_a_number_at_the_menu_still_picks() -> None:
    state = session.open_menu(mini_state())
    assert session.offered_choice(state, "2.") == "knock_peer"
    assert session.offered_choice(state, "3") is None


def test_a_huge_session_id_is_not_a_session(tmp_path: Path) -> None:
    with (
        Store.open(tmp_path / "sessions.sqlite3") as store,
        pytest.raises(KeyError, match="not a session id"),
    ):
        store.load(HUGE)


def test_a_huge_number_in_config_toml_is_a_config_error(tmp_path: Path) -> None:
    from rehearse.workspace.settings import ConfigError, load_config

    path = tmp_path / "config.toml"
    path.write_text(f"[coach]\nlevel = {HUGE}\n")
    with pytest.raises(ConfigError, match=r"config\.toml"):
        load_config(path)
