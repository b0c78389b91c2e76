"""Recognising what a reply does (its intent), before a node decides what it means there.

A multinomial naive Bayes model over the intent library: word concepts (stemmed, synonyms
folded) marked when a negator governs them, word pairs (which carry "not going", "thank
you", "I would"), and a marker for a name. Measured against logistic regression and a
linear SVM on the same features, it generalised best to phrasings it had not seen, and it
trains by counting, so the model is a table of counts.

The counts are built from ``intent_data/*.yaml`` and the bundled scripts' examples by
``build_model()`` and shipped as ``intent_data/model.json`` (``python -m
rehearse.engine.authoring.train`` rebuilds it; a test fails when it is stale), so a process
loads them in tens of milliseconds instead of featurising thousands of phrasings.

In "X but Y" the part after "but" carries the intent, so when a reply has such a tail its
features count in full and the rest at ``HEAD_WEIGHT``. Each result carries its evidence:
the words that pulled hardest towards the intent, and the closest phrasing of it.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from importlib import resources

from rapidfuzz import fuzz, process

from rehearse.engine.runtime.intents import _DATA_DIR, _DATA_PACKAGE, library, names
from rehearse.engine.runtime.spelling import vocabulary
from rehearse.engine.runtime.words import (
    CALENDAR,
    NEGATORS,
    SHORTHAND_WORDS,
    STOPWORDS,
    bare,
    concept,
    expand,
    turn_tail,
)

FEATURE_VERSION = 5
MODEL_FILE = "model.json"
MODEL_FORMAT = 4  # how model.json writes the counts (a file in another format is rebuilt)
ALPHA = 0.1  # additive smoothing of the counts
HEAD_WEIGHT = 0.3  # what the part before "but" counts for, when a tail carries the intent
TEMPERATURE = 4.0  # softens naive Bayes' overconfident log odds into usable confidences
NEGATION_WINDOW = 6
EVIDENCE_WORDS = 4
MAX_CHARS = 2000

_NEGATORS = NEGATORS | {"nah", "nope", "hardly", "barely"}
# words after which "i" goes on the clause (and its negation): "don't think i'd", "not
# that i", "not sure if i", "not what i"
_CARRIES_NEGATION = frozenset(
    "<s> not no never think thought believe guess suppose reckon feel felt say said mean meant know "
    "knew sure certain that if when whether because so and but or what why how where who do did "
    "does would could should can will might must am was were is are be been have has had".split()
)
_SEGMENT = re.compile(r"[.,;:!?()\"“”…]+|\s[-–—]\s|—")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# People's names become one placeholder word, so that "Bob has never led anything" meets
# "Priya can barely run a stand-up": a name the library uses, or a capitalised word inside a
# sentence that the library never uses as a word.
PERSON = "zzperson"
_CAPITAL = re.compile(r"\b[A-Z][a-z]+(?:'s)?\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|[\"“]\s*)$")


def _segment_features(segment: str, out: dict[str, float], weight: float) -> None:
    tokens = _WORD.findall(segment)
    negated = False
    window = 0
    previous = "<s>"
    for token in tokens:
        # under a negator, word pairs are marked too: "not interested in the lead role"
        # must not share "the lead", "lead role" with "interested in the lead role"
        scope = "n:" if negated and window > 0 and token not in _NEGATORS else "b:"
        out[f"{scope}{previous}_{token}"] += weight
        if token == "i" and negated and previous not in _CARRIES_NEGATION:
            # typed without punctuation, "i" after a word that takes no clause starts one:
            # in "its not about priya i just want to..." nothing after "priya" is negated
            negated, window = False, 0
        previous = token
        if token in _NEGATORS:
            # a second negator undoes the first: "not that I don't want it" is not a no
            negated = not negated if window else True
            window = NEGATION_WINDOW if negated else 0
            out["neg"] += weight
            continue
        if token in STOPWORDS:
            continue
        marked = negated and window > 0
        out[("NOT_" if marked else "") + concept(token)] += weight
        if window:
            window -= 1
            if window == 0:
                negated = False


def _features_of(expanded: str, out: dict[str, float], weight: float) -> None:
    for segment in _SEGMENT.split(expanded):
        _segment_features(segment, out, weight)


def _with_people(text: str, people: frozenset[str], words: frozenset[str]) -> str:
    def person(match: re.Match[str]) -> str:
        word = match.group()
        base = word[:-2] if word.endswith("'s") else word
        low = base.lower()
        starts = bool(_SENTENCE_START.search(text[: match.start()]))
        if low in CALENDAR or low in SHORTHAND_WORDS:
            return word
        if low in people or (not starts and words and low not in words and base != "I"):
            return PERSON + ("'s" if word.endswith("'s") else "")
        return word

    return _CAPITAL.sub(person, text)


@lru_cache(maxsize=4096)
def features(text: str) -> Mapping[str, float]:
    """The model's features of a reply (cached by text: a step, the coach and the author
    overlay all ask about the same words)."""
    m = _loaded()
    return _features(text, m.people if m else _library_people(), m.words if m else frozenset())


def example_features(text: str) -> Mapping[str, float]:
    """The model's features of an author's example: not cached, as a node's examples are
    counted once and thousands of them would push out the replies people type."""
    m = model()
    return _features(text, m.people, m.words)


def _features(text: str, people: frozenset[str], words: frozenset[str]) -> Mapping[str, float]:
    text = _with_people(text[:MAX_CHARS], people, words)
    out: dict[str, float] = defaultdict(float)
    expanded = expand(text)
    tail = turn_tail(expanded)
    _features_of(expanded, out, HEAD_WEIGHT if tail is not None else 1.0)
    if tail is not None:
        _features_of(tail, out, 1.0)
    return dict(out)


# -- the model -----------------------------------------------------------------------------


Example = tuple[str, str]
"""(text, intent): a phrasing to learn from beside the library's."""


def library_digest(extra: Sequence[Example] = ()) -> str:
    """What the shipped counts were built from: every phrasing and the feature version."""
    h = hashlib.sha256(f"v{FEATURE_VERSION}".encode())
    for name, intent in sorted(library().items()):
        h.update(name.encode())
        for phrasing in intent.phrasings:
            h.update(b"\0" + phrasing.text.encode())
    for text, name in sorted(extra):
        h.update(f"\1{name}\0{text}".encode())
    return h.hexdigest()


@cache
def _library_people() -> frozenset[str]:
    """Names the library's phrasings give people: capitalised inside a sentence, and never
    written in lower case outside the typed-fast register."""
    capital: set[str] = set()
    lower: set[str] = set()
    for intent in library().values():
        for phrasing in intent.phrasings:
            text = phrasing.text
            for match in _CAPITAL.finditer(text):
                base = match.group().removesuffix("'s")
                if base != "I" and not _SENTENCE_START.search(text[: match.start()]):
                    capital.add(base.lower())
            if phrasing.register != "typos":
                lower.update(w for w in _WORD.findall(text) if w.islower())
    return frozenset(capital - lower - CALENDAR)


PLAIN_WORDS = 3


def _plain_phrasings() -> dict[str, str]:
    """The library's phrasings of three words or fewer that belong to one intent only
    ("come again", "no idea"): so few words read thinly ("Come again?" is ask_repeat at
    0.17), but said exactly so they are plain."""
    found: dict[str, set[str]] = {}
    for name, intent in library().items():
        for phrasing in intent.phrasings:
            text = bare(phrasing.text)
            if text and len(text.split()) <= PLAIN_WORDS:
                found.setdefault(text, set()).add(name)
    return {text: next(iter(owners)) for text, owners in sorted(found.items()) if len(owners) == 1}


def plain_intent(text: str) -> str | None:
    """The one intent whose library says exactly this in three words or fewer (or None)."""
    return model().plain.get(bare(text))


def build_model(extra: Sequence[Example] = ()) -> dict[str, object]:
    """Count every feature of every phrasing, per intent (the shipped model.json); ``extra``
    adds examples from elsewhere (the bundled scripts' replies tied to one intent)."""
    order = names()
    index = {name: i for i, name in enumerate(order)}
    people = _library_people()
    counts: dict[str, dict[int, float]] = {}
    docs = [0] * len(order)
    texts = [(p.text, name) for name in order for p in library()[name].phrasings]
    for text, name in [*texts, *sorted(extra)]:
        i = index[name]
        docs[i] += 1
        for feature, value in _features(text, people, frozenset()).items():
            row = counts.setdefault(feature, {})
            row[i] = round(row.get(i, 0.0) + value, 3)
    rows = {f: sorted(pairs.items()) for f, pairs in sorted(counts.items())}
    known, targets = vocabulary(text for text, _ in [*texts, *extra])
    totals = [0.0] * len(order)
    for ordered in rows.values():
        for i, value in ordered:
            totals[i] += value
    return {
        "feature_version": FEATURE_VERSION,
        "format": MODEL_FORMAT,
        "library": library_digest(extra),
        "intents": list(order),
        "docs": docs,
        "people": sorted(people),
        "plain": _plain_phrasings(),
        "vocabulary": known,
        "targets": targets,
        "totals": totals,
        # one string per feature ("intent:count ..."): JSON reads 34,000 strings in a tenth
        # of the time it reads 60,000 pairs of numbers, and a reply asks for a few dozen
        "counts": {f: " ".join(f"{i}:{v!r}" for i, v in ordered) for f, ordered in rows.items()},
    }


class _Weights(Mapping[str, Mapping[int, float]]):
    """feature -> intent -> log P - unknown, worked out for a feature when it is first asked
    for: a reply has a few dozen features of the library's tens of thousands, and working
    out every one took a tenth of a second of each process that recognises (a replay)."""

    __slots__ = ("_counts", "_done", "_scale", "_totals", "_unknown")

    def __init__(
        self, counts: Mapping[str, str], totals: Sequence[float], vocabulary: int, unknown: Sequence[float]
    ) -> None:
        self._counts = counts
        self._totals = totals
        self._scale = ALPHA * vocabulary
        self._unknown = unknown
        self._done: dict[str, dict[int, float]] = {}

    def __getitem__(self, feature: str) -> Mapping[int, float]:
        found = self._done.get(feature)
        if found is None:
            totals, scale, unknown = self._totals, self._scale, self._unknown
            found = {}
            for pair in self._counts[feature].split():
                at, _, count = pair.partition(":")
                i = int(at)
                found[i] = math.log((float(count) + ALPHA) / (totals[i] + scale)) - unknown[i]
            self._done[feature] = found
        return found

    def __contains__(self, feature: object) -> bool:
        return feature in self._counts

    def __iter__(self) -> Iterator[str]:
        return iter(self._counts)

    def __len__(self) -> int:
        return len(self._counts)


@dataclass(frozen=True)
class Model:
    intents: tuple[str, ...]
    priors: tuple[float, ...]
    unknown: tuple[float, ...]  # log P(feature | intent) of a feature the intent never had
    weights: Mapping[str, Mapping[int, float]]  # feature -> intent -> log P - unknown
    people: frozenset[str]  # names the library gives people
    words: frozenset[str]  # every word the library uses (a capitalised other word is a name)
    plain: Mapping[str, str] = field(default_factory=dict)  # short phrasings -> their one intent
    known: frozenset[str] = frozenset()  # every word the library and the scripts' examples use
    targets: tuple[str, ...] = ()  # the words a misspelt one is read as, most common first

    @staticmethod
    def from_json(data: Mapping[str, object]) -> Model:
        intents = tuple(str(n) for n in data["intents"])  # type: ignore[attr-defined]
        docs = [int(d) for d in data["docs"]]  # type: ignore[attr-defined]
        counts: Mapping[str, str] = data["counts"]  # type: ignore[assignment]
        totals = [float(t) for t in data["totals"]]  # type: ignore[attr-defined]
        vocabulary = len(counts)
        unknown = tuple(math.log(ALPHA / (t + ALPHA * vocabulary)) for t in totals)
        weights = _Weights(counts, totals, vocabulary, unknown)
        all_docs = sum(docs)
        words = frozenset(f[2:].rsplit("_", 1)[-1] for f in counts if f.startswith("b:"))
        people = frozenset(str(p) for p in data.get("people", []))  # type: ignore[attr-defined]
        plain = {str(k): str(v) for k, v in data.get("plain", {}).items()}  # type: ignore[attr-defined]
        priors = tuple(math.log(d / all_docs) for d in docs)
        known = frozenset(str(w) for w in data.get("vocabulary", []))  # type: ignore[attr-defined]
        targets = tuple(str(w) for w in data.get("targets", []))  # type: ignore[attr-defined]
        return Model(intents, priors, unknown, weights, people, words, plain, known, targets)


_MODEL: list[Model] = []


def _loaded() -> Model | None:
    return _MODEL[0] if _MODEL else None


def model() -> Model:
    """The shipped counts (rebuilt in memory if they do not match the library), loaded once."""
    if not _MODEL:
        _MODEL.append(_load())
        features.cache_clear()
    return _MODEL[0]


def _load() -> Model:
    path = resources.files(_DATA_PACKAGE) / _DATA_DIR / MODEL_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    if (
        not data
        or data.get("feature_version") != FEATURE_VERSION
        or data.get("format") != MODEL_FORMAT
        or len(data.get("intents", [])) != len(names())
    ):
        data = build_model()
    return Model.from_json(data)


# -- recognising ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IntentScore:
    intent: str
    p: float  # confidence, 0..1, over every intent of the library
    words: tuple[str, ...] = ()  # the words that pulled hardest towards it
    closest: str | None = None  # the library's nearest phrasing of it


@dataclass(frozen=True)
class Recognition:
    """Every intent's confidence for a text. A step reads several clauses and most readers
    want the top intent or one reply's best: the intents are kept as (intent, confidence)
    pairs, and an IntentScore is made only for the ones read (31 of them per reading were
    half of recognising a clause)."""

    text: str
    scores: tuple[tuple[str, float], ...]  # every intent and its confidence, most likely first
    known: float  # the share of the reply's features the library has seen (0..1)
    explained: tuple[IntentScore, ...] = ()  # with ``explain``: the top three, with evidence

    @cached_property
    def ranked(self) -> tuple[IntentScore, ...]:
        """Every intent, most likely first."""
        return tuple(self._at(rank) for rank in range(len(self.scores)))

    @cached_property
    def top(self) -> IntentScore:
        return self._at(0)

    def _at(self, rank: int) -> IntentScore:
        if rank < len(self.explained):
            return self.explained[rank]
        return IntentScore(*self.scores[rank])

    def p(self, intent: str) -> float:
        for name, p in self.scores:
            if name == intent:
                return p
        return 0.0

    def best_of(self, intents: Iterable[str]) -> IntentScore | None:
        wanted = set(intents)
        return next((self._at(rank) for rank, (name, _) in enumerate(self.scores) if name in wanted), None)


def _words_for(feats: Mapping[str, float], index: int, m: Model) -> tuple[str, ...]:
    pull = []
    for feature, value in feats.items():
        row = m.weights.get(feature)
        if row is None or index not in row or feature == "neg":
            continue
        others = sum(row.get(j, 0.0) for j in range(len(m.intents))) / len(m.intents)
        pull.append((value * (row[index] - others), feature))
    pull.sort(reverse=True)
    words: list[str] = []
    for strength, feature in pull:
        if strength <= 0 or len(words) >= EVIDENCE_WORDS:
            break
        if feature.startswith("b:<s>_") or feature == PERSON:
            continue
        word = feature.split(":", 1)[-1].replace("NOT_", "not ").replace("_", " ").replace(PERSON, "a name")
        if not any(word in w or w in word for w in words):
            words.append(word)
    return tuple(words)


@cache
def _phrasings(intent: str) -> tuple[str, ...]:
    return tuple(p.text for p in library()[intent].phrasings)


def closest_phrasing(text: str, intent: str) -> str | None:
    """The library's phrasing of ``intent`` nearest to ``text`` (for explanations)."""
    found = process.extractOne(text, _phrasings(intent), scorer=fuzz.token_set_ratio)
    return str(found[0]) if found else None


@lru_cache(maxsize=2048)
def recognise(text: str, *, explain: bool = False) -> Recognition:
    """Every intent's confidence for ``text``; with ``explain``, the evidence for the top three."""
    m = model()
    feats = features(text)
    weights = m.weights
    seen = [(f, v) for f, v in feats.items() if f in weights]
    total = sum(feats.values()) or 1.0
    mass = sum(v for _, v in seen)
    known = mass / total
    n = len(m.intents)
    scores = [prior + mass * unknown for prior, unknown in zip(m.priors, m.unknown, strict=True)]
    for feature, value in seen:
        for i, w in weights[feature].items():
            scores[i] += value * w
    best = max(scores)
    exps = [math.exp((s - best) / TEMPERATURE) for s in scores]
    z = sum(exps)
    order = sorted(range(n), key=exps.__getitem__, reverse=True)  # (stable: ties keep their order)
    explained = tuple(
        IntentScore(m.intents[i], exps[i] / z, _words_for(feats, i, m), closest_phrasing(text, m.intents[i]))
        for i in (order[:3] if explain else ())
    )
    return Recognition(text, tuple([(m.intents[i], exps[i] / z) for i in order]), known, explained)


def write_model(extra: Sequence[Example] = ()) -> str:
    """Write the shipped counts into the package (a source checkout); returns the path."""
    target = resources.files(_DATA_PACKAGE) / _DATA_DIR / MODEL_FILE
    with resources.as_file(target) as path:
        path.write_text(json.dumps(build_model(extra), separators=(",", ":")) + "\n", encoding="utf-8")
        return str(path)
