"""Sessions and turns as JSON: the plain-mode transcript, the store and exports share it."""

from __future__ import annotations

from typing import Any

from rehearse.engine.session import Ending, State, Turn


def turn_json(turn: Turn) -> dict[str, Any]:
    return {
        "index": turn.index,
        "node": turn.node,
        "user": turn.user,
        "kind": turn.kind,
        "boss": turn.boss,
        "next_node": turn.next_node,
        "decision": turn.decision.kind if turn.decision else None,
        "reply": turn.reply,
        "scores": [s.to_json() for s in turn.decision.scores] if turn.decision else [],
        "score_delta": dict(turn.score_delta),
        "options": [{"number": o.number, "reply": o.reply, "label": o.label} for o in turn.options],
        "hint": turn.hint,
        "coach_note": turn.coach_note,
        "coaching": [
            {
                "check": f.check.id,
                "words": [turn.user[s.start : s.end] for s in f.spans] if turn.user else [],
            }
            for f in turn.coaching
        ],
    }


def transcript_json(state: State) -> dict[str, Any]:
    setup = state.setup
    ending = state.ending
    return {
        "script": setup.script.id,
        "persona": setup.persona.id,
        "seed": setup.seed,
        "name": setup.user_name,
        "vars": dict(setup.vars),
        "turns": [turn_json(t) for t in state.transcript],
        "ending": ending_json(ending),
        "stopped_at": None if ending is not None else state.node,
        "scores": dict(state.scores),
    }


def ending_json(ending: Ending | None) -> dict[str, Any] | None:
    if ending is None:
        return None
    return {
        "outcome": ending.outcome,
        "node": ending.node,
        "reason": ending.reason,
        "debrief": ending.debrief,
    }
