"""The conversation as a pure state machine: step(state, text) -> (state, turn).

State is an immutable value, so replay is a fold over the recorded inputs, undo is the
previous state, and retry from turn k is the state after k-1 turns. Randomness (which
variant of a line the boss says) comes from the seed and the turn number, never a global.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from rehearse.engine.model import (
    ASIDE_LINES,
    FlagValue,
    Lines,
    Node,
    Outcome,
    Persona,
    Reply,
    Script,
    frozen_map,
)
from rehearse.engine.numbers import small_int
from rehearse.engine.runtime.coach import Flag, coach, met_absent
from rehearse.engine.runtime.intents import means
from rehearse.engine.runtime.matching import Candidate, Decision, ReplyScore, as_read, decide, prepare
from rehearse.engine.runtime.polarity import Question
from rehearse.engine.runtime.reasons import confirmed_reason, is_said_no, picked_reason, said_no_reason
from rehearse.engine.runtime.recognise import recognise
from rehearse.engine.runtime.setup import FALLBACK_LINE as FALLBACK_LINE
from rehearse.engine.runtime.setup import Setup as Setup
from rehearse.engine.runtime.setup import moment_context
from rehearse.engine.runtime.setup import render as render
from rehearse.engine.runtime.setup import static_context as static_context
from rehearse.engine.runtime.words import AFFIRM_PHRASES, DENY_PHRASES, plain_answer, strip_filler
from rehearse.engine.templating import TemplateProblem, Text

TurnKind = Literal[
    "opening", "line", "clarify", "ambiguous", "hint", "menu", "wrapup", "ending", "aside", "checkback"
]
EndReason = Literal["script", "patience"]

HINT_AT_MISS = 2
MENU_AT_MISS = 3

DEFAULT_LINES: Mapping[str, tuple[str, ...]] = {
    "greeting": ("Hi {{ user.name }}.",),
    "clarify": ("Sorry, I didn't follow. Could you say that another way?",),
    "ambiguous": ("Sorry, do you mean {{ options[0] }}, or {{ options[1] }}?",),
    "menu": ("Let me make this easier. Which of these is closest to what you mean?",),
    "hint": ("Take a moment.",),
    "give_up": ("I'm afraid I have to wrap this up. Let's pick it up another time.",),
    "aside_thanks": ("You're welcome. {{ question }}",),
    "aside_sorry": ("No need to apologise. {{ question }}",),
    "aside_dont_know": ("Take a moment, there's no rush. {{ question }}",),
    "aside_repeat": ("Sure. {{ line }}",),
    "aside_small_talk": ("Ha, another time. {{ question }}",),
    "aside_role_question": ("Good question, and we can get into the detail. First, though: {{ question }}",),
    "checkback": ("Just so I'm clear: {{ meaning }}?",),
    "checkback_no": ("Sorry, I got that wrong. Tell me again in your own words?",),
    "nudge": ("Still with me?",),
}
PATIENCE_DEBRIEF = (
    "{{ persona.name }} ran out of patience: too many replies did not land. "
    "Next time, say what you want in one plain sentence, and use the hint key when stuck."
)


class SessionOver(Exception):
    """step() was called on a session that has already ended."""


@dataclass(frozen=True)
class Option:
    number: int
    reply: str
    label: str


@dataclass(frozen=True)
class Ending:
    outcome: Outcome
    node: str | None
    debrief: str
    reason: EndReason = "script"


@dataclass(frozen=True)
class Timing:
    """How long a reply took in pressure mode, in seconds from the boss's line: to the first
    key (None when it cannot be seen, as in a line-by-line terminal) and to sending."""

    first_key: float | None
    send: float


@dataclass(frozen=True)
class Turn:
    """One exchange: what the user said at a node, how it was read, what the boss said."""

    index: int
    node: str
    user: str | None
    decision: Decision | None
    reply: str | None
    boss: str
    kind: TurnKind
    next_node: str
    options: tuple[Option, ...] = ()
    hint: str | None = None
    score_delta: Mapping[str, int] = field(default_factory=frozen_map)
    coach_note: str | None = None
    coaching: tuple[Flag, ...] = ()
    ending: Ending | None = None
    nudges: int = 0  # how often the boss asked "Still with me?" before this reply
    timing: Timing | None = None  # pressure mode: how long the reply took


class _Prepared:
    """Examples rendered and preprocessed once per session, per node, on first use."""

    def __init__(self, setup: Setup) -> None:
        self.setup = setup
        self._cache: dict[str, tuple[Candidate, ...]] = {}
        # the user's, the boss's and the script's names (its capitalised details: "Priya",
        # not "training and development"), which a fast typist writes in lower case: never
        # read as misspelt words, and read as names
        said = " ".join((setup.user_name, setup.persona.name, *setup.vars.values()))
        self.names = frozenset(w.lower() for w in re.findall(r"\b[A-Z][a-z]+\b", said))

    def candidates(self, node: Node) -> tuple[Candidate, ...]:
        found = self._cache.get(node.id)
        if found is None:
            ctx = static_context(self.setup)
            asked = Question.of(
                [*(v.text.source for v in node.boss.variants), *([node.ask.source] if node.ask else [])]
            )
            found = tuple(
                prepare(
                    r.id,
                    examples,
                    label=render(r.label, ctx) if r.label else None,
                    kind=r.kind,
                    keywords=r.keywords,
                    require=r.require,
                    forbid=r.forbid,
                    intents=r.intents,
                    names=self.names,
                    asked=asked,
                )
                for r, examples in _examples(node, ctx)
            )
            self._cache[node.id] = found
        return found


def _examples(node: Node, ctx: Mapping[str, Any]) -> list[tuple[Reply, list[str]]]:
    return [(r, [render(t, ctx) for t in r.say]) for r in node.replies]


def examples_of(state: State, node: Node) -> list[tuple[Reply, list[str]]]:
    """Each reply of ``node`` with its examples as the user would see them (rendered)."""
    return _examples(node, static_context(state.setup))


@dataclass(frozen=True)
class State:
    setup: Setup
    node: str
    turn: int = 0
    visits: Mapping[str, int] = field(default_factory=frozen_map)
    flags: Mapping[str, FlagValue] = field(default_factory=frozen_map)
    scores: Mapping[str, int] = field(default_factory=frozen_map)
    misses: int = 0
    total_misses: int = 0
    offered: tuple[str, ...] = ()
    pending: str | None = None  # a reply the boss checked back about, settled by yes or no
    nudges: int = 0  # "Still with me?" since the last reply (pressure mode)
    said: frozenset[str] = frozenset()  # "left out" checks an earlier reply already met (thanks, an ask)
    last: str | None = None
    ending: Ending | None = None
    transcript: tuple[Turn, ...] = ()
    previous: State | None = field(default=None, compare=False, repr=False)
    prepared: _Prepared | None = field(default=None, compare=False, repr=False)

    @property
    def script(self) -> Script:
        return self.setup.script

    @property
    def persona(self) -> Persona:
        return self.setup.persona

    @property
    def current(self) -> Node:
        return self.setup.script.nodes[self.node]

    @property
    def patience_left(self) -> int:
        return max(0, self.setup.persona.patience - self.total_misses)

    @property
    def inputs(self) -> tuple[str, ...]:
        return tuple(t.user for t in self.transcript if t.user is not None)

    def candidates(self) -> tuple[Candidate, ...]:
        prepared = self.prepared or _Prepared(self.setup)
        return prepared.candidates(self.current)


def context(state: State, **extra: Any) -> dict[str, Any]:
    ctx = moment_context(state.setup, state.visits, state.flags, state.scores, state.turn, state.last)
    ctx.update(extra)
    return ctx


def _holds(condition: Any, ctx: Mapping[str, Any]) -> bool:
    try:
        return bool(condition.holds(ctx))
    except TemplateProblem:
        return False


def _pick(lines: Lines, ctx: Mapping[str, Any], setup: Setup, turn: int, purpose: str) -> str | None:
    """First conditional variant that holds; else a seeded pick among unconditional ones."""
    plain = []
    for variant in lines.variants:
        if variant.when is None:
            plain.append(variant)
        elif _holds(variant.when, ctx):
            return render(variant.text, ctx)
    if not plain:
        return None
    if len(plain) == 1:  # the seeded pick could only be this one: no generator to seed
        return render(plain[0].text, ctx)
    rng = random.Random(f"{setup.seed}:{turn}:{purpose}")
    return render(plain[rng.randrange(len(plain))].text, ctx)


def _persona_line(state: State, key: str, ctx: Mapping[str, Any], turn: int) -> str:
    return _pick_persona(state, key, ctx, turn, "")


def _pick_persona(state: State, key: str, ctx: Mapping[str, Any], turn: int, salt: str) -> str:
    lines = state.persona.lines.get(key)
    if lines:
        said = _pick(lines, ctx, state.setup, turn, f"persona:{key}{salt}")
        if said is not None:
            return said
    defaults = Lines(tuple(_default_variant(s) for s in DEFAULT_LINES[key]))
    return _pick(defaults, ctx, state.setup, turn, f"default:{key}{salt}") or ""


def _default_variant(source: str) -> Any:
    from rehearse.engine.model import Variant

    return Variant(Text.compile(source, Text("").loc))


def _boss_lines(state: State, node: Node) -> Lines:
    override = state.persona.override(state.script.id, node.id)
    if override is not None and override.boss:
        return override.boss
    return node.boss


def _fallback_lines(state: State, node: Node) -> Lines:
    override = state.persona.override(state.script.id, node.id)
    if override is not None and override.fallback:
        return override.fallback
    return node.fallback


def begin(setup: Setup) -> State:
    """The state before the first reply: the boss has said the start node's line."""
    setup = setup.with_defaults()
    script = setup.script
    state = State(
        setup=setup,
        node=script.start,
        visits=frozen_map({script.start: 1}),
        scores=frozen_map({dim: 0 for dim in script.rubric}),
        prepared=_Prepared(setup),
    )
    node = script.nodes[script.start]
    ctx = context(state)
    boss = _pick(_boss_lines(state, node), ctx, setup, 0, f"node:{node.id}") or ""
    ending = _ending_for(state, node, ctx) if node.is_ending else None
    opening = Turn(0, node.id, None, None, None, boss, "opening", node.id, ending=ending)
    return replace(state, transcript=(opening,), ending=ending)


def step(state: State, text: str, timing: Timing | None = None) -> tuple[State, Turn]:
    """Answer the boss with text. Pure: the same state and text always give the same result.
    ``timing`` (pressure mode) is only kept on the turn; it never changes what happens."""
    if state.ending is not None:
        raise SessionOver("the conversation has ended")
    node = state.current
    index = state.turn + 1
    coaching = coach(text, expects=node.expects, disabled=state.setup.disabled_checks | node.coach_off)
    base = replace(state, previous=state, turn=index, pending=None, nudges=0)
    settled = _settle_checkback(state, text)
    if settled is not None:
        new_state, turn = settled(base, node, text)
        coaching = ()  # a yes or a no to "You mean ...?" says nothing about how you put things
    else:
        choice = _numbered_choice(state, text)
        if choice is not None:
            coaching = ()  # a number picked from the options is not a phrasing to coach
        decision = choice if choice is not None else decide(text, state.candidates())
        if decision.kind == "matched" and decision.reply is not None:
            new_state, turn = _advance(base, node, node.reply(decision.reply), text, decision)
        elif decision.kind == "ambiguous":
            new_state, turn = _ask_which(base, node, text, decision)
        elif decision.kind == "aside":
            new_state, turn = _aside(base, node, text, decision)
            coaching = tuple(f for f in coaching if not f.check.absent)  # asides owe no ask
        elif decision.kind == "checkback" and decision.reply is not None:
            new_state, turn = _check_back(base, node, text, decision)
        else:
            new_state, turn = _miss(base, node, text, decision)
    # what you said earlier counts: thanked in turn 1, a reply in turn 3 is not "leaving out thanks"
    coaching = tuple(f for f in coaching if not (f.check.absent and f.check.id in state.said))
    said = state.said | met_absent(text) if text.strip() else state.said
    turn = replace(turn, coaching=coaching, nudges=state.nudges, timing=timing)
    return replace(new_state, said=said, transcript=(*state.transcript, turn)), turn


def nudge(state: State) -> tuple[State, str]:
    """The boss has waited the persona's ``patience_seconds`` for a reply: "Still with me?".

    Pure, like ``step``, and recorded (the next turn's ``nudges``) so that replay does it
    again. It costs one point of patience only with a persona that says so, and never the
    last one: the boss waits for your answer rather than ending the meeting in silence."""
    if state.ending is not None:
        return state, ""
    costs = state.persona.nudge_costs_patience and state.patience_left > 1
    nudged = replace(state, nudges=state.nudges + 1, total_misses=state.total_misses + int(costs))
    question, line = _asked(nudged, nudged.current)
    ctx = context(nudged, question=question, line=line)
    said = _pick_persona(nudged, "nudge", ctx, nudged.turn, f"{nudged.nudges}")
    return nudged, said


def said_no_to_checkback(decision: Decision | None) -> bool:
    """The reply was a no to "You mean ...?": the boss misread, not you."""
    return decision is not None and is_said_no(decision.kind, decision.reason)


Settle = Callable[["State", Node, str], tuple["State", "Turn"]]


def _settle_checkback(state: State, text: str) -> Settle | None:
    """After "You mean ...?": a yes takes that reply, a no asks again, and a no that goes on
    to say what was meant is read by what it goes on to say; anything else is a new reply
    (None)."""
    if state.pending is None:
        return None
    read = as_read(text, state.candidates())  # ("yesss", "noooo")
    answer = yes_or_no(read)
    opening = _YES_FIRST if answer == "yes" else _NO_FIRST  # the part that answers
    if answer is None:
        answered = _answered_in_its_words(state, read)
        if answered is None:
            return None
        answer, opening = answered
    if answer == "yes" and _says_another(state, text, opening):
        return None
    pending = state.pending
    if answer == "no":
        meant = _meant_instead(state, text, opening)
        if meant is not None:
            return meant
    if answer == "yes":

        def confirm(base: State, node: Node, said: str) -> tuple[State, Turn]:
            first = state.transcript[-1].decision if state.transcript else None
            scores = first.scores if first is not None else ()
            decision = Decision("matched", pending, (), scores, confirmed_reason(pending))
            return _advance(base, node, node.reply(pending), said, decision)

        return confirm

    def retract(base: State, node: Node, said: str) -> tuple[State, Turn]:
        ctx = context(base)
        boss = _persona_line(base, "checkback_no", ctx, base.turn)
        decision = Decision("none", None, (), (), said_no_reason(pending))
        return base, Turn(base.turn, node.id, said, decision, None, boss, "clarify", node.id)

    return retract


_WHOLE = re.compile(r"^.*$", re.DOTALL)
_FIRST_CLAUSE = re.compile(r"^[^,.;:!?]*[,.;:!?]+\s*")


def _answered_in_its_words(state: State, text: str) -> tuple[Literal["yes", "no"], re.Pattern[str]] | None:
    """An answer to "You mean ...?" in its own words, whole or in its first clause, and the
    part that answers: "I'm thinking of leaving." says yes to "you're thinking of leaving?";
    "It's not getting to me, I just disagree with it." says no to "it's still getting to
    you?", and goes on to say what was meant."""
    asked = Question.of([state.transcript[-1].boss if state.transcript else ""])
    first = _FIRST_CLAUSE.match(text)
    for said, part in ((text, _WHOLE), (first[0] if first else "", _FIRST_CLAUSE)):
        side = asked.answer(said)
        if side is not None:
            return ("yes" if side == "affirm" else "no"), part
    return None


YES_WORDS = ("yes", "yeah", "yep", "yup", "correct", "exactly")  # a reply starting so says yes
_YES_FIRST = re.compile(rf"^\W*(?:{'|'.join(YES_WORDS)})\b\W*", re.IGNORECASE)


def _says_another(state: State, text: str, opening: re.Pattern[str]) -> bool:
    """ "Yes. I've been doing the unofficial version for years": a yes that goes on to make
    another reply plainly is that reply, not a yes to the one the boss checked."""
    after = _what_follows(state, text, opening)
    return after is not None and after.kind == "matched"


NO_WORDS = ("no", "nope", "nah", "not quite", "not really")
_NO_FIRST = re.compile(rf"^\W*(?:{'|'.join(NO_WORDS)})\b\W*(?:(?:sorry|i mean|i meant)\b\W*)*", re.IGNORECASE)


def _meant_instead(state: State, text: str, opening: re.Pattern[str]) -> Settle | None:
    """ "No, I mean I'd want to present it to leadership myself": a no to "You mean ...?"
    that goes on to make another reply is read by what follows the no, taken or checked
    back as that reply (the whole, "no" and all, would read as declining)."""
    after = _what_follows(state, text, opening)
    if after is None or after.reply is None or after.kind not in ("matched", "checkback"):
        return None
    reply = after.reply
    decision = replace(after, reason=f"after a no, what followed: {after.reason}")
    if after.kind == "matched":
        return lambda base, node, said: _advance(base, node, node.reply(reply), said, decision)
    return lambda base, node, said: _check_back(base, node, said, decision)


def _what_follows(state: State, text: str, answer: re.Pattern[str]) -> Decision | None:
    """How what follows a yes or a no to "You mean ...?" reads at the node, when it is four
    words or more and reads as a reply other than the one checked (None otherwise)."""
    rest = answer.sub("", strip_filler(text), count=1)
    if len(rest.split()) < 4:
        return None
    after = decide(rest, state.candidates())
    return after if after.reply is not None and after.reply != state.pending else None


NO_IDIOMS = frozenset({"idea", "clue", "worries", "problem", "doubt", "wonder"})
"""Words after which "no" is no answer: "no idea" does not know, "no doubt" agrees."""
_ENDS_YES_OR_NO = re.compile(r",\s*(yes|yeah|yep|no|nope|nah)\W*$", re.IGNORECASE)


def yes_or_no(text: str) -> Literal["yes", "no"] | None:
    """A plain yes or no, in words or as what the reply does."""
    said = plain_answer(text)
    found = _ENDS_YES_OR_NO.search(text)  # "I'm thinking of leaving, yes." "Not really, no."
    ending = found[1].lower() if found else None
    if said in AFFIRM_PHRASES or said.split(" ", 1)[0] in YES_WORDS or ending in YES_WORDS:
        return "yes"
    if ending is not None:
        return "no"
    words = said.split(" ", 2)
    not_a_no = len(words) > 1 and words[0] == "no" and words[1] in NO_IDIOMS
    if said in DENY_PHRASES or (words[0] in ("no", "nope", "nah") and not not_a_no):
        return "no"
    top = recognise(text).top
    if top.intent in ("yes", "no") and top.p >= 0.5:
        return "yes" if top.intent == "yes" else "no"
    return None


def _asked(state: State, node: Node) -> tuple[str, str]:
    """(the question, the whole line) the boss asked at this node: the node's ``ask`` when
    it has one, else the last question in the line the boss said on arriving here."""
    line = next(
        (
            t.boss
            for t in reversed(state.transcript)
            if t.next_node == node.id and t.kind in ("opening", "line")
        ),
        "",
    )
    if node.ask is not None:
        return render(node.ask, context(state)), line
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", line.strip()) if s]
    questions = [s for s in sentences if s.rstrip().endswith("?")]
    if not questions:
        return line, line
    # asked again on its own, a question loses the connective that tied it to the line
    # ("I'll answer. But tell me honestly, are you...?"): "First: Tell me honestly, ..."
    question = _on_its_own(questions[-1])
    return question[:1].upper() + question[1:], line


def _aside(state: State, node: Node, text: str, decision: Decision) -> tuple[State, Turn]:
    """A thank-you, an apology, "say again?", small talk...: the boss reacts in their own
    voice and asks the question again. It never moves the conversation on, and costs
    patience only with a persona that says so."""
    question, line = _asked(state, node)
    key = ASIDE_LINES.get(decision.intent or "", "aside_thanks")
    if state.persona.asides_cost_patience:
        state = replace(state, total_misses=state.total_misses + 1)
        if state.patience_left <= 0:
            return _miss(replace(state, total_misses=state.total_misses - 1), node, text, decision)
    ctx = context(state, question=question, question_lower=_run_on(question), line=line)
    boss = _persona_line(state, key, ctx, state.turn)
    return state, Turn(state.turn, node.id, text, decision, None, boss, "aside", node.id)


_CONNECTIVE = re.compile(r"(?:so|anyway|but|well|okay|ok|right|and)\b,?\s+(?=\S+\s+\S)", re.IGNORECASE)


def _on_its_own(question: str) -> str:
    """The question without a connective of its own ("But tell me, ..." is "tell me, ...")."""
    connective = _CONNECTIVE.match(question)
    return question[connective.end() :] if connective else question


def _run_on(question: str) -> str:
    """The question, to follow a lead-in of the persona's own ("Sure thing. So, ..."): its
    first letter in lower case (not "I") and without a connective of its own ("So if I
    back this, ..." would read "So, so if I back this")."""
    question = _on_its_own(question)
    return question[:1].lower() + question[1:] if question[:2] != "I " else question


def _check_back(state: State, node: Node, text: str, decision: Decision) -> tuple[State, Turn]:
    """One reply is clearly ahead but under the pass mark: "You mean ...?" (a yes or no
    settles it next turn)."""
    assert decision.reply is not None
    reply = node.reply(decision.reply)
    ctx = context(state)
    meaning = render(reply.means, ctx) if reply.means is not None else _meaning(reply, ctx)
    boss = _persona_line(state, "checkback", context(state, meaning=meaning), state.turn)
    return replace(state, pending=reply.id), Turn(
        state.turn, node.id, text, decision, None, boss, "checkback", node.id
    )


def _meaning(reply: Reply, ctx: Mapping[str, Any]) -> str:
    if reply.intents:
        return means(reply.intents[0])
    label = render(reply.label, ctx) if reply.label is not None else reply.id.replace("_", " ")
    return f"you mean “{label}”"


def offered_choice(state: State, text: str) -> str | None:
    """The reply a typed number ("2", "2.", "2)") picks while numbered options are offered."""
    stripped = text.strip().rstrip(".)")
    number = small_int(stripped) if stripped.isdigit() else None
    if number is None or not 1 <= number <= len(state.offered):
        return None
    return state.offered[number - 1]


def _numbered_choice(state: State, text: str) -> Decision | None:
    reply = offered_choice(state, text)
    if reply is None:
        return None
    scores = tuple(
        ReplyScore(r, 100.0 if r == reply else 0.0)
        for r in (reply, *(o for o in state.offered if o != reply))
    )
    return Decision("matched", reply, (), scores, picked_reason(state.offered.index(reply) + 1))


def _advance(state: State, node: Node, reply: Reply, text: str, decision: Decision) -> tuple[State, Turn]:
    scores = dict(state.scores)
    for dim, amount in reply.score.items():
        scores[dim] = scores.get(dim, 0) + amount
    flags = dict(state.flags)
    flags.update(reply.set)
    moved = replace(
        state,
        scores=frozen_map(scores),
        flags=frozen_map(flags),
        last=reply.id,
        misses=0,
        offered=(),
    )
    target = _next_node(moved, reply)
    visits = dict(moved.visits)
    visits[target] = visits.get(target, 0) + 1
    arrived = replace(moved, node=target, visits=frozen_map(visits))
    next_node = arrived.current
    ctx = context(arrived)
    boss = _pick(_boss_lines(arrived, next_node), ctx, arrived.setup, arrived.turn, f"node:{target}") or ""
    ending = _ending_for(arrived, next_node, ctx) if next_node.is_ending else None
    turn = Turn(
        index=arrived.turn,
        node=node.id,
        user=text,
        decision=decision,
        reply=reply.id,
        boss=boss,
        kind="ending" if ending else "line",
        next_node=target,
        score_delta=reply.score,
        coach_note=reply.coach,
        ending=ending,
    )
    return replace(arrived, ending=ending), turn


def _next_node(state: State, reply: Reply) -> str:
    ctx: dict[str, Any] | None = None  # built for the first condition there is to test
    for rule in reply.next:
        if rule.when is None:
            return rule.to
        if ctx is None:
            ctx = context(state)
        if _holds(rule.when, ctx):
            return rule.to
    return state.node


def _ending_for(state: State, node: Node, ctx: Mapping[str, Any]) -> Ending:
    assert node.end is not None
    return Ending(node.end, node.id, render(node.debrief, ctx))


def options(state: State) -> tuple[Option, ...]:
    """Every reply of the current node as a numbered option, in script order."""
    return tuple(Option(i, c.id, c.label) for i, c in enumerate(state.candidates(), start=1))


def open_menu(state: State) -> State:
    """Offer every reply as a numbered option (the easier mode); numbers then pick one."""
    if state.ending is not None:
        return state
    return replace(state, offered=tuple(o.reply for o in options(state)))


def _ask_which(state: State, node: Node, text: str, decision: Decision) -> tuple[State, Turn]:
    labels = {c.id: c.label for c in state.candidates()}
    offered = decision.candidates
    opts = tuple(Option(i, r, labels[r]) for i, r in enumerate(offered, start=1))
    ctx = context(state, options=[o.label for o in opts])
    boss = _persona_line(state, "ambiguous", ctx, state.turn)
    turn = Turn(state.turn, node.id, text, decision, None, boss, "ambiguous", node.id, options=opts)
    return replace(state, offered=offered), turn


def _miss(state: State, node: Node, text: str, decision: Decision) -> tuple[State, Turn]:
    missed = replace(state, misses=state.misses + 1, total_misses=state.total_misses + 1, offered=())
    ctx = context(missed)
    if missed.patience_left <= 0:
        boss = _persona_line(missed, "give_up", ctx, missed.turn)
        debrief = render(Text.compile(PATIENCE_DEBRIEF, node.loc), ctx)
        ending = Ending("fail", None, debrief, "patience")
        turn = Turn(missed.turn, node.id, text, decision, None, boss, "wrapup", node.id, ending=ending)
        return replace(missed, ending=ending), turn
    if missed.misses >= MENU_AT_MISS:
        opts = options(missed)
        boss = _persona_line(missed, "menu", ctx, missed.turn)
        turn = Turn(missed.turn, node.id, text, decision, None, boss, "menu", node.id, options=opts)
        return replace(missed, offered=tuple(o.reply for o in opts)), turn
    if missed.misses >= HINT_AT_MISS and node.hint is not None:
        boss = _persona_line(missed, "hint", ctx, missed.turn)
        hint = render(node.hint, ctx)
        return missed, Turn(missed.turn, node.id, text, decision, None, boss, "hint", node.id, hint=hint)
    said = _pick(_fallback_lines(missed, node), ctx, missed.setup, missed.turn, f"fallback:{node.id}")
    boss = said if said is not None else _persona_line(missed, "clarify", ctx, missed.turn)
    return missed, Turn(missed.turn, node.id, text, decision, None, boss, "clarify", node.id)


def undo(state: State) -> State:
    """Take back the last reply; at the opening there is nothing to take back."""
    return state.previous if state.previous is not None else state


def hint(state: State) -> str | None:
    node = state.current
    return render(node.hint, context(state)) if node.hint is not None else None


def model_answer(state: State, node_id: str | None = None) -> str | None:
    node = state.script.nodes[node_id or state.node]
    return render(node.model, context(state)) if node.model is not None else None


def situation(state: State) -> str:
    return render(state.script.situation, context(state))


def goal(state: State) -> str:
    return render(state.script.goal, context(state))


def play(setup: Setup, inputs: Iterable[str]) -> State:
    """Fold inputs over a new session, stopping at an ending (replay and tests)."""
    state = begin(setup)
    for text in inputs:
        if state.ending is not None:
            break
        state, _ = step(state, text)
    return state
