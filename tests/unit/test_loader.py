"""Loading scripts and personas: every problem located, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from rehearse.engine.compile.catalog import load_catalog
from rehearse.engine.compile.loader import load_script, persona_from_text, script_from_text
from rehearse.engine.yamlread import MAX_FILE_BYTES

from .helpers import MINI

GOOD = (MINI / "mini.yaml").read_text()


def codes(text: str) -> list[str]:
    _, report = script_from_text(text, "s.yaml")
    return [d.code for d in report.items]


def messages(text: str) -> list[str]:
    _, report = script_from_text(text, "s.yaml")
    return [d.render() for d in report.items]


def test_the_fixture_script_loads_with_locations() -> None:
    script, report = load_script(MINI / "mini.yaml")
    assert report.items == [] and script is not None
    lines = (MINI / "mini.yaml").read_text().splitlines()
    node = script.nodes["recover"]
    assert (node.loc.line, node.loc.col) == (lines.index("  recover:") + 1, 3)
    assert script.nodes["opening"].replies[0].loc.line == lines.index("      want:") + 1
    assert len(script.digest) == 64


def test_plain_words_stay_text() -> None:
    text = GOOD.replace('say: ["yes please",', 'say: [yes, no, off, on, y, n, "yes please",')
    script, report = script_from_text(text)
    assert report.ok and script is not None
    say = [t.source for t in script.nodes["agreed_q"].replies[0].say]
    assert say[:6] == ["yes", "no", "off", "on", "y", "n"]


def test_duplicate_keys_are_errors_with_the_first_location() -> None:
    text = GOOD.replace("  recover:\n", "  vague:\n    end: fail\n    boss: x\n  recover:\n", 1)
    found = messages(text)
    assert any("duplicate key 'vague' (first at line" in m for m in found)


def test_unknown_field_gets_a_did_you_mean_and_a_caret() -> None:
    text = GOOD.replace("    hint: Say yes.\n", "    hnit: Say yes.\n")
    [rendered] = [m for m in messages(text) if "unknown field" in m]
    assert "unknown field 'hnit' in node 'agreed_q'" in rendered
    assert "did you mean 'hint'?" in rendered
    lines = rendered.splitlines()
    assert lines[0].startswith("s.yaml:")
    assert lines[1].endswith("hnit: Say yes.") and lines[2].strip() == "^^^^"


def test_unknown_target_and_start_are_reported_together() -> None:
    text = GOOD.replace("start: opening", "start: openin").replace("next: recover", "next: recovr")
    found = messages(text)
    assert any("start node 'openin' does not exist" in m and "did you mean 'opening'" in m for m in found)
    assert any("unknown node 'recovr'" in m and "did you mean 'recover'" in m for m in found)


def test_score_dimension_must_be_in_the_rubric() -> None:
    found = messages(GOOD.replace("score: {clarity: 2}", "score: {clarty: 2}"))
    assert any("'clarty'" in m and "did you mean 'clarity'" in m for m in found)


def test_bad_outcome_and_kind() -> None:
    text = GOOD.replace("end: partial", "end: partal").replace("kind: deny", "kind: nope", 1)
    assert codes(text).count("R015") == 2


def test_template_syntax_and_undefined_names_are_located() -> None:
    text = GOOD.replace("Say yes.", "Say {{ yes.").replace(
        "Done. I'll send the invite.", "Done {{ usr.name }}."
    )
    _, report = script_from_text(text, "s.yaml")
    by_code = {d.code: d for d in report.items}
    assert "R020" in by_code and "R201" in by_code
    assert "did you mean 'user'" in (by_code["R201"].hint or "")
    assert by_code["R020"].loc.line == GOOD.splitlines().index("    hint: Say yes.") + 1


def test_unknown_attribute_of_visits_or_scores() -> None:
    text = GOOD.replace('when: "flags.asked and visits.recover > 0"', 'when: "visits.recovr > 0"')
    found = messages(text)
    assert any("'visits.recovr'" in m and "did you mean 'recover'" in m for m in found)


def test_yaml_syntax_error_is_a_diagnostic() -> None:
    _, report = script_from_text("id: x\nnodes: [\n", "bad.yaml")
    [d] = report.items
    assert d.code == "R002" and d.loc.file == "bad.yaml" and d.loc.line >= 2


def test_a_control_character_yaml_refuses_is_located_and_named() -> None:
    _, report = script_from_text('id: x\ntitle: "a\x1b"\n', "bad.yaml")
    [d] = report.items
    assert (d.code, d.loc.line, d.loc.col) == ("R002", 2, 10)
    assert "U+001B" in d.message and "unicode string" not in d.message


def test_wrong_types_are_reported_not_raised() -> None:
    assert codes("- just\n- a list\n") == ["R010"]
    found = codes("id: x\ntitle: [1]\nsituation: s\ngoal: g\npersonas: p\nstart: a\nnodes: {a: 3}\n")
    assert "R013" in found and "R010" in found


def test_alias_bombs_are_refused() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 8):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        bomb += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
    assert "R003" in codes(bomb)


def test_recursive_alias_is_refused() -> None:
    assert "R003" in codes("a: &a [*a]\n")


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("x: " + "a" * (MAX_FILE_BYTES + 10))
    script, report = load_script(big)
    assert script is None and [d.code for d in report.items] == ["R001"]


def test_not_utf8_is_a_diagnostic(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"id: \xff\xfe\n")
    script, report = load_script(bad)
    assert script is None and report.items[0].code == "R000"


def test_persona_names_are_ids_never_paths(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: secret\nname: Secret\n")
    text = GOOD.replace("personas: [pat, kim]", f"personas: [{secret}, ../secret]")
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "s.yaml").write_text(text.replace("id: mini", "id: s"))
    catalog = load_catalog([tmp_path / "s"])
    unknown = [d for d in catalog.report.items if d.code == "R106"]
    assert len(unknown) == 2
    assert "secret" not in catalog.personas


def test_persona_lines_are_checked() -> None:
    persona, report = persona_from_text("id: p\nname: P\npatience: 0\nlines: {clarfy: hi}\n", "p.yaml")
    assert persona is None
    rendered = [d.render() for d in report.items]
    assert any("did you mean 'clarify'" in m for m in rendered)
    assert any("patience" in m for m in rendered)


def test_persona_pronouns_are_read_checked_and_reach_templates() -> None:
    joe, _ = persona_from_text("id: joe\nname: Joe\npronouns: he/him\n", "joe.yaml")
    assert joe is not None and (joe.they, joe.them, joe.their) == ("he", "him", "his")
    pat, _ = persona_from_text("id: pat\nname: Pat\n", "pat.yaml")
    assert pat is not None and pat.their == "their"  # unsaid: they/them
    typo, report = persona_from_text("id: p\nname: P\npronouns: she/hr\n", "p.yaml")
    assert typo is None
    [problem] = [d.render() for d in report.items]
    assert "R015" in problem and "did you mean 'she/her'" in problem
    script, _ = script_from_text(
        GOOD.replace(
            "{{ persona.name }} is listening", "{{ persona.they }} checks {{ persona.their }} notes"
        ),
        "s.yaml",
    )
    assert script is not None
    from rehearse.engine.runtime.session import Setup, begin, situation

    assert situation(begin(Setup(script, joe))) == "You want the lead job. he checks his notes."


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_gives_diagnostics_never_an_exception(text: str) -> None:
    script, report = script_from_text(text, "fuzz.yaml")
    assert script is None or report.ok
    persona_from_text(text, "fuzz.yaml")


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=len(GOOD)), st.text(max_size=20))
def test_corrupting_a_good_script_never_raises(at: int, junk: str) -> None:
    script_from_text(GOOD[:at] + junk + GOOD[at:], "fuzz.yaml")


def test_template_errors_point_inside_a_multi_line_template() -> None:
    text = GOOD.replace(
        'situation: "You want the {{ role }} job. {{ persona.name }} is listening."',
        "situation: |\n  You want the {{ role }} job.\n  {{ persona.name }} is {{ listening\n",
    )
    _, report = script_from_text(text, "s.yaml")
    [d] = [d for d in report.items if d.code == "R020"]
    line = text.splitlines()[d.loc.line - 1]
    assert line == "  {{ persona.name }} is {{ listening"
    assert line[d.loc.col - 1 :].startswith("{{ listening")


def test_an_unknown_filter_or_test_is_a_load_error_not_a_line_lost_in_play() -> None:
    for written, message in (
        ("{{ persona.name | uper }}", "no filter named 'uper' (did you mean 'upper'?)"),
        ("{% if turn is odder %}x{% endif %}", "no test named 'odder' (did you mean 'odd'?)"),
    ):
        text = GOOD.replace("{{ persona.name }} is listening.", f"{written} is listening.")
        _, report = script_from_text(text, "s.yaml")
        [d] = [d for d in report.items if d.code == "R020"]
        assert d.message == f"template error: {message}"
        line = text.splitlines()[d.loc.line - 1]
        assert line[d.loc.col - 1 :].startswith(message.split("'")[1])
    fine = GOOD.replace("{{ persona.name }} is listening.", "{{ persona.name | upper }} is listening.")
    assert script_from_text(fine, "s.yaml")[1].ok


def test_loading_scripts_never_builds_the_coach() -> None:
    """Scripts name coach checks by id; learning the ids must not compile every pattern."""
    code = (
        "from rehearse.workspace.library import catalog\n"
        "from rehearse.engine.runtime import coach\n"
        "assert catalog([]).scripts\n"
        "print(coach._rules.cache_info().currsize)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"
