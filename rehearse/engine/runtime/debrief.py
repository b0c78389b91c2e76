"""The debrief: how the conversation went, scored openly and claiming nothing it cannot show.

Scores are where rehearsal tools lose trust, so every point here is traceable: a dimension
starts at 50 of 100, each score point a reply carries moves it by 10, and each coach flag on
a check the script ties to that dimension costs 5, given back at the later turn that makes
it good (no thanks, then thanks); gains are kept to 100 before costs are taken, so a cost
always shows. The contributions are kept with the turn that gave them,
so the app, plain mode and exports can all show why.

Each dimension also gets a verdict from that evidence alone: met (only for it), partly met
(for and against), missed (only against) or not scored (no reply or flag spoke to it; "not
shown" would claim the user never did it, yet a thank-you inside a reply scored on something
else is still a thank-you). A dimension not scored has no score and does not pull the total
down; its criterion is advice ("Thank your boss ..."), never printed as if it had happened.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from rapidfuzz import fuzz

from rehearse.engine.runtime.coach import Check, Flag, made_good
from rehearse.engine.runtime.session import Ending, State, context, model_answer, render

BASE = 50
POINTS_PER_SCORE = 10
FLAG_POINTS = -5
KEY_TURNS = 3
NEXT_TIME = 3
SAME_TIP = 80
"""Two tips this alike (rapidfuzz's token_set_ratio, lower case) give the same advice: a
check's "say what you want instead and ask for help toward it" and a rubric's "name what you
want instead, and ask for concrete help toward it"; the first one stands."""

Verdict = Literal["met", "partly", "missed", "not_shown"]
VERDICT_WORDS: dict[Verdict, str] = {
    "met": "met",
    "partly": "partly met",
    "missed": "missed",
    "not_shown": "not scored",
}


@dataclass(frozen=True)
class Contribution:
    turn: int
    dimension: str
    points: int
    kind: Literal["reply", "flag", "made_good"]
    ref: str  # the reply id or the check id (for --json and authors)
    words: str  # what the user sees: the reply's label or the check's title
    times: int = 1  # how many alike contributions of one turn this stands for (see merged)

    @property
    def source(self) -> str:
        """In words: "your reply, taken as “Thank and decline plainly”" (the reply it was
        understood as, not what was said), "a flag: Hedging the ask" or "making good 2 flags:
        Leaving out thanks" (a later reply did what the flags found missing)."""
        if self.kind == "reply":
            return f"your reply, taken as “{self.words}”"
        flags = "a flag" if self.times == 1 else f"{self.times} flags"
        return f"{'making good ' if self.kind == 'made_good' else ''}{flags}: {self.words}"


def merged(contributions: Sequence[Contribution]) -> tuple[Contribution, ...]:
    """Alike contributions of one turn as one, their points summed: a reply that makes good
    three earlier flags of one check reads once, "turn 4 +15 (making good 3 flags: ...)",
    not three times over."""
    out: dict[tuple[int, str, str, str], Contribution] = {}
    for c in contributions:
        key = (c.turn, c.dimension, c.kind, c.ref)
        seen = out.get(key)
        out[key] = c if seen is None else replace(seen, points=seen.points + c.points, times=seen.times + 1)
    return tuple(out.values())


@dataclass(frozen=True)
class DimensionScore:
    name: str
    criterion: str  # what good looks like, as advice
    verdict: Verdict
    score: int | None  # 0..100; None when not scored
    contributions: tuple[Contribution, ...]
    line: str | None  # the author's line for this verdict, rendered (None: none written)

    @property
    def turns(self) -> tuple[int, ...]:
        """The turns that decided the verdict."""
        return tuple(sorted({c.turn for c in self.contributions}))

    @property
    def for_turns(self) -> tuple[int, ...]:
        return tuple(sorted({c.turn for c in self.contributions if c.points > 0}))

    @property
    def against_turns(self) -> tuple[int, ...]:
        return tuple(sorted({c.turn for c in self.contributions if c.points < 0}))

    @property
    def verdict_words(self) -> str:
        return VERDICT_WORDS[self.verdict]


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
    next_time: tuple[str, ...]  # tips from what went wrong, most recurring first

    @property
    def score(self) -> int | None:
        """The session's score, 0-100: the mean of the dimensions it showed (None: none)."""
        return overall(self.dimensions)


def overall(dimensions: Sequence[DimensionScore]) -> int | None:
    shown = [d.score for d in dimensions if d.score is not None]
    return round(sum(shown) / len(shown)) if shown else None


def reply_labels(state: State) -> Callable[[str], dict[str, str]]:
    """node -> {reply id: its label, in the session's words}; each node asked once."""
    cache: dict[str, dict[str, str]] = {}

    def labels(node: str) -> dict[str, str]:
        if node not in cache:
            cache[node] = {c.id: c.label for c in replace(state, node=node).candidates()}
        return cache[node]

    return labels


def contributions(state: State) -> list[Contribution]:
    """Every change to the rubric, in turn order."""
    script = state.script
    flag_dims: dict[str, list[str]] = {}
    for dim, check_ids in script.rubric_checks.items():
        for check_id in check_ids:
            flag_dims.setdefault(check_id, []).append(dim)
    labels = reply_labels(state)
    found: list[Contribution] = []
    said = [t for t in state.transcript if t.user is not None]
    good = made_good_at([(t.index, t.user or "") for t in said], [f.check for t in said for f in t.coaching])
    for turn in said:
        for dim, amount in turn.score_delta.items():
            if dim in script.rubric and turn.reply is not None:
                words = labels(turn.node).get(turn.reply, turn.reply)
                found.append(
                    Contribution(turn.index, dim, amount * POINTS_PER_SCORE, "reply", turn.reply, words)
                )
        for flag in turn.coaching:
            dims = flag_dims.get(flag.check.id, ())
            if not dims:
                continue
            check = flag.check
            found += [
                Contribution(turn.index, dim, FLAG_POINTS, "flag", check.id, check.title) for dim in dims
            ]
            # left out at first, then said (thanks in turn 3): the loss is made good there
            later = _first_after(good.get(check.id, []), turn.index)
            if later is not None:
                found += [
                    Contribution(later, dim, -FLAG_POINTS, "made_good", check.id, check.title) for dim in dims
                ]
    found.sort(key=lambda c: c.turn)  # (in turn order, as the debrief lists them)
    return found


def made_good_at(turns: Sequence[tuple[int, str]], checks: Iterable[Check]) -> dict[str, list[int]]:
    """For each of these checks, the turns (in order) whose reply made it good: each reply
    is read once per check, so a long session costs turns x checks, not turns squared."""
    distinct = list({c.id: c for c in checks}.values())
    good: dict[str, list[int]] = {}
    for index, text in turns:
        for check in distinct:
            if made_good(check, text):
                good.setdefault(check.id, []).append(index)
    return good


def _first_after(indices: Sequence[int], turn: int) -> int | None:
    at = bisect.bisect_right(indices, turn)
    return indices[at] if at < len(indices) else None


def verdict_of(contribs: Sequence[Contribution]) -> Verdict:
    """Met, partly met, missed or not shown, from the signs of the evidence. A flag a later
    reply made good (no thanks, then thanks) is no evidence against: the made-good
    contribution is its pair, and doing the thing is evidence for."""
    made_good = Counter(c.ref for c in contribs if c.kind == "made_good")
    flags = Counter(c.ref for c in contribs if c.kind == "flag")
    gains = any(c.points > 0 for c in contribs)
    losses = any(c.points < 0 for c in contribs if c.kind != "flag") or any(
        n > made_good[ref] for ref, n in flags.items()
    )
    if gains and losses:
        return "partly"
    if gains:
        return "met"
    return "missed" if losses else "not_shown"


def score_of(contribs: Sequence[Contribution]) -> int:
    """BASE plus the gains, kept to 100, then the costs, kept to 0: a cost is never lost in
    gains over the top, or a hedge flagged at 105 points would read "partly met, 100/100".
    A flag made good is no cost (its made-good contribution is its pair)."""
    gains = sum(c.points for c in contribs if c.points > 0 and c.kind != "made_good")
    costs = sum(c.points for c in contribs if c.points < 0 or c.kind == "made_good")
    return max(0, min(100, BASE + gains) + costs)


def dimensions(state: State, contribs: Sequence[Contribution] | None = None) -> tuple[DimensionScore, ...]:
    """Each rubric dimension with its verdict, score and the author's line for that verdict."""
    script = state.script
    contribs = contributions(state) if contribs is None else contribs
    ctx = context(state)
    out = []
    for dim, criterion in script.rubric.items():
        mine = tuple(c for c in contribs if c.dimension == dim)
        verdict = verdict_of(mine)
        score = None if verdict == "not_shown" else score_of(mine)
        text = script.rubric_verdicts.get(dim, {}).get(verdict)
        line = " ".join(render(text, ctx).split()) if text is not None else None
        out.append(DimensionScore(dim, criterion, verdict, score, mine, line or None))
    return tuple(out)


def build_debrief(state: State) -> Debrief:
    contribs = contributions(state)
    dims = dimensions(state, contribs)
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
        dimensions=dims,
        turns=reviews,
        key_turns=tuple(moved[:KEY_TURNS]),
        next_time=next_time(reviews, dims),
    )


def next_time(reviews: Sequence[TurnReview], dims: Sequence[DimensionScore] = ()) -> tuple[str, ...]:
    """Tips that follow from what went wrong, and only from that: the flags that recurred
    first (a flag a later reply made good, such as no ask and then an ask, owes no tip),
    then the criteria of dimensions missed or partly met, then the coach's notes on the
    turns that lost points."""
    good = made_good_at([(r.index, r.user) for r in reviews], [f.check for r in reviews for f in r.flags])
    owed = [f for r in reviews for f in r.flags if _first_after(good.get(f.check.id, []), r.index) is None]
    counts = Counter(f.check.id for f in owed)
    suggestions = {f.check.id: f.check.suggestion for f in owed}
    ordered = sorted(counts, key=lambda c: (-counts[c], c))
    tips = [suggestions[c] for c in ordered]
    tips += [d.criterion for d in dims if d.verdict in ("missed", "partly") and d.criterion]
    for review in sorted(reviews, key=lambda r: (r.points, r.index)):
        if review.points < 0 and review.coach_note:
            tips.append(review.coach_note)
    unique: list[str] = []
    for tip in tips:
        if tip and not any(fuzz.token_set_ratio(tip.lower(), kept.lower()) >= SAME_TIP for kept in unique):
            unique.append(tip)
    return tuple(unique[:NEXT_TIME])


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
