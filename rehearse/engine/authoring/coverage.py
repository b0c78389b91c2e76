"""How much of a script its test plans exercise, and how much can be reached at all.

Three kinds of item make up a script: its nodes, its replies (node, reply), and the
branches of conditional `next` rules (node, reply, target). The played states of the test
cases say which items were tested; `walk_paths` says which items are reachable at all, by
exploring every reply of every node through the real engine (picking each numbered option
in turn), so the report can tell "reachable but untested" from "unreachable".

Pure: the caller loads plans and runs cases (testplan.run_case) and passes their states.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from rehearse.engine.model import Persona, Script, frozen_map
from rehearse.engine.runtime.session import Setup, State, begin, open_menu, step
from rehearse.engine.templating import UNNAMED, attribute_uses

ReplyRef = tuple[str, str]  # (node, reply)
BranchRef = tuple[str, str, str]  # (node, reply, target node)


@dataclass(frozen=True)
class Branch:
    """One target of a reply whose `next` has conditions; `when` is the first rule's
    condition for that target (None: the rule that applies when no condition holds)."""

    node: str
    reply: str
    to: str
    when: str | None

    @property
    def ref(self) -> BranchRef:
        return (self.node, self.reply, self.to)


def branches(script: Script) -> tuple[Branch, ...]:
    """Every branch of every conditional `next`, one per distinct target, in script order."""
    found: list[Branch] = []
    for node in script.nodes.values():
        for reply in node.replies:
            if len(reply.next) < 2 and all(rule.when is None for rule in reply.next):
                continue
            targets: set[str] = set()
            for rule in reply.next:
                if rule.to in targets:
                    continue
                targets.add(rule.to)
                found.append(
                    Branch(
                        node.id,
                        reply.id,
                        rule.to,
                        rule.when.source if rule.when is not None else None,
                    )
                )
    return tuple(found)


def reply_refs(script: Script) -> tuple[ReplyRef, ...]:
    return tuple((node.id, reply.id) for node in script.nodes.values() for reply in node.replies)


@dataclass(frozen=True)
class Reach:
    """Items seen: by the test cases, or by the walk (then `paths` and `truncated` say how
    far it went: `truncated` means a bound cut the search short)."""

    nodes: frozenset[str] = frozenset()
    replies: frozenset[ReplyRef] = frozenset()
    branches: frozenset[BranchRef] = frozenset()
    paths: int = 0
    truncated: bool = False

    def __or__(self, other: Reach) -> Reach:
        return Reach(
            self.nodes | other.nodes,
            self.replies | other.replies,
            self.branches | other.branches,
            self.paths + other.paths,
            self.truncated or other.truncated,
        )


def played(states: Iterable[State]) -> Reach:
    """What a set of played conversations exercised."""
    nodes: set[str] = set()
    replies: set[ReplyRef] = set()
    taken: set[BranchRef] = set()
    for state in states:
        nodes.update(node for node, count in state.visits.items() if count > 0)
        for turn in state.transcript[1:]:
            if turn.reply is not None:
                replies.add((turn.node, turn.reply))
                taken.add((turn.node, turn.reply, turn.next_node))
    return Reach(frozenset(nodes), frozenset(replies), frozenset(taken))


# -- the walk -----------------------------------------------------------------------------

_NAMESPACES = ("visits", "flags", "scores")


def _state_key(script: Script) -> Callable[[State], Hashable]:
    """What a state's future transitions depend on: its node, plus only the parts of the
    state that some conditional `next` reads. Two states with the same key have the same
    futures, so the walk expands one of them (this is what keeps it small)."""
    sources = [
        rule.when.source
        for node in script.nodes.values()
        for reply in node.replies
        for rule in reply.next
        if rule.when is not None
    ]
    known: Mapping[str, set[str]] = {
        "visits": set(script.nodes),
        "scores": set(script.rubric),
        "flags": {flag for node in script.nodes.values() for reply in node.replies for flag in reply.set},
    }
    whole: set[str] = set()
    attrs: dict[str, set[str]] = {ns: set() for ns in _NAMESPACES}
    names: set[str] = set()
    for source in sources:
        names.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", source))
        for space, attr in attribute_uses("{{ " + source + " }}"):
            if space in attrs:
                attrs[space].add(attr)
                if attr not in known[space]:
                    whole.add(space)
        for space in _NAMESPACES:
            # Read other than as `space.name` (subscript, filter, passed whole): keep it all.
            if re.search(rf"\b{space}\b(?!\s*\.\s*[A-Za-z_])", source):
                whole.add(space)
    use_turn = "turn" in names
    use_last = "last" in names
    caps = _visits_caps(sources)

    def part(values: Mapping[str, object], space: str) -> tuple[tuple[str, object], ...]:
        if space == "visits" and caps is not None:
            values = {
                k: min(v, caps[k]) if isinstance(v, int) and k in caps else v for k, v in values.items()
            }
        if space in whole:
            return tuple(sorted((k, repr(v)) for k, v in values.items()))
        return tuple((k, repr(values.get(k))) for k in sorted(attrs[space]))

    def key(state: State) -> Hashable:
        return (
            state.node,
            part(state.visits, "visits"),
            part(state.flags, "flags"),
            part(state.scores, "scores"),
            state.turn if use_turn else None,
            state.last if use_last else None,
        )

    return key


_OP = r"(?:==|!=|<=|>=|<|>)"
_SAFE_VISITS = re.compile(
    rf"visits\.(\w+)\s*{_OP}\s*(\d+)|(\d+)\s*{_OP}\s*visits\.(\w+)"
    r"|(?:(?<=^)|(?<=\(|\s))visits\.(\w+)(?=\s*(?:\)|$|\band\b|\bor\b))"
)


def _visits_caps(sources: Sequence[str]) -> dict[str, int] | None:
    """Per node, a count past which its visit count no longer changes what any condition
    decides.

    Visit counts only grow. When every condition reads them only as `visits.NAME OP N` (or
    `N OP visits.NAME`, or plainly as true/false), counts above the largest N for that name
    all decide alike, now and later, so the walk may treat them as one. Anything else
    (arithmetic, two counts compared): None, and the walk stays exact, only slower.
    """
    largest: dict[str, int] = {}
    for source in sources:
        if "visits" not in source:
            continue
        for match in _SAFE_VISITS.finditer(source):
            name1, num1, num2, name2, name3 = match.groups()
            name = name1 or name2 or name3
            number = int(num1 or num2 or 0)
            largest[name] = max(largest.get(name, 0), number)
        if "visits" in _SAFE_VISITS.sub("", source):
            return None
    return {name: number + 1 for name, number in largest.items()}


def walk_paths(
    script: Script,
    persona: Persona,
    max_depth: int = 40,
    max_paths: int = 5000,
    *,
    user_name: str = UNNAMED,
    vars: Mapping[str, str] | None = None,
    seed: int = 0,
) -> Reach:
    """Explore the script as `persona` plays it by choosing every reply at every node.

    Breadth first, through the real engine (session.open_menu, then the option number), so
    conditions see exactly what they would in play. States whose futures are the same (see
    _state_key) are expanded once. At most `max_paths` conversation prefixes are expanded
    and none longer than `max_depth` replies; if either bound cuts the search short the
    result says `truncated`.
    """
    key = _state_key(script)
    setup = Setup(script, persona, user_name=user_name, vars=frozen_map(vars or {}), seed=seed)
    start = begin(setup)
    nodes: set[str] = {start.node}
    replies: set[ReplyRef] = set()
    taken: set[BranchRef] = set()
    seen = {key(start)}
    frontier: list[State] = [] if start.ending is not None else [start]
    expanded = 0
    truncated = False
    depth = 0
    while frontier:
        if depth >= max_depth:
            truncated = True
            break
        upcoming: list[State] = []
        for state in frontier:
            if expanded >= max_paths:
                truncated = True
                break
            expanded += 1
            menu = open_menu(state)
            for number in range(1, len(menu.offered) + 1):
                after, turn = step(menu, str(number))
                if turn.reply is None:  # pragma: no cover - a number always picks
                    continue
                replies.add((turn.node, turn.reply))
                taken.add((turn.node, turn.reply, turn.next_node))
                nodes.add(after.node)
                if after.ending is not None:
                    continue
                found = key(after)
                if found not in seen:
                    seen.add(found)
                    upcoming.append(after)
        if truncated:
            break
        frontier = upcoming
        depth += 1
    return Reach(frozenset(nodes), frozenset(replies), frozenset(taken), expanded, truncated)


def walk_all(
    script: Script, personas: Sequence[Persona], max_depth: int = 40, max_paths: int = 5000
) -> Reach:
    """The union of the walks of every persona that plays the script."""
    reach = Reach()
    for persona in personas:
        reach = reach | walk_paths(script, persona, max_depth, max_paths)
    return reach


# -- the report ---------------------------------------------------------------------------


def _pct(done: int, total: int) -> float:
    return 100.0 if total == 0 else 100.0 * done / total


@dataclass(frozen=True)
class ScriptCoverage:
    script: str
    nodes: tuple[str, ...]
    replies: tuple[ReplyRef, ...]
    branches: tuple[Branch, ...]
    tested: Reach
    reachable: Reach | None = None
    cases: int = 0
    personas: tuple[str, ...] = field(default=())

    @property
    def nodes_tested(self) -> int:
        return sum(1 for n in self.nodes if n in self.tested.nodes)

    @property
    def replies_tested(self) -> int:
        return sum(1 for r in self.replies if r in self.tested.replies)

    @property
    def branches_tested(self) -> int:
        return sum(1 for b in self.branches if b.ref in self.tested.branches)

    @property
    def node_pct(self) -> float:
        return _pct(self.nodes_tested, len(self.nodes))

    @property
    def reply_pct(self) -> float:
        return _pct(self.replies_tested, len(self.replies))

    @property
    def branch_pct(self) -> float:
        return _pct(self.branches_tested, len(self.branches))

    @property
    def combined_pct(self) -> float:
        """Tested items over all items: nodes, replies and conditional branches together."""
        done = self.nodes_tested + self.replies_tested + self.branches_tested
        return _pct(done, len(self.nodes) + len(self.replies) + len(self.branches))

    def _status(self, found: bool) -> str:
        if self.reachable is None:
            return "untested"
        if found:
            return "reachable, untested"
        return "not reached by the walk (cut short)" if self.reachable.truncated else "unreachable"

    def untested_nodes(self) -> list[tuple[str, str]]:
        reach = self.reachable.nodes if self.reachable else frozenset()
        return [(n, self._status(n in reach)) for n in self.nodes if n not in self.tested.nodes]

    def untested_replies(self) -> list[tuple[ReplyRef, str]]:
        reach = self.reachable.replies if self.reachable else frozenset()
        return [(r, self._status(r in reach)) for r in self.replies if r not in self.tested.replies]

    def untested_branches(self) -> list[tuple[Branch, str]]:
        reach = self.reachable.branches if self.reachable else frozenset()
        return [(b, self._status(b.ref in reach)) for b in self.branches if b.ref not in self.tested.branches]

    def to_json(self) -> dict[str, object]:
        return {
            "script": self.script,
            "cases": self.cases,
            "nodes": {
                "tested": self.nodes_tested,
                "total": len(self.nodes),
                "pct": round(self.node_pct, 1),
            },
            "replies": {
                "tested": self.replies_tested,
                "total": len(self.replies),
                "pct": round(self.reply_pct, 1),
            },
            "branches": {
                "tested": self.branches_tested,
                "total": len(self.branches),
                "pct": round(self.branch_pct, 1),
            },
            "combined_pct": round(self.combined_pct, 1),
            "untested_nodes": [{"node": n, "status": s} for n, s in self.untested_nodes()],
            "untested_replies": [
                {"node": r[0], "reply": r[1], "status": s} for r, s in self.untested_replies()
            ],
            "untested_branches": [
                {"node": b.node, "reply": b.reply, "to": b.to, "when": b.when, "status": s}
                for b, s in self.untested_branches()
            ],
        }


def script_coverage(
    script: Script,
    states: Iterable[State],
    personas: Sequence[Persona] = (),
    *,
    cases: int | None = None,
    walk: bool = True,
    max_depth: int = 40,
    max_paths: int = 5000,
) -> ScriptCoverage:
    """Coverage of one script by the played states of its test cases; with `walk`, each
    persona's walk tells reachable items from unreachable ones."""
    states = list(states)
    return ScriptCoverage(
        script=script.id,
        nodes=tuple(script.nodes),
        replies=reply_refs(script),
        branches=branches(script),
        tested=played(states),
        reachable=walk_all(script, personas, max_depth, max_paths) if walk and personas else None,
        cases=len(states) if cases is None else cases,
        personas=tuple(p.id for p in personas),
    )


def format_coverage(cov: ScriptCoverage) -> list[str]:
    """The report for one script, as lines of text."""
    lines = [
        f"{cov.script}: {cov.combined_pct:.1f}% combined"
        f" ({cov.cases} case{'s' if cov.cases != 1 else ''})"
        f"  nodes {cov.nodes_tested}/{len(cov.nodes)} ({cov.node_pct:.1f}%)"
        f"  replies {cov.replies_tested}/{len(cov.replies)} ({cov.reply_pct:.1f}%)"
        f"  branches {cov.branches_tested}/{len(cov.branches)} ({cov.branch_pct:.1f}%)"
    ]
    nodes = cov.untested_nodes()
    if nodes:
        lines.append("  untested nodes:")
        lines.extend(f"    {node}  [{status}]" for node, status in nodes)
    replies = cov.untested_replies()
    if replies:
        lines.append("  untested replies:")
        lines.extend(f"    {node}.{reply}  [{status}]" for (node, reply), status in replies)
    found = cov.untested_branches()
    if found:
        lines.append("  untested branches:")
        for branch, status in found:
            when = f"when {branch.when}" if branch.when is not None else "otherwise"
            lines.append(f"    {branch.node}.{branch.reply} -> {branch.to} ({when})  [{status}]")
    if cov.reachable is not None and cov.reachable.truncated:
        lines.append(f"  (the reachability walk stopped at its bound after {cov.reachable.paths} paths)")
    return lines
