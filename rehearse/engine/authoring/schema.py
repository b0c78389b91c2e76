"""JSON Schema (draft 2020-12) for scripts, personas and test plans, for editors.

Hand-written to follow the loader field by field. The field names come from the loader's
own constants (SCRIPT_KEYS, NODE_KEYS, ...), and a test checks that every key the loader
accepts has a schema and no other key does, so the two cannot drift apart.

The loader stays the authority: it reads YAML 1.2 (only `true`/`false` are booleans), turns
numbers written where text is expected into text, and checks what a schema cannot (that
`next` names a node, that templates only use known names). The schema is for completion,
hover help and early red squiggles in an editor.
"""

from __future__ import annotations

from typing import Any, get_args

from rehearse.engine.authoring.testplan import CASE_KEYS, EXPECT_KEYS, PLAN_KEYS, STEP_KEYS
from rehearse.engine.compile.loader import (
    DIFFICULTIES,
    ID_RE,
    NAME_RE,
    NODE_KEYS,
    PERSONA_KEYS,
    REPLY_KEYS,
    SCRIPT_KEYS,
)
from rehearse.engine.model import MOMENTS, OUTCOMES, PERSONA_LINES, PRONOUNS
from rehearse.engine.runtime.matching import DecisionKind

DIALECT = "https://json-schema.org/draft/2020-12/schema"
KINDS = ("script", "persona", "testplan")
DECISIONS: tuple[str, ...] = get_args(DecisionKind)

Schema = dict[str, Any]
UNDESCRIBED = "a field the loader accepts; see docs/authoring.md"


def _fields(keys: tuple[str, ...], known: Schema) -> Schema:
    """The properties for exactly the keys the loader accepts, in its order: a key without
    a schema here still validates (and a test fails until it gets one); a schema for a key
    the loader no longer accepts is dropped, as the loader would reject that key."""
    return {key: known.get(key, {"description": UNDESCRIBED}) for key in keys}


def _text(description: str = "") -> Schema:
    """Text: the loader also takes a number here and reads it as text."""
    schema: Schema = {"type": ["string", "number"]}
    if description:
        schema["description"] = description
    return schema


def _text_list(description: str, *, items: Schema | None = None) -> Schema:
    """One text or a list of texts (the loader's str_list)."""
    item = items or {"type": ["string", "number"]}
    return {"description": description, "anyOf": [item, {"type": "array", "items": item}]}


def _id(description: str) -> Schema:
    return {
        "description": description,
        "anyOf": [{"type": "string", "pattern": ID_RE.pattern}, {"type": "integer", "minimum": 0}],
    }


def _condition(description: str) -> Schema:
    return {
        "description": description,
        "anyOf": [{"type": "string", "minLength": 1, "pattern": r"\S"}, {"type": "boolean"}],
    }


def _scalar() -> Schema:
    return {"type": ["string", "number", "boolean", "null"]}


def _flag_map(description: str) -> Schema:
    return {
        "description": description,
        "type": "object",
        "propertyNames": {"pattern": NAME_RE.pattern},
        "additionalProperties": _scalar(),
    }


def intent_names() -> tuple[str, ...]:
    from rehearse.engine.runtime.intents import names

    return names()


def _check_ids() -> list[str]:
    """The coach's check ids: the loader rejects any other in `coach_off` and `checks`."""
    from rehearse.engine.runtime.coachdata import check_ids

    return list(check_ids())


def _node_id_names() -> Schema:
    return {"anyOf": [{"pattern": ID_RE.pattern}, {"pattern": NAME_RE.pattern}]}


def _lines(description: str) -> Schema:
    """A string, a list of strings (one is picked, seeded), or a list of {when, text}."""
    variant: Schema = {
        "type": "object",
        "properties": {
            "when": _condition("Jinja2 expression; the first variant whose condition holds is said"),
            "text": _text("what is said (a template)"),
        },
        "required": ["text"],
        "additionalProperties": False,
    }
    item: Schema = {"anyOf": [_text(), variant]}
    return {"description": description, "anyOf": [_text(), {"type": "array", "items": item}]}


def _next() -> Schema:
    rule: Schema = {
        "type": "object",
        "properties": {
            "when": _condition("Jinja2 expression over the state; the first rule that holds wins"),
            "to": _text("the node to go to"),
        },
        "required": ["to"],
        "additionalProperties": False,
    }
    return {
        "description": "a node id, or a list of {when, to} tried in order (the last may have no 'when')",
        "anyOf": [
            {"type": "string"},
            {"type": "array", "minItems": 1, "items": {"anyOf": [{"type": "string"}, rule]}},
        ],
    }


def _reply() -> Schema:
    properties: Schema = {
        "say": _text_list("example phrasings (templates); write at least four, varied"),
        "label": _text("a short description for the numbered menu (a template)"),
        "means": _text(
            'what this reply means, said back in a check-back: "you\'d rather not apply this time"'
        ),
        "kind": {
            "enum": ["affirm", "deny"],
            "description": "bare yes-words (affirm) or no-words (deny) go straight here",
        },
        "intent": {
            "description": "the library intent(s) this reply stands for: it inherits their phrasings",
            "anyOf": [
                {"enum": list(intent_names())},
                {"type": "array", "items": {"enum": list(intent_names())}, "minItems": 1},
            ],
        },
        "keywords": _text_list("words that point to this reply (typo-tolerant)"),
        "require": _text_list("at least one of these words must appear, or the reply cannot match"),
        "forbid": _text_list("if any of these words is present, the reply is ruled out"),
        "score": {
            "description": "rubric dimension -> whole number added when this reply is chosen",
            "type": "object",
            "additionalProperties": {"type": "integer"},
        },
        "set": _flag_map("flag name -> value, readable as flags.NAME"),
        "coach": _text("a one-line note shown in the debrief when this reply was chosen"),
        "next": _next(),
    }
    properties = _fields(REPLY_KEYS, properties)
    return {
        "type": "object",
        "properties": properties,
        "required": ["next"],
        "additionalProperties": False,
        # Examples are required unless the reply only catches bare yes/no words.
        "if": {"not": {"required": ["kind"]}},
        "then": {"required": ["say"], "properties": {"say": {"minItems": 1}}},
    }


def _node() -> Schema:
    properties: Schema = {
        "boss": _lines("what the boss says on arriving here"),
        "hint": _text("advice shown when the user asks for a hint (a template)"),
        "ask": _text("the question in a few words, asked again after an aside (a template)"),
        "model": {
            "description": "a model answer: how a strong reply could be phrased (a template), or "
            "{say, reply} naming the reply it stands for (rehearse check makes sure it is understood so)",
            "anyOf": [
                _text(),
                {
                    "type": "object",
                    "properties": {
                        "say": _text("the model answer (a template)"),
                        "reply": _text("the id of the reply at this node it stands for"),
                    },
                    "required": ["say"],
                    "additionalProperties": False,
                },
            ],
        },
        "expects": _text_list("moments this node is, for the coach", items={"enum": list(MOMENTS)}),
        "coach_off": _text_list("coach check ids not to run at this node", items={"enum": _check_ids()}),
        "replies": {
            "description": "reply id -> reply",
            "type": "object",
            "propertyNames": _node_id_names(),
            "additionalProperties": _reply(),
        },
        "fallback": _lines("what the boss says when a reply is not understood"),
        "end": {"enum": list(OUTCOMES), "description": "makes this node an ending"},
        "debrief": _text("shown after the conversation: why it ended this way (a template)"),
    }
    properties = _fields(NODE_KEYS, properties)
    return {
        "type": "object",
        "properties": properties,
        "required": ["boss"],
        "additionalProperties": False,
        # A node is an ending (with `end`) or a turn (with replies).
        "if": {"required": ["end"]},
        "else": {"required": ["replies"], "properties": {"replies": {"type": "object"}}},
    }


def script_schema() -> Schema:
    properties: Schema = {
        "id": _id("lower-case letters, digits, '-' and '_'; how the script is named"),
        "title": _text("one line"),
        "situation": _text("the set-up the user reads before starting (a template)"),
        "goal": _text("what a strong conversation achieves (a template)"),
        "personas": {
            "description": "persona ids that can play it; the first is the default",
            "anyOf": [_text(), {"type": "array", "minItems": 1, "items": _text()}],
        },
        "vars": _flag_map("variable name -> default value; the user may change them"),
        "rubric": {
            "description": "dimension -> its criterion (advice: what good looks like), "
            "or {criterion, checks, met, partly, missed, not_shown}",
            "type": "object",
            "propertyNames": {"pattern": NAME_RE.pattern},
            "additionalProperties": {
                "anyOf": [
                    _scalar(),
                    {
                        "type": "object",
                        "properties": {
                            "criterion": _text("what good looks like, written as advice"),
                            "description": _text("the old name of criterion"),
                            "met": _text("the verdict line when the criterion was met (a template)"),
                            "partly": _text("the verdict line when it was partly met (a template)"),
                            "missed": _text("the verdict line when it was missed (a template)"),
                            "not_shown": _text("the verdict line when no reply or flag spoke to it"),
                            "checks": _text_list(
                                "coach checks that count against this dimension",
                                items={"enum": _check_ids()},
                            ),
                        },
                        "additionalProperties": False,
                    },
                ]
            },
        },
        "start": _text("the id of the first node"),
        "nodes": {
            "description": "node id -> node",
            "type": "object",
            "propertyNames": _node_id_names(),
            "additionalProperties": _node(),
        },
    }
    properties = _fields(SCRIPT_KEYS, properties)
    return {
        "$schema": DIALECT,
        "title": "rehearse script",
        "description": "A branching conversation with a boss (see docs/authoring.md).",
        "type": "object",
        "properties": properties,
        "required": ["id", "title", "situation", "goal", "personas", "start", "nodes"],
        "additionalProperties": False,
    }


def persona_schema() -> Schema:
    override: Schema = {
        "type": "object",
        "properties": {
            "boss": _lines("replaces the node's boss lines for this persona"),
            "fallback": _lines("replaces the node's fallback lines for this persona"),
        },
        "additionalProperties": False,
    }
    properties: Schema = {
        "id": _id("lower-case letters, digits, '-' and '_'"),
        "name": _text("the boss's name, as the user sees it"),
        "title": _text("job title"),
        "description": _text("a short description, shown when picking a persona"),
        "difficulty": {"enum": list(DIFFICULTIES)},
        "pronouns": {
            "enum": list(PRONOUNS),
            "description": "how the app refers to the boss (default they/them)",
        },
        "patience": {
            "type": "integer",
            "minimum": 1,
            "description": "misunderstood replies before the boss wraps the meeting up",
        },
        "asides_cost_patience": {
            "type": "boolean",
            "description": "whether a thank-you, small talk or 'say again?' costs this boss's patience",
        },
        "patience_seconds": {
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "pressure mode: seconds without a reply before the boss asks 'Still with me?'",
        },
        "nudge_costs_patience": {
            "type": "boolean",
            "description": "pressure mode: whether that 'Still with me?' costs a point of patience",
        },
        "traits": _flag_map("trait name -> value, readable in conditions as persona.traits.NAME"),
        "lines": {
            "description": "the persona's own generic lines",
            "type": "object",
            "propertyNames": {"enum": list(PERSONA_LINES)},
            "additionalProperties": _lines("a string, a list (one is picked), or [{when, text}]"),
        },
        "overrides": {
            "description": "script id -> node id -> {boss, fallback}",
            "type": "object",
            "additionalProperties": {"type": "object", "additionalProperties": override},
        },
    }
    properties = _fields(PERSONA_KEYS, properties)
    return {
        "$schema": DIALECT,
        "title": "rehearse persona",
        "description": "A boss who plays scripts (see docs/authoring.md).",
        "type": "object",
        "properties": properties,
        "required": ["id", "name"],
        "additionalProperties": False,
    }


def _bounds() -> Schema:
    return {
        "description": "[min, max], 'min..max' (either side may be empty), or one number",
        "anyOf": [
            {
                "type": "array",
                "prefixItems": [{"type": "number"}, {"type": "number"}],
                "minItems": 2,
                "maxItems": 2,
            },
            {"type": "string", "pattern": r"^\s*-?[0-9.]*\s*\.\.\s*-?[0-9.]*\s*$"},
            {"type": "number"},
        ],
    }


def testplan_schema() -> Schema:
    step_properties: Schema = {
        "say": _text("what the user types"),
        "reply": _text("the reply it must be understood as"),
        "node": _text("the node the conversation must be at when it is typed"),
        "decision": {"enum": list(DECISIONS), "description": "how it must be decided"},
    }
    step_properties = _fields(STEP_KEYS, step_properties)
    expect_properties: Schema = {
        "end": _text("the ending node the conversation must reach"),
        "outcome": {"enum": list(OUTCOMES)},
        "visits": _text_list("nodes that must be visited"),
        "not_visits": _text_list("nodes that must not be visited"),
        "stops_at": _text("the node where the replies run out, without an ending"),
        "scores": {
            "description": "rubric dimension -> bounds the final score must be within",
            "type": "object",
            "additionalProperties": _bounds(),
        },
        "boss_contains": _text_list("text that some boss line must contain (case-insensitive)"),
    }
    expect_properties = _fields(EXPECT_KEYS, expect_properties)
    case_properties: Schema = {
        "name": _text("shown in the report"),
        "persona": _text("persona id (default: the script's first)"),
        "seed": {"type": "integer", "description": "seed for the boss's line choices (default 0)"},
        "vars": {
            "type": "object",
            "additionalProperties": _scalar(),
            "description": "script variables for this case",
        },
        "user": _text("the user's name (default Alex)"),
        "replies": {
            "description": "what the user types, in order: text, or {say, reply, node, decision}",
            "type": "array",
            "items": {
                "anyOf": [
                    _text(),
                    {
                        "type": "object",
                        "properties": step_properties,
                        "additionalProperties": False,
                    },
                ]
            },
        },
        "expect": {
            "description": "what must hold at the end",
            "type": "object",
            "properties": expect_properties,
            "additionalProperties": False,
        },
    }
    case_properties = _fields(CASE_KEYS, case_properties)
    properties: Schema = {
        "script": _text("the id of the script under test"),
        "cases": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": case_properties,
                "additionalProperties": False,
            },
        },
    }
    properties = _fields(PLAN_KEYS, properties)
    return {
        "$schema": DIALECT,
        "title": "rehearse test plan",
        "description": "Typed replies and what must hold, run by `rehearse test`.",
        "type": "object",
        "properties": properties,
        "required": ["script", "cases"],
        "additionalProperties": False,
    }


def schema(kind: str) -> Schema:
    builders = {"script": script_schema, "persona": persona_schema, "testplan": testplan_schema}
    if kind not in builders:
        raise ValueError(f"unknown schema '{kind}' (known: {', '.join(KINDS)})")
    return builders[kind]()
