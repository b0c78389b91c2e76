"""rehearse graph, new, schema and test --coverage, through the real command line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
from click.testing import CliRunner, Result

from rehearse.cli.group import cli
from rehearse.engine.diagnostics import Report
from rehearse.engine.yamlread import read_yaml
from tests.cli.helpers import MINI, run


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), obj={})


# -- rehearse graph -------------------------------------------------------------------------


def test_graph_of_a_bundled_script_by_id_is_mermaid() -> None:
    result = invoke("graph", "passed-over")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:2] == ["%% rehearse graph: passed-over", "flowchart TD"]
    assert "    start_mark --> n_opening" in lines
    assert any(line.startswith("    class ") and line.endswith(" success") for line in lines)


def test_graph_dot_of_a_file_to_an_output_file(tmp_path: Path) -> None:
    out = tmp_path / "mini.dot"
    result = invoke("graph", str(MINI / "mini.yaml"), "--format", "dot", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith('// rehearse graph: mini\ndigraph "mini" {')
    assert '"opening" -> "pushback" [label="want if persona.traits.sceptical", style=dashed];' in text
    assert '"invited" [label="invited · success' in text


def test_graph_into_markdown_is_fenced_and_labels_can_be_menu_labels(tmp_path: Path) -> None:
    out = tmp_path / "map.md"
    result = invoke("--path", str(MINI), "graph", "mini", "--labels", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("```mermaid\n%% rehearse graph: mini\nflowchart TD\n") and text.endswith("```\n")
    assert '-->|"Run down a colleague"| n_recover' in text


def test_graph_notes_unreachable_nodes_and_dead_ends_on_stderr(tmp_path: Path) -> None:
    text = (MINI / "mini.yaml").read_text()
    text = text.replace(
        "  invited:\n",
        "  orphan:\n    boss: lost\n    replies:\n      stay:\n"
        "        say: [a, b, c, d]\n        next: orphan\n  invited:\n",
    )
    script = tmp_path / "mini.yaml"
    script.write_text(text)
    result = run("--path", str(MINI), "graph", str(script))
    assert result.returncode == 0, result.stderr
    assert "note: unreachable: orphan" in result.stderr
    assert "note: dead ends (no ending reachable): orphan" in result.stderr
    assert re.search(r"class [\w,]*n_orphan[\w,]* unreachable", result.stdout)


def test_graph_of_an_unknown_script_suggests_one() -> None:
    result = invoke("graph", "passed-ovr")
    assert result.exit_code == 2
    assert "no script 'passed-ovr'" in result.stderr and "did you mean 'passed-over'?" in result.stderr


def test_graph_of_a_broken_file_shows_where(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((MINI / "mini.yaml").read_text().replace("next: recover", "next: recovr"))
    result = invoke("graph", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:" in result.stderr and "did you mean 'recover'?" in result.stderr


# -- rehearse schema ------------------------------------------------------------------------


def test_schema_prints_each_format() -> None:
    for kind, title in (
        ("script", "rehearse script"),
        ("persona", "rehearse persona"),
        ("testplan", "rehearse test plan"),
    ):
        result = invoke("schema", kind)
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["title"] == title
        jsonschema.Draft202012Validator.check_schema(data)


def test_schema_to_a_file_and_unknown_kind(tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    assert invoke("schema", "persona", "-o", str(out)).exit_code == 0
    assert json.loads(out.read_text())["title"] == "rehearse persona"
    result = invoke("schema", "playbook")
    assert result.exit_code == 2 and "'playbook' is not one of" in result.output


# -- rehearse new ---------------------------------------------------------------------------


def test_new_writes_a_starter_that_checks_tests_and_plays(tmp_path: Path) -> None:
    tmp_path = tmp_path / "work"
    result = run("new", "ask-for-training", "--dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "ask-for-training.test.yaml",
        "ask-for-training.yaml",
        "rehearse-script.schema.json",
        "rehearse-testplan.schema.json",
    ]
    script = tmp_path / "ask-for-training.yaml"
    text = script.read_text()
    assert text.splitlines()[0] == "# yaml-language-server: $schema=./rehearse-script.schema.json"
    assert 'id: "ask-for-training"' in text and "personas: [sam, joe]" in text

    checked = run("check", "--format", "json", str(tmp_path))
    assert checked.returncode == 0, checked.stdout
    assert json.loads(checked.stdout)["errors"] == 0
    assert json.loads(checked.stdout)["warnings"] == 0  # a starter to copy from has nothing to fix

    tested = run("test", str(tmp_path), "--coverage", "--min-coverage", "100")
    assert tested.returncode == 0, tested.stdout
    assert "5 passed, 0 failed" in tested.stdout
    assert (
        "ask-for-training: 100.0% combined (5 cases)  nodes 7/7 (100.0%)  replies 8/8 (100.0%)"
        "  branches 2/2 (100.0%)"
    ) in tested.stdout

    played = run(
        "play",
        str(script),
        "--plain",
        "--no-save",
        "--seed",
        "1",
        "--name",
        "Ana",
        input="I'd like to ask for a training budget for the data course\n"
        "it saves us paying contractors to build our reports\n",
    )
    assert played.returncode == 0, played.stderr
    assert "Outcome: ✓ success" in played.stdout


def test_the_starter_is_small_complete_and_validates_against_its_schema(tmp_path: Path) -> None:
    assert run("new", "starter", "--dir", str(tmp_path)).returncode == 0
    from rehearse.engine.compile.loader import load_script

    script, report = load_script(tmp_path / "starter.yaml")
    assert script is not None, [d.render() for d in report.items]
    assert 5 <= len(script.nodes) <= 7
    assert sorted(n.end for n in script.nodes.values() if n.end) == ["fail", "partial", "success"]
    assert script.personas == ("sam", "joe")
    for node in script.nodes.values():
        if node.is_ending:
            assert node.debrief is not None
            continue
        assert node.hint is not None and node.model is not None
        assert all(len(r.say) >= 4 for r in node.replies)
    for kind, name in (("script", "starter.yaml"), ("testplan", "starter.test.yaml")):
        schema = json.loads((tmp_path / f"rehearse-{kind}.schema.json").read_text())
        doc = read_yaml((tmp_path / name).read_text(), name, Report())
        assert doc is not None
        assert list(jsonschema.Draft202012Validator(schema).iter_errors(doc.value)) == []


def test_new_defaults_to_the_data_dir_and_takes_a_situation(rehearse_home: Path) -> None:
    situation = 'Ask {{ persona.name }}: "can I go?" [soon] # not a comment'
    result = invoke("new", "my-ask", "--situation", situation)
    assert result.exit_code == 0, result.output
    script = rehearse_home / "scripts" / "my-ask.yaml"
    assert f"Wrote {script}" in result.stdout
    from rehearse.engine.compile.loader import load_script

    loaded, report = load_script(script)
    assert loaded is not None, [d.render() for d in report.items]
    assert loaded.situation.source == situation
    listed = json.loads(invoke("list", "--json").stdout)
    assert "my-ask" in {s["id"] for s in listed["scripts"]}


def test_new_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    assert invoke("new", "again", "--dir", str(tmp_path)).exit_code == 0
    script = tmp_path / "again.yaml"
    script.write_text("# mine\n")
    result = invoke("new", "again", "--dir", str(tmp_path))
    assert result.exit_code == 1 and "already exists (use --force" in result.stderr
    assert script.read_text() == "# mine\n"
    assert invoke("new", "again", "--dir", str(tmp_path), "--force").exit_code == 0
    assert script.read_text().startswith("# yaml-language-server:")


def test_new_refuses_bad_names_and_a_situation_that_breaks_the_script(tmp_path: Path) -> None:
    tmp_path = tmp_path / "work"
    for name in ("Ask", "my ask", "-ask", "ask/../x", ""):
        result = invoke("new", "--dir", str(tmp_path), "--", name)
        assert result.exit_code == 2 and "is not a valid script name" in result.stderr, name
    result = invoke("new", "broken", "--dir", str(tmp_path), "--situation", "Hi {{ nobody }}")
    assert result.exit_code == 2 and "undefined name 'nobody'" in result.stderr
    assert not tmp_path.exists()


def test_new_names_that_read_as_yaml_values_stay_text(tmp_path: Path) -> None:
    for name in ("true", "null", "123"):
        result = invoke("new", name, "--dir", str(tmp_path))
        assert result.exit_code == 0, (name, result.output)
    checked = invoke("check", str(tmp_path))
    assert checked.exit_code == 0, checked.output


def test_new_warns_when_the_id_shadows_another_script(tmp_path: Path) -> None:
    result = invoke("new", "passed-over", "--dir", str(tmp_path))
    assert result.exit_code == 0
    assert "another script with the id 'passed-over' exists" in result.stderr


# -- rehearse test --coverage ---------------------------------------------------------------


def _starter_with_fewer_cases(tmp_path: Path) -> Path:
    assert invoke("new", "thin", "--dir", str(tmp_path)).exit_code == 0
    plan = tmp_path / "thin.test.yaml"
    text = plan.read_text()
    plan.write_text(text[: text.index("  - name: has the cover ready")])  # keep the first case
    return plan


def test_coverage_lists_untested_items_and_min_coverage_fails(tmp_path: Path) -> None:
    plan = _starter_with_fewer_cases(tmp_path)
    result = invoke("test", str(plan), "--coverage")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "1 passed, 0 failed" in out
    assert (
        "thin: 35.3% combined (1 case)  nodes 3/7 (42.9%)  replies 2/8 (25.0%)  branches 1/2 (50.0%)"
    ) in out
    assert "    pushback  [reachable, untested]" in out
    assert "    opening.hedge  [reachable, untested]" in out
    assert "    reasons.give_reason -> pushback (when persona.traits.direct)  [reachable, untested]" in out

    low = invoke("test", str(plan), "--min-coverage", "90")
    assert low.exit_code == 1
    assert "thin: 35.3% combined" in low.stdout and "Coverage below 90%: thin (35.3%)" in low.stdout
    assert invoke("test", str(plan), "--min-coverage", "35").exit_code == 0


def test_coverage_counts_scripts_without_a_plan_in_the_folder(tmp_path: Path) -> None:
    assert invoke("new", "planned", "--dir", str(tmp_path)).exit_code == 0
    assert invoke("new", "unplanned", "--dir", str(tmp_path)).exit_code == 0
    (tmp_path / "unplanned.test.yaml").unlink()
    result = invoke("test", str(tmp_path), "--min-coverage", "50")
    assert result.exit_code == 1
    assert "planned: 100.0% combined" in result.stdout
    assert "unplanned: 0.0% combined (0 cases)" in result.stdout
    assert "  (no test plan names this script)" in result.stdout


def test_min_coverage_must_be_a_percentage() -> None:
    result = invoke("test", "--min-coverage", "120")
    assert result.exit_code == 2 and "120" in result.output


def test_failing_cases_fail_the_run_even_with_full_coverage(tmp_path: Path) -> None:
    assert invoke("new", "wrong", "--dir", str(tmp_path)).exit_code == 0
    plan = tmp_path / "wrong.test.yaml"
    plan.write_text(plan.read_text().replace("end: not_this_time", "end: agreed"))
    result = invoke("test", str(tmp_path), "--coverage")
    assert result.exit_code == 1
    assert "4 passed, 1 failed" in result.stdout and "wrong: 100.0% combined" in result.stdout


def test_a_step_the_boss_does_not_understand_fails_unless_the_plan_says_so(tmp_path: Path) -> None:
    """A stale "yes" (to a check-back that no longer comes) must not pass unnoticed."""
    assert invoke("new", "demo", "--dir", str(tmp_path)).exit_code == 0
    plan = tmp_path / "demo.test.yaml"
    first = '      - "I\'d like to request a training budget for the data course"\n'
    text = plan.read_text()
    assert first in text
    plan.write_text(text.replace(first, '      - "purple monkey dishwasher"\n' + first, 1))
    result = invoke("test", str(plan))
    assert result.exit_code == 1
    assert "'purple monkey dishwasher' at 'opening' was not understood" in result.stdout
    marked = '      - {say: "purple monkey dishwasher", decision: none}\n'
    plan.write_text(text.replace(first, marked + first, 1))
    result = invoke("test", str(plan))
    assert result.exit_code == 0, result.stdout
