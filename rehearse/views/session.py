"""One view of a session, live or stored: what every review shows, as plain values.

The app's debrief and replay screens, plain mode's debrief, ``rehearse replay --plain`` and
the Markdown/HTML exports all read a ``SessionView``. A live session's view comes from its
State; a stored session's from its stored turns (exactly as they happened) plus the State its
inputs rebuild over the stored copy of the script (for the rubric's sources and the model
answers). If that copy no longer loads, the view still shows every turn as recorded.

How a reply was understood is put into words here, once (``understood``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rehearse.engine.runtime.debrief import (
    VERDICT_WORDS,
    Contribution,
    Debrief,
    TurnReview,
    Verdict,
    build_debrief,
    highlight,
    merged,
    reply_labels,
)
from rehearse.engine.runtime.intents import label as intent_label
from rehearse.engine.runtime.intents import names as intent_names
from rehearse.engine.runtime.reasons import NEGATED_YES, SECOND_POINT, noted_intent, read_as
from rehearse.engine.runtime.session import Option, State, goal, situation
from rehearse.history.codec import KEPT_DECIMALS, records_of
from rehearse.history.errors import StoreError
from rehearse.history.records import FlagRecord, StoredSession, TurnRecord
from rehearse.history.replay import TurnChange, state_before
from rehearse.views.diff import differences
from rehearse.views.outcomes import look
from rehearse.views.practice import hesitation_summary, hesitation_words
from rehearse.views.text import local_time, one_line

if TYPE_CHECKING:
    from rehearse.engine.runtime.matching import ReplyScore

ALTERNATIVES = 3
CLOSE_ENOUGH = 40  # a missed reply's best guess is worth naming from this score up


def kept(score: float) -> float:
    """A reply's score as the store keeps it, so that a live view and a stored one of the
    same turn say the same "84% match" (83.46 is kept as 83.5)."""
    return round(score, KEPT_DECIMALS)


MISSED = {
    "clarify": "the boss asked you to say it another way",
    "hint": "the boss gave you a hint",
    "menu": "the boss offered numbered options",
    "wrapup": "the boss ran out of patience",
}


SYMBOLS = {"matched": "→", "picked": "→", "ambiguous": "?", "checkback": "?", "aside": "…", "wrapup": "✗"}


@dataclass(frozen=True)
class Understood:
    """How a reply was read, in words: ``headline`` and ``detail`` for styled views, ``text``
    for plain ones."""

    kind: str  # matched | picked | ambiguous | aside | checkback | corrected | missed | wrapup
    headline: str
    detail: str = ""

    @property
    def symbol(self) -> str:
        symbols = {
            "matched": "→",
            "picked": "→",
            "ambiguous": "?",
            "wrapup": "✗",
            "aside": "…",
            "checkback": "?",
        }
        return symbols.get(self.kind, "↻")

    @property
    def text(self) -> str:
        if not self.detail:
            return self.headline
        if self.kind in ("matched", "picked"):
            return f"{self.headline} ({self.detail})"
        return f"{self.headline}: {self.detail}"


def closest_words(notes: Sequence[str]) -> str:
    """How a reply's example stands to the text: a no taken as a yes's example negated ("it
    isnt nerves" against "It is nerves.") is its opposite, not its closest."""
    return "the opposite of" if NEGATED_YES in notes else "closest to"


def _score_words(score: ReplyScore) -> str:
    """What made a reply's score: how closely its words match ("84% match"), or, when the
    reading of its intent made it, that reading, whose confidence is no likeness to any
    example."""
    intent = noted_intent(score.notes)
    if intent is None or intent not in intent_names():  # (a session kept by another library)
        return f"{kept(score.score):.0f}% match"
    return f"read as “{intent_label(intent)}”"


def _how_close(score: ReplyScore) -> str:
    """What made a taken reply's score, and its example nearest the text."""
    said = _score_words(score)
    if score.example:
        said += f", {closest_words(score.notes)} “{score.example}”"
    return said


def understood(record: TurnRecord, labels: Mapping[str, str] | None = None) -> Understood:
    """How the reply of ``record`` was read; ``labels`` names replies the record does not."""
    names = dict(labels or {})

    def name(reply: str) -> str:
        return names.get(reply) or reply

    if record.decision == "matched" and record.reply:
        label = record.label or name(record.reply)
        if record.picked:
            return Understood("picked", f"understood as “{label}”", record.reason or "")
        if record.confirmed:
            return Understood("picked", f"understood as “{label}”", "you confirmed it when the boss checked")
        how = read_as(record.reason)
        if how is not None:
            return Understood("matched", f"understood as “{label}”", how)
        mine = next((s for s in record.scores if s.reply == record.reply), None)
        return Understood("matched", f"understood as “{label}”", _how_close(mine) if mine else "")
    if record.decision == "aside":
        what = intent_label(record.intent) if record.intent else "an aside"
        return Understood("aside", f"an aside: “{what}”", "the boss answered and asked the question again")
    if record.decision == "checkback":
        checked = record.candidate_labels[0] if record.candidate_labels else name(record.reply or "")
        why = "it made a second point too, so " if (record.reason or "").startswith(SECOND_POINT) else ""
        return Understood(
            "checkback", f"nearly understood as “{checked}”", f"{why}the boss checked what you meant"
        )
    if record.decision == "ambiguous":
        labels_ = record.candidate_labels or tuple(name(c) for c in record.candidates)
        return Understood(
            "ambiguous", "could be " + " or ".join(f"“{x}”" for x in labels_), "the boss asked which"
        )
    if record.corrected:
        return Understood(
            "corrected", "not what you meant", "you said no when the boss checked, so the boss asked again"
        )
    detail = MISSED.get(record.kind, "")
    top = record.scores[0] if record.scores else None
    if record.kind != "wrapup" and top is not None and top.score >= CLOSE_ENOUGH:
        detail += f" (closest: “{name(top.reply)}”, {_score_words(top)})"
    return Understood("wrapup" if record.kind == "wrapup" else "missed", "not understood", detail.strip())


@dataclass(frozen=True)
class Alternative:
    reply: str
    label: str
    score: float
    example: str
    chosen: bool
    closest: str = "closest to"  # how the example stands to the text (closest_words)


@dataclass(frozen=True)
class TurnView:
    index: int
    node: str
    before: str  # the boss's line this turn answered
    you: str  # exactly as typed; for a picked option, its words and number
    segments: tuple[tuple[str, bool], ...]  # `you` cut into (text, flagged by the coach)
    understood: Understood
    decision: str | None
    reply: str | None
    picked: bool  # a numbered option was picked
    confirmed: bool  # a yes to "You mean ...?" (not a new reply said after one)
    alternatives: tuple[Alternative, ...]
    model: str | None  # a strong reply at this moment
    coach_note: str | None
    coaching: tuple[FlagRecord, ...]
    score_delta: Mapping[str, int]  # raw points by dimension (as stored; for --json)
    moves: tuple[Contribution, ...]  # what this turn did to the 0-100 scores
    points: int | None  # rubric points this turn moved (None: unknown)
    boss: str
    kind: str
    hint: str | None
    options: tuple[Option, ...]
    outcome: str | None  # the ending this turn reached
    hesitation: str | None = None  # pressure mode: how long the reply took, in words

    @property
    def differs(self) -> tuple[list[str], list[str]]:
        """The phrases only in your reply, and only in the strong reply (empty without one)."""
        return differences(self.you, self.model) if self.model and not self.picked else ([], [])

    @property
    def flagged_spans(self) -> tuple[tuple[int, int], ...]:
        """Character spans of `you` that the coach flagged."""
        spans: list[tuple[int, int]] = []
        position = 0
        for text, flagged in self.segments:
            if flagged and text:
                spans.append((position, position + len(text)))
            position += len(text)
        return tuple(spans)


@dataclass(frozen=True)
class DimensionView:
    """One rubric dimension as the debrief shows it: the criterion (advice), the verdict the
    transcript supports, the 0-100 score and every contribution with its turn."""

    dim: str
    criterion: str
    verdict: Verdict | None  # None: the session could not be rebuilt
    score: int | None  # 0-100 (None: not shown, or not rebuilt)
    line: str | None  # the author's line for the verdict
    contributions: tuple[Contribution, ...]

    @property
    def verdict_words(self) -> str:
        return VERDICT_WORDS[self.verdict] if self.verdict else ""

    @property
    def evidence(self) -> str:
        """Which turns decided the verdict, in words ("turns 2 and 4; against: turn 5")."""
        gained = sorted({c.turn for c in self.contributions if c.points > 0})
        lost = sorted({c.turn for c in self.contributions if c.points < 0})
        parts = []
        if gained:
            parts.append(f"for: {turn_list(gained)}")
        if lost:
            parts.append(f"against: {turn_list(lost)}")
        return "; ".join(parts)


def turn_list(turns: Sequence[int]) -> str:
    """ "turn 3", "turns 2 and 4", "turns 1, 2 and 5"."""
    if len(turns) == 1:
        return f"turn {turns[0]}"
    return "turns " + ", ".join(str(t) for t in turns[:-1]) + f" and {turns[-1]}"


@dataclass(frozen=True)
class KeyTurn:
    index: int
    points: int
    you: str


@dataclass(frozen=True)
class SessionView:
    title: str
    script_id: str
    persona: str  # the boss's name
    persona_id: str
    user_name: str
    situation: str
    goal: str
    opening: str
    opening_options: tuple[Option, ...]
    turns: tuple[TurnView, ...]
    outcome: str | None
    end_reason: str | None
    debrief: str
    stopped_at: str | None  # the node id (for --json); people see `stopped_after`
    rubric: tuple[DimensionView, ...]
    score: int | None  # 0-100: the mean of the dimensions the conversation showed
    key_turns: tuple[KeyTurn, ...]
    next_time: tuple[str, ...]
    # what only a stored session has
    id: int | None = None
    started: str = ""
    ended: str = ""
    seed: int | None = None
    app_version: str = ""
    vars: Mapping[str, str] | None = None
    parent: int | None = None
    parent_turn: int | None = None
    note: str | None = None  # why the rubric's sources are missing, when they are
    pace: str | None = None  # pressure mode: the mean and longest time to send

    @property
    def outcome_word(self) -> str:
        return look(self.outcome).headline

    @property
    def stopped_after(self) -> str | None:
        """Where an unfinished session stopped, in words: the boss's last line."""
        if self.outcome is not None:
            return None
        last = self.turns[-1].boss if self.turns else self.opening
        return one_line(last, 90)


def _segments(text: str, review: TurnReview | None) -> tuple[tuple[str, bool], ...]:
    """The reply cut into (text, flagged) pieces, for highlighting in any format."""
    if review is None or not review.flags:
        return ((text, False),) if text else ()
    marked = highlight(text, review.flags, ("\x00", "\x01"))
    out: list[tuple[str, bool]] = []
    for part in marked.split("\x00"):
        head, sep, tail = part.partition("\x01")
        if sep:
            out.append((head, True))
            if tail:
                out.append((tail, False))
        elif part:
            out.append((part, False))
    return tuple(out)


def _labeller(state: State | None) -> Callable[[str], dict[str, str]]:
    """reply id -> its label, at a node (empty when there is no state to ask)."""
    if state is None:
        return lambda node: {}
    asked = reply_labels(state)

    def labels(node: str) -> dict[str, str]:
        try:
            return asked(node)
        except Exception:  # a node the stored script no longer has
            return {}

    return labels


def _alternatives(record: TurnRecord, labels: Mapping[str, str]) -> tuple[Alternative, ...]:
    if record.picked:
        return ()
    ranked = sorted(record.scores, key=lambda s: -s.score)[:ALTERNATIVES]
    return tuple(
        Alternative(
            s.reply,
            labels.get(s.reply) or (record.label if s.reply == record.reply else None) or s.reply,
            kept(s.score),
            s.example or "",
            s.reply == record.reply,
            closest_words(s.notes),
        )
        for s in ranked
    )


def _turns(
    records: Sequence[TurnRecord], debrief: Debrief | None, labels: Callable[[str], dict[str, str]]
) -> tuple[TurnView, ...]:
    reviews = {r.index: r for r in debrief.turns} if debrief else {}
    moves: dict[int, list[Contribution]] = {}
    for dim in debrief.dimensions if debrief else ():
        for c in dim.contributions:
            moves.setdefault(c.turn, []).append(c)
    by_index = {r.index: r for r in records}
    out = []
    for record in records:
        if record.user is None:
            continue
        review = reviews.get(record.index)
        previous = by_index.get(record.index - 1)
        at_node = labels(record.node) if record.node else {}
        you, segments = record.user, _segments(record.user, review)
        if record.picked and record.reply:
            # "1" means the option it picked: show the option's words, as the user read them
            you = (
                f"{record.label or at_node.get(record.reply) or record.reply} (option {record.user.strip()})"
            )
            segments = ((you, False),)
        out.append(
            TurnView(
                index=record.index,
                node=record.node,
                before=previous.boss if previous is not None else "",
                you=you,
                segments=segments,
                understood=understood(record, at_node),
                decision=record.decision,
                reply=record.reply,
                picked=record.picked,
                confirmed=record.confirmed,
                alternatives=_alternatives(record, at_node),
                model=" ".join(review.model.split()) if review and review.model else None,
                coach_note=record.coach_note,
                coaching=() if record.picked else record.coaching,
                score_delta=dict(record.score_delta),
                moves=tuple(moves.get(record.index, ())),
                points=review.points if review else None,
                boss=record.boss,
                kind=record.kind,
                hint=record.hint,
                options=record.options,
                outcome=record.ending.outcome if record.ending else None,
                hesitation=hesitation_words(record.timing, record.nudges),
            )
        )
    return tuple(out)


def _rubric(rubric: Mapping[str, str], debrief: Debrief | None) -> tuple[DimensionView, ...]:
    dims = {d.name: d for d in debrief.dimensions} if debrief else {}
    out = []
    for dim, criterion in rubric.items():
        found = dims.get(dim)
        if found is None:
            out.append(DimensionView(dim, criterion, None, None, None, ()))
        else:
            out.append(
                DimensionView(
                    dim, criterion, found.verdict, found.score, found.line, merged(found.contributions)
                )
            )
    return tuple(out)


def _key_turns(debrief: Debrief | None, turns: Sequence[TurnView]) -> tuple[KeyTurn, ...]:
    """The turns that moved the score most, in the words the turn list shows; a yes that
    settled a check-back says what it confirmed (a new reply after one confirmed nothing)."""
    if debrief is None:
        return ()
    by_index = {t.index: t for t in turns}
    checkbacks = {t.index: t for t in reversed(turns) if t.kind == "checkback"}  # the first wins

    def said(index: int, user: str) -> str:
        turn = by_index.get(index)
        if turn is None:
            return user
        checked = checkbacks.get(index - 1) if turn.confirmed else None
        return turn.you if checked is None else f"{turn.you} (confirming “{checked.you}”)"

    return tuple(KeyTurn(r.index, r.points, said(r.index, r.user)) for r in debrief.key_turns)


def view_of_state(state: State) -> SessionView:
    """A live session (or one rebuilt from the store) as a view."""
    debrief = build_debrief(state)
    records = records_of(state)
    opening = records[0] if records else None
    ending = state.ending
    return SessionView(
        title=state.script.title,
        script_id=state.script.id,
        persona=state.persona.name,
        persona_id=state.persona.id,
        user_name=state.setup.user_name,
        situation=situation(state),
        goal=goal(state),
        opening=opening.boss if opening else "",
        opening_options=opening.options if opening else (),
        turns=(turns := _turns(records, debrief, _labeller(state))),
        outcome=ending.outcome if ending else None,
        end_reason=ending.reason if ending else None,
        debrief=ending.debrief if ending else "",
        stopped_at=None if ending else state.node,
        rubric=_rubric(state.script.rubric, debrief),
        score=debrief.score,
        key_turns=_key_turns(debrief, turns),
        next_time=debrief.next_time,
        seed=state.setup.seed,
        vars=dict(state.setup.vars),
        pace=hesitation_summary(r.timing for r in records),
    )


def view_of_stored(stored: StoredSession, state: State | None = None) -> SessionView:
    """A stored session as a view: its turns as recorded; the rubric's sources and the model
    answers from ``state`` (its inputs played again; rebuilt here when not given)."""
    note = None
    if state is None:
        try:
            state = state_before(stored)
        except StoreError as exc:
            note = str(exc)
    debrief = build_debrief(state) if state is not None else None
    opening = stored.opening
    return SessionView(
        title=stored.script_title,
        script_id=stored.script_id,
        persona=stored.persona_name or stored.persona_id,
        persona_id=stored.persona_id,
        user_name=stored.user_name,
        situation=stored.situation,
        goal=stored.goal,
        opening=opening.boss if opening else "",
        opening_options=opening.options if opening else (),
        turns=(turns := _turns(stored.turns, debrief, _labeller(state))),
        outcome=stored.outcome,
        end_reason=stored.end_reason,
        debrief=stored.debrief or "",
        stopped_at=stored.node if stored.outcome is None else None,
        rubric=_rubric(stored.rubric, debrief),
        score=debrief.score if debrief is not None else stored.score,
        key_turns=_key_turns(debrief, turns),
        next_time=debrief.next_time if debrief else (),
        id=stored.id,
        started=local_time(stored.started),
        ended=local_time(stored.ended),
        seed=stored.seed,
        app_version=stored.app_version,
        vars=dict(stored.vars),
        parent=stored.parent,
        parent_turn=stored.parent_turn,
        note=note,
        pace=hesitation_summary(r.timing for r in stored.turns),
    )


def _read_as(record: TurnRecord) -> str:
    if record.decision == "matched" and record.reply:
        return f"“{record.label or record.reply}”"
    if record.decision == "aside":
        return "an aside"
    if record.decision == "ambiguous":
        names = record.candidate_labels or record.candidates
        return "either " + " or ".join(f"“{x}”" for x in names)
    return "not understood"


def _moved_words(before: TurnRecord, after: TurnRecord) -> str:
    was, now = before.ending, after.ending
    if was is not None and now is not None:
        return f"it ended “{look(was.outcome).headline}”; now it would end “{look(now.outcome).headline}”"
    if now is not None:
        return f"it would now end the conversation (“{look(now.outcome).headline}”)"
    if was is not None:
        return "it no longer ends the conversation"
    return f"understood the same, but now the boss answers “{one_line(after.boss, 80)}”"


def change_words(change: TurnChange) -> str:
    """What goes differently at a turn now, in words (without the turn number)."""
    if change.kind == "not_reached" or change.after is None:
        left = f" ({change.left_over} recorded turns left over)" if change.left_over > 1 else ""
        return f"not reached: the conversation now ends at turn {change.ends_at}{left}"
    if change.kind == "understood":
        return f"was read as {_read_as(change.before)}, now as {_read_as(change.after)}"
    if change.kind == "moved":
        return _moved_words(change.before, change.after)
    if change.kind == "boss_line":
        return "the boss's line is different now"
    return "the ending is different now"


def changed_turns(changes: Sequence[TurnChange], indices: Sequence[int]) -> dict[int, str]:
    """Turn -> how it would go now; a turn no longer reached marks every turn after it too."""
    marks: dict[int, str] = {}
    for change in changes:
        words = change_words(change)
        if change.kind == "not_reached":
            for later in indices:
                if later >= change.turn:
                    marks.setdefault(later, words)
        else:
            marks[change.turn] = words
    return marks
