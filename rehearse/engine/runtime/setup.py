"""What a session starts from, and the values its templates read: light enough for the
home screen to render a script's situation without loading the matcher or the coach."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from rehearse.engine.model import FlagValue, Persona, Script, frozen_map
from rehearse.engine.templating import PERSONA_FIELDS, UNNAMED, USER_FIELDS, Namespace, TemplateProblem, Text


@dataclass(frozen=True)
class Setup:
    """Everything a session starts from; replay needs exactly this plus the inputs."""

    script: Script
    persona: Persona
    user_name: str = UNNAMED
    vars: Mapping[str, str] = field(default_factory=frozen_map)
    seed: int = 0
    disabled_checks: frozenset[str] = frozenset()

    def with_defaults(self) -> Setup:
        merged = dict(self.script.vars)
        merged.update({k: v for k, v in self.vars.items() if k in self.script.vars})
        return replace(self, vars=frozen_map(merged))


def static_context(setup: Setup) -> dict[str, Any]:
    """What every template may read that does not change during a session."""
    persona = setup.persona
    vars_ns = Namespace(setup.vars, "")
    ctx: dict[str, Any] = dict(setup.vars)
    ctx.update(
        user=Namespace(dict(zip(USER_FIELDS, [setup.user_name.strip() or UNNAMED], strict=True))),
        persona=Namespace(
            {**{f: getattr(persona, f) for f in PERSONA_FIELDS}, "traits": Namespace(persona.traits)}
        ),
        vars=vars_ns,
    )
    return ctx


def moment_context(
    setup: Setup,
    visits: Mapping[str, int],
    flags: Mapping[str, FlagValue],
    scores: Mapping[str, int],
    turn: int,
    last: Any,
) -> dict[str, Any]:
    """The static values plus where the conversation stands."""
    ctx = static_context(setup)
    all_scores = {dim: 0 for dim in setup.script.rubric}
    all_scores.update(scores)
    ctx.update(
        visits=Namespace(visits, 0),
        flags=Namespace(flags, None),
        scores=Namespace(all_scores, 0),
        turn=turn,
        last=last,
    )
    return ctx


def opening_situation(setup: Setup) -> str:
    """The situation as the conversation's opening shows it (the same as ``situation`` of a
    just-begun session), without beginning one."""
    setup = setup.with_defaults()
    script = setup.script
    ctx = moment_context(setup, {script.start: 1}, {}, {}, 0, None)
    return render(script.situation, ctx)


FALLBACK_LINE = "(This line of the script could not be shown.)"


def render(text: Text | None, ctx: Mapping[str, Any]) -> str:
    """Render script text; a template that fails at run time (a limit, a bad value) gives
    a fixed line, never a crash and never the template's source."""
    if text is None:
        return ""
    try:
        return text.render(ctx)
    except TemplateProblem:
        return FALLBACK_LINE
