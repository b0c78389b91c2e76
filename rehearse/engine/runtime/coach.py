"""Phrasing checks over the user's reply: the coach.

The coach points at words in a reply that tend to undercut the speaker (hedges, apologies,
running down a colleague, no explicit ask...). Each flag is advice, not a verdict: a user or
a script can switch any check off. See docs/coaching.md for what each check flags and why.

All word lists and patterns live in ``coach_data/checks.yaml``; this module only knows how
to apply them. The data is loaded and compiled once, lazily, on first use.

Pattern conventions (applied when the data is compiled):

* matching is case-insensitive; ``(?-i:...)`` makes a part case-sensitive;
* a straight apostrophe ``'`` matches a straight or a curly one (``'`` or ``’``);
* a literal space matches any run of whitespace, and `` ?`` (space, question mark)
  optional whitespace; write ``\\s`` inside lookbehinds, which must stay fixed-width;
* ``%NAME%`` expands to the macro of that name from the data's ``macros`` mapping;
* a named group ``(?P<w>...)`` marks the flagged words; without it the whole match is
  flagged.

Every span indexes the original string. A lower-cased copy is only used to skip patterns
whose required words do not occur at all (that is what keeps a check run well under a
millisecond); a reply typed in chat shorthand or without apostrophes is also read written
out (``words.written_where``), and what is found there is mapped back onto the words typed.
"""

from __future__ import annotations

import bisect
import importlib
import itertools
import json
import re
import sys
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from rehearse.engine.model import MOMENTS
from rehearse.engine.runtime.coachdata import check_ids, data
from rehearse.engine.runtime.intents import names as intent_names
from rehearse.engine.runtime.recognise import model, recognise
from rehearse.engine.runtime.spelling import corrected_as, corrections
from rehearse.engine.runtime.words import written, written_where

__all__ = [
    "MAX_CHARS",
    "MOMENTS",
    "Check",
    "Flag",
    "Span",
    "applies",
    "check_ids",
    "checks",
    "coach",
    "prime",
]


#: Only the first ``MAX_CHARS`` characters of a reply are checked (a pasted megabyte must
#: not stall the keystroke loop). Checks that flag something *missing* (no ask, no thanks)
#: do not run on a longer reply, since the missing words may lie beyond the limit.
MAX_CHARS = 3000

#: How confidently a clause must read as a check's intent to be flagged by it. Below 0.9 the
#: colleague and self-deprecation checks flag their traps ("Dave couldn't run the session,
#: so I covered it"); checks.yaml lowers it per check where no trap fires (swept on the
#: tune half of tests/fixtures/coach_heldout.yaml; figures reported on the held half).
INTENT_MIN = 0.9
INTENT_LEAD = 3.0  # ... and this many times as likely as the next reading
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class Span:
    """Character offsets into the original reply: ``text[start:end]`` is flagged."""

    start: int
    end: int


@dataclass(frozen=True)
class Check:
    """One phrasing check. ``moments`` empty means the check always applies."""

    id: str
    title: str
    rationale: str
    suggestion: str
    moments: frozenset[str]
    absent: bool = False  # flags what a reply leaves out (no ask, no thanks), not its words


@dataclass(frozen=True)
class Flag:
    """A check that fired, with the spans of the words that triggered it."""

    check: Check
    spans: tuple[Span, ...]
    text: str = field(default="", repr=False)  # the reply the spans index into

    @property
    def words(self) -> tuple[str, ...]:
        """The flagged substrings of the reply, in order."""
        return tuple(self.text[s.start : s.end] for s in self.spans)


# --------------------------------------------------------------------------- compiling


@dataclass(frozen=True)
class _Pat:
    """One pattern (compiled when first needed) and what it needs."""

    source: str
    # Groups of lower-case strings: the pattern can only match if, for every group, one of
    # its strings occurs in the reply; None when that cannot be worked out.
    lits: tuple[tuple[int, tuple[str, ...]], ...] | None  # (group id, strings)
    # Lower-case strings one of which every match starts with; None when unknown (then
    # the pattern is tried at every position, else only where one of these starts).
    first: tuple[str, ...] | None
    needs_context: bool = False
    not_in_question: bool = False
    need: frozenset[int] | None = None  # the ids of the groups in lits

    @property
    def regex(self) -> re.Pattern[str]:
        return _compiled(self.source)


@dataclass(frozen=True)
class _Rule:
    check: Check
    mode: str  # "present" or "absent"
    patterns: tuple[_Pat, ...]
    unless: tuple[_Pat, ...]  # a hit overlapped by a match of one of these is dropped
    unless_sentence: tuple[_Pat, ...]  # ... or whose sentence matches one of these
    unless_text: tuple[_Pat, ...]  # nothing is flagged if the reply matches one of these
    context: tuple[_Pat, ...]  # needs_context hits need one of these nearby
    context_scope: str  # "clause" or "sentence": where to look for the context
    min_hits: int
    intent: str | None = None  # a clause recognised as this intent is a hit too
    intent_min: float = INTENT_MIN  # ... this confidently
    unless_intents: tuple[str, ...] = ()  # nothing is flagged if a clause reads as one of these


_MACRO = re.compile(r"%([A-Z_]+)%")
_FLAGS = re.IGNORECASE


def _flatten(items: Any) -> list[str]:
    """Lists in the data may nest (YAML aliases of shared lists): flatten them."""
    if items is None:
        return []
    if isinstance(items, str):
        return [items]
    if isinstance(items, Mapping):  # a plain scalar with ": " in it reads as a mapping
        raise ValueError(f"coach data: expected a pattern, got a mapping: {items}")
    out: list[str] = []
    for item in items:
        out.extend(_flatten(item))
    return out


def _expand(pattern: str, macros: Mapping[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in macros:
            raise ValueError(f"coach data: unknown macro %{name}% in {pattern!r}")
        return macros[name]

    for _ in range(5):  # macros may use macros
        expanded = _MACRO.sub(sub, pattern)
        if expanded == pattern:
            break
        pattern = expanded
    return pattern.replace("'", "['’]").replace(" ?", r"\s*").replace(" ", r"\s+")


def _sre() -> tuple[Any, Any] | None:
    """The stdlib regex parser (private, so used defensively: None if it moved)."""
    try:
        return importlib.import_module("re._parser"), importlib.import_module("re._constants")
    except ImportError:  # pragma: no cover - other Python versions
        return None


def _required(items: Any, c: Any) -> set[str] | None:
    """Strings one of which any match of this parsed sequence must contain."""
    candidates = _requirements(items, c)
    if not candidates:
        return None
    return max(candidates, key=_selectivity)


def _selectivity(group: set[str]) -> tuple[int, int]:
    """Higher is more selective: the shortest string is long, and there are few."""
    return min(len(x) for x in group), -len(group)


def _requirements(items: Any, c: Any) -> list[set[str]]:
    """Every requirement of a parsed sequence: sets one string of which a match contains."""
    candidates: list[set[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            candidates.append({"".join(run).lower()})
            run.clear()

    for op, av in items:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        flush()
        if op is c.SUBPATTERN:
            candidates.extend(_requirements(av[-1], c))
        elif op is c.ATOMIC_GROUP:
            candidates.extend(_requirements(av, c))
        elif op is c.BRANCH:
            parts = [_required(branch, c) for branch in av[1]]
            if parts and all(parts):
                candidates.append(set().union(*(p for p in parts if p)))
        elif _is_repeat(op, c) and av[0] >= 1:
            candidates.extend(_requirements(av[2], c))
    flush()
    return candidates


def _is_repeat(op: Any, c: Any) -> bool:
    return op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None))


def _nullable(items: Any, c: Any) -> bool:
    """Whether this parsed sequence can match the empty string."""
    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue
        if op is c.SUBPATTERN:
            if not _nullable(av[-1], c):
                return False
        elif op is c.ATOMIC_GROUP:
            if not _nullable(av, c):
                return False
        elif op is c.BRANCH:
            if not any(_nullable(branch, c) for branch in av[1]):
                return False
        elif _is_repeat(op, c):
            if av[0] > 0 and not _nullable(av[2], c):
                return False
        else:
            return False
    return True


def _run_of(items: Any, c: Any) -> str:
    """The literal text a sequence starts with, as it appears in _Reply.low: an
    apostrophe class reads as "'", and whitespace (\\s, \\s+) as one space, ending it."""
    run: list[str] = []
    for op, av in items:
        if op is c.LITERAL:
            run.append(chr(av).lower())
            continue
        body = av[2] if op is c.MAX_REPEAT and av[0] >= 1 else None
        node = body[0] if body is not None and len(body) == 1 else (op, av)
        if node[0] is c.IN and node[1] == [(c.CATEGORY, c.CATEGORY_SPACE)]:
            run.append(" ")
            break
        if op is c.IN and sorted(av) == [(c.LITERAL, 39), (c.LITERAL, 8217)]:
            run.append("'")
            continue
        break
    return "".join(run)


_WORD_START = "\x00"  # prefixes a first string that must start a word (after a \b)
_CAPITAL = "\x01"  # stands for a capital letter that starts a word


def _first(items: Any, c: Any, bound: bool = False, cased: bool = False) -> set[str] | None:
    """Literal strings one of which every match of this sequence starts with.

    A string prefixed with _WORD_START must also start a word (a \\b came before it);
    _CAPITAL stands for a capital letter starting a word (a case-sensitive [A-Z]).
    """
    for i, (op, av) in enumerate(items):
        if op is c.AT:  # zero-width: look past it, noting a word boundary
            bound = bound or av in (c.AT_BOUNDARY, c.AT_UNI_BOUNDARY, c.AT_LOC_BOUNDARY)
            continue
        if op in (c.ASSERT, c.ASSERT_NOT):
            continue
        if op is c.LITERAL:
            word = _run_of(items[i:], c)
            return {_WORD_START + word if bound and word[:1].isalnum() else word}
        if op is c.IN:
            if cased and av == [(c.RANGE, (ord("A"), ord("Z")))]:
                return {_CAPITAL}
            if av == [(c.CATEGORY, c.CATEGORY_SPACE)]:
                return {" "}
            if 0 < len(av) <= 4 and all(o is c.LITERAL and not chr(v).isalnum() for o, v in av):
                chars = {chr(v) for _, v in av}
                return {"'"} if chars == {"'", "’"} else chars
            return None
        if op is c.SUBPATTERN:
            if av[2] & re.IGNORECASE:
                cased = True
            elif av[1] & re.IGNORECASE:
                cased = False
            inner = [av[-1]]
        elif op is c.ATOMIC_GROUP:
            inner = [av]
        elif op is c.BRANCH:
            inner = list(av[1])
        elif _is_repeat(op, c):
            inner = [av[2]]
        else:
            return None
        found: set[str] = set()
        for sub in inner:
            f = _first(sub, c, bound, cased)
            if f is None:
                return None
            found |= f
        optional = _is_repeat(op, c)
        if (optional and av[0] == 0) or any(_nullable(sub, c) for sub in inner):
            rest = _first(items[i + 1 :], c, bound, cased)
            if rest is None:
                return None
            found |= rest
        return found
    return None  # the sequence can end here: a match may start with anything


_Lits = tuple[tuple[str, ...], ...]


def _worth_testing(group: set[str]) -> bool:
    """Single letters occur everywhere; a required "?" or "," rules out most replies."""
    return min(map(len, group)) >= 2 or all(not ch.isalnum() and not ch.isspace() for s in group for ch in s)


def _minimal(group: set[str]) -> tuple[str, ...]:
    """Drop strings that contain another string of the group: the shorter one decides."""
    return tuple(sorted(s for s in group if not any(t != s and t in s for t in group)))


_GROUP_IDS: dict[tuple[str, ...], int] = {}


def _group_id(group: tuple[str, ...]) -> int:
    """A small id per distinct group of required strings (a reply caches by id)."""
    return _GROUP_IDS.setdefault(group, len(_GROUP_IDS))


def _analyse(source: str) -> tuple[_Lits | None, tuple[str, ...] | None]:
    """(requirements, first strings) of a pattern, for skipping work at run time."""
    sre = _sre()
    if sre is None:  # pragma: no cover
        return None, None
    parser, constants = sre
    try:
        tree = parser.parse(source, _FLAGS)
        groups = _requirements(tree, constants)
        first = _first(list(tree), constants)
    except re.error:
        raise
    except Exception:  # pragma: no cover - a parser change must not break the coach
        return None, None
    useful = sorted((g for g in groups if _worth_testing(g)), key=_selectivity, reverse=True)
    lits = tuple(_minimal(g) for g in useful[:4]) or None
    starts = tuple(sorted(first)) if first and not first & {"", _WORD_START} else None
    return lits, starts


_DATA_PACKAGE = "rehearse.engine.runtime"
ANALYSIS_FILE = "coach_data/analysis.json"


@cache
def _shipped() -> Mapping[str, tuple[_Lits | None, tuple[str, ...] | None]]:
    """Each pattern's analysis as shipped (``write_analysis``), by its expanded source.

    Parsing ~470 patterns with Python's regex parser is most of building the coach; the
    analysis of a source never changes, so it is read from a file, for the Python version
    that wrote it. A pattern missing from the file (an edited check) is analysed here."""
    try:
        stored = json.loads((resources.files(_DATA_PACKAGE) / ANALYSIS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(stored, dict) or stored.get("python") != _python():
        return {}
    return {
        str(source): (
            None if lits is None else tuple(tuple(str(s) for s in g) for g in lits),
            None if first is None else tuple(str(s) for s in first),
        )
        for source, (lits, first) in stored.get("patterns", {}).items()
    }


def _python() -> str:
    return f"{sys.version_info[0]}.{sys.version_info[1]}"


def analysis() -> dict[str, Any]:
    """Every pattern's analysis, analysed now: what ``write_analysis`` ships."""
    macros = _macros(data())
    patterns: dict[str, list[Any]] = {}
    for source in sorted({_expand(p, macros) for p in _raw_patterns(data())}):
        lits, first = _analyse(source)
        patterns[source] = [None if lits is None else [list(g) for g in lits], first and list(first)]
    return {"python": _python(), "patterns": patterns}


def write_analysis() -> str:
    """Write the shipped analysis into the package (a source checkout), a pattern a line;
    returns the path."""
    found = analysis()
    lines = [
        f"{json.dumps(source, ensure_ascii=False)}: {json.dumps(value, ensure_ascii=False)}"
        for source, value in found["patterns"].items()
    ]
    text = f'{{"python": "{found["python"]}", "patterns": {{\n' + ",\n".join(lines) + "\n}}\n"
    with resources.as_file(resources.files(_DATA_PACKAGE) / ANALYSIS_FILE) as path:
        path.write_text(text, encoding="utf-8")
        return str(path)


def _raw_patterns(data: Mapping[str, Any]) -> list[str]:
    """Every pattern the data writes, before macros are expanded."""
    raw: list[str] = []
    for entry in data["checks"]:
        for item in entry.get("patterns") or []:
            raw += _flatten(item["re"] if isinstance(item, Mapping) else item)
        for key in ("unless", "unless_sentence", "unless_text", "context"):
            raw += _flatten(entry.get(key))
    return raw


def _pat(raw: str, macros: Mapping[str, str], ctx: bool = False, noq: bool = False) -> _Pat:
    source = _expand(raw, macros)
    shipped = _shipped().get(source)
    if shipped is not None:
        groups, first = shipped
    else:
        try:
            groups, first = _analyse(source)  # parses it: a syntax error shows up here
        except re.error as exc:
            raise ValueError(f"coach data: bad pattern {raw!r}: {exc}") from exc
    lits = tuple((_group_id(g), g) for g in groups) if groups else None
    need = frozenset(gid for gid, _ in lits) if lits else None
    return _Pat(source, lits, first, ctx, noq, need)


@cache
def _compiled(source: str) -> re.Pattern[str]:
    """Compiled on first use (most patterns are skipped for most replies), once."""
    return re.compile(source, _FLAGS)


def _macros(data: Mapping[str, Any]) -> dict[str, str]:
    macros: dict[str, str] = {}
    for name, value in (data.get("macros") or {}).items():
        alts = _flatten(value)
        macros[str(name)] = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    return macros


def _build(data: Mapping[str, Any]) -> tuple[_Rule, ...]:
    macros = _macros(data)
    rules: list[_Rule] = []
    seen: set[str] = set()
    for entry in data["checks"]:
        check = Check(
            id=str(entry["id"]),
            title=str(entry["title"]),
            rationale=" ".join(str(entry["rationale"]).split()),
            suggestion=" ".join(str(entry["suggestion"]).split()),
            moments=frozenset(_flatten(entry.get("moments"))),
            absent=str(entry.get("flag_when", "present")) == "absent",
        )
        if check.id in seen:
            raise ValueError(f"coach data: duplicate check id {check.id!r}")
        seen.add(check.id)
        unknown = check.moments - set(MOMENTS)
        if unknown:
            raise ValueError(f"coach data: {check.id}: unknown moments {sorted(unknown)}")
        patterns: list[_Pat] = []
        for item in entry.get("patterns") or []:
            if isinstance(item, Mapping):
                if "re" not in item:
                    raise ValueError(f"coach data: {check.id}: pattern item without re: {item}")
                ctx, noq = bool(item.get("needs_context")), bool(item.get("not_in_question"))
                patterns.extend(_pat(p, macros, ctx, noq) for p in _flatten(item["re"]))
            else:
                patterns.extend(_pat(p, macros) for p in _flatten(item))

        def compiled(key: str, entry: Mapping[str, Any] = entry) -> tuple[_Pat, ...]:
            return tuple(_pat(p, macros) for p in _flatten(entry.get(key)))

        mode = str(entry.get("flag_when", "present"))
        if mode not in ("present", "absent"):
            raise ValueError(f"coach data: {check.id}: flag_when must be present or absent")
        scope = str(entry.get("context_scope", "clause"))
        if scope not in ("clause", "sentence"):
            raise ValueError(f"coach data: {check.id}: context_scope must be clause or sentence")
        rules.append(
            _Rule(
                check=check,
                mode=mode,
                patterns=tuple(patterns),
                unless=compiled("unless"),
                unless_sentence=compiled("unless_sentence"),
                unless_text=compiled("unless_text"),
                context=compiled("context"),
                context_scope=scope,
                min_hits=int(entry.get("min_hits", 1)),
                intent=_intent_name(check.id, entry.get("intent")),
                intent_min=float(entry.get("intent_min", INTENT_MIN)),
                unless_intents=tuple(
                    _intent_name(check.id, n) or "" for n in _flatten(entry.get("unless_intents"))
                ),
            )
        )
    return tuple(rules)


def _intent_name(check_id: str, name: object) -> str | None:
    if name is None:
        return None
    if str(name) not in intent_names():
        raise ValueError(f"coach data: {check_id}: unknown intent {name!r}")
    return str(name)


@cache
def _rules() -> tuple[_Rule, ...]:
    rules = _build(data())
    _shipped.cache_clear()  # read for the build only: not kept in memory after it
    return rules


class _Scanner:
    """Every required string of every pattern, found in a reply by one regular expression
    scan instead of a substring search per string (a reply is checked against hundreds).

    The expression is a trie of the strings inside a lookahead, so it is tried at every
    position and reports the longest string starting there; the strings that are prefixes
    of it start there too. A group of strings occurs in the reply exactly when one of its
    strings is found, as ``any(s in low for s in group)`` would say."""

    __slots__ = ("always", "groups_of", "regex", "size")

    def __init__(self, groups: Mapping[tuple[str, ...], int]) -> None:
        self.size = len(groups)
        strings = sorted({s for group in groups for s in group if s})
        by_string: dict[str, set[int]] = {}
        for group, gid in groups.items():
            for string in group:
                by_string.setdefault(string, set()).add(gid)
        # "" occurs in every reply
        self.always = frozenset(by_string.get("", ()))
        known = set(strings)
        self.groups_of = {
            s: frozenset().union(*(by_string[s[:i]] for i in range(1, len(s) + 1) if s[:i] in known))
            for s in strings
        }
        self.regex = re.compile(f"(?=({_trie(strings)}))") if strings else None

    def present(self, low: str) -> frozenset[int]:
        """The ids of the groups one of whose strings occurs in ``low``."""
        if self.regex is None:
            return self.always
        groups_of = self.groups_of
        found = set(self.always)
        for s in set(self.regex.findall(low)):
            found |= groups_of[s]
        return frozenset(found)


def _trie(strings: Iterable[str]) -> str:
    """A regular expression matching the longest of ``strings`` that starts at a position."""
    root: dict[str, Any] = {}
    for string in strings:
        node = root
        for ch in string:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: Mapping[str, Any]) -> str:
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body  # greedy: the longer string first

    return emit(root)


_SCANNER: list[_Scanner] = []


def _scanner() -> _Scanner:
    """The scanner of every group with an id (built again if a group was added since)."""
    _rules()  # every group gets its id while the rules are built
    if not _SCANNER or _SCANNER[0].size != len(_GROUP_IDS):
        _SCANNER[:] = [_Scanner(dict(_GROUP_IDS))]
    return _SCANNER[0]


# --------------------------------------------------------------------------- matching

# Sentences end at . ! ? or a line break; clauses also end at ";", a dash, or a comma
# followed by a conjunction. Both only mark boundaries; offsets never move.
_WHITE = re.compile(r"\s")
_CAPITALS = re.compile(r"\b[A-Z]")
_SENTENCE_END = re.compile(r"[.!?]+|\n+")
_CLAUSE_END = re.compile(
    r"[.!?;]+|\n+|\s[—–-]+\s|,\s*(?:but|and|so|because|though|although|yet)\b|\bbut\b",
    _FLAGS,
)


class _Reply:
    """The text being checked, with lazily computed boundaries and a lower-case copy."""

    __slots__ = (
        "_clauses",
        "_found",
        "_memo",
        "_pieces",
        "_present",
        "_read",
        "_sentences",
        "_spelt",
        "_spelt_asked",
        "aligned",
        "low",
        "text",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        # Only used to find where patterns could match (never matched against): lower case,
        # every whitespace character a space, every apostrophe a straight one.
        low = text.lower()
        self.aligned = len(low) == len(text)  # lower() kept every offset
        self.low = _WHITE.sub(" ", low).replace("’", "'") if self.aligned else low
        self._sentences: list[int] | None = None
        self._clauses: list[int] | None = None
        self._found: dict[str, list[int]] = {}
        self._present: frozenset[int] | None = None
        self._memo: dict[str, list[re.Match[str]]] = {}
        self._read: dict[str, tuple[str, float, float]] = {}
        self._pieces: list[Span] | None = None
        self._spelt: _Reply | None = None
        self._spelt_asked = False  # (not itself in _spelt: replay runs with the collector off)

    def spelt_out(self) -> _Reply | None:
        """The reply with its chat shorthand, contractions without an apostrophe and
        misspellings written out (every misspelling, even those the library has: the
        patterns know none), or None when that changes nothing. Kept: each absent check of
        a step asks for it, and ``met_absent`` asks again."""
        if not self._spelt_asked:
            text = written(self.text)
            text = corrected_as(text, corrections(text, frozenset(), model().targets))
            self._spelt = _reply(text) if text != self.text else None
            self._spelt_asked = True
        return self._spelt

    def may(self, pat: _Pat) -> bool:
        """False when the pattern cannot match: a required string does not occur."""
        return pat.need is None or pat.need <= self.present()

    def present(self) -> frozenset[int]:
        """The ids of the groups of required strings that occur in the reply."""
        present = self._present
        if present is None:
            present = self._present = _scanner().present(self.low)
        return present

    def _where(self, s: str) -> list[int]:
        """Where s starts in the lower-cased text (at a word start, if so marked)."""
        found = self._found.get(s)
        if found is None and s == _CAPITAL:
            found = self._found[s] = [m.start() for m in _CAPITALS.finditer(self.text)]
        if found is None:
            low = self.low
            word = s.startswith(_WORD_START)
            needle = s[1:] if word else s
            found = []
            i = low.find(needle)
            while i >= 0:
                if not word or i == 0 or not (low[i - 1].isalnum() or low[i - 1] == "_"):
                    found.append(i)
                i = low.find(needle, i + 1)
            self._found[s] = found
        return found

    def finditer(self, pat: _Pat, start: int = 0, end: int = -1) -> Iterable[re.Match[str]]:
        """Like ``pat.regex.finditer(text, start, end)``, trying only plausible starts."""
        if start == 0 and end < 0:  # the whole reply: remember, patterns are shared
            memo = self._memo.get(pat.source)
            if memo is None:
                memo = self._memo[pat.source] = list(self._finditer(pat, 0, len(self.text)))
            return memo
        return self._finditer(pat, start, len(self.text) if end < 0 else end)

    def _finditer(self, pat: _Pat, start: int, stop: int) -> Iterable[re.Match[str]]:
        if pat.first is None or not self.aligned:
            yield from pat.regex.finditer(self.text, start, stop)
            return
        starts: set[int] = set()
        for s in pat.first:
            where = self._where(s)
            lo = bisect.bisect_left(where, start)
            hi = bisect.bisect_left(where, stop)
            starts.update(where[lo:hi])
        after = -1
        for pos in sorted(starts):
            if pos < after:
                continue
            m = pat.regex.match(self.text, pos, stop)
            if m:
                yield m
                after = max(m.end(), pos + 1)

    @staticmethod
    def _around(cuts: list[int], pos: int, size: int) -> tuple[int, int]:
        i = bisect.bisect_right(cuts, pos)
        return (cuts[i - 1] if i > 0 else 0), (cuts[i] if i < len(cuts) else size)

    def sentence(self, pos: int) -> tuple[int, int]:
        if self._sentences is None:
            self._sentences = [m.end() for m in _SENTENCE_END.finditer(self.text)]
        return self._around(self._sentences, pos, len(self.text))

    def clause(self, pos: int) -> tuple[int, int]:
        if self._clauses is None:
            self._clauses = [m.end() for m in _CLAUSE_END.finditer(self.text)]
        return self._around(self._clauses, pos, len(self.text))

    def clauses(self) -> list[Span]:
        """Every clause with three words or more, trimmed (the intent checks read them)."""
        if self._pieces is not None:
            return self._pieces
        if self._clauses is None:
            self.clause(0)
        assert self._clauses is not None
        cuts = [0, *self._clauses, len(self.text)]
        out = []
        for start, end in itertools.pairwise(cuts):
            piece = self.text[start:end]
            if len(_WORDS.findall(piece)) >= 3:
                lead = len(piece) - len(piece.lstrip(" ,;:-—–"))
                out.append(Span(start + lead, start + len(piece.rstrip())))
        self._pieces = out
        return out

    def read(self, span: Span) -> tuple[str, float, float]:
        """What a clause does (its top intent), how confidently, and the runner-up's confidence."""
        key = f"{span.start}:{span.end}"
        found = self._read.get(key)
        if found is None:
            (intent, p), (_, runner_up) = recognise(self.text[span.start : span.end]).scores[:2]
            found = self._read[key] = (intent, p, runner_up)
        return found

    def is_question(self, pos: int) -> bool:
        _, end = self.sentence(pos)
        return "?" in self.text[max(0, end - 3) : end]

    def search(self, pats: Iterable[_Pat], start: int = 0, end: int = -1) -> bool:
        for p in pats:
            if self.may(p):
                for _ in self.finditer(p, start, end):
                    return True
        return False

    def spans(self, pats: Iterable[_Pat]) -> list[Span]:
        return [Span(m.start(), m.end()) for p in pats if self.may(p) for m in self.finditer(p)]


def _hit(m: re.Match[str]) -> Span:
    if "w" in m.re.groupindex and m.start("w") >= 0:
        return Span(m.start("w"), m.end("w"))
    return Span(m.start(), m.end())


def _has_context(rule: _Rule, reply: _Reply, hit: Span) -> bool:
    """A context match near the hit that is not just the hit's own words."""
    if rule.context_scope == "sentence":
        start, end = reply.sentence(hit.start)
    else:
        start, end = reply.clause(hit.start)
    for p in rule.context:
        if not reply.may(p):
            continue
        for m in reply.finditer(p, start, end):
            if m.start() < hit.start or m.end() > hit.end:
                return True
    return False


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, s.end)):
        if out and s.start < out[-1].end:
            last = out[-1]
            out[-1] = Span(last.start, max(last.end, s.end))
        else:
            out.append(s)
    return out


def _present(rule: _Rule, reply: _Reply) -> list[Span]:
    hits: list[Span] = []
    present = reply.present()
    for pat in rule.patterns:
        if pat.need is not None and not pat.need <= present:  # reply.may(pat), inlined
            continue
        for m in reply.finditer(pat):
            span = _hit(m)
            if span.start == span.end:
                continue
            if pat.not_in_question and reply.is_question(span.start):
                continue
            if pat.needs_context and not _has_context(rule, reply, span):
                continue
            hits.append(span)
    if rule.intent is not None:
        hits += [
            c
            for c in reply.clauses()
            if not _overlaps(c, hits) and _reads_as(reply, c, rule.intent, rule.intent_min)
        ]
    if not hits:
        return hits
    if rule.unless:
        blockers = _merge(reply.spans(rule.unless))
        if blockers:
            starts = [b.start for b in blockers]
            kept = []
            for s in hits:
                i = bisect.bisect_left(starts, s.end) - 1  # last blocker starting before s.end
                if i >= 0 and blockers[i].end > s.start:
                    continue
                kept.append(s)
            hits = kept
    if rule.unless_sentence and hits:
        hits = [s for s in hits if not reply.search(rule.unless_sentence, *reply.sentence(s.start))]
    hits = _merge(hits)
    if len(hits) < rule.min_hits:
        return []
    if rule.unless_text and reply.search(rule.unless_text):
        return []
    if rule.unless_intents and any(
        _reads_as(reply, c, i, rule.intent_min) for c in reply.clauses() for i in rule.unless_intents
    ):
        return []
    return hits


def _overlaps(span: Span, others: list[Span]) -> bool:
    return any(o.start < span.end and span.start < o.end for o in others)


def _reads_as(reply: _Reply, clause: Span, intent: str, at_least: float) -> bool:
    """The clause reads as ``intent``: its top reading, this confident, well ahead of the next."""
    name, p, runner_up = reply.read(clause)
    return name == intent and p >= at_least and p >= INTENT_LEAD * runner_up


def _says(reply: _Reply, patterns: Iterable[_Pat]) -> bool:
    """Whether the reply says what the patterns look for, as typed or written out: typed
    fast, "cud we do a check in every month" asks as plainly as "could we..." does."""
    if reply.search(patterns):
        return True
    spelt = reply.spelt_out()
    return spelt is not None and spelt.search(patterns)


def _whole(text: str) -> Span:
    start = len(text) - len(text.lstrip())
    return Span(start, len(text.rstrip()))


def _run(rule: _Rule, reply: _Reply, complete: bool) -> list[Span]:
    if rule.mode == "present":
        return _present(rule, reply)
    # "absent": flag the whole reply when none of the patterns occurs.
    if not complete or _says(reply, rule.patterns):
        return []
    if rule.unless_text and reply.search(rule.unless_text):
        return []
    return [_whole(reply.text)]


# --------------------------------------------------------------------------- public API


def checks() -> tuple[Check, ...]:
    """All checks, in a stable order (the order of the data file)."""
    return tuple(rule.check for rule in _rules())


def prime() -> None:
    """Compile every pattern and the pre-filter's scanner now (they are otherwise compiled
    on first use), so that no reply ever waits on a compile: the app calls it in a worker
    when a conversation opens."""
    for rule in _rules():
        for pat in (*rule.patterns, *rule.unless, *rule.unless_sentence, *rule.unless_text, *rule.context):
            _compiled(pat.source)
    _scanner()


def applies(check: Check, expects: Collection[str]) -> bool:
    """Whether ``check`` runs at a node that expects these moments."""
    return not check.moments or not check.moments.isdisjoint(expects)


def coach(
    text: str,
    *,
    expects: frozenset[str] | Collection[str] = frozenset(),
    disabled: Collection[str] = (),
) -> tuple[Flag, ...]:
    """Check one reply. ``expects`` are the node's moments; ``disabled`` are check ids.

    Returns one flag per check that fired, in the order of :func:`checks`, each with the
    spans (into ``text``) of the words that triggered it. A blank reply is never flagged.
    """
    if not text or text.isspace():
        return ()
    moments = expects if isinstance(expects, frozenset) else frozenset(expects)
    off = disabled if isinstance(disabled, frozenset) else frozenset(disabled)
    if len(text) <= CACHED_CHARS:
        return _coach_cached(text, moments, off)
    return _coach(text, moments, off)


def met_absent(text: str) -> frozenset[str]:
    """The checks of what a reply leaves out (no thanks, no ask) that ``text`` does not
    leave out: once you have thanked, a later reply is not flagged for missing thanks."""
    absent = [c for c in checks() if c.absent]
    moments = frozenset(m for c in absent for m in c.moments)
    others = frozenset(c.id for c in checks() if not c.absent)
    fired = {f.check.id for f in coach(text, expects=moments, disabled=others)}
    return frozenset(c.id for c in absent if c.id not in fired)


@cache
def _remedied() -> dict[str, _Rule]:
    """The checks a later reply can make good: what is left out (absent checks), and what
    must come with a move (``unless_intents``: a decline without an alternative)."""
    return {r.check.id: r for r in _rules() if r.mode == "absent" or r.unless_intents}


@lru_cache(maxsize=1024)
def made_good(check: Check, text: str) -> bool:
    """Whether ``text`` does what ``check`` found missing: the ask or the thanks an absent
    check wanted, or what a "declined without an alternative" wanted said. A tip for
    next time is owed only when no later reply made good the flag. (Cached: a debrief asks
    once for its rubric and once for its tips.)"""
    rule = _remedied().get(check.id)
    if rule is None or not text.strip():
        return False
    reply = _reply(text[:MAX_CHARS])
    if rule.mode == "absent":
        return _says(reply, rule.patterns)
    return any(_reads_as(reply, c, i, rule.intent_min) for c in reply.clauses() for i in rule.unless_intents)


CACHED_CHARS = 40
"""Short replies are checked once per (text, moments, checks off): exploring a script picks
replies by number ("1", "2"...) thousands of times, and the answer is a pure value."""


@lru_cache(maxsize=512)
def _coach_cached(text: str, moments: frozenset[str], off: frozenset[str]) -> tuple[Flag, ...]:
    return _coach(text, moments, off)


@lru_cache(maxsize=8)
def _reply(text: str) -> _Reply:
    """The reply's analysis (boundaries, pre-filter, matches), shared by the checks of one
    step: ``met_absent`` runs the absent checks again over the text the step just coached.
    Its memos fill in as checks ask, always with the same values for the same text."""
    return _Reply(text)


def _coach(text: str, moments: frozenset[str], off: frozenset[str]) -> tuple[Flag, ...]:
    reply = _reply(text[:MAX_CHARS])
    complete = len(text) <= MAX_CHARS
    # typed without apostrophes ("if thats ok", "im just ok at it"), the patterns, which
    # know the written forms, also read it written out; their spans point at what was typed
    typed = written_where(text[:MAX_CHARS])
    flags: list[Flag] = []
    for rule in _rules():
        check = rule.check
        if check.id in off or not applies(check, moments):
            continue
        spans = _run(rule, reply, complete)
        if typed is not None and rule.mode == "present":
            form, starts, ends = typed
            found = [Span(starts[s.start], ends[s.end]) for s in _present(rule, _reply(form))]
            spans = _merge(spans + found) if found else spans
        if spans:
            flags.append(Flag(check, tuple(spans), text))
    return tuple(flags)
