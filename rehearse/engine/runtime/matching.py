"""Free text -> one of a node's replies, or a clarify, with the reasons why.

Matching the wrong reply is the worst error a rehearsal can make (the boss answers
something the user never said); asking to rephrase is cheap. So the matcher blends several
fuzzy scores instead of trusting one, penalises a negation present on one side only, and
asks "A or B?" when two replies are too close to call. Examples are prepared once per
text, a node's weights once per node; a step normalises the user's text and scores each of
its clauses against all the node's examples in a few batched rapidfuzz calls.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Any, Literal

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from rehearse.engine.model import ReplyKind
from rehearse.engine.runtime.intents import ASIDES
from rehearse.engine.runtime.polarity import (
    HEDGED,
    NOTHING_ASKED,
    OPPOSITES,
    Question,
    opposite_replies,
    with_a_not,
    without_its_not,
)
from rehearse.engine.runtime.pooled import Pooled
from rehearse.engine.runtime.reasons import (
    AGAINST_A_NOT,
    ANSWERED_NO,
    ANSWERED_YES,
    CONFIRMED_BY_NOT,
    NEGATED_YES,
    SECOND_POINT,
    THROUGH_NOT,
    intent_note,
)
from rehearse.engine.runtime.recognise import (
    IntentScore,
    Recognition,
    example_features,
    model,
    plain_intent,
    recognise,
)
from rehearse.engine.runtime.recognise import features as text_features
from rehearse.engine.runtime.spelling import corrected_as, corrections
from rehearse.engine.runtime.words import (
    AFFIRM_PHRASES,
    BUT,
    CLAUSE,
    DENY_PHRASES,
    LEAD_AFFIRM,
    LEAD_DENY,
    NEGATORS,
    STOPWORDS,
    UN_WORDS,
    bare,
    concept,
    expand,
    normalise,
    plain_answer,
    strip_filler,
    turn_tail,
    with_names,
    with_stops,
)

# Tuned by sweeping over tests/fixtures/match_eval.yaml (tests/benchmarks/bench_matching.py).
THRESHOLD = 62.0
MARGIN = 5.0
NEGATION_PENALTY = 40.0
ONE_SIDED = "negation on one side only"  # the note a negation on one side of a pair leaves
# what a negation costs a pair that shares no concept ("I don't want it" / "I want it")
_LOOSE_NEGATION = (NEGATION_PENALTY / 2, ONE_SIDED)
KEYWORD_BONUS = 6.0
KEYWORD_BONUS_MAX = 12.0
LEAD_BONUS = 10.0
NEGATED_YES_DISCOUNT = 5.0
SEMANTIC_WEIGHT = 1.0
NEGATION_WINDOW = 3
SHORT_EXTRA = 10.0
MAX_INPUT_CHARS = 2000
# A reply is scored as a whole and clause by clause, each against every example of the node.
# Past this many readings only the whole and its last two clauses are scored: the middle
# ones are still in the whole, a long reply's point is mostly in its last words, and the 8%
# of replies with more made the slowest steps (out of fold the tuning material read no worse).
MAX_CLAUSES = 3

# The intent layer (rehearse.engine.runtime.recognise), tuned on the tuning half of
# tests/fixtures/understanding_eval.yaml.
INTENT_SCALE = 70.0  # a reply's intent score is its best intent's confidence times this
CHECK_FLOOR = 40.0  # a near miss from this score up, clearly ahead, gets a check-back
CHECK_MARGIN = 6.0
ASIDE_CONFIDENCE = 0.7  # an aside intent this confident, with no reply for it, is an aside
ASIDE_OVERRIDE = 0.9  # an aside this plain wins over a reply that only shares words ...
OVERRIDE_BELOW = 75.0  # ... scoring below this
ASIDE_FALLBACK = 0.3  # when no reply is taken at all, an aside intent this confident ...
ASIDE_LEAD = 1.3  # ... and this many times the next reading is an aside, not "lost you"
ASIDE_FALLBACK_SHORT = 0.15  # (three words or fewer read thinly: "Thanks." is thank at 0.26)
INTENT_GATE = 0.6  # a reply its require/forbid words rule out is reached only this confidently
INTENT_DOUBT = 10.0  # a reply whose intent reads below INTENT_TRUST loses up to this much
INTENT_TRUST = 0.3
VETO_CONFIDENCE = 0.7  # a reading this confident of another intent ...
VETO_BELOW = 0.02  # ... when the reply's own intents are below this, outweighs close words
OWN_WORDS = 97.0  # the author's own example, near enough word for word, is never vetoed

DecisionKind = Literal["matched", "ambiguous", "none", "aside", "checkback"]

BREAK = "qqbreakqq"
_PUNCTUATION = re.compile(r"[.,;:!?()]+")


def _marked(expanded: str) -> str:
    """Normalised text that keeps clause breaks as a marker word, to bound negation scope."""
    return str(default_process(_PUNCTUATION.sub(f" {BREAK} ", expanded)))


@dataclass(frozen=True)
class Phrase:
    """A normalised piece of text with what the matcher needs precomputed."""

    text: str
    tokens: tuple[str, ...]
    content: str
    content_set: frozenset[str]
    concepts: frozenset[str]  # stemmed content words, synonyms folded
    negated: frozenset[str]  # concepts with a negator within three words before them
    negative: bool  # an odd number of negators: the polarity of a reply with no content words
    # the words in order: token_sort_ratio is fuzz.ratio of these, and they are sorted once
    sorted_text: str
    sorted_content: str
    # its distinct words, sorted: token_set_ratio sees only the set of words, and a rapidfuzz
    # call splits and sorts presorted words faster
    word_set: str

    @staticmethod
    def of(marked: str) -> Phrase:
        """From _marked() text; a clause break ends the reach of a negator."""
        words = marked.split()
        tokens = tuple(t for t in words if t != BREAK)
        normalised = " ".join(tokens)
        content_tokens = [t for t in tokens if t not in STOPWORDS and t not in NEGATORS]
        concepts = frozenset(concept(t[2:] if t in UN_WORDS else t) for t in content_tokens)
        negated = set()
        # words that carry meaning (negators included) are counted from the clause's start;
        # a word is negated when a negator is among the NEGATION_WINDOW such words before it
        count = 0
        negator_at = -NEGATION_WINDOW - 1  # where the last negator came
        for token in words:
            if token == BREAK:
                count, negator_at = 0, -NEGATION_WINDOW - 1
                continue
            if token in STOPWORDS:
                continue
            if token in UN_WORDS:
                negated.add(concept(token[2:]))
            elif token not in NEGATORS and count - negator_at <= NEGATION_WINDOW:
                negated.add(concept(token))
            if token in NEGATORS:
                negator_at = count
            count += 1
        return Phrase(
            normalised,
            tokens,
            " ".join(content_tokens),
            frozenset(content_tokens),
            concepts,
            frozenset(negated) & concepts,
            sum(t in NEGATORS for t in tokens) % 2 == 1,
            " ".join(sorted(tokens)),
            " ".join(sorted(content_tokens)),
            " ".join(sorted(set(tokens))),
        )


@lru_cache(maxsize=65536)
def phrase_of(text: str) -> Phrase:
    """The prepared phrase of a text, cached by text: examples recur from node to node, and
    the checker decides each example against its node (work in proportion to distinct texts)."""
    return Phrase.of(_marked(expand(text)))


@dataclass(frozen=True)
class Candidate:
    """One reply of a node, prepared for matching."""

    id: str
    label: str
    examples: tuple[Phrase, ...]
    raw_examples: tuple[str, ...]
    kind: ReplyKind | None
    keywords: tuple[str, ...]
    require: tuple[str, ...]
    forbid: tuple[str, ...]
    concepts: frozenset[str] = frozenset()
    intents: tuple[str, ...] = ()
    names: frozenset[str] = frozenset()  # the session's names, in lower case: read as names
    asked: Question = NOTHING_ASKED  # what the boss asks at the reply's node


def prepare(
    reply_id: str,
    examples: Sequence[str],
    *,
    label: str | None = None,
    kind: ReplyKind | None = None,
    keywords: Iterable[str] = (),
    require: Iterable[str] = (),
    forbid: Iterable[str] = (),
    intents: Iterable[str] = (),
    names: frozenset[str] = frozenset(),
    asked: Question = NOTHING_ASKED,
) -> Candidate:
    phrases = tuple(phrase_of(e) for e in examples)
    return Candidate(
        id=reply_id,
        label=label or (examples[0] if examples else reply_id),
        examples=phrases,
        raw_examples=tuple(examples),
        kind=kind,
        keywords=tuple(normalise(k) for k in keywords if normalise(k)),
        require=tuple(normalise(k) for k in require if normalise(k)),
        forbid=tuple(normalise(k) for k in forbid if normalise(k)),
        concepts=frozenset().union(*(p.concepts for p in phrases)),
        intents=tuple(intents),
        names=names,
        asked=asked,
    )


@dataclass(frozen=True)
class ReplyScore:
    """How well the text fits one reply, and why."""

    reply: str
    score: float
    example: str | None = None
    clause: str | None = None
    keywords: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    intent: str | None = None  # the reply's intent that the reply was recognised as most
    intent_p: float = 0.0  # ... and how confidently (0..1)

    def to_json(self) -> dict[str, object]:
        return {
            "reply": self.reply,
            "score": round(self.score, 1),
            "example": self.example,
            "clause": self.clause,
            "keywords": list(self.keywords),
            "notes": list(self.notes),
            "intent": self.intent,
            "intent_p": round(self.intent_p, 3),
        }


@dataclass(frozen=True)
class Decision:
    kind: DecisionKind
    reply: str | None
    candidates: tuple[str, ...]  # the two replies an ambiguous decision could not separate
    scores: tuple[ReplyScore, ...]  # every reply, best first
    reason: str
    intent: str | None = None  # what the reply was recognised as doing, whatever the node takes
    confidence: float = 0.0  # ... how confidently (0..1)
    evidence: tuple[str, ...] = ()  # the words that carried it
    belief: float | None = None  # how sure the decision model was of the best reply (0..1)

    def to_json(self) -> dict[str, object]:
        return {
            "decision": self.kind,
            "reply": self.reply,
            "candidates": list(self.candidates),
            "reason": self.reason,
            "belief": None if self.belief is None else round(self.belief, 3),
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "evidence": list(self.evidence),
            "scores": [s.to_json() for s in self.scores],
        }


def _has_word(phrase: Phrase, word: str) -> bool:
    """Typo-tolerant presence of a keyword (a word, a stem or a short phrase)."""
    if " " in word:
        return word in phrase.text or fuzz.partial_ratio(word, phrase.text) >= 90
    tokens = phrase.tokens
    if word in tokens:
        return True
    # some token starts with the word: the text is its tokens joined by single spaces
    if len(word) >= 4 and f" {word}" in f" {phrase.text}":
        return True
    if len(word) < 5:
        return False
    near = _long_tokens(phrase.text)
    return process.extractOne(word, near, scorer=fuzz.ratio, processor=None, score_cutoff=84) is not None


@lru_cache(maxsize=256)
def _long_tokens(text: str) -> tuple[str, ...]:
    """The words of four letters or more, that a keyword's typo is looked for among (once per
    text: a step checks every reply's keywords against the same words)."""
    return tuple(token for token in text.split() if len(token) >= 4)


def _clauses(text: str) -> list[str]:
    """The whole text and its clauses; after 'but', only what follows counts."""
    lowered = expand(text)
    tail = turn_tail(lowered)
    if tail is not None and len(default_process(tail).split()) >= 2:
        lowered = tail
    pieces = [lowered, *(CLAUSE.split(lowered))]
    seen: list[str] = []
    for piece in pieces:
        norm = _marked(piece)
        if norm.replace(BREAK, "").strip() and norm not in seen:
            seen.append(norm)
    return seen


def _idf(candidates: Sequence[Candidate]) -> dict[str, float]:
    """Concepts found in fewer replies of the node say more about which reply is meant."""
    counts: dict[str, int] = {}
    for cand in candidates:
        for c in cand.concepts:
            counts[c] = counts.get(c, 0) + 1
    total = len(candidates) + 1
    return {c: 1.0 + math.log(total / (n + 1)) for c, n in counts.items()}


class _Weights:
    """What every decision at one node shares, computed once per node rather than per
    decision: idf weights, each example's norm, the examples as flat lists (columns) that a
    clause's pass reads and rapidfuzz scores in one batched call, and which examples have
    each concept."""

    __slots__ = (
        "_candidates",
        "_opposites",
        "_pooled",
        "_sources",
        "bare",
        "contents",
        "distinct_lengths",
        "examples",
        "has_concepts",
        "has_content",
        "holding",
        "idf",
        "lengths",
        "negated",
        "negates",
        "norms",
        "sorted_texts",
        "squared",
        "turns",
        "unknown",
        "word_sets",
        "words",
    )

    def __init__(self, candidates: Sequence[Candidate]) -> None:
        self.idf = _idf(candidates)
        self.unknown = 1.0 + math.log(len(candidates) + 1)
        self.squared = {c: w * w for c, w in self.idf.items()}  # weight() of the node's concepts
        self.examples = [e for c in candidates for e in c.examples]
        self.word_sets = [e.word_set for e in self.examples]
        # never misspelt: the node's words, and the session's names
        said = frozenset(t for e in self.examples for t in e.tokens)
        self.words = said.union(*(c.names for c in candidates))
        self.lengths = [len(e.tokens) for e in self.examples]
        self.distinct_lengths = set(self.lengths)
        self.has_content = [bool(e.content) for e in self.examples]
        self.negated = [k for k, e in enumerate(self.examples) if e.negated]  # which negate
        self.negates = [bool(e.negated) for e in self.examples]
        self.has_concepts = [bool(e.concepts) for e in self.examples]
        self.bare = [k for k, e in enumerate(self.examples) if not e.concepts]  # no content word
        self.holding: dict[str, list[int]] = {}  # which examples have each concept
        for k, e in enumerate(self.examples):
            for c in e.concepts:
                self.holding.setdefault(c, []).append(k)
        self.sorted_texts = [e.sorted_text for e in self.examples]
        self.contents = [e.sorted_content for e in self.examples]
        self.norms = [self.norm(e) for e in self.examples]
        self.turns = [len(BUT.split(e.text)) > 1 for e in self.examples]  # "X but Y" examples
        self._sources = [(c.id, c.raw_examples) for c in candidates]
        self._pooled: Pooled | None = None
        self._candidates = tuple(candidates)
        self._opposites: dict[str, frozenset[str]] | None = None

    @property
    def pooled(self) -> Pooled:
        """The node's replies with their examples pooled, counted when first asked for."""
        if self._pooled is None:
            self._pooled = Pooled.of(
                [(reply, [example_features(e) for e in examples]) for reply, examples in self._sources]
            )
        return self._pooled

    @property
    def opposites(self) -> dict[str, frozenset[str]]:
        """Each reply's opposites here (runtime/polarity.py), found when first asked for."""
        if self._opposites is None:
            self._opposites = opposite_replies(self._candidates)
        return self._opposites

    def weight(self, concept_: str) -> float:
        w = self.idf.get(concept_, self.unknown)
        return w * w

    def norm(self, phrase: Phrase) -> float:
        return math.sqrt(math.fsum(self.weight(c) for c in phrase.concepts))


_NODE_WEIGHTS: dict[int, tuple[Sequence[Candidate], _Weights]] = {}
_NODE_WEIGHTS_KEPT = 256


def _weights_for(candidates: Sequence[Candidate]) -> _Weights:
    """One node's weights, kept by identity: a session prepares a node's candidates once and
    passes the same tuple to every decision there (a value cache: no effect on results)."""
    if not isinstance(candidates, tuple):  # a list may change between calls
        return _Weights(candidates)
    found = _NODE_WEIGHTS.get(id(candidates))
    if found is not None and found[0] is candidates:
        return found[1]
    weights = _Weights(candidates)
    if len(_NODE_WEIGHTS) >= _NODE_WEIGHTS_KEPT:
        _NODE_WEIGHTS.clear()
    _NODE_WEIGHTS[id(candidates)] = (candidates, weights)
    return weights


def _row(query: str, choices: list[str], scorer: Any) -> list[float]:
    """``scorer(query, choice)`` for every choice, in one rapidfuzz call."""
    row = [0.0] * len(choices)
    for _, score, i in process.extract(query, choices, scorer=scorer, processor=None, limit=None):
        row[i] = score
    return row


def _blend(
    s_sort: float, s_set: float, damp: float | None, content: float | None, s_sem: float, penalty: float
) -> float:
    """A pair's score from its scores: ``damp`` is how far lengths let token_set_ratio be
    trusted, ``content`` the content words' score (None: the lesser of the other two stands
    in), ``penalty`` what a negation on one side costs."""
    if damp is not None:
        s_set *= damp
    s_content = content if content is not None else min(s_sort, s_set)
    return (s_sort + s_set + s_content + SEMANTIC_WEIGHT * s_sem) / (3.0 + SEMANTIC_WEIGHT) - penalty


@dataclass(frozen=True)
class _Rows:
    """One clause of the user's reply against every example of the node: each pair's scores
    but for ``token_set_ratio``, a column per score, and an upper bound of each pair's blend.

    ``token_set_ratio`` costs most (several times the rest of a pair together), so it is
    computed pair by pair, only where the pair can still beat its reply's best (see
    _score_candidate): about half the pairs. A rapidfuzz call costs the same per pair for
    it whether batched or not."""

    phrase: Phrase
    sort: list[float]
    damps: list[float | None]
    contents: list[float | None]
    semantic: list[float]
    penalties: list[float]
    notes: list[str | None]  # the negation note of each pair
    bounds: list[float]  # the blend with token_set_ratio at 100: rounding keeps it a bound
    scores: list[float | None]  # each pair's score, once known

    @staticmethod
    def of(phrase: Phrase, weights: _Weights, whole: Phrase) -> _Rows:
        """``whole`` is the reading's first clause, whose negations reach every clause."""
        n = len(weights.examples)
        # fuzz.ratio of words in order is token_sort_ratio, without sorting every example again
        sort = _row(phrase.sorted_text, weights.sorted_texts, fuzz.ratio)
        contents: list[float | None] = [None] * n
        if phrase.content:
            row = _row(phrase.sorted_content, weights.contents, fuzz.ratio)
            contents = [c if has else None for c, has in zip(row, weights.has_content, strict=True)]
        # token_set_ratio gives 100 whenever one side's words are a subset of the other's:
        # "maybe" against "okay maybe I will apply". Trust it only as far as lengths compare.
        mine = len(phrase.tokens)
        damp_of = {
            theirs: None
            if theirs == mine
            else min(1.0, 0.5 + (mine / theirs if mine < theirs else theirs / mine))
            for theirs in weights.distinct_lengths
        }
        damps = [damp_of[theirs] for theirs in weights.lengths]
        # the concepts each example shares with the clause, from the node's index: most
        # examples share none
        sharing: dict[int, list[str]] = {}
        for c in phrase.concepts:
            for k in weights.holding.get(c, ()):
                sharing.setdefault(k, []).append(c)
        # cosine of idf-weighted concept sets: shared meaning, not shared spelling
        norm = weights.norm(phrase)
        squared = weights.squared.__getitem__  # shared concepts are the node's
        semantic = [0.0] * n
        for k, found in sharing.items():
            semantic[k] = 100.0 * math.fsum(map(squared, found)) / (norm * weights.norms[k])
        penalties = [0.0] * n
        notes: list[str | None] = [None] * n
        negating: Sequence[int] = range(n)
        if not (phrase.negated or whole.negated):
            # (every other negation check needs a negated concept somewhere)
            negating = weights.negated
            if not phrase.concepts:
                # "That's not all from me" against "That's all from me": no content word to
                # carry it (an example without one negates nothing)
                for k in weights.bare:
                    if weights.examples[k].negative != phrase.negative:
                        penalties[k], notes[k] = NEGATION_PENALTY, ONE_SIDED
        # An example that shares no concept with the clause or with the whole reply can only
        # be caught by _negation's last check (one side negated, both with content words):
        # decided here from two flags, without the call (a step at a large node made one per
        # example, a sixth of its time).
        near = set(sharing).union(*(weights.holding.get(c, ()) for c in whole.concepts))
        negated = bool(phrase.negated)
        for k in negating:
            if k in near:
                shared = frozenset(sharing.get(k, ()))
                penalties[k], notes[k] = _negation(phrase, weights.examples[k], shared, whole)
            elif phrase.concepts and weights.has_concepts[k] and weights.negates[k] != negated:
                penalties[k], notes[k] = _LOOSE_NEGATION
        # the blend with token_set_ratio at 100, as _blend has it (inline: one call per pair
        # cost as much as the rest of the pass)
        tops = [100.0 if damp is None else 100.0 * damp for damp in damps]
        bounds = [
            (s_sort + top + (c if c is not None else min(s_sort, top)) + SEMANTIC_WEIGHT * s_sem)
            / (3.0 + SEMANTIC_WEIGHT)
            - penalty
            for s_sort, top, c, s_sem, penalty in zip(sort, tops, contents, semantic, penalties, strict=True)
        ]
        return _Rows(phrase, sort, damps, contents, semantic, penalties, notes, bounds, [None] * n)

    def score(self, k: int, weights: _Weights) -> float:
        """The pair's score with the ``k``-th example (token_set_ratio computed once)."""
        found = self.scores[k]
        if found is None:
            s_set = fuzz.token_set_ratio(self.phrase.word_set, weights.word_sets[k])
            found = self.scores[k] = _blend(
                self.sort[k], s_set, self.damps[k], self.contents[k], self.semantic[k], self.penalties[k]
            )
        return found


def _negation(
    user: Phrase, example: Phrase, shared: frozenset[str], whole: Phrase
) -> tuple[float, str | None]:
    """What a negation on one side only costs a pair (from concepts alone), and the note."""
    # (the negation checks below can only fire when some side has a negated concept)
    if shared and (user.negated or example.negated) and (user.negated & shared) != (example.negated & shared):
        return NEGATION_PENALTY, ONE_SIDED
    # A clause may look clean while the rest of the reply negates what the example affirms.
    if whole.negated or example.negated:
        wide = whole.concepts & example.concepts
        if (whole.negated & wide) - example.negated or (example.negated & wide) - whole.negated:
            return NEGATION_PENALTY, ONE_SIDED
    # "I don't want it" against "I want it": the negated word is the shared meaning.
    if not shared and user.concepts and example.concepts and bool(user.negated) != bool(example.negated):
        return _LOOSE_NEGATION
    return 0.0, None


@dataclass(frozen=True)
class _Reading:
    """The user's text analysed for matching, whatever the node."""

    phrases: tuple[Phrase, ...]  # the clauses that carry a point (the first always)
    whole: Phrase
    lead: ReplyKind | None
    tail: str | None  # what follows its turn ("X but Y": Y), expanded

    @property
    def turned(self) -> bool:
        return self.tail is not None


@lru_cache(maxsize=4096)
def _read(text: str) -> _Reading:
    """Cached by text: the checker decides the same example at each node it appears in."""
    clauses = [Phrase.of(c) for c in _clauses(text)]
    # A clause of filler ("thanks", "to be honest") must not outscore the point being made.
    phrases = tuple(
        p
        for i, p in enumerate(clauses)
        if i == 0 or len(p.content_set) >= 2 or any(t in NEGATORS for t in p.tokens)
    )
    if len(phrases) > MAX_CLAUSES:
        phrases = (phrases[0], *phrases[1 - MAX_CLAUSES :])
    whole = phrase_of(text)
    return _Reading(phrases, whole, _lead(bare(text)), turn_tail(expand(text)))


@dataclass(frozen=True)
class _Scoring:
    """Every reply of a node scored against one text, before anything is decided."""

    text: str  # the text without its filler opening
    whole: Phrase
    ranked: tuple[ReplyScore, ...]  # best first
    by_words: dict[str, float]  # each reply's score on its words alone
    recognised: Recognition
    candidates: tuple[Candidate, ...]
    said: tuple[ClauseReading, ...] = ()  # what each clause plainly does (_clause_readings)

    @cached_property
    def taken(self) -> frozenset[str]:
        """Every intent some reply here stands for."""
        return frozenset(i for c in self.candidates for i in c.intents)

    @cached_property
    def two_ways(self) -> bool:
        return _two_ways(self.text)

    @cached_property
    def pooled(self) -> dict[str, float]:
        return _shares(self.text, self.candidates)


def _score_all(text: str, candidates: Sequence[Candidate], recognition: Recognition | None) -> _Scoring:
    reading = _read(text)
    whole = reading.whole
    weights = _weights_for(candidates)
    scored = _Scored(reading, weights)
    recognised = recognition if recognition is not None else recognise(text)
    results: dict[str, ReplyScore] = {}
    by_words: dict[str, float] = {}
    negated_affirm: ReplyScore | None = None
    counted = Counter(i for c in candidates for i in set(c.intents))
    shared = {i for i, n in counted.items() if n > 1}
    held = frozenset(counted)
    # A word or two tells the recogniser little: then the words alone decide.
    readable = len(whole.tokens) > 2
    said = _clause_readings(text) if readable and any(c.intents for c in candidates) else ()
    words: dict[str, ReplyScore] = {}
    start = 0
    for cand in candidates:
        words[cand.id], negated = _score_candidate(cand, start, scored)
        start += len(cand.examples)
        by_words[cand.id] = words[cand.id].score
        if cand.kind == "affirm" and negated is not None:
            negated_affirm = negated
    by_kind = {c.kind: c for c in candidates if c.kind is not None}
    deny = by_kind.get("deny")
    # "I'm not sure" against "For sure, I'm in" is a hedge, not a no
    hedged = bool(whole.negated) and whole.negated <= HEDGED
    if deny is not None and negated_affirm is not None and not hedged and _allowed(deny, whole) is None:
        # a negated yes is the no's words; what the whole plainly does still weighs on it
        current = words[deny.id]
        if negated_affirm.score - NEGATED_YES_DISCOUNT > current.score:
            words[deny.id] = replace(
                current,
                score=negated_affirm.score - NEGATED_YES_DISCOUNT,
                example=negated_affirm.example,
                clause=negated_affirm.clause,
                notes=(*current.notes, NEGATED_YES),
            )
    for cand in candidates:
        if readable:
            read = _with_intent(cand, words[cand.id], recognised, shared, held, said)
        else:
            read = _raised(cand, words[cand.id], recognised)
        results[cand.id] = _contradicted(cand, read, said)
    ranked = tuple(sorted(results.values(), key=lambda s: (-s.score, s.reply)))
    return _Scoring(text, whole, ranked, by_words, recognised, tuple(candidates), said)


def decide(text: str, candidates: Sequence[Candidate], *, recognition: Recognition | None = None) -> Decision:
    """Score every candidate and decide: matched, ambiguous (too close), a check-back (one
    reply clearly ahead but not surely meant), an aside (a thank-you, "say again?", small
    talk... that no reply here takes) or none.

    Each reply's score is the better of two readings: how close the words are to its own
    examples, and how confidently the reply was recognised as one of its intents. Whether
    the best reply is taken at once, checked back or not taken is then settled by how sure
    the decision model is that it is meant (its belief, see :func:`belief`). The text is
    first read as a fast typist meant it (:func:`as_read`), and the reason names the
    misspelt words it read otherwise.
    """
    read, fixes = _reading(text, candidates)
    # (a recognition made beforehand read the words as typed)
    decision = _decide(read, candidates, None if fixes else recognition)
    if fixes:
        spelt = ", ".join(f"“{word}” as “{meant}”" for word, meant in fixes)
        decision = replace(decision, reason=f"{decision.reason} (read {spelt})")
    return decision


def as_read(text: str, candidates: Sequence[Candidate]) -> str:
    """The text as decide() reads it at these candidates' node: its empty opening taken
    off, the full stops a fast typist left out put back, names typed in lower case read as
    names, misspelt words read as the words meant."""
    return _reading(text, candidates)[0]


def _reading(text: str, candidates: Sequence[Candidate]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """(the text as read, the misspelt words in it and the words meant)."""
    m = model()
    names = m.people.union(*(c.names for c in candidates))
    typed = strip_filler(with_names(with_stops(text[:MAX_INPUT_CHARS], m.known, names), names))
    # the node's own words (its examples, and the session's names) are never misspelt
    node = _weights_for(candidates).words if candidates else frozenset()
    fixes = corrections(typed, m.known, m.targets, node)
    return corrected_as(typed, fixes), fixes


def _decide(
    text: str, candidates: Sequence[Candidate], recognition: Recognition | None, *, flips: bool = True
) -> Decision:
    decision = _decide_whole(text, candidates, recognition)
    said = strip_filler(text)
    if decision.kind == "matched" or not candidates or _two_ways(said):
        return decision
    answered = _in_its_words(said, candidates, decision)
    if flips and not answered and not _framed(said):  # a text turned is not turned back
        answered = _turned(said, candidates, decision)
    return answered or decision


# "It'd be a lie to say I'm not hoping": a statement framed as untrue is not read literally,
# so neither is its "not"
_FRAMING = frozenset({"lie", "lying", "pretend", "pretending", "kidding", "untrue"})


def _framed(said: str) -> bool:
    return not _FRAMING.isdisjoint(bare(said).split())


def _turned(said: str, candidates: Sequence[Candidate], decision: Decision) -> Decision | None:
    """The text read with its one "not" taken out or, having none, with one put in (one
    reading, as a text has a negator or not), and what that says of the text: its opposite
    (_by_its_opposite), or a check-back confirmed (_confirmed_by_its_opposite)."""
    plain = without_its_not(said)
    flipped = plain if plain is not None else with_a_not(said)
    if flipped is None:
        return None
    negated = said if plain is not None else flipped  # whichever has the "not"
    how = f"{THROUGH_NOT}: without it" if plain is not None else f"{AGAINST_A_NOT}: with one"
    other = _decide(flipped, candidates, None, flips=False)
    return _by_its_opposite(said, other, negated, candidates, decision, how) or _confirmed_by_its_opposite(
        other, negated, candidates, decision
    )


def _by_its_opposite(
    said: str, other: Decision, negated: str, candidates: Sequence[Candidate], decision: Decision, how: str
) -> Decision | None:
    """A plain statement that, turned (``other``), would be taken at once as a reply with
    one opposite here is that opposite: "I wouldn't like to take it on." is declining where
    "I'd like to take it on." is taking it, and the other way round (the words of the two
    all but tie). ``negated`` is whichever of the text and its turned form has the "not"."""
    opposite = _weights_for(candidates).opposites.get(other.reply or "", frozenset())
    if other.kind != "matched" or len(opposite) != 1:
        return None
    by_id = {c.id: c for c in candidates}
    reply = next(iter(opposite))
    # read plainly as that reply as it stands, the "not" does not turn it ("I don't think you
    # should judge me by other people" argues, as "I do think..." would be taken to)
    top = recognise(said).top
    if top.p >= CLAUSE_CONFIDENCE and top.intent in by_id[other.reply or ""].intents:
        return None
    if not _turns_here(negated, by_id[other.reply or ""], by_id[reply]):
        return None
    why = f"{how}, {other.reason}; '{reply}' says the opposite"
    return replace(decision, kind="matched", reply=reply, candidates=(reply,), reason=why)


def _confirmed_by_its_opposite(
    other: Decision, negated: str, candidates: Sequence[Candidate], decision: Decision
) -> Decision | None:
    """A check-back on a reply that is an opposite here of what the turned text is read as
    (``other``, taken or checked back): two readings agree, and the reply is taken ("Yeah, I
    don't think it was the right call in the end." is checked back as disputing the
    decision, and without its "not" it is accepting it)."""
    if decision.kind != "checkback" or decision.reply is None:
        return None
    if other.kind not in ("matched", "checkback") or other.reply is None:
        return None
    if decision.reply not in _weights_for(candidates).opposites.get(other.reply, frozenset()):
        return None
    by_id = {c.id: c for c in candidates}
    if not _turns_here(negated, by_id[other.reply], by_id[decision.reply]):
        return None
    why = f"{CONFIRMED_BY_NOT}: {other.reason}; '{decision.reply}' says the opposite"
    return replace(decision, kind="matched", candidates=(decision.reply,), reason=why)


def _turns_here(negated: str, one: Candidate, other: Candidate) -> bool:
    """Whether the "not" of ``negated`` turns reply ``one`` into its opposite ``other``: always
    for opposites in meaning, but for a yes and a no only when the "not" is on what the
    boss's question asks ("It won't be a headache." to "Are you sure you want the headache?"
    is no "not sure")."""
    asked = other.asked
    return (
        other.kind is None
        or not asked.heads
        or asked.negates_what_it_asks(negated)
        or _opposed_in_meaning(one, other)
    )


def _opposed_in_meaning(one: Candidate, other: Candidate) -> bool:
    """Two replies that stand for opposite intents besides yes and no ("I want to stay" and
    "I'd leave"): a "not" anywhere turns one into the other, whatever the question asks."""
    return any(
        o in other.intents for i in one.intents if i not in ("yes", "no") for o in OPPOSITES.get(i, ())
    )


ANSWER_DOUBT = 0.3  # a hedge or "I don't know" read this plainly is no answer
ANSWER_OTHER = 0.5  # another reply's intent read this plainly outweighs the question's words


def _in_its_words(said: str, candidates: Sequence[Candidate], decision: Decision) -> Decision | None:
    """A short answer in the words of the boss's question is its yes, with a "not" its no
    ("Do you mean it?" "I mean it." / "I don't mean it."), at a node with a reply for each;
    unless the recogniser plainly reads a hedge, or what another reply here stands for."""
    by_kind = {c.kind: c for c in candidates if c.kind is not None}
    side = candidates[0].asked.answer(said)
    if side is None or "affirm" not in by_kind or "deny" not in by_kind:
        return None
    meant = by_kind[side]
    top = recognise(said).top
    doubting = top.intent in ("hedge", "dont_know") and top.p >= ANSWER_DOUBT
    elsewhere = top.intent not in meant.intents and any(top.intent in c.intents for c in candidates)
    if doubting or (elsewhere and top.p >= ANSWER_OTHER):
        return None
    how = ANSWERED_NO if side == "deny" else ANSWERED_YES
    why = f"{how}: '{meant.id}' (was: {decision.reason})"
    return replace(decision, kind="matched", reply=meant.id, candidates=(meant.id,), reason=why)


def _decide_whole(text: str, candidates: Sequence[Candidate], recognition: Recognition | None) -> Decision:
    text = strip_filler(text)
    said = bare(text)
    if not said or not candidates:
        scores = tuple(ReplyScore(c.id, 0.0) for c in sorted(candidates, key=lambda c: c.id))
        return Decision("none", None, (), scores, "nothing to match" if not said else "no replies")
    by_kind = {c.kind: c for c in candidates if c.kind is not None}
    plain = plain_answer(text)
    if plain in AFFIRM_PHRASES and "affirm" in by_kind:
        return _direct(by_kind["affirm"], candidates, f"'{plain}' is a plain yes")
    if plain in DENY_PHRASES and "deny" in by_kind:
        return _direct(by_kind["deny"], candidates, f"'{plain}' is a plain no")
    scoring = _score_all(text, candidates, recognition)
    decision = _one_point(_gated(_by_scores(scoring), scoring), scoring)
    if decision.kind not in ("aside", "none", "checkback"):
        return decision
    # perhaps a courtesy first, then the point; a courtesy a reply here takes counts only where
    # that reply's words allow it ("got it, thanks, that's really helpful. is there a project
    # coming up where I could own the roadmap?" is no thanks-and-leave, which "project" rules
    # out), and a check-back gives way only to the point taken at once
    split = _first_sentence(text)
    past = _after_courtesy(split, candidates, scoring.whole)
    if past is not None:
        after = _decide(past, candidates, None)
        if after.kind == "matched" or (after.kind == "checkback" and decision.kind != "checkback"):
            return replace(after, reason=f"after an opening courtesy: {after.reason}")
    if decision.kind == "checkback":
        return decision
    before = _before_other_point(text, scoring.taken)
    if before is not None:
        first = _decide(before, candidates, None)
        if first.kind in ("matched", "checkback") and first.reply is not None:
            # the answer came first and the closing request outweighed it: checked back
            return _checked_back(first, first.reply, "before a closing point no reply here takes")
    if split is not None and decision.kind == "none":
        # an answer first, then its reasons ("Yeah, I'm sure. I already do half of
        # that..."), which read whole as nothing here: the plain answer is checked back,
        # when alone it would be taken, or checked back with a fair belief
        first = _decide(split[0], candidates, None)
        if first.reply is not None and (
            first.kind == "matched"
            or (first.kind == "checkback" and (first.belief or 0.0) >= ANSWER_FIRST_BELIEF)
        ):
            if _plain_answer_first(first, split[1]):
                return replace(first, reason=f"an answer first, then its reasons: {first.reason}")
            return _checked_back(first, first.reply, "an answer first, then more")
    return decision


def _checked_back(decision: Decision, reply: str, why: str) -> Decision:
    """``decision``, which read part of the text as ``reply``, as a check-back on it."""
    return replace(decision, kind="checkback", candidates=(reply,), reason=f"{why}: {decision.reason}")


COURTESIES = frozenset({"thank", "apologise", "small_talk"})
TWO_POINTS = 0.8  # a clause this plainly making one of the moves below is a second point
STING_POINTS = 0.6  # ... and this plainly making another reply's point beside one of them
# the moves the situations are about, which a reply may make on the side of another: a
# record with a dig at a colleague, a yes with a threat to leave
_STINGS = frozenset({"disparage_colleague", "threaten_leave", "dispute_decision", "self_deprecate"})


def _one_point(decision: Decision, scoring: _Scoring) -> Decision:
    """A reply taken at once is checked back when the text makes a second point, one of the
    moves the situations are about (_STINGS) that another reply here stands for: a clause of
    it (of what follows its turn, when it turns) plainly does what the reply stands for, and
    another plainly (TWO_POINTS) makes that move. "I rebuilt the CI system last year, and
    frankly Bob's reviews are half the reason it needed rebuilding" gives a record and runs a
    colleague down; the boss asks rather than answer one and let the other pass. When the
    reply taken is itself such a move, any other reply's point but an aside beside it, made
    more plainly than not (STING_POINTS), is a second point ("Alex is mostly just good in a
    room, isn't he. Anyway, what could I pick up?"); the boss's model answers never make
    those moves, so none is checked back."""
    if decision.kind != "matched" or decision.reply is None:
        return decision
    mine = next(c for c in scoring.candidates if c.id == decision.reply)
    if not mine.intents or scoring.by_words[mine.id] >= OWN_WORDS:
        return decision  # the author's own example says one thing, however it reads
    tail = _read(scoring.text).tail
    said = scoring.said if tail is None else _clause_readings(tail)
    if not any(r.intent in mine.intents for r in said):
        return decision
    others = {i for c in scoring.candidates if c is not mine for i in c.intents} - set(mine.intents)
    # a sting taken with anything else beside it; anything taken with a sting beside it
    stung = bool(set(mine.intents) & _STINGS)
    seconds = others - ASIDES if stung else others & _STINGS
    plainly = STING_POINTS if stung else TWO_POINTS
    second = next((r for r in said if r.p >= plainly and r.intent in seconds), None)
    if second is None:
        return decision
    return _checked_back(decision, decision.reply, f"{SECOND_POINT} ({second.intent})")


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _after_courtesy(
    split: tuple[str, str] | None, candidates: Sequence[Candidate], whole: Phrase
) -> str | None:
    """What follows an opening sentence of courtesy ("Thanks for seeing me again.", "How
    was your weekend?") that no reply here takes, among the replies whose require/forbid
    words allow the ``whole`` text: read whole, the courtesy outweighs the point made after
    it, which is what the boss should answer. None when there is none. ``split`` is the
    reply's first sentence and the rest (_first_sentence)."""
    if split is None:
        return None
    first, rest = split
    top = recognise(first).top
    if top.intent not in COURTESIES or top.p < ASIDE_CONFIDENCE:
        return None
    if any(top.intent in c.intents and _allowed(c, whole) is None for c in candidates):
        return None
    return rest


def _first_sentence(text: str) -> tuple[str, str] | None:
    """The first sentence and the rest, when the rest has three words or more."""
    first, *rest = _SENTENCE_END.split(text.strip(), maxsplit=1)
    if not rest or len(rest[0].split()) < 3:
        return None
    return first, rest[0]


ANSWER_FIRST_BELIEF = 0.8  # a first sentence checked back alone stands for the whole from this belief
ANSWER_FIRST_TAKE = 0.95  # a first sentence taken alone with this belief is taken for the whole


def _plain_answer_first(first: Decision, rest: str) -> bool:
    """A first sentence taken alone, all but surely, and a rest that does not turn ("but",
    "though"...): the rest gives the reasons, and the answer stands for the whole."""
    return (
        first.kind == "matched" and (first.belief or 0.0) >= ANSWER_FIRST_TAKE and not BUT.search(bare(rest))
    )


OTHER_POINT = 0.9  # a closing sentence this plainly another point (no reply here, no aside) is set aside


def _before_other_point(text: str, taken: frozenset[str]) -> str | None:
    """What comes before a closing sentence that plainly makes a point of its own that no
    reply here takes, and is no aside ("I'd love to own it. Could we book a monthly
    check-in?" where the boss asked whether you want the project): read whole, the
    request outweighs the answer before it. None when there is none."""
    *head, last = _SENTENCE_END.split(text.strip())
    before = " ".join(head)
    if len(before.split()) < 3:
        return None
    top = recognise(last).top
    if top.p >= OTHER_POINT and top.intent not in taken and top.intent not in ASIDES:
        return before
    return None


def _by_scores(scoring: _Scoring) -> Decision:
    """The decision the scores alone make, with the pass mark and the margins."""
    ranked, whole = scoring.ranked, scoring.whole
    top = scoring.recognised.top

    def made(kind: DecisionKind, reply: str | None, pair: tuple[str, ...], reason: str) -> Decision:
        return Decision(kind, reply, pair, ranked, reason, top.intent, top.p, top.words)

    best = ranked[0]
    taken = scoring.taken
    if (
        top.intent in ASIDES
        and top.p >= ASIDE_OVERRIDE
        and top.intent not in taken
        and best.score < OVERRIDE_BELOW
    ):
        # Plainly "say that again?" or a thank-you: close words in some reply do not outweigh it.
        return made("aside", None, (), f"an aside: {top.intent} ({top.p:.2f}), over '{best.reply}'")
    # A word or two ("maybe", "training") is thin evidence: ask for more unless it fits well.
    threshold = THRESHOLD + (SHORT_EXTRA if len(whole.tokens) <= 2 else 0.0)
    if best.score >= threshold:
        if len(ranked) > 1:
            second = ranked[1]
            if second.score >= THRESHOLD and best.score - second.score < MARGIN:
                return made(
                    "ambiguous",
                    None,
                    (best.reply, second.reply),
                    f"'{best.reply}' {best.score:.0f} and '{second.reply}' {second.score:.0f} "
                    f"are within {MARGIN:.0f}",
                )
        return made("matched", best.reply, (), f"'{best.reply}' scored {best.score:.0f}")
    if top.intent in ASIDES and top.p >= ASIDE_CONFIDENCE and top.intent not in taken:
        return made("aside", None, (), f"an aside: {top.intent} ({top.p:.2f})")
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    if best.score >= CHECK_FLOOR and best.score - runner_up >= CHECK_MARGIN:
        return made(
            "checkback",
            best.reply,
            (best.reply,),
            f"'{best.reply}' {math.floor(best.score)} is ahead but below {threshold:.0f}",
        )
    return made("none", None, (), f"best score {math.floor(best.score)} is below {threshold:.0f}")


# -- the decision model ----------------------------------------------------------------------

#: What the decision model weighs for one reply, in the order of DECISION_WEIGHTS.
DECISION_FEATURES = (
    "words",  # its score on its words alone (0..1)
    "intent",  # how confidently it was recognised as one of its intents
    "has_intent",
    "intent_is_top",  # its intent is the recogniser's top reading
    "top",  # the top reading's confidence, whatever the intent
    "score",  # its score (0..1)
    "words_lead",  # ... each ahead of the best other reply's
    "intent_lead",
    "score_lead",
    "length",  # log of the number of words
    "negation",  # a negation on one side only
    "ruled_out",  # require/forbid words rule it out
    "opposite",  # a clause says the opposite of its intent
    "top_is_aside",
    "words_x_intent",
    "replies",  # how many replies the node has (tenths)
    "top_taken_here",  # some reply here stands for the top reading
    "node_mass",  # the confidence of every intent some reply here stands for, summed
    "clause_intent",  # a clause of the text plainly does what the reply stands for
)
# Fitted (logistic regression, L2, C=1) on the tuning halves of the labelled sets by
# ``python tests/benchmarks/bench_understanding.py --fit``; never on the held-out half.
DECISION_WEIGHTS: tuple[float, ...] = (
    3.0727,  # words
    0.6510,  # intent
    -0.5850,  # has_intent
    0.9167,  # intent_is_top
    -1.5215,  # top
    2.5391,  # score
    4.6266,  # words_lead
    1.4399,  # intent_lead
    3.2631,  # score_lead
    0.6117,  # length
    0.4633,  # negation
    2.4643,  # ruled_out
    -0.5585,  # opposite
    -1.0700,  # top_is_aside
    -0.6062,  # words_x_intent
    -0.2413,  # replies
    -0.2838,  # top_taken_here
    0.9408,  # node_mass
    1.3942,  # clause_intent
)
DECISION_BIAS = -4.8948
TAKE_BELIEF = 0.9  # the best reply is taken at once from this belief up, whatever its score ...
KEEP_BELIEF = 0.85  # a reply the scores took (over the pass mark, clearly ahead) stays taken from here
CHECK_BELIEF = 0.15  # ... checked back from this belief up, else not taken
RAISE_BELIEF = 0.4  # what the scores left untaken is checked back only from this belief up
KEEP_SCORE = 80.0  # a reply the scores took this plainly stays taken, whatever the belief
SURE_INTENT = 0.95  # a taken reply whose intent reads this plainly stays taken
THIN_WORDS = 2  # a reply of this many words or fewer is taken on belief alone ...
THIN_TAKE = 0.95  # ... only from this belief up ("yess definitely", "Still gutted.")
POOLED_CLEAR = 1.2  # a reply taken at once is checked back when another has this many times its pooled share
RIVAL_READS = 0.8  # a take whose intents barely read is checked back as the reply the whole reads so
POOLED_SURE = 0.98  # a check-back whose reply all the node's examples favour this much ...
POOLED_BELIEF = 0.3  # ... and the model believes in this much is taken at once
POOLED_NAMES = 0.9  # a reply the examples name this plainly is weighed over one they all but rule out


def _best_other(values: dict[str, float], reply: str) -> float:
    """The highest value among the replies other than ``reply`` (0 when there are none)."""
    return max((v for r, v in values.items() if r != reply), default=0.0)


def decision_features(scoring: _Scoring, only: Iterable[str] | None = None) -> dict[str, tuple[float, ...]]:
    """DECISION_FEATURES of every reply (or of the replies ``only`` names): for the
    decision model, and for fitting it."""
    recognised = scoring.recognised
    top = recognised.top
    here = scoring.taken
    node_mass = sum(p for intent, p in recognised.scores if intent in here)
    finals = {s.reply: s for s in scoring.ranked}
    scores = {r: s.score for r, s in finals.items()}
    reads = {c.id: recognised.best_of(c.intents) if c.intents else None for c in scoring.candidates}
    ps = {r: read.p if read is not None else 0.0 for r, read in reads.items()}
    length = math.log(1 + len(scoring.text.split()))
    wanted = None if only is None else set(only)
    out: dict[str, tuple[float, ...]] = {}
    for cand in scoring.candidates:
        if wanted is not None and cand.id not in wanted:
            continue
        read = reads[cand.id]
        p = ps[cand.id]
        words = scoring.by_words[cand.id]
        final = finals[cand.id]
        notes = " ".join(final.notes)
        out[cand.id] = (
            words / 100,
            p,
            1.0 if cand.intents else 0.0,
            1.0 if read is not None and read.intent == top.intent else 0.0,
            top.p,
            final.score / 100,
            (words - _best_other(scoring.by_words, cand.id)) / 100,
            p - _best_other(ps, cand.id),
            (final.score - _best_other(scores, cand.id)) / 100,
            length,
            1.0 if "negation" in notes else 0.0,
            1.0 if "forbidden" in notes or "needs" in notes else 0.0,
            1.0 if "opposite" in notes else 0.0,
            1.0 if top.intent in ASIDES else 0.0,
            words / 100 * p,
            len(scoring.candidates) / 10,
            1.0 if top.intent in here else 0.0,
            node_mass,
            _clause_p(cand, scoring.said),
        )
    return out


def belief(features: Sequence[float]) -> float:
    """How sure the decision model is that a reply with these features is the one meant."""
    z = DECISION_BIAS + sum(w * f for w, f in zip(DECISION_WEIGHTS, features, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def scoring_of(
    text: str, candidates: Sequence[Candidate], recognition: Recognition | None = None
) -> _Scoring:
    """The scores decide() works from (for fitting the decision model)."""
    return _score_all(as_read(text, candidates), candidates, recognition)


def _gated(decision: Decision, scoring: _Scoring) -> Decision:
    """The scores' decision, settled by the decision model: the reply it believes in most
    is taken at once when it is sure, checked back when it is unsure. The scores keep the
    last word where they are plain: asides and "A or B?" stand; a reply they took whose
    own words are the author's, or whose intent the recogniser is sure of, stays taken;
    and what the scores left untaken is checked back only from a higher belief."""
    if decision.kind in ("aside", "ambiguous"):
        return decision
    best = scoring.ranked[0]
    if decision.kind == "matched":
        # the scores took a reply: it stays taken when the model believes in it, else every
        # reply is weighed as when they took none ("Fine, fine. To avoid any more
        # unpleasantness I will apply, let us close the matter." scored as keeping the matter
        # closed, which the model doubted; it believed in giving in)
        sure = belief(decision_features(scoring, (best.reply,))[best.reply])
        plain = (
            best.score >= KEEP_SCORE
            or scoring.by_words[best.reply] >= OWN_WORDS
            or (best.intent == scoring.recognised.top.intent and best.intent_p >= SURE_INTENT)
        )
        if (sure >= KEEP_BELIEF or plain) and not scoring.two_ways:
            taken = replace(decision, belief=sure, reason=f"{decision.reason}; belief {sure:.2f}")
            return _seconded(taken, scoring)
    beliefs = {reply: belief(f) for reply, f in decision_features(scoring).items()}
    order = {s.reply: i for i, s in enumerate(scoring.ranked)}
    believed = max(beliefs, key=lambda reply: (beliefs[reply], -order[reply]))
    pick = _pooled_named(believed, beliefs, scoring)
    sure = beliefs[pick]
    said = f"belief {sure:.2f}"
    if pick != believed:
        said = f"the examples together name '{pick}' over '{believed}': {said}"
    picked = next(s for s in scoring.ranked if s.reply == pick)
    score = math.floor(picked.score)
    decision = replace(decision, belief=sure)
    # a negation on one side only is the matcher's plainest warning: never taken on belief,
    # nor checked back ("I want it." is closest to "I don't want it."; the boss must not
    # ask "you'd rather not apply?"); and a word or so that the scores did not take is
    # too little to go on ("maybe"), unless the model all but knows ("yess definitely")
    negated = any(n.startswith("negation") for n in picked.notes)
    under = "" if pick == best.reply and decision.kind == "matched" else ", under the pass mark, but"
    thin = bool(under) and len(scoring.whole.tokens) <= THIN_WORDS
    if sure >= (THIN_TAKE if thin else TAKE_BELIEF) and not negated and not scoring.two_ways:
        taken = replace(
            decision,
            kind="matched",
            reply=pick,
            candidates=(),
            reason=f"'{pick}' {score}{under} {said}",
        )
        return _seconded(taken, scoring)
    floor = CHECK_BELIEF if decision.kind != "none" else RAISE_BELIEF
    if (
        sure >= max(floor, POOLED_BELIEF)
        and not negated
        and len(scoring.whole.tokens) > THIN_WORDS
        and not scoring.two_ways
    ):
        share = _pooled_shares(scoring).get(pick, 0.0)
        if share >= POOLED_SURE:
            # unsure as the model is, every example of the node together all but names it
            return replace(
                decision,
                kind="matched",
                reply=pick,
                candidates=(),
                reason=f"'{pick}' {score}, {said}, and its examples together favour it ({share:.2f})",
            )
    if sure >= floor and not negated:
        return replace(
            decision,
            kind="checkback",
            reply=pick,
            candidates=(pick,),
            reason=f"'{pick}' {score}, {said}: checking",
        )
    if decision.kind == "none":
        return _aside_or_none(decision, scoring, f"{decision.reason}; {said}")
    return _aside_or_none(decision, scoring, f"{decision.reason}; {said}: not taken")


def _pooled_named(pick: str, beliefs: dict[str, float], scoring: _Scoring) -> str:
    """The reply to weigh when the scores took none: the model's pick, unless the node's
    examples pooled all but rule it out (under 1 - POOLED_NAMES) and all but name another
    (POOLED_NAMES or more), which is then weighed on its own belief. "Our on-call is a mess.
    I'd fix the handover" read as running a colleague down at 0.58, and the boss checked
    back "so this is about your colleague?" though every example of the node said it was
    an idea for the team."""
    shares = _pooled_shares(scoring)
    if not shares:
        return pick
    named = max(shares, key=lambda reply: shares[reply])
    if shares[named] >= POOLED_NAMES and shares.get(pick, 0.0) < 1.0 - POOLED_NAMES and named in beliefs:
        return named
    return pick


def _pooled_shares(scoring: _Scoring) -> dict[str, float]:
    """Each reply's share of the text by all of its examples pooled (see runtime/pooled.py),
    worked out once per scoring: a decision may ask for it three times."""
    return scoring.pooled


def _shares(said: str, candidates: Sequence[Candidate]) -> dict[str, float]:
    return _weights_for(candidates).pooled.posterior(text_features(said))


FAVOURED_SHOWN = 3


def favoured(text: str, candidates: Sequence[Candidate]) -> tuple[tuple[str, float], ...]:
    """The replies whose examples together favour ``text`` most, as decide() weighs them,
    with their shares (0.01 or more): for ``rehearse why`` and the author overlay."""
    if not candidates:
        return ()
    shares = _shares(as_read(text, candidates), candidates)
    ranked = sorted(shares.items(), key=lambda pair: (-pair[1], pair[0]))
    return tuple((reply, share) for reply, share in ranked[:FAVOURED_SHOWN] if share >= 0.01)


def _seconded(taken: Decision, scoring: _Scoring) -> Decision:
    """A reply taken at once stays taken unless the node's examples, pooled, clearly favour
    another reply (POOLED_CLEAR) that its require/forbid words allow: then two readers
    disagree, and the boss checks back. Not when the text turns ("X but Y"): the matcher
    reads it by its Y, while the pooled words count the X too, often a courtesy another
    reply's examples share ("I'm glad they liked me, but where did I fall short?")."""
    if _read(scoring.text).turned:
        return taken
    mine = next(c for c in scoring.candidates if c.id == taken.reply)
    read = _read_as_another(mine, scoring)
    if read is not None:
        return _another_checked(taken, read.id, "the whole reads as")
    shares = _pooled_shares(scoring)
    if taken.reply not in shares:  # no opinion: the reply has no examples, or no sibling has
        return taken
    rivals = [
        c
        for c in scoring.candidates
        if c is not mine
        and shares.get(c.id, 0.0) >= POOLED_CLEAR * shares[mine.id]
        and _allowed(c, scoring.whole) is None
    ]
    if not rivals:
        return taken
    rival = max(rivals, key=lambda c: shares[c.id])
    if not set(mine.intents).isdisjoint(rival.intents):
        # siblings of one intent are told apart by the author's words and require/forbid,
        # which the pooled words blur: "no, I'm not going to apply" against "thanks, but no"
        return taken
    if _read_as_another(mine, scoring, own_words_stand=False) is rival:
        # the pooled words and the whole's reading agree on the rival; only one clause's
        # close words chose mine ("fifteen years here, i got us through three lots of
        # layoffs" is an author's "Fifteen years here." in its first clause, and a record)
        return _another_checked(taken, rival.id, "the examples together and the whole read as")
    return replace(
        taken,
        kind="checkback",
        candidates=(mine.id,),
        reason=f"{taken.reason}; but the examples together favour '{rival.id}': checking",
    )


def _another_checked(taken: Decision, reply: str, why: str) -> Decision:
    """``taken`` checked back as another reply, which ``why`` reads it as."""
    reason = f"{taken.reason}; but {why} '{reply}': checking that"
    return replace(taken, kind="checkback", reply=reply, candidates=(reply,), reason=reason)


def _read_as_another(mine: Candidate, scoring: _Scoring, *, own_words_stand: bool = True) -> Candidate | None:
    """The reply whose intent the whole text plainly reads as (RIVAL_READS), when the taken
    reply's own intents barely read (under INTENT_TRUST) and the text is not one of its
    examples, near enough word for word (OWN_WORDS): one clause's close words took
    "It's not about Priya. I want to be the person people come to for training" as "it
    isn't about the competition", but the whole says what the user wants."""
    top = scoring.recognised.top
    if top.p < RIVAL_READS or not mine.intents or top.intent in mine.intents:
        return None
    if own_words_stand and scoring.by_words[mine.id] >= OWN_WORDS:  # the author's own example stands
        return None
    if (scoring.recognised.best_of(mine.intents) or top).p >= INTENT_TRUST:
        return None
    others = [c for c in scoring.candidates if top.intent in c.intents and _allowed(c, scoring.whole) is None]
    return others[0] if len(others) == 1 else None


def _aside_or_none(decision: Decision, scoring: _Scoring, reason: str) -> Decision:
    """Nothing is taken, so the boss asks again either way: when the likeliest reading is
    plainly an aside ("Sorry, come again?", "Honestly? No idea.") that no reply here takes,
    the boss reacts to it in their own voice rather than saying they lost you."""
    recognised = scoring.recognised
    (top, p), (_, runner_up) = recognised.scores[:2]
    taken = scoring.taken
    plain = plain_intent(scoring.text)
    if plain in ASIDES and plain not in taken:  # "Come again?" in the library's own words
        why = f"an aside: {plain}, said as the intent library says it, as no reply is taken ({reason})"
        found = recognised.best_of((plain,))
        confidence, evidence = (found.p, found.words) if found is not None else (0.0, ())
        return replace(
            decision,
            kind="aside",
            reply=None,
            candidates=(),
            reason=why,
            intent=plain,
            confidence=confidence,
            evidence=evidence,
        )
    floor = ASIDE_FALLBACK_SHORT if len(scoring.whole.tokens) <= 3 else ASIDE_FALLBACK
    if top in ASIDES and top not in taken and p >= floor and p >= ASIDE_LEAD * runner_up:
        why = f"an aside: {top} ({p:.2f}), as no reply is taken ({reason})"
        return replace(decision, kind="aside", reply=None, candidates=(), reason=why)
    return replace(decision, kind="none", reply=None, candidates=(), reason=reason)


def _raised(cand: Candidate, result: ReplyScore, recognised: Recognition) -> ReplyScore:
    """For a reply of a word or two: its intent may raise its score, never lower it."""
    best = recognised.best_of(cand.intents) if cand.intents else None
    if best is None or INTENT_SCALE * best.p <= result.score:
        return result
    return replace(result, score=INTENT_SCALE * best.p, intent=best.intent, intent_p=best.p)


def _with_intent(
    cand: Candidate,
    result: ReplyScore,
    recognised: Recognition,
    shared: set[str],
    held: frozenset[str],
    said: Sequence[ClauseReading] = (),
) -> ReplyScore:
    """The reply's score, raised to its intent reading when that is higher.

    ``require``/``forbid`` words tell a reply from a sibling that stands for one of its
    intents too, so where they rule it out, only the intents it holds alone still reach it,
    and only when confidently read: "Bob has never led anything" is running Bob down even
    though the reply's words ask for a comparison ("than") that sets it apart from talking
    yourself down.
    """
    ruled_out = result.score == 0.0 and any(n.startswith(("forbidden", "needs")) for n in result.notes)
    intents = tuple(i for i in cand.intents if i not in shared) if ruled_out else cand.intents
    if not intents:
        return result
    best = recognised.best_of(intents)
    if best is None:
        return result
    how = ""
    flipped = max((r for r in said if r.flipped and r.intent in intents), key=lambda r: r.p, default=None)
    if flipped is not None and flipped.p > best.p:
        # a clause read without its one "not" plainly does this reply's opposite: that is
        # this reply's reading, and the one-sided negation against its examples is the point
        best = IntentScore(flipped.intent, flipped.p)
        result = replace(result, notes=tuple(n for n in result.notes if not n.startswith("negation")))
        how = f" ({THROUGH_NOT})"
    by_intent = INTENT_SCALE * best.p
    top = recognised.top
    if ruled_out and best.p < INTENT_GATE:
        return result
    # a clause that plainly does what the reply stands for ("I'm not here to argue. What
    # would have made me stronger?") is not outweighed by the reading of the whole; nor is a
    # reading of what no reply here stands for (``held``: the node's intents) and no aside:
    # "Yes. Can we set up a check-in every month?" reads as proposing a plan, which tells
    # nothing of which reply is meant where none proposes one
    if (
        top.p >= VETO_CONFIDENCE
        and (top.intent in held or top.intent in ASIDES)
        and best.p < VETO_BELOW
        and not _clause_p(cand, said)
        and CHECK_FLOOR <= result.score < OWN_WORDS
    ):
        # The words are close but the reply plainly does something else ("I'm not interested"
        # against "I'm interested"): never a match on the words alone, at most a check-back.
        return replace(
            result,
            score=min(result.score, CHECK_FLOOR),
            notes=(*result.notes, f"reads as {top.intent} {top.p:.2f}, not {best.intent}"),
            intent=best.intent,
            intent_p=best.p,
        )
    if by_intent <= result.score:
        # Close words, but the reply's own intent barely reads: trust the words less.
        doubt = INTENT_DOUBT * (1.0 - min(1.0, best.p / INTENT_TRUST))
        if doubt >= 1.0:
            return replace(
                result,
                score=result.score - doubt,
                notes=(*result.notes, f"reads as {best.intent} only {best.p:.2f} -{doubt:.0f}"),
                intent=best.intent,
                intent_p=best.p,
            )
        return replace(result, intent=best.intent, intent_p=best.p)
    return replace(
        result,
        score=min(100.0, by_intent),
        notes=(*result.notes, intent_note(best.intent, best.p, how)),
        intent=best.intent,
        intent_p=best.p,
    )


CLAUSE_CONFIDENCE = 0.6
FLIP_CONFIDENCE = 0.7  # a clause with one "not" that, without it, plainly does one of two opposites


@dataclass(frozen=True)
class ClauseReading:
    """What one clause of the text plainly does, and whether it was read through its one
    negation ("I haven't accepted it" does the opposite of "I have accepted it")."""

    intent: str
    p: float
    flipped: bool = False


@lru_cache(maxsize=4096)
def _clause_readings(text: str) -> tuple[ClauseReading, ...]:
    """What each clause of three words or more plainly does (its top intent, confidently).

    The recogniser weighs a "not" as one word among many, so a clause it reads unsurely
    that has exactly one is read again without it: when that plainly does one of two
    opposite intents, the clause does the other ("I don't want to keep building my career
    here" is leaving, as "I want to keep building my career here" is staying). Not for
    "not sure", "not certain": a hedge, not the opposite."""
    found = []
    for piece in re.split(r"[.;!?\n]+|,\s*(?:and|but|so|because)\b|\bbut\b", text):
        if len(piece.split()) >= 3:
            top = recognise(piece).top
            if top.p >= CLAUSE_CONFIDENCE:
                found.append(ClauseReading(top.intent, top.p))
            else:  # the "not" must be in the part that is read ("unfair, I'm not a coward")
                found.extend(f for part in piece.split(",") if (f := _flipped(part)) is not None)
    return tuple(found)


def _flipped(piece: str) -> ClauseReading | None:
    plain = without_its_not(piece)
    if plain is None:
        return None
    read = recognise(plain).top
    opposite = OPPOSITES.get(read.intent, frozenset())
    if read.p < FLIP_CONFIDENCE or len(opposite) != 1:
        return None
    return ClauseReading(next(iter(opposite)), read.p, flipped=True)


def _clause_p(cand: Candidate, said: Sequence[ClauseReading]) -> float:
    """How plainly some clause does what the reply stands for (0: none does)."""
    return max((r.p for r in said if r.intent in cand.intents), default=0.0)


def _contradicted(cand: Candidate, result: ReplyScore, said: Sequence[ClauseReading]) -> ReplyScore:
    against = {o for i in cand.intents for o in OPPOSITES.get(i, ())}
    clash = next((r for r in said if r.intent in against), None)
    if clash is None or result.score < CHECK_FLOOR:
        return result
    return replace(
        result,
        score=CHECK_FLOOR - 1.0,
        notes=(*result.notes, f"a clause says the opposite: {clash.intent} {clash.p:.2f}"),
    )


_BOTH_WAYS = re.compile(r"^(?:yes|yeah|no) (?:and|or|but) (?:yes|yeah|no)\b")
_EITHER_WAY = re.compile(
    r"\b(?:bit|mix) of both\b|\bhalf and half\b|\bboth (?:really|ideally|please)\b|\bso both\b"
    r"|\bboth of (?:those|them|these)\b"
)
# Torn between two: "Training, or maybe I should just apply", "Courses? Or should I just
# apply? I don't know." (a question between options, "or do I just tell you?", is not)
_TORN = re.compile(
    r"\bor (?:honestly |actually |else |just |even )?(?:maybe|perhaps)\b"
    r"|\bor should i\b.*\b(?:i do not know|i dunno|idk|not sure)$"
)


def _two_ways(text: str) -> bool:
    """An answer both ways ("yes and no", "a bit of both") or torn between two options:
    what it leans to is a guess, so it is at most checked back, never taken at once. In "A
    bit of both, but count me in" the point comes after the "but", and that is plain."""
    said = bare(text)
    both = _BOTH_WAYS.match(said)
    if both is not None and not BUT.search(said, both.end()):
        return True
    return bool(_EITHER_WAY.search(BUT.split(said)[-1]) or _TORN.search(said))


def _lead(bare: str) -> ReplyKind | None:
    if _BOTH_WAYS.match(bare):
        return None  # "yes and no" leads neither way
    for word in LEAD_DENY:
        if bare.startswith(word + " "):
            return "deny"
    for word in LEAD_AFFIRM:
        if bare.startswith(word + " "):
            return "affirm"
    return None


def _direct(chosen: Candidate, candidates: Sequence[Candidate], reason: str) -> Decision:
    scores = tuple(
        ReplyScore(c.id, 100.0 if c is chosen else 0.0, notes=(reason,) if c is chosen else ())
        for c in sorted(candidates, key=lambda c: (c is not chosen, c.id))
    )
    return Decision("matched", chosen.id, (), scores, reason)


def _allowed(cand: Candidate, whole: Phrase) -> str | None:
    """Why `require`/`forbid` rule the reply out, or None when they allow it."""
    for word in cand.forbid:
        if _has_word(whole, word):
            return f"forbidden word '{word}'"
    if cand.require and not any(_has_word(whole, w) for w in cand.require):
        return f"needs one of: {', '.join(cand.require)}"
    return None


class _Scored:
    """A reading's clauses scored against all the node's examples, each clause on first use."""

    __slots__ = ("_whole", "reading", "rows", "weights")

    def __init__(self, reading: _Reading, weights: _Weights) -> None:
        self.reading = reading
        self.weights = weights
        self.rows = [_Rows.of(p, weights, reading.phrases[0]) for p in reading.phrases]
        self._whole: _Rows | None = None

    def whole(self) -> _Rows:
        """The whole text's scores: only needed for an "X but Y" against an example that
        turns the same way."""
        if self._whole is None:
            self._whole = _Rows.of(self.reading.whole, self.weights, self.reading.phrases[0])
        return self._whole


def _score_candidate(cand: Candidate, start: int, scored: _Scored) -> tuple[ReplyScore, ReplyScore | None]:
    """The reply's score, and (for affirm replies) the best score of a negated example.
    ``start`` is the index of the reply's first example among the node's."""
    reading = scored.reading
    whole, lead, weights = reading.whole, reading.lead, scored.weights
    ruled_out = _allowed(cand, whole)
    if ruled_out is not None:
        return ReplyScore(cand.id, 0.0, notes=(ruled_out,)), None
    best, best_at = -100.0, -1  # the best pair's score and place: the first best pair wins
    best_example: str | None = None
    best_clause: str | None = None
    best_note: str | None = None
    negated_best: tuple[float, int, str, str] | None = None
    # every other pair by its bound (negated, to sort highest first), its place, its example
    bounded: list[tuple[float, int, int, _Rows]] = []
    affirm = cand.kind == "affirm"
    at = 0
    for i, example in enumerate(cand.examples):
        k = start + i
        # "X but Y" is read by its Y, except against an example that turns the same way
        compared = scored.rows
        if reading.turned and weights.turns[k]:
            compared = [*compared, scored.whole()]
        for rows in compared:
            at += 1
            # perhaps the best negated yes: scored whatever its bound
            if not (affirm and rows.phrase.negated and not example.negated):
                bounded.append((-rows.bounds[k], at, k, rows))
                continue
            score = rows.score(k, weights)
            if score > best or (score == best and at < best_at):
                best, best_at, best_example, best_clause, best_note = (
                    score,
                    at,
                    cand.raw_examples[i],
                    rows.phrase.text,
                    rows.notes[k],
                )
            if rows.notes[k] is not None:
                raw = score + NEGATION_PENALTY
                if (
                    negated_best is None
                    or raw > negated_best[0]
                    or (raw == negated_best[0] and at < negated_best[1])
                ):
                    negated_best = (raw, at, cand.raw_examples[i], rows.phrase.text)
    # highest bound first, scored until no bound left can beat the best (places are distinct:
    # the sort never compares clauses)
    bounded.sort()
    for bound, at, k, rows in bounded:
        if -bound < best or (-bound == best and at > best_at):
            break  # the pairs left have lower bounds, or the same one and a later place
        score = rows.score(k, weights)
        if score > best or (score == best and at < best_at):
            best, best_at, best_example, best_clause, best_note = (
                score,
                at,
                cand.raw_examples[k - start],
                rows.phrase.text,
                rows.notes[k],
            )
    hits = tuple(k for k in cand.keywords if _has_word(whole, k))
    notes: list[str] = [best_note] if best_note else []
    # Keywords speak for replies that have only their examples (no intent to read them by),
    # and never for words a negation turned round.
    if hits and best > 0 and best_note is None and not cand.intents:
        bonus = min(KEYWORD_BONUS_MAX, KEYWORD_BONUS * len(hits))
        best += bonus
        notes.append(f"keywords +{bonus:.0f}")
    if lead is not None and cand.kind == lead:
        best += LEAD_BONUS
        notes.append(f"starts with a plain {'yes' if lead == 'affirm' else 'no'} +{LEAD_BONUS:.0f}")
    elif lead is not None and cand.kind is not None:
        best -= LEAD_BONUS
        notes.append(f"starts with a plain {'yes' if lead == 'affirm' else 'no'} -{LEAD_BONUS:.0f}")
    score = max(0.0, min(100.0, best))
    negated = None
    if negated_best is not None:
        negated = ReplyScore(cand.id, min(100.0, negated_best[0]), negated_best[2], negated_best[3])
    return ReplyScore(cand.id, score, best_example, best_clause, hits, tuple(notes)), negated
