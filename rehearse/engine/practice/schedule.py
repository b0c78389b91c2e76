"""When a moment comes back for drilling: FSRS (the ``fsrs`` package), as a pure fold.

A moment's memory is the fold of its reviews (grade, time) through one FSRS scheduler, so it
can always be rebuilt from the review log (after a reply is taken back, or a session that
held a review is deleted). The scheduler is fixed for rehearsal rather than flashcards:

- no learning steps of minutes: a conversation is not rehearsed again ten minutes later, so
  a new weak moment comes back after a day;
- one relearning step of a day: a moment that was going well and then went badly comes back
  the next day, not in a week;
- no fuzz: the same reviews always give the same due date (FSRS's fuzz draws from the
  global random generator).

Then each good review spaces it further, as FSRS's stability grows. Times are UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # an annotation only: the store dates drills without loading the matcher
    from fsrs import Card, Scheduler

    from rehearse.engine.practice.moments import Grade

RELEARN_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Memory:
    """What FSRS knows about one moment after its reviews."""

    due: datetime
    stability: float
    difficulty: float
    reviews: int
    lapses: int  # weak replies after the first
    last_review: datetime
    last_grade: Grade
    relearning: bool = False

    def is_due(self, now: datetime) -> bool:
        return self.due <= now


@cache
def _scheduler() -> Scheduler:
    """FSRS, imported at the first review: a replay or an export stores no review."""
    from fsrs import Scheduler

    return Scheduler(learning_steps=(), relearning_steps=(RELEARN_AFTER,), enable_fuzzing=False)


def utc(moment: datetime) -> datetime:
    """FSRS wants UTC; a naive time is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _card(memory: Memory) -> Card:
    from fsrs import Card
    from fsrs import State as FsrsState

    return Card(
        card_id=1,
        state=FsrsState.Relearning if memory.relearning else FsrsState.Review,
        step=0 if memory.relearning else None,
        stability=memory.stability,
        difficulty=memory.difficulty,
        due=memory.due,
        last_review=memory.last_review,
    )


def review(memory: Memory | None, grade: Grade, at: datetime) -> Memory:
    """The memory after one more review (``None``: the moment's first)."""
    from fsrs import Card, Rating
    from fsrs import State as FsrsState

    at = utc(at)
    rating = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good}[grade]
    card = Card(card_id=1, due=at) if memory is None else _card(memory)
    card, _ = _scheduler().review_card(card, rating, at)
    assert card.stability is not None and card.difficulty is not None
    lapses = (memory.lapses if memory else 0) + int(memory is not None and grade == "again")
    return Memory(
        due=card.due,
        stability=card.stability,
        difficulty=card.difficulty,
        reviews=(memory.reviews if memory else 0) + 1,
        lapses=lapses,
        last_review=at,
        last_grade=grade,
        relearning=card.state == FsrsState.Relearning,
    )


def replay(reviews: Iterable[tuple[Grade, datetime]]) -> Memory | None:
    """The memory a moment's reviews add up to, taken oldest first (reviews at the same
    moment keep the order given); None when there are none."""
    memory: Memory | None = None
    for grade, at in sorted(reviews, key=lambda r: utc(r[1])):
        memory = review(memory, grade, at)
    return memory
