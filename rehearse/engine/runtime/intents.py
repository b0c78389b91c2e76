"""The library of conversation intents: what people do with a reply (thank, decline the role,
ask for advice, run a colleague down...), each with many phrasings in many registers.

Scripts tie replies to intents (``intent: decline_role``) and inherit the phrasings; the
recogniser learns from them; the coach's intent-like checks read the same layer. The data
lives in ``intent_data/<name>.yaml``; the names come from the file names alone, so checking
a script never parses the phrasings.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

_DATA_PACKAGE = "rehearse.engine.runtime"
_DATA_DIR = "intent_data"

#: Intents that, at a node with no reply for them, get a reaction and the question again.
ASIDES: frozenset[str] = frozenset(
    {"thank", "apologise", "dont_know", "ask_repeat", "small_talk", "ask_about_role"}
)


@dataclass(frozen=True)
class Phrasing:
    text: str
    register: str


@dataclass(frozen=True)
class Intent:
    name: str
    label: str  # in words, for people: "Decline the role"
    description: str
    means: str  # said back in a check-back: "you'd rather not go for it this time"
    phrasings: tuple[Phrasing, ...]


@cache
def names() -> tuple[str, ...]:
    """Every intent's name, sorted (from the data's file names: cheap)."""
    folder = resources.files(_DATA_PACKAGE) / _DATA_DIR
    return tuple(sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml")))


def _load(name: str, *, head_only: bool = False) -> dict[str, Any]:
    """One intent's file as YAML; ``head_only``: the lines above its phrasings."""
    import yaml

    text = (resources.files(_DATA_PACKAGE) / _DATA_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    if head_only:
        text = text.split("\nphrasings:", 1)[0]
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}


def _read(name: str) -> Intent:
    data = _load(name)
    phrasings = tuple(
        Phrasing(str(item), str(register))
        for register, items in (data.get("phrasings") or {}).items()
        for item in items or ()
    )
    return Intent(
        name,
        str(data.get("label") or name),
        str(data.get("description") or ""),
        str(data.get("means") or ""),
        phrasings,
    )


@cache
def library() -> dict[str, Intent]:
    """Every intent with its phrasings, read once."""
    return {name: _read(name) for name in names()}


@cache
def _head(name: str) -> tuple[str, str]:
    """An intent's (label, means), from the lines above its phrasings: a check-back or a
    debrief needs these two strings, and reading every phrasing of the library for them
    stalled the first check-back of a session (about 60 ms). An unknown name stands for both."""
    if name not in names():
        return name, name
    head = _load(name, head_only=True)
    return str(head.get("label") or name), str(head.get("means") or "")


def means(name: str) -> str:
    """What an intent means, said back to the speaker ("you'd rather not go for it")."""
    return _head(name)[1]


def label(name: str) -> str:
    """An intent in words ("Decline the role"); the name itself if unknown."""
    return _head(name)[0]
