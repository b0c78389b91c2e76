"""Attempt against attempt: two stored sessions of one script, turn by turn, with where they
went apart and the rubric difference per dimension. `rehearse compare` prints it; the
sessions screen shows the same values side by side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rehearse.history.records import StoredSession, TurnRecord
from rehearse.views.outcomes import look
from rehearse.views.practice import score_moves
from rehearse.views.session import understood, view_of_stored
from rehearse.views.text import local_time, one_line, score_cell, signed


class NotComparable(ValueError):
    """The two sessions are not attempts at the same script."""


@dataclass(frozen=True)
class Side:
    """One attempt's reply at a turn (None: that attempt had no such turn)."""

    before: str  # the boss's line it answered
    you: str
    read_as: str  # how it was understood, in words
    boss: str
    node: str
    reply: str | None
    score: dict[str, int]
    outcome: str | None


@dataclass(frozen=True)
class Row:
    index: int
    a: Side | None
    b: Side | None

    @property
    def same_moment(self) -> bool:
        return self.a is not None and self.b is not None and self.a.node == self.b.node


@dataclass(frozen=True)
class DimDiff:
    """One rubric dimension in both attempts, on the debrief's 0-100 scale (None: not
    shown in that attempt), with the debrief's verdict words."""

    dim: str
    a: int | None
    b: int | None
    a_verdict: str
    b_verdict: str

    @property
    def diff(self) -> int | None:
        return None if self.a is None or self.b is None else self.b - self.a


@dataclass(frozen=True)
class Comparison:
    a: StoredSession
    b: StoredSession
    rows: tuple[Row, ...]
    diverged_at: int | None  # the first turn where the two went different ways (None: never)
    dims: tuple[DimDiff, ...]


def _side(record: TurnRecord, before: TurnRecord | None) -> Side | None:
    if record.user is None:
        return None
    return Side(
        before=before.boss if before is not None else "",
        you=record.user,
        read_as=understood(record).text,
        boss=record.boss,
        node=record.node,
        reply=record.reply,
        score=dict(record.score_delta),
        outcome=record.ending.outcome if record.ending else None,
    )


def _sides(stored: StoredSession) -> dict[int, Side]:
    by_index = {t.index: t for t in stored.turns}
    out = {}
    for record in stored.replies:
        side = _side(record, by_index.get(record.index - 1))
        if side is not None:
            out[record.index] = side
    return out


def compare(a: StoredSession, b: StoredSession) -> Comparison:
    """Line two attempts up turn by turn. Raises NotComparable for two different scripts."""
    if a.script_id != b.script_id:
        raise NotComparable(
            f"session {a.id} is “{a.script_title}” and session {b.id} is “{b.script_title}”: "
            "compare two attempts at the same conversation"
        )
    sa, sb = _sides(a), _sides(b)
    rows = tuple(Row(i, sa.get(i), sb.get(i)) for i in sorted(set(sa) | set(sb)))
    diverged = next(
        (
            r.index
            for r in rows
            if r.a is None or r.b is None or (r.a.node, r.a.reply) != (r.b.node, r.b.reply)
        ),
        None,
    )
    dims_a = {d.dim: d for d in view_of_stored(a).rubric}
    dims_b = {d.dim: d for d in view_of_stored(b).rubric}
    dims = tuple(
        DimDiff(
            name,
            dims_a[name].score if name in dims_a else None,
            dims_b[name].score if name in dims_b else None,
            dims_a[name].verdict_words if name in dims_a else "",
            dims_b[name].verdict_words if name in dims_b else "",
        )
        for name in dict.fromkeys([*dims_a, *dims_b])
    )
    return Comparison(a, b, rows, diverged, dims)


def _label(stored: StoredSession) -> str:
    return f"session {stored.id} ({local_time(stored.started)}, {look(stored.outcome).word})"


def diverged_words(found: Comparison) -> str:
    if found.diverged_at is None:
        return "The two attempts went the same way at every turn."
    row = next(r for r in found.rows if r.index == found.diverged_at)
    if row.a is None or row.b is None:
        shorter = "A" if row.a is None else "B"
        return f"They went the same way until attempt {shorter} ended, after turn {found.diverged_at - 1}."
    if row.a.node != row.b.node:
        return f"They went apart before turn {found.diverged_at}: the boss was asking something else."
    return f"They went apart at turn {found.diverged_at}: the same question, a different answer."


def _side_lines(tag: str, side: Side | None, persona: str) -> list[str]:
    if side is None:
        return [f"  {tag}: (no such turn)"]
    lines = [f"  {tag} You: {side.you}", f"     {side.read_as}"]
    if side.score:
        lines.append("     score " + score_moves(side.score))
    lines.append(f"     {persona}: {one_line(side.boss, 160)}")
    if side.outcome:
        lines.append(f"     ended: {look(side.outcome).label}")
    return lines


def compare_lines(found: Comparison) -> list[str]:
    """`rehearse compare A B`: both attempts, turn by turn, then the rubric difference."""
    a, b = found.a, found.b
    persona_a = a.persona_name or a.persona_id
    persona_b = b.persona_name or b.persona_id
    lines = [
        f"{a.script_title}",
        f"  A: {_label(a)}, with {persona_a}",
        f"  B: {_label(b)}, with {persona_b}",
        diverged_words(found),
    ]
    for row in found.rows:
        mark = "  ≠ they went apart here" if row.index == found.diverged_at else ""
        lines += ["", f"Turn {row.index}{mark}"]
        if row.same_moment and row.a is not None and row.a.before:
            lines.append(f"  {persona_a}: {one_line(row.a.before, 160)}")
        lines += _side_lines("A", row.a, persona_a)
        lines += _side_lines("B", row.b, persona_b)
    if found.dims:
        lines += ["", "Rubric (0-100; B against A):"]
        lines += [f"  {dim_words(d, width=max(len(x.dim) for x in found.dims))}" for d in found.dims]
    lines += [
        "",
        f"Score: A {score_cell(a.score)}, B {score_cell(b.score)}",
        f"Outcome: A {look(a.outcome).label}, B {look(b.outcome).label}",
    ]
    return lines


def difference(d: DimDiff) -> str:
    return "–" if d.diff is None else signed(d.diff)


def dim_words(d: DimDiff, *, width: int = 0) -> str:
    """ "clarity  A 40 (partly)  B 70 (met)  +30"."""
    a = f"{score_cell(d.a)} ({d.a_verdict})" if d.a_verdict else score_cell(d.a)
    b = f"{score_cell(d.b)} ({d.b_verdict})" if d.b_verdict else score_cell(d.b)
    return f"{d.dim:<{width}}  A {a}  B {b}  {difference(d)}"


def _side_json(side: Side | None) -> dict[str, Any] | None:
    if side is None:
        return None
    return {
        "before": side.before,
        "said": side.you,
        "read_as": side.read_as,
        "boss": side.boss,
        "node": side.node,
        "reply": side.reply,
        "score": side.score,
        "ending": side.outcome,
    }


def compare_json(found: Comparison) -> dict[str, Any]:
    return {
        "script": found.a.script_id,
        "a": {
            "session": found.a.id,
            "outcome": found.a.outcome,
            "persona": found.a.persona_id,
            "score": found.a.score,
        },
        "b": {
            "session": found.b.id,
            "outcome": found.b.outcome,
            "persona": found.b.persona_id,
            "score": found.b.score,
        },
        "diverged_at": found.diverged_at,
        "turns": [{"turn": r.index, "a": _side_json(r.a), "b": _side_json(r.b)} for r in found.rows],
        "rubric": [
            {
                "dimension": d.dim,
                "a": d.a,
                "b": d.b,
                "difference": d.diff,
                "a_verdict": d.a_verdict,
                "b_verdict": d.b_verdict,
            }
            for d in found.dims
        ],
    }
