"""What the session store keeps, as typed values: a list row, a point of progress, a turn as
it happened, and a whole stored session.

A stored turn is a ``TurnRecord``: everything the replay, the exports and the review need to
show the turn exactly as it happened, even after the script was edited or deleted (the
engine's own values where they suffice: scores, options, the ending). It is made from an
engine ``Turn`` and read from the database by ``rehearse.history.codec``, the one place that
knows the stored keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rehearse.engine.runtime.reasons import is_confirmed, is_picked, is_said_no

if TYPE_CHECKING:  # annotations only: the store reads rows without loading the matcher
    from rehearse.engine.practice.moments import Grade, Reason
    from rehearse.engine.practice.schedule import Memory
    from rehearse.engine.runtime.matching import ReplyScore
    from rehearse.engine.runtime.session import Ending, Option, Timing


@dataclass(frozen=True)
class SessionRow:
    """One line of the session list."""

    id: int
    started: str
    script_id: str
    script_title: str
    persona_id: str
    outcome: str | None
    score: int | None  # 0-100 (None: saved before scores were kept, or nothing scored)
    turns: int
    parent: int | None
    persona_name: str = ""
    ended: str | None = None
    parent_turn: int | None = None


@dataclass(frozen=True)
class StatPoint:
    """One attempt, for scores over time."""

    session_id: int
    started: str
    outcome: str | None
    scores: Mapping[str, int | None]  # each dimension, 0-100 (None: not shown)
    score: int | None  # 0-100


@dataclass(frozen=True)
class FlagRecord:
    """A coach check that fired on the reply, with the words that triggered it."""

    check: str
    title: str
    rationale: str
    suggestion: str
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class TurnRecord:
    """One exchange as it happened: what was said, how it was read, what the boss said."""

    index: int
    node: str
    user: str | None
    kind: str
    boss: str
    next_node: str
    decision: str | None = None  # matched | ambiguous | aside | checkback | none (None: the opening)
    reply: str | None = None
    reason: str | None = None
    label: str | None = None  # the label of the reply it was understood as
    candidates: tuple[str, ...] = ()  # the replies an ambiguous decision could not separate,
    # or the one a check-back asked about
    intent: str | None = None  # what the reply was recognised as doing
    candidate_labels: tuple[str, ...] = ()
    scores: tuple[ReplyScore, ...] = ()
    score_delta: Mapping[str, int] = field(default_factory=dict)
    options: tuple[Option, ...] = ()
    hint: str | None = None
    coach_note: str | None = None
    coaching: tuple[FlagRecord, ...] = ()
    ending: Ending | None = None
    menu_opened: bool = False  # the user opened the numbered options before this reply
    nudges: int = 0  # pressure mode: "Still with me?" before this reply (replay says it again)
    timing: Timing | None = None  # pressure mode: seconds to the first key and to sending
    at: str = ""

    @property
    def picked(self) -> bool:
        """The user typed the number of an offered option."""
        return is_picked(self.reason)

    @property
    def confirmed(self) -> bool:
        """The user said yes when the boss checked what they meant."""
        return is_confirmed(self.reason)

    @property
    def corrected(self) -> bool:
        """The user said no when the boss checked what they meant."""
        return is_said_no(self.decision, self.reason)


@dataclass(frozen=True)
class StoredSession:
    """Everything stored about one session."""

    id: int
    started: str
    ended: str | None
    script_id: str
    script_title: str
    script_sha: str
    script_text: str
    script_path: str
    persona_id: str
    persona_name: str
    persona_sha: str
    persona_text: str
    user_name: str
    vars: Mapping[str, str]
    disabled_checks: tuple[str, ...]
    seed: int
    app_version: str
    situation: str
    goal: str
    rubric: Mapping[str, str]
    outcome: str | None
    end_reason: str | None
    end_node: str | None
    debrief: str | None
    scores: Mapping[str, int]
    score: int | None  # 0-100
    turn_count: int
    node: str
    parent: int | None
    parent_turn: int | None
    turns: tuple[TurnRecord, ...] = ()

    @property
    def inputs(self) -> tuple[str, ...]:
        return tuple(t.user for t in self.turns if t.user is not None)

    @property
    def finished(self) -> bool:
        return self.outcome is not None

    @property
    def opening(self) -> TurnRecord | None:
        return self.turns[0] if self.turns else None

    @property
    def replies(self) -> tuple[TurnRecord, ...]:
        """The turns the user took (every turn after the opening)."""
        return self.turns[1:]


@dataclass(frozen=True)
class MomentRow:
    """A moment worth drilling (script, node, persona), with its FSRS memory and where to
    start it from: the latest weak reply at it (a session and the turn of that reply)."""

    id: int
    script_id: str
    script_title: str
    node: str
    persona_id: str
    persona_name: str
    memory: Memory
    session: int
    turn: int
    asked: str  # what the boss had said, the line the weak reply answered
    grade: Grade  # how that reply went
    reasons: tuple[Reason, ...]  # ... and why it was weak


@dataclass(frozen=True)
class TimedTurn:
    """A reply made in pressure mode: how long it took (for stats)."""

    session: int
    turn: int
    node: str
    first_key: float | None
    send: float
