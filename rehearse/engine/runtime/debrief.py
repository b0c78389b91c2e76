"""The debrief: how the conversation went, scored openly.

Scores are where rehearsal tools lose trust, so every point here is traceable: a dimension
starts at 50 of 100, each score point a reply carries moves it by 10, and each coach flag on
a check the script ties to that dimension costs 5. The contributions are kept with the turn
that gave them, so the app, plain mode and exports can all show why.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rehearse.engine.runtime.coach import Flag
from rehearse.engine.runtime.session import Ending, State, model_answer

BASE = 50
POINTS_PER_SCORE = 10
FLAG_POINTS = -5
KEY_TURNS = 3
NEXT_TIME = 3


@dataclass(frozen=True)
class Contribution:
    turn: int
    dimension: str
    points: int
    source: str  # "reply 'state_interest'" or "flag 'hedge'"


@dataclass(frozen=True)
class DimensionScore:
    name: str
    description: str
    score: int  # 0..100
    contributions: tuple[Contribution, ...]


@dataclass(frozen=True)
class TurnReview:
    index: int
    node: str
    user: str
    reply: str | None  # the reply it was understood as (None: not understood)
    flags: tuple[Flag, ...]
    coach_note: str | None
    model: str | None
    points: int


@dataclass(frozen=True)
class Debrief:
    ending: Ending | None
    dimensions: tuple[DimensionScore, ...]
    turns: tuple[TurnReview, ...]
    key_turns: tuple[TurnReview, ...]  # the turns that moved the score most
    next_time: tuple[str, ...]  # suggestions from the flags that recurred


def contributions(state: State) -> list[Contribution]:
    """Every change to the rubric, in turn order."""
    script = state.script
    flag_dims: dict[str, list[str]] = {}
    for dim, check_ids in script.rubric_checks.items():
        for check_id in check_ids:
            flag_dims.setdefault(check_id, []).append(dim)
    found: list[Contribution] = []
    for turn in state.transcript:
        if turn.user is None:
            continue
        for dim, amount in turn.score_delta.items():
            if dim in script.rubric:
                found.append(
                    Contribution(turn.index, dim, amount * POINTS_PER_SCORE, f"reply '{turn.reply}'")
                )
        for flag in turn.coaching:
            for dim in flag_dims.get(flag.check.id, ()):
                found.append(Contribution(turn.index, dim, FLAG_POINTS, f"flag '{flag.check.id}'"))
    return found


def build_debrief(state: State) -> Debrief:
    script = state.script
    contribs = contributions(state)
    dimensions = []
    for dim, description in script.rubric.items():
        mine = tuple(c for c in contribs if c.dimension == dim)
        total = BASE + sum(c.points for c in mine)
        dimensions.append(DimensionScore(dim, description, max(0, min(100, total)), mine))
    per_turn = Counter[int]()
    for c in contribs:
        per_turn[c.turn] += c.points
    reviews = tuple(
        TurnReview(
            index=t.index,
            node=t.node,
            user=t.user or "",
            reply=t.reply,
            flags=t.coaching,
            coach_note=t.coach_note,
            model=model_answer(state, t.node),
            points=per_turn.get(t.index, 0),
        )
        for t in state.transcript
        if t.user is not None
    )
    moved = sorted((r for r in reviews if r.points), key=lambda r: (-abs(r.points), r.index))
    return Debrief(
        ending=state.ending,
        dimensions=tuple(dimensions),
        turns=reviews,
        key_turns=tuple(moved[:KEY_TURNS]),
        next_time=next_time(reviews),
    )


def next_time(reviews: tuple[TurnReview, ...]) -> tuple[str, ...]:
    """Suggestions from flags, those that recurred first; then notes on the weakest turn."""
    counts = Counter(f.check.id for r in reviews for f in r.flags)
    suggestions = {f.check.id: f.check.suggestion for r in reviews for f in r.flags}
    ordered = sorted(counts, key=lambda c: (-counts[c], c))
    tips = [suggestions[c] for c in ordered][:NEXT_TIME]
    if len(tips) < NEXT_TIME:
        for review in sorted(reviews, key=lambda r: (r.points, r.index)):
            if review.points < 0 and review.coach_note and review.coach_note not in tips:
                tips.append(review.coach_note)
            if len(tips) >= NEXT_TIME:
                break
    return tuple(tips)


def highlight(text: str, flags: tuple[Flag, ...], mark: tuple[str, str] = ("«", "»")) -> str:
    """The text with every flagged span wrapped in the marks (for plain text and Markdown)."""
    spans = sorted({(s.start, s.end) for f in flags for s in f.spans if s.end - s.start < 0.9 * len(text)})
    out: list[str] = []
    pos = 0
    for start, end in spans:
        if start < pos:
            continue
        out.extend((text[pos:start], mark[0], text[start:end], mark[1]))
        pos = end
    out.append(text[pos:])
    return "".join(out)
