"""What if: every reply a moment offers, what the boss would have said to it, and where each
can still lead.

Nothing here knows how a conversation moves: every step is the engine's own ``step``, with
the reply picked as the numbered menu picks it (``choose``). Exploring is a breadth-first
search over the states those steps reach, so the first path found to an ending is a
shortest one. Two states that every condition of the script reads alike lead to the same
places, so each is explored once: the node and whatever the ``next`` conditions read (flags,
the last reply, the turn, visit counts, scores), with counts told apart up to one past
the largest number any condition names (``visits.x > 1`` cannot tell 2 visits from 9). That
keeps the search finite on scripts with loops; a budget of states is the last guard, and a
result that hit it says so (``complete``).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field, replace

from rehearse.engine.model import OUTCOME_RANK, OUTCOMES, Outcome, Script
from rehearse.engine.runtime import session as sess
from rehearse.engine.runtime.session import State, Turn, examples_of

MAX_STATES = 20_000
_NUMBER = re.compile(r"(?<![\w.])\d+(?![\w.])")


@dataclass(frozen=True)
class PathStep:
    """One reply along a path: at ``node`` (where the boss had said ``asked``), ``label``."""

    node: str
    asked: str
    reply: str
    label: str


@dataclass(frozen=True)
class Landing:
    """An ending that can be reached, and a shortest way to it."""

    outcome: Outcome
    node: str | None
    boss: str  # what the boss says at the ending
    path: tuple[PathStep, ...]


@dataclass(frozen=True)
class Reach:
    """Where a state can still lead: the best and worst endings, and a shortest success."""

    best: Landing | None
    worst: Landing | None
    success: Landing | None


@dataclass(frozen=True)
class Branch:
    """One reply of the moment: what the boss would have said, and where it can lead."""

    reply: str
    label: str
    example: str  # the first way the script says it
    turn: Turn  # the engine's turn for it: boss line, next node, score, ending
    reach: Reach  # from the state after it
    state: State = field(compare=False, repr=False)  # the state after it


@dataclass(frozen=True)
class WhatIf:
    """Every reply at one moment of a conversation."""

    node: str
    asked: str  # the boss's line this moment answers
    branches: tuple[Branch, ...]
    reach: Reach  # from the moment itself, whichever reply is given
    states: int  # how many distinct states the search explored
    complete: bool  # False when it stopped at its budget of states

    def branch(self, reply: str) -> Branch | None:
        return next((b for b in self.branches if b.reply == reply), None)


def choose(state: State, reply: str) -> tuple[State, Turn]:
    """Answer with exactly one of the node's replies: the engine's ``step`` with its number
    from the numbered menu, as a user picking it would."""
    menu = sess.open_menu(state)
    return sess.step(menu, str(menu.offered.index(reply) + 1))


def follow(state: State, path: Iterable[PathStep]) -> State:
    """The state a path of replies leads to from ``state`` (to check an exploration)."""
    for step_ in path:
        state, _ = choose(state, step_.reply)
    return state


@dataclass(frozen=True)
class _Reads:
    """What the script's ``next`` conditions can tell apart."""

    flags: tuple[str, ...] | None  # None: every flag
    visits: tuple[str, ...] | None  # None: every node's count
    scores: tuple[str, ...] | None
    last: bool
    turn: bool
    cap: int


def _reads(script: Script) -> _Reads:
    flags: set[str] = set()
    visits: set[str] = set()
    scores: set[str] = set()
    all_flags = all_visits = all_scores = last = turn = False
    cap = 0
    for node in script.nodes.values():
        for reply in node.replies:
            for rule in reply.next:
                if rule.when is None:
                    continue
                names = rule.when.names()
                uses = rule.when.attribute_uses()
                named_flags = {a for n, a in uses if n == "flags"}
                named_visits = {a for n, a in uses if n == "visits"}
                named_scores = {a for n, a in uses if n == "scores"}
                flags |= named_flags
                visits |= named_visits
                scores |= named_scores
                all_flags |= "flags" in names and not named_flags
                all_visits |= "visits" in names and not named_visits
                all_scores |= "scores" in names and not named_scores
                last |= "last" in names
                turn |= "turn" in names
                cap = max([cap, *(int(n) for n in _NUMBER.findall(rule.when.source))])
    return _Reads(
        None if all_flags else tuple(sorted(flags)),
        None if all_visits else tuple(sorted(visits)),
        None if all_scores else tuple(sorted(scores)),
        last,
        turn,
        cap + 1,
    )


def _key(state: State, reads: _Reads) -> Hashable:
    cap = reads.cap
    flag_names = reads.flags if reads.flags is not None else tuple(sorted(state.flags))
    visit_names = reads.visits if reads.visits is not None else tuple(sorted(state.script.nodes))
    score_names = reads.scores if reads.scores is not None else tuple(sorted(state.scores))
    return (
        state.node,
        tuple((n, repr(state.flags.get(n))) for n in flag_names),
        tuple(min(cap, state.visits.get(n, 0)) for n in visit_names),
        tuple(max(-cap, min(cap, state.scores.get(n, 0))) for n in score_names),
        state.last if reads.last else None,
        state.turn if reads.turn else None,
    )


def _asked(state: State) -> str:
    return state.transcript[-1].boss if state.transcript else ""


@dataclass(frozen=True)
class _Edge:
    step: PathStep
    child: Hashable | None  # the state it leads to (None: an ending)
    ending: Landing | None  # ... or the ending, with only this step as its path
    turn: Turn
    after: State


@dataclass
class _Graph:
    """Every state reachable by choosing replies, one per key, and the replies between."""

    root: Hashable
    edges: dict[Hashable, list[_Edge]]
    complete: bool

    def distances(self, outcome: Outcome) -> dict[Hashable, int]:
        """Key -> the fewest replies to an ending with ``outcome`` (reverse breadth-first)."""
        back: dict[Hashable, list[Hashable]] = {}
        dist: dict[Hashable, int] = {}
        queue: deque[Hashable] = deque()
        for key, edges in self.edges.items():
            for edge in edges:
                if edge.child is not None:
                    back.setdefault(edge.child, []).append(key)
                elif edge.ending is not None and edge.ending.outcome == outcome and key not in dist:
                    dist[key] = 1
                    queue.append(key)
        while queue:
            key = queue.popleft()
            for parent in back.get(key, ()):
                if parent not in dist:
                    dist[parent] = dist[key] + 1
                    queue.append(parent)
        return dist

    def route(self, key: Hashable, outcome: Outcome, dist: dict[Hashable, int]) -> Landing | None:
        """A shortest way from ``key`` to an ending with ``outcome`` (the script's reply
        order breaks ties), or None."""
        if key not in dist:
            return None
        path: list[PathStep] = []
        while True:
            for edge in self.edges[key]:
                if edge.ending is not None and edge.ending.outcome == outcome and dist[key] == 1:
                    return replace(edge.ending, path=(*path, edge.step))
                if edge.child is not None and dist.get(edge.child) == dist[key] - 1:
                    path.append(edge.step)
                    key = edge.child
                    break
            else:  # pragma: no cover - the distances promise a way
                return None


def _explore(state: State, budget: int) -> _Graph:
    reads = _reads(state.script)
    root = _key(state, reads)
    states = {root: state}
    edges: dict[Hashable, list[_Edge]] = {}
    queue: deque[Hashable] = deque([root])
    complete = True
    while queue:
        key = queue.popleft()
        current = states[key]
        asked = _asked(current)
        out: list[_Edge] = []
        for candidate in current.candidates():
            after, turn = choose(current, candidate.id)
            step_ = PathStep(current.node, asked, candidate.id, candidate.label)
            ending = after.ending
            if ending is not None:
                landing = Landing(ending.outcome, ending.node, turn.boss, ())
                out.append(_Edge(step_, None, landing, turn, after))
                continue
            child = _key(after, reads)
            if child not in states:
                if len(states) >= budget:
                    complete = False
                    continue
                states[child] = after
                queue.append(child)
            out.append(_Edge(step_, child, None, turn, after))
        edges[key] = out
    return _Graph(root, edges, complete)


class _Routes:
    """Best, worst and success routes from any explored state."""

    def __init__(self, graph: _Graph) -> None:
        self.graph = graph
        self.dist = {o: graph.distances(o) for o in OUTCOMES}

    def reach(self, key: Hashable) -> Reach:
        found = {o: self.graph.route(key, o, self.dist[o]) for o in OUTCOMES}
        ranked = [found[o] for o in sorted(OUTCOMES, key=lambda o: -OUTCOME_RANK[o]) if found[o]]
        return Reach(ranked[0] if ranked else None, ranked[-1] if ranked else None, found["success"])

    def after(self, edge: _Edge) -> Reach:
        if edge.ending is not None:
            here = replace(edge.ending, path=())
            return Reach(here, here, here if here.outcome == "success" else None)
        assert edge.child is not None
        return self.reach(edge.child)


def reach(state: State, *, budget: int = MAX_STATES) -> Reach:
    """Where ``state`` can still lead (its best and worst endings, a shortest success)."""
    if state.ending is not None:
        here = Landing(state.ending.outcome, state.ending.node, _asked(state), ())
        return Reach(here, here, here if here.outcome == "success" else None)
    graph = _explore(state, budget)
    return _Routes(graph).reach(graph.root)


def what_if(state: State, *, budget: int = MAX_STATES) -> WhatIf:
    """Every reply the current node offers, from ``state`` (the state before a turn): what
    the boss says to it, and where it can still lead."""
    if state.ending is not None:
        raise sess.SessionOver("the conversation has ended: there is no reply to explore")
    graph = _explore(state, budget)
    routes = _Routes(graph)
    examples = {reply.id: said for reply, said in examples_of(state, state.current)}
    branches = tuple(
        Branch(
            edge.step.reply,
            edge.step.label,
            (examples.get(edge.step.reply) or [""])[0],
            edge.turn,
            routes.after(edge),
            edge.after,
        )
        for edge in graph.edges[graph.root]
    )
    return WhatIf(
        state.node,
        _asked(state),
        branches,
        routes.reach(graph.root),
        len(graph.edges),
        graph.complete,
    )
