"""The one codec for turns and transcripts: engine turns -> ``TurnRecord`` -> JSON and back.

Every stored key is named here and nowhere else. Reading is forgiving (a key missing from an
older row gets its default), so sessions recorded by earlier versions still show. The same
JSON is what plain mode prints with ``--json``, what the store keeps per turn and what the
JSON export carries.

The engine's runtime values (turns, scores, endings) are imported where a stored one is read
back, not with this module: the store imports it to read the home screen's tallies, and the
runtime brings the matcher and the coach (rapidfuzz, the coach's words: about 4 MB of
the home screen's peak memory) with it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rehearse.engine.model import OUTCOMES
from rehearse.engine.practice.schedule import Memory
from rehearse.history.records import FlagRecord, StoredSession, TurnRecord

if TYPE_CHECKING:
    from rehearse.engine.practice.moments import Reason
    from rehearse.engine.runtime.session import Ending, State, Timing, Turn

# -- from the engine -----------------------------------------------------------------------


KEPT_DECIMALS = 1
"""A reply's score is stored to this many decimals; views read live scores the same way."""


def menu_opened(before: State) -> bool:
    """Whether the user opened the numbered options before this input (not a turn of its
    own, so replay has to know)."""
    if not before.offered:
        return False
    shown = before.transcript[-1].options if before.transcript else ()
    return before.offered != tuple(o.reply for o in shown)


def record_of(turn: Turn, before: State | None) -> TurnRecord:
    """The record of a turn the engine just took; ``before`` is the state it was taken in
    (for the labels of the replies, and whether the numbered options were open)."""
    labels: dict[str, str] = {}
    if before is not None and turn.user is not None:
        try:
            labels = {c.id: c.label for c in before.candidates()}
        except KeyError:
            labels = {}
    decision = turn.decision
    candidates = tuple(decision.candidates) if decision else ()
    user = turn.user
    return TurnRecord(
        index=turn.index,
        node=turn.node,
        user=user,
        kind=turn.kind,
        boss=turn.boss,
        next_node=turn.next_node,
        decision=decision.kind if decision else None,
        reply=turn.reply,
        reason=decision.reason if decision else None,
        label=labels.get(turn.reply, turn.reply) if turn.reply else None,
        candidates=candidates,
        candidate_labels=tuple(labels.get(c, c) for c in candidates),
        intent=decision.intent if decision else None,
        scores=decision.scores if decision else (),
        score_delta=dict(turn.score_delta),
        options=turn.options,
        hint=turn.hint,
        coach_note=turn.coach_note,
        coaching=tuple(
            FlagRecord(
                f.check.id,
                f.check.title,
                f.check.rationale,
                f.check.suggestion,
                tuple(user[s.start : s.end] for s in f.spans) if user else (),
            )
            for f in turn.coaching
        ),
        ending=turn.ending,
        menu_opened=bool(before is not None and user is not None and menu_opened(before)),
        nudges=turn.nudges,
        timing=turn.timing,
    )


def states_by_turn(state: State) -> dict[int, State]:
    """The state after each turn, found by following ``previous`` back from ``state``."""
    found: dict[int, State] = {}
    current: State | None = state
    while current is not None:
        found.setdefault(current.turn, current)
        current = current.previous
    return found


def records_of(state: State) -> tuple[TurnRecord, ...]:
    """Every turn of a live session as records."""
    after = states_by_turn(state)
    out = []
    for turn in state.transcript:
        found = after.get(turn.index)
        out.append(record_of(turn, found.previous if found is not None else None))
    return tuple(out)


# -- JSON ----------------------------------------------------------------------------------


def ending_to_json(ending: Ending | None) -> dict[str, Any] | None:
    if ending is None:
        return None
    return {
        "outcome": ending.outcome,
        "node": ending.node,
        "reason": ending.reason,
        "debrief": ending.debrief,
    }


def turn_to_json(record: TurnRecord) -> dict[str, Any]:
    return {
        "index": record.index,
        "node": record.node,
        "user": record.user,
        "kind": record.kind,
        "boss": record.boss,
        "next_node": record.next_node,
        "decision": record.decision,
        "reply": record.reply,
        "reason": record.reason,
        "label": record.label,
        "candidates": list(record.candidates),
        "candidate_labels": list(record.candidate_labels),
        "intent": record.intent,
        "scores": [
            {
                "reply": s.reply,
                "score": round(s.score, KEPT_DECIMALS),
                "example": s.example,
                "clause": s.clause,
                "keywords": list(s.keywords),
                "notes": list(s.notes),
            }
            for s in record.scores
        ],
        "score_delta": dict(record.score_delta),
        "options": [{"number": o.number, "reply": o.reply, "label": o.label} for o in record.options],
        "hint": record.hint,
        "coach_note": record.coach_note,
        "coaching": [
            {
                "check": f.check,
                "title": f.title,
                "rationale": f.rationale,
                "suggestion": f.suggestion,
                "words": list(f.words),
            }
            for f in record.coaching
        ],
        "ending": ending_to_json(record.ending),
        "menu_opened": record.menu_opened,
        "nudges": record.nudges,
        "timing": timing_to_json(record.timing),
    }


def timing_to_json(timing: Timing | None) -> dict[str, Any] | None:
    if timing is None:
        return None
    first = None if timing.first_key is None else round(timing.first_key, 2)
    return {"first_key": first, "send": round(timing.send, 2)}


def timing_from_json(data: object) -> Timing | None:
    """A stored timing; anything malformed reads as no timing."""
    from rehearse.engine.runtime.session import Timing

    found = _map(data)
    try:
        send = float(found["send"])
        first = found.get("first_key")
        return Timing(None if first is None else float(first), send)
    except (KeyError, TypeError, ValueError):
        return None


def _str(value: object, default: str = "") -> str:
    return default if value is None else str(value)


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _list(value: object) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _ending(data: Mapping[str, Any]) -> Ending:
    from rehearse.engine.runtime.session import Ending

    outcome = _str(data.get("outcome"))
    reason = _str(data.get("reason"), "script")
    return Ending(
        outcome if outcome in OUTCOMES else "fail",
        _opt(data.get("node")),
        _str(data.get("debrief")),
        "patience" if reason == "patience" else "script",
    )


def turn_from_json(data: Mapping[str, Any], *, user: str | None = None, at: str = "") -> TurnRecord:
    """A record from stored JSON; ``user`` (kept in its own column) wins over the JSON's."""
    from rehearse.engine.runtime.matching import ReplyScore
    from rehearse.engine.runtime.session import Option

    ending = _map(data.get("ending"))
    return TurnRecord(
        index=int(data.get("index") or 0),
        node=_str(data.get("node")),
        user=user if user is not None else _opt(data.get("user")),
        kind=_str(data.get("kind")),
        boss=_str(data.get("boss")),
        next_node=_str(data.get("next_node")),
        decision=_opt(data.get("decision")),
        reply=_opt(data.get("reply")),
        reason=_opt(data.get("reason")),
        label=_opt(data.get("label")),
        candidates=tuple(_str(c) for c in _list(data.get("candidates"))),
        candidate_labels=tuple(_str(c) for c in _list(data.get("candidate_labels"))),
        intent=_opt(data.get("intent")),
        scores=tuple(
            ReplyScore(
                _str(s.get("reply")),
                float(s.get("score") or 0),
                _opt(s.get("example")),
                _opt(s.get("clause")),
                tuple(_str(k) for k in _list(s.get("keywords"))),
                tuple(_str(n) for n in _list(s.get("notes"))),
            )
            for s in map(_map, _list(data.get("scores")))
        ),
        score_delta={str(k): int(v) for k, v in _map(data.get("score_delta")).items()},
        options=tuple(
            Option(int(o.get("number") or 0), _str(o.get("reply")), _str(o.get("label")))
            for o in map(_map, _list(data.get("options")))
        ),
        hint=_opt(data.get("hint")),
        coach_note=_opt(data.get("coach_note")),
        coaching=tuple(
            FlagRecord(
                _str(c.get("check")),
                _str(c.get("title") or c.get("check")),
                _str(c.get("rationale")),
                _str(c.get("suggestion")),
                tuple(_str(w) for w in _list(c.get("words"))),
            )
            for c in map(_map, _list(data.get("coaching")))
        ),
        ending=_ending(ending) if ending else None,
        menu_opened=bool(data.get("menu_opened")),
        nudges=_count(data.get("nudges")),
        timing=timing_from_json(data.get("timing")),
        at=at,
    )


def session_to_json(stored: StoredSession) -> dict[str, Any]:
    """A whole stored session as JSON (the JSON export)."""
    return {
        "id": stored.id,
        "started": stored.started,
        "ended": stored.ended,
        "app_version": stored.app_version,
        "script": {
            "id": stored.script_id,
            "title": stored.script_title,
            "sha256": stored.script_sha,
            "path": stored.script_path,
            "text": stored.script_text,
        },
        "persona": {
            "id": stored.persona_id,
            "name": stored.persona_name,
            "sha256": stored.persona_sha,
            "text": stored.persona_text,
        },
        "name": stored.user_name,
        "vars": dict(stored.vars),
        "disabled_checks": list(stored.disabled_checks),
        "seed": stored.seed,
        "situation": stored.situation,
        "goal": stored.goal,
        "rubric": dict(stored.rubric),
        "outcome": stored.outcome,
        "ending": None
        if stored.outcome is None
        else {
            "outcome": stored.outcome,
            "reason": stored.end_reason,
            "node": stored.end_node,
            "debrief": stored.debrief,
        },
        "stopped_at": None if stored.outcome is not None else stored.node,
        "scores": dict(stored.scores),
        "score": stored.score,
        "turn_count": stored.turn_count,
        "parent": stored.parent,
        "parent_turn": stored.parent_turn,
        "turns": [dict(turn_to_json(t), at=t.at) for t in stored.turns],
    }


def transcript_json(state: State) -> dict[str, Any]:
    """A whole live session as JSON (plain mode's ``--json``)."""
    setup = state.setup
    ending = state.ending
    return {
        "script": setup.script.id,
        "persona": setup.persona.id,
        "seed": setup.seed,
        "name": setup.user_name,
        "vars": dict(setup.vars),
        "turns": [turn_to_json(r) for r in records_of(state)],
        "ending": ending_to_json(ending),
        "stopped_at": None if ending is not None else state.node,
        "scores": dict(state.scores),
    }


# -- drills -------------------------------------------------------------------------------


def memory_to_json(memory: Memory) -> dict[str, Any]:
    return {
        "due": memory.due.isoformat(),
        "stability": memory.stability,
        "difficulty": memory.difficulty,
        "reviews": memory.reviews,
        "lapses": memory.lapses,
        "last_review": memory.last_review.isoformat(),
        "last_grade": memory.last_grade,
        "relearning": memory.relearning,
    }


def memory_from_json(data: object) -> Memory:
    """A stored FSRS memory. Raises ValueError on one that cannot be read."""
    found = _map(data)
    try:
        grade = _str(found.get("last_grade"), "again")
        return Memory(
            due=datetime.fromisoformat(_str(found["due"])),
            stability=float(found["stability"]),
            difficulty=float(found["difficulty"]),
            reviews=int(found.get("reviews") or 0),
            lapses=int(found.get("lapses") or 0),
            last_review=datetime.fromisoformat(_str(found["last_review"])),
            last_grade=grade if grade in ("again", "hard", "good") else "again",  # type: ignore[arg-type]
            relearning=bool(found.get("relearning")),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"a stored drill card cannot be read: {exc}") from exc


def reasons_to_json(reasons: tuple[Reason, ...]) -> list[dict[str, str]]:
    return [{"kind": r.kind, "text": r.text} for r in reasons]


def reasons_from_json(data: object) -> tuple[Reason, ...]:
    from rehearse.engine.practice.moments import Reason

    kinds = ("missed", "warned", "dead_end", "low", "flagged", "unsure")
    return tuple(
        Reason(kind, _str(r.get("text")))  # type: ignore[arg-type]
        for r in map(_map, _list(data))
        if (kind := _str(r.get("kind"))) in kinds
    )


# -- database text -------------------------------------------------------------------------


def db_text(text: str) -> str | bytes:
    """Text as SQLite can keep it. A lone surrogate (undecodable bytes read from a pipe)
    cannot be UTF-8 encoded: such text is kept as bytes, exactly, and read back the same."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")
    return text


def py_text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogatepass")
    return "" if value is None else str(value)


def dumps(value: object) -> str:
    # ensure_ascii keeps any lone surrogate as an escape, so the JSON always stores.
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


def loads(value: object, default: Any) -> Any:
    if value is None:
        return default
    try:
        return json.loads(py_text(value))
    except ValueError:
        return default
