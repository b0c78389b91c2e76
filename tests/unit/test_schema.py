"""rehearse.engine.authoring.schema: JSON Schema for the formats, kept in step with the loader."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from rehearse.engine.authoring import schema as schemas
from rehearse.engine.authoring.testplan import CASE_KEYS, EXPECT_KEYS, PLAN_KEYS, STEP_KEYS, load_plan
from rehearse.engine.compile.loader import (
    NODE_KEYS,
    PERSONA_KEYS,
    REPLY_KEYS,
    SCRIPT_KEYS,
    build_persona,
    build_script,
)
from rehearse.engine.diagnostics import Report
from rehearse.engine.yamlread import read_yaml

from .helpers import MINI, ROOT

BUNDLED = {
    "script": sorted(p for p in (ROOT / "scripts").glob("*.yaml") if not p.name.endswith(".test.yaml")),
    "persona": sorted((ROOT / "personas").glob("*.yaml")),
    "testplan": sorted((ROOT / "scripts").glob("*.test.yaml")),
}


def value(path: Path) -> Any:
    doc = read_yaml(path.read_text(encoding="utf-8"), str(path), Report())
    assert doc is not None
    return doc.value


def validator(kind: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schemas.schema(kind))


def errors(kind: str, data: Any) -> list[str]:
    return [e.message for e in validator(kind).iter_errors(data)]


def script_props() -> dict[str, Any]:
    return schemas.script_schema()["properties"]  # type: ignore[no-any-return]


def node_props() -> dict[str, Any]:
    return script_props()["nodes"]["additionalProperties"]["properties"]  # type: ignore[no-any-return]


def reply_props() -> dict[str, Any]:
    return node_props()["replies"]["additionalProperties"]["properties"]  # type: ignore[no-any-return]


def plan_case() -> dict[str, Any]:
    return schemas.testplan_schema()["properties"]["cases"]["items"]  # type: ignore[no-any-return]


LEVELS = [
    ("script", SCRIPT_KEYS, script_props),
    ("node", NODE_KEYS, node_props),
    ("reply", REPLY_KEYS, reply_props),
    ("persona", PERSONA_KEYS, lambda: schemas.persona_schema()["properties"]),
    ("plan", PLAN_KEYS, lambda: schemas.testplan_schema()["properties"]),
    ("case", CASE_KEYS, lambda: plan_case()["properties"]),
    ("expect", EXPECT_KEYS, lambda: plan_case()["properties"]["expect"]["properties"]),
    (
        "step",
        STEP_KEYS,
        lambda: plan_case()["properties"]["replies"]["items"]["anyOf"][1]["properties"],
    ),
]


@pytest.mark.parametrize(("level", "keys", "props"), LEVELS, ids=[lv[0] for lv in LEVELS])
def test_every_key_the_loader_accepts_is_in_the_schema_and_no_other(
    level: str, keys: tuple[str, ...], props: Any
) -> None:
    found = props()
    assert list(found) == list(keys), level
    undescribed = [k for k, v in found.items() if v.get("description") == schemas.UNDESCRIBED]
    assert undescribed == [], f"{level}: give these fields a real schema in rehearse/schema.py"


def test_fields_follow_the_loader_constants() -> None:
    assert schemas._fields(("a", "b"), {"b": {"type": "string"}, "gone": {}}) == {
        "a": {"description": schemas.UNDESCRIBED},
        "b": {"type": "string"},
    }


@pytest.mark.parametrize("kind", schemas.KINDS)
def test_schemas_are_valid_draft_2020_12(kind: str) -> None:
    found = schemas.schema(kind)
    assert found["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(found)
    assert found["additionalProperties"] is False


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown schema 'scripts'"):
        schemas.schema("scripts")


@pytest.mark.parametrize(
    ("kind", "path"),
    [(kind, path) for kind, paths in BUNDLED.items() for path in paths]
    + [
        ("script", MINI / "mini.yaml"),
        ("persona", MINI / "pat.yaml"),
        ("persona", MINI / "kim.yaml"),
    ],
    ids=lambda x: x.name if isinstance(x, Path) else x,
)
def test_bundled_files_validate(kind: str, path: Path) -> None:
    assert errors(kind, value(path)) == []


def test_there_is_bundled_content_to_validate() -> None:
    assert all(len(paths) >= 3 for paths in BUNDLED.values())


# -- the schema agrees with the loader, both ways --------------------------------------------

SCRIPT_VALUE: dict[str, Any] = {
    "id": "kitchen-sink",
    "title": "Every field",
    "situation": "You and {{ persona.name }}.",
    "goal": "Ask.",
    "personas": ["pat"],
    "vars": {"role": "lead", "amount": 5, "flag": True},
    "rubric": {"clarity": "Plain.", "grace": {"description": "Kind.", "checks": ["colleague"]}},
    "start": "opening",
    "nodes": {
        "opening": {
            "boss": [{"when": "persona.traits.direct", "text": "Talk."}, {"text": "Hi."}],
            "hint": "Ask.",
            "model": "I'd like the {{ role }} job.",
            "expects": ["ask"],
            "coach_off": ["hedge"],
            "replies": {
                "ask": {
                    "say": ["I want the job", "count me in", "I'd like to apply", "consider me"],
                    "label": "Ask",
                    "keywords": ["job"],
                    "require": ["job", "apply", "me", "in"],
                    "forbid": ["never"],
                    "score": {"clarity": 2},
                    "set": {"asked": True},
                    "coach": "Good.",
                    "next": [{"when": "flags.asked", "to": "won"}, {"to": "won"}],
                },
                "yes": {"kind": "affirm", "next": "won"},
            },
            "fallback": ["Sorry?", "Again?"],
        },
        "won": {"end": "success", "boss": "Done.", "debrief": "Well asked."},
    },
}

PERSONA_VALUE: dict[str, Any] = {
    "id": "pat",
    "name": "Pat",
    "title": "Boss",
    "description": "Kind.",
    "difficulty": "easy",
    "patience": 3,
    "traits": {"direct": False},
    "lines": {"clarify": "Sorry?", "ambiguous": ["A {{ options[0] }} or {{ options[1] }}?"]},
    "overrides": {"kitchen-sink": {"opening": {"boss": "Yo.", "fallback": ["Eh?"]}}},
}

PLAN_VALUE: dict[str, Any] = {
    "script": "kitchen-sink",
    "cases": [
        {
            "name": "asks",
            "persona": "pat",
            "seed": 3,
            "vars": {"role": "lead"},
            "user": "Ana",
            "replies": [
                "I want the job",
                {"say": "yes", "reply": "yes", "node": "opening", "decision": "matched"},
            ],
            "expect": {
                "end": "won",
                "outcome": "success",
                "visits": ["won"],
                "not_visits": "x",
                "stops_at": "won",
                "scores": {"clarity": [1, 3], "grace": "..0"},
                "boss_contains": "Done",
            },
        }
    ],
}


def loader_problems(kind: str, data: Any, tmp_path: Path) -> list[str]:
    import json

    path = tmp_path / f"{kind}.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")  # JSON is YAML
    report = Report()
    if kind == "testplan":
        _, report = load_plan(path)
    else:
        doc = read_yaml(path.read_text(), str(path), report)
        assert doc is not None
        (build_script if kind == "script" else build_persona)(doc, path.read_text(), report)
    return [f"{d.code} {d.message}" for d in report.items if d.is_error]


@pytest.mark.parametrize(
    ("kind", "data"),
    [("script", SCRIPT_VALUE), ("persona", PERSONA_VALUE), ("testplan", PLAN_VALUE)],
)
def test_a_file_using_every_field_passes_both(kind: str, data: dict[str, Any], tmp_path: Path) -> None:
    assert loader_problems(kind, data, tmp_path) == []
    assert errors(kind, data) == []


def _with(data: dict[str, Any], path: tuple[Any, ...], key: str, item: Any) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    target = changed
    for step in path:
        target = target[step]
    target[key] = item
    return changed


def _without(data: dict[str, Any], path: tuple[Any, ...], key: str) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    target = changed
    for step in path:
        target = target[step]
    del target[key]
    return changed


BAD = [
    ("unknown script field", "script", _with(SCRIPT_VALUE, (), "titel", "x")),
    ("unknown node field", "script", _with(SCRIPT_VALUE, ("nodes", "opening"), "hnit", "x")),
    (
        "unknown reply field",
        "script",
        _with(SCRIPT_VALUE, ("nodes", "opening", "replies", "ask"), "nxt", "won"),
    ),
    (
        "unknown rubric field",
        "script",
        _with(SCRIPT_VALUE, ("rubric", "grace"), "check", ["hedge"]),
    ),
    (
        "unknown line field",
        "script",
        _with(SCRIPT_VALUE, ("nodes", "opening", "boss", 0), "txt", "x"),
    ),
    (
        "unknown next field",
        "script",
        _with(SCRIPT_VALUE, ("nodes", "opening", "replies", "ask", "next", 0), "target", "won"),
    ),
    ("bad ending", "script", _with(SCRIPT_VALUE, ("nodes", "won"), "end", "win")),
    ("bad moment", "script", _with(SCRIPT_VALUE, ("nodes", "opening"), "expects", ["asking"])),
    (
        "bad coach check",
        "script",
        _with(SCRIPT_VALUE, ("nodes", "opening"), "coach_off", ["hedging"]),
    ),
    (
        "bad kind",
        "script",
        _with(SCRIPT_VALUE, ("nodes", "opening", "replies", "yes"), "kind", "maybe"),
    ),
    (
        "reply without next",
        "script",
        _without(SCRIPT_VALUE, ("nodes", "opening", "replies", "ask"), "next"),
    ),
    (
        "reply without say or kind",
        "script",
        _without(SCRIPT_VALUE, ("nodes", "opening", "replies", "ask"), "say"),
    ),
    ("turn without replies", "script", _without(SCRIPT_VALUE, ("nodes", "opening"), "replies")),
    (
        "score not whole",
        "script",
        _with(SCRIPT_VALUE, ("nodes", "opening", "replies", "ask"), "score", {"clarity": 1.5}),
    ),
    ("id upper case", "script", _with(SCRIPT_VALUE, (), "id", "Kitchen")),
    ("missing start", "script", _without(SCRIPT_VALUE, (), "start")),
    ("unknown persona field", "persona", _with(PERSONA_VALUE, (), "patients", 3)),
    ("unknown persona line", "persona", _with(PERSONA_VALUE, ("lines",), "hello", "hi")),
    ("patience zero", "persona", _with(PERSONA_VALUE, (), "patience", 0)),
    ("bad difficulty", "persona", _with(PERSONA_VALUE, (), "difficulty", "brutal")),
    (
        "unknown override field",
        "persona",
        _with(PERSONA_VALUE, ("overrides", "kitchen-sink", "opening"), "hint", "x"),
    ),
    ("unknown plan field", "testplan", _with(PLAN_VALUE, (), "scripts", "x")),
    ("unknown case field", "testplan", _with(PLAN_VALUE, ("cases", 0), "expected", {})),
    (
        "unknown expect field",
        "testplan",
        _with(PLAN_VALUE, ("cases", 0, "expect"), "ending", "won"),
    ),
    ("unknown step field", "testplan", _with(PLAN_VALUE, ("cases", 0, "replies", 1), "text", "x")),
    ("bad outcome", "testplan", _with(PLAN_VALUE, ("cases", 0, "expect"), "outcome", "won")),
]


@pytest.mark.parametrize(("name", "kind", "data"), BAD, ids=[b[0] for b in BAD])
def test_what_the_loader_rejects_the_schema_rejects(
    name: str, kind: str, data: dict[str, Any], tmp_path: Path
) -> None:
    assert loader_problems(kind, data, tmp_path), name
    assert errors(kind, data), name
