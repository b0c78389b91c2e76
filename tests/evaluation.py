"""Scoring the understanding layer against a labelled set of utterances at bundled nodes.

Shared by tests/unit/test_understanding_eval.py (the gates) and
tests/benchmarks/bench_understanding.py (figures, sweeps). A set is a YAML list of items:

    {script, node, text, expect, register?, intent?, pair?}

``expect`` is the reply a reasonable listener would take the utterance to mean, ``aside``
(a thank-you, small talk, "say again?"... that the node has no reply for) or ``none``
(nothing at this node fits: the boss should ask again). The older match_eval.yaml writes
``clarify`` for ``none``. Items with the same ``pair`` differ (almost) only by a negation.

Every set is split in two halves: an item's own ``half`` when it has one, else a hash of its
text (pairs stay together). Thresholds are tuned on the ``tune`` half and figures are
reported on the ``held`` half.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from rehearse.engine.runtime.matching import Candidate, Decision, decide
from rehearse.engine.runtime.recognise import recognise
from rehearse.engine.runtime.session import Setup, begin
from rehearse.workspace import library

FIXTURES = Path(__file__).resolve().parent / "fixtures"
UNDERSTANDING_SET = FIXTURES / "understanding_eval.yaml"
MATCH_SET = FIXTURES / "match_eval.yaml"
PLAN_STEPS = FIXTURES / "plan_steps.yaml"
OUT_OF_SCOPE = ("aside", "none")
SCRIPTS = ("not-this-role", "fumbled-promotion", "passed-over")


@dataclass(frozen=True)
class Item:
    script: str
    node: str
    text: str
    expect: str  # a reply id, "aside" or "none"
    register: str = "plain"
    intent: str | None = None
    pair: str | None = None
    given_half: str | None = None  # the set may say which half an item belongs to

    @property
    def in_scope(self) -> bool:
        return self.expect not in OUT_OF_SCOPE

    @property
    def half(self) -> str:
        if self.given_half in ("tune", "held"):
            return self.given_half
        key = self.pair or self.text
        return "tune" if int(hashlib.sha256(key.encode()).hexdigest(), 16) % 2 == 0 else "held"


def load(path: Path) -> list[Item]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = raw["items"] if isinstance(raw, dict) else raw
    out = []
    for e in items:
        expect = "none" if e["expect"] == "clarify" else str(e["expect"])
        out.append(
            Item(
                str(e["script"]),
                str(e["node"]),
                str(e["text"]),
                expect,
                str(e.get("register") or "plain"),
                None if e.get("intent") is None else str(e.get("intent")),
                e.get("pair"),
                e.get("half"),
            )
        )
    return out


@cache
def catalog() -> library.Catalog:
    """The bundled scripts (only ever under a test's empty REHEARSE_HOME, or the bench's)."""
    found = library.catalog([])
    missing = [s for s in SCRIPTS if s not in found.scripts]
    assert not missing, f"bundled scripts did not load: {missing}"
    return found


@cache
def candidates(script_id: str, node: str) -> tuple[Candidate, ...]:
    script = catalog().scripts[script_id]
    persona = catalog().personas[script.personas[0]]
    state = begin(Setup(script, persona))
    return dataclasses.replace(state, node=node).candidates()


@dataclass(frozen=True)
class Outcome:
    item: Item
    decision: Decision

    @property
    def got(self) -> str:
        d = self.decision
        if d.kind == "matched" and d.reply is not None:
            return d.reply
        return "aside" if d.kind == "aside" else "none"

    @property
    def right(self) -> bool:
        """Read as labelled (for out-of-scope: not taken as any reply)."""
        if self.item.in_scope:
            return self.got == self.item.expect
        return self.got in OUT_OF_SCOPE

    @property
    def wrong_reply(self) -> bool:
        """The costly error: a reply the user did not mean."""
        return self.got not in OUT_OF_SCOPE and self.got != self.item.expect

    @property
    def checked_right(self) -> bool:
        """A check-back on the reply meant: one yes away from right."""
        d = self.decision
        return self.item.in_scope and d.kind == "checkback" and d.reply == self.item.expect


def evaluate(items: Iterable[Item]) -> list[Outcome]:
    return [
        Outcome(item, decide(item.text, candidates(item.script, item.node), recognition=recognise(item.text)))
        for item in items
    ]


@dataclass(frozen=True)
class Figures:
    n: int
    in_scope: int
    accuracy: float  # in-scope read as the right reply
    with_checkback: float  # ... or checked back about the right reply
    wrong_rate: float  # wrong replies over all items
    out_recall: float  # out-of-scope not taken as a reply
    aside_right: float  # asides recognised as asides
    pairs: int
    pairs_split: int  # negation pairs whose two sides did not land on one reply

    def line(self) -> str:
        return (
            f"n={self.n}  in-scope accuracy {self.accuracy:.1%} "
            f"(with a check-back {self.with_checkback:.1%})  wrong reply {self.wrong_rate:.1%}  "
            f"out of scope asked again {self.out_recall:.1%}  asides {self.aside_right:.1%}  "
            f"negation pairs apart {self.pairs_split}/{self.pairs}"
        )


def _share(hits: int, total: int) -> float:
    return hits / total if total else 1.0


def figures(outcomes: Sequence[Outcome]) -> Figures:
    inside = [o for o in outcomes if o.item.in_scope]
    outside = [o for o in outcomes if not o.item.in_scope]
    asides = [o for o in outside if o.item.expect == "aside"]
    by_pair: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        if o.item.pair:
            by_pair[o.item.pair].append(o)
    pairs = [p for p in by_pair.values() if len(p) == 2]
    split = sum(1 for a, b in pairs if not (a.got == b.got and a.got not in OUT_OF_SCOPE))
    return Figures(
        n=len(outcomes),
        in_scope=len(inside),
        accuracy=_share(sum(o.right for o in inside), len(inside)),
        with_checkback=_share(sum(o.right or o.checked_right for o in inside), len(inside)),
        wrong_rate=_share(sum(o.wrong_reply for o in outcomes), len(outcomes)),
        out_recall=_share(sum(o.right for o in outside), len(outside)),
        aside_right=_share(sum(o.got == "aside" for o in asides), len(asides)),
        pairs=len(pairs),
        pairs_split=split,
    )


def by(outcomes: Sequence[Outcome], key: str) -> dict[str, Figures]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[str(getattr(o.item, key) or "-")].append(o)
    return {k: figures(v) for k, v in sorted(groups.items())}


def counts(items: Iterable[Item]) -> Counter[str]:
    return Counter(i.expect if not i.in_scope else "reply" for i in items)
