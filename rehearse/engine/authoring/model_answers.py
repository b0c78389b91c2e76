"""Do a script's model answers work? The debrief offers each node's `model` as a strong reply,
so it must be one: clean by the coach at its node, understood as the reply it stands for,
and, followed from the start, a way to a success ending with every persona that plays it.

Pure: it folds the engine's own `step`, so it can never disagree with play.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from rehearse.engine.model import Persona, Script
from rehearse.engine.runtime.coach import coach
from rehearse.engine.runtime.matching import decide
from rehearse.engine.runtime.session import Setup, State, begin, model_answer, step

MAX_STEPS = 40  # longer than any sensible conversation: a walk this long is a loop


@dataclass(frozen=True)
class ModelProblem:
    """One way a model answer fails, at a node (``persona`` for the walk from the start)."""

    node: str
    kind: str  # "flagged" | "not_understood" | "walk" | "lower_case"
    message: str
    persona: str | None = None
    words: tuple[str, ...] = ()  # the flagged words, to point at


#: A sentence that starts in lower case, as "... where I want to go. training is" reads.
_LOWER_START = re.compile(r"(?:^|[.!?]\s+)([a-z][\w']*(?:\s+\w+){0,2})")


def node_problems(state: State, node_id: str) -> list[ModelProblem]:
    """What is wrong with the model answer of one node, read in ``state``'s voice."""
    node = state.script.nodes[node_id]
    at = replace(state, node=node_id)
    text = model_answer(at, node_id)
    if text is None:
        return []
    problems: list[ModelProblem] = []
    flags = coach(text, expects=node.expects, disabled=state.setup.disabled_checks | node.coach_off)
    if flags:
        names = ", ".join(f"{f.check.title.lower()} (“{' … '.join(f.words)}”)" for f in flags)
        words = tuple(w for f in flags for w in f.words)
        problems.append(
            ModelProblem(node_id, "flagged", f"the coach flags the model answer: {names}", words=words)
        )
    lower = _LOWER_START.search(text)
    if lower:
        start = lower.group(1)
        problems.append(
            ModelProblem(
                node_id,
                "lower_case",
                f"the model answer starts a sentence in lower case once filled in (“{start}…”)",
                words=(start,),
            )
        )
    decision = decide(text, at.candidates())
    meant = node.model_reply
    if decision.kind != "matched" or (meant is not None and decision.reply != meant):
        got = (
            f"as '{decision.reply}'"
            if decision.kind == "matched"
            else {"checkback": "only with a check-back", "ambiguous": "as ambiguous"}.get(
                decision.kind, "at all"
            )
        )
        wanted = f"'{meant}'" if meant else "a reply"
        problems.append(
            ModelProblem(
                node_id, "not_understood", f"the model answer is not understood as {wanted}: read {got}"
            )
        )
    return problems


def walk(script: Script, persona: Persona) -> ModelProblem | None:
    """Follow the model answers from the start; None when they reach a success ending."""
    state = begin(Setup(script, persona))
    for _ in range(MAX_STEPS):
        if state.ending is not None:
            if state.ending.outcome == "success":
                return None
            where = state.ending.node or state.node
            how = "the boss runs out of patience" if state.ending.node is None else f"ends at '{where}'"
            return ModelProblem(
                where,
                "walk",
                f"following the model answers {how} ({state.ending.outcome}), not a success",
                persona.id,
            )
        text = model_answer(state)
        if text is None:
            return ModelProblem(
                state.node, "walk", "following the model answers reaches a node without one", persona.id
            )
        state, _ = step(state, text)
    return ModelProblem(
        state.node,
        "walk",
        f"following the model answers goes round in circles (still at '{state.node}')",
        persona.id,
    )


def model_problems(script: Script, personas: Mapping[str, Persona]) -> list[ModelProblem]:
    """Every problem with the script's model answers, nodes first, then one walk per persona."""
    playing = [personas[p] for p in script.personas if p in personas]
    if not playing:
        return []
    state = begin(Setup(script, playing[0]))
    found: list[ModelProblem] = []
    for node in script.nodes.values():
        if not node.is_ending:
            found.extend(node_problems(state, node.id))
    for persona in playing:
        problem = walk(script, persona)
        if problem is not None:
            found.append(problem)
    return found
