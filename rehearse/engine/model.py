"""The script and persona model: immutable values built by the loader."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, TypeVar

from rehearse.engine.diagnostics import Loc
from rehearse.engine.templating import Condition, Text

Outcome = Literal["success", "partial", "fail"]
OUTCOMES: tuple[Outcome, ...] = ("success", "partial", "fail")
#: Better outcomes rank higher (the best attempt at a script is the highest).
OUTCOME_RANK: Mapping[str, int] = MappingProxyType({"success": 3, "partial": 2, "fail": 1})
ReplyKind = Literal["affirm", "deny"]
#: The moments a script node may declare in ``expects:`` (coach checks run at them).
MOMENTS: tuple[str, ...] = ("ask", "thanks", "decline", "advice", "recover")
FlagValue = bool | int | float | str | None

_EMPTY: Mapping[str, object] = MappingProxyType({})


K = TypeVar("K")
V = TypeVar("V")


def frozen_map(items: Mapping[K, V] | None = None) -> Mapping[K, V]:
    """A read-only mapping, so frozen dataclasses stay immutable all the way down."""
    return MappingProxyType(dict(items or {}))


@dataclass(frozen=True)
class Variant:
    """One way of saying a line; `when` chooses among conditional variants."""

    text: Text
    when: Condition | None = None


@dataclass(frozen=True)
class Lines:
    """What a speaker may say at one point: conditional variants are tried in order, and
    among the unconditional ones a seeded pick chooses."""

    variants: tuple[Variant, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.variants)


@dataclass(frozen=True)
class NextRule:
    to: str
    when: Condition | None = None
    loc: Loc = field(default=Loc("?"), compare=False)


@dataclass(frozen=True)
class Reply:
    id: str
    say: tuple[Text, ...]
    label: Text | None = None
    kind: ReplyKind | None = None
    intents: tuple[str, ...] = ()  # library intents whose phrasings this reply inherits
    means: Text | None = None  # said back in a check-back: "you'd rather not apply this time"
    keywords: tuple[str, ...] = ()
    require: tuple[str, ...] = ()
    forbid: tuple[str, ...] = ()
    score: Mapping[str, int] = field(default_factory=frozen_map)
    set: Mapping[str, FlagValue] = field(default_factory=frozen_map)
    coach: str | None = None
    next: tuple[NextRule, ...] = ()
    loc: Loc = field(default=Loc("?"), compare=False)


@dataclass(frozen=True)
class Node:
    id: str
    boss: Lines
    hint: Text | None = None
    ask: Text | None = None  # the question, asked again after an aside
    model: Text | None = None
    model_reply: str | None = None  # the reply the model answer stands for (model: {say, reply})
    expects: frozenset[str] = frozenset()
    coach_off: frozenset[str] = frozenset()
    replies: tuple[Reply, ...] = ()
    fallback: Lines = Lines()
    end: Outcome | None = None
    debrief: Text | None = None
    loc: Loc = field(default=Loc("?"), compare=False)

    @property
    def is_ending(self) -> bool:
        return self.end is not None

    def reply(self, reply_id: str) -> Reply:
        for reply in self.replies:
            if reply.id == reply_id:
                return reply
        raise KeyError(reply_id)


@dataclass(frozen=True)
class Script:
    id: str
    title: str
    situation: Text
    goal: Text
    personas: tuple[str, ...]
    vars: Mapping[str, str]
    rubric: Mapping[str, str]
    start: str
    nodes: Mapping[str, Node]
    path: str = ""
    digest: str = ""
    source: str = field(default="", repr=False, compare=False)
    persona_locs: tuple[Loc, ...] = field(default=(), compare=False)
    var_locs: Mapping[str, Loc] = field(default_factory=frozen_map, compare=False)
    rubric_locs: Mapping[str, Loc] = field(default_factory=frozen_map, compare=False)
    rubric_checks: Mapping[str, tuple[str, ...]] = field(default_factory=frozen_map)
    criterion_locs: Mapping[str, Loc] = field(default_factory=frozen_map, compare=False)
    #: dimension -> verdict ("met", "partly", "missed", "not_shown") -> the author's line for it
    rubric_verdicts: Mapping[str, Mapping[str, Text]] = field(default_factory=frozen_map)

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]


#: Aside intents the persona reacts to (at a node with no reply for them) -> its line.
ASIDE_LINES: Mapping[str, str] = MappingProxyType(
    {
        "thank": "aside_thanks",
        "apologise": "aside_sorry",
        "dont_know": "aside_dont_know",
        "ask_repeat": "aside_repeat",
        "small_talk": "aside_small_talk",
        "ask_about_role": "aside_role_question",
    }
)
PERSONA_LINES = (
    "greeting",
    "clarify",
    "ambiguous",
    "menu",
    "hint",
    "give_up",
    *ASIDE_LINES.values(),
    "checkback",
    "checkback_no",
    "nudge",
)


@dataclass(frozen=True)
class NodeOverride:
    boss: Lines = Lines()
    fallback: Lines = Lines()


#: How the app refers to a persona: subject, object and possessive.
PRONOUNS: Mapping[str, tuple[str, str, str]] = {
    "she/her": ("she", "her", "her"),
    "he/him": ("he", "him", "his"),
    "they/them": ("they", "them", "their"),
}


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    title: str = ""
    description: str = ""
    difficulty: Literal["easy", "medium", "hard"] = "medium"
    pronouns: str = "they/them"  # one of PRONOUNS
    patience: int = 4
    asides_cost_patience: bool = False  # an aside counts as a miss for this boss
    patience_seconds: float | None = None  # pressure mode: "Still with me?" after this long
    nudge_costs_patience: bool = False  # ... and that nudge costs a point of patience
    traits: Mapping[str, FlagValue] = field(default_factory=frozen_map)
    lines: Mapping[str, Lines] = field(default_factory=frozen_map)
    overrides: Mapping[str, Mapping[str, NodeOverride]] = field(default_factory=frozen_map)
    path: str = ""
    digest: str = ""
    source: str = field(default="", repr=False, compare=False)

    @property
    def they(self) -> str:
        return PRONOUNS[self.pronouns][0]

    @property
    def them(self) -> str:
        return PRONOUNS[self.pronouns][1]

    @property
    def their(self) -> str:
        return PRONOUNS[self.pronouns][2]

    def override(self, script_id: str, node_id: str) -> NodeOverride | None:
        return self.overrides.get(script_id, _EMPTY).get(node_id)  # type: ignore[return-value]


def _templates(lines: Lines) -> Iterator[Text | Condition]:
    for variant in lines.variants:
        yield variant.text
        if variant.when is not None:
            yield variant.when


def script_templates(script: Script) -> Iterator[Text | Condition]:
    """Every template and condition in a script, for name checks and lints."""
    yield script.situation
    yield script.goal
    for lines in script.rubric_verdicts.values():
        yield from lines.values()
    for node in script.nodes.values():
        yield from _templates(node.boss)
        yield from _templates(node.fallback)
        for text in (node.hint, node.ask, node.model, node.debrief):
            if text is not None:
                yield text
        for reply in node.replies:
            yield from reply.say
            if reply.label is not None:
                yield reply.label
            if reply.means is not None:
                yield reply.means
            for rule in reply.next:
                if rule.when is not None:
                    yield rule.when
