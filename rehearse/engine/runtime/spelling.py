"""Reading a misspelt word as the word meant, before a reply is read.

People type fast ("i wnat to aplly, evryone knows"), and a misspelt word is one the
recogniser and the matcher have never seen: it carries nothing. A word of four letters or
more, in lower case (or capitalised only as a sentence's first word), that neither the
intent library and the bundled scripts use nor English has (pyspellchecker's word list) is
read as the likeliest near word they use: one edit away for words of up to six letters,
two for longer ones, letters swapped costing less than other slips and commoner words
being likelier (a small noisy-channel choice), the first letter kept. A letter held down
reads as the word it spells ("noooo"). Nothing else is touched: a real word the library
lacks ("flattened", "unknown") stays as typed, as a nearest neighbour would turn it into
another ("flattered", "known"); so do names and chat shorthand.

The library's words and the words to read towards are counted when the model is built
(``intent_data/model.json``); English is loaded the first time a word is neither.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources

from rapidfuzz import process
from rapidfuzz.distance import OSA

from rehearse.engine.runtime.words import SHORTHAND_WORDS, expand

MIN_LETTERS = 4  # shorter words are too easily another word ("form" for "from")
LONG_WORD = 7  # from this length, two edits are allowed
TARGET_COUNT = 2  # a word the library uses this often is one to correct towards

_TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
_WORD = re.compile(r"[a-z]+")


@cache
def english() -> frozenset[str]:
    """English words, from pyspellchecker's frequency list (loaded once, on first need).
    Read from its file directly: building a SpellChecker takes four times as long."""
    try:
        raw = (resources.files("spellchecker") / "resources" / "en.json.gz").read_bytes()
    except OSError:  # (a release that keeps its list elsewhere)
        from spellchecker import SpellChecker

        return frozenset(SpellChecker().word_frequency.dictionary)
    return frozenset(json.loads(gzip.decompress(raw)))


def vocabulary(texts: Iterable[str]) -> tuple[list[str], list[str]]:
    """(every word the texts use, the words to correct towards, most common first)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(_WORD.findall(expand(text)))
    real = english()
    targets = [
        w for w, n in counts.most_common() if n >= TARGET_COUNT and len(w) >= MIN_LETTERS - 1 and w in real
    ]
    # and the contractions typed without an apostrophe ("shoudnt" is "shouldnt"), last
    targets += sorted(w for w in SHORTHAND_WORDS if len(w) >= MIN_LETTERS and w not in targets)
    return sorted(counts), targets


SWAP_COST = 0.6  # letters typed in the wrong order are the commonest slip: cheaper than an edit
RANK_WEIGHT = 0.5  # how much a commoner word outweighs an edit, per tenfold in rank


class _Search:
    """The targets by first letter, each with its rank: a word is only ever read as a
    target with its first or second letter first. Hashed by identity, so that a cache
    lookup does not hash a tuple of thousands of words anew each time (it cost more than
    the search it saved: 12 us a word)."""

    __slots__ = ("index", "targets")

    def __init__(self, targets: tuple[str, ...]) -> None:
        self.targets = targets
        self.index: dict[str, tuple[list[str], list[int]]] = {}
        for rank, target in enumerate(targets):
            words, ranks = self.index.setdefault(target[0], ([], []))
            words.append(target)
            ranks.append(rank)


_SEARCHES: dict[int, _Search] = {}


def _search(targets: tuple[str, ...]) -> _Search:
    """The search over ``targets``, built once per tuple (kept by its id, with the tuple)."""
    kept = _SEARCHES.get(id(targets))
    if kept is None or kept.targets is not targets:
        kept = _SEARCHES[id(targets)] = _Search(targets)
    return kept


@lru_cache(maxsize=8192)
def _nearest(word: str, search: _Search) -> str | None:
    """The likeliest target meant by ``word``, within the edits its length allows: the
    fewest edits, letters swapped costing less than others, weighed against how common
    the target is (a small noisy-channel model: "wnat" is "want", not the commoner "what";
    "aplly" is "apply", not the rarer "pally"). A word's first letter is rarely the one
    mistyped ("argment" is not "urgent"), unless two letters swapped places."""
    allowed = 2 if len(word) >= LONG_WORD else 1
    letters = sorted(word)
    index = search.index
    best: tuple[float, str] | None = None
    for initial in dict.fromkeys(word[:2]):
        words, ranks = index.get(initial, ([], []))
        for target, edits, i in process.extract(
            word, words, scorer=OSA.distance, score_cutoff=allowed, limit=None
        ):
            swapped = len(target) == len(word) and sorted(target) == letters
            if initial != word[0] and not swapped:
                continue
            cost = edits * (SWAP_COST if swapped else 1.0) + RANK_WEIGHT * math.log10(ranks[i] + 1)
            if best is None or cost < best[0]:
                best = (cost, target)
    return best[1] if best else None


def corrections(
    text: str, known: frozenset[str], targets: tuple[str, ...], also: frozenset[str] = frozenset()
) -> tuple[tuple[str, str], ...]:
    """(typed, read as) for each misspelt word of ``text``; ``also`` are more words to leave
    (the node's own)."""
    found: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(text):
        typed = match.group()
        # a capital starting a sentence is no name's ("Honsetly, I want it")
        starts = typed[:1].isupper() and typed[1:].islower() and _STARTS.search(text, 0, match.start())
        word = typed.lower() if starts else typed
        if (
            len(word) < MIN_LETTERS
            or not word.islower()
            or "'" in word
            or "’" in word
            or word in known
            or word in also
            or word in SHORTHAND_WORDS
            or word in english()  # a real word is never changed (and need not be searched)
        ):
            continue
        meant = _drawn_out(word, known) or _nearest(_RUN.sub(r"\1\1", word), _search(targets))
        if meant is not None and meant != word:
            found.append((typed, meant.capitalize() if starts else meant))
    return tuple(found)


_STARTS = re.compile(r"(?:^|[.!?]\s*)\W*$")


_RUN = re.compile(r"(.)\1\1+")


def _drawn_out(word: str, known: frozenset[str]) -> str | None:
    """The word a letter held down spells ("noooo", "yesss", "gooood"): its runs of three
    or more as two letters, or as one, when that is a real word the library uses."""
    if not _RUN.search(word):
        return None
    for squeezed in (_RUN.sub(r"\1\1", word), _RUN.sub(r"\1", word)):
        if squeezed in SHORTHAND_WORDS or (squeezed in known and squeezed in english()):
            return squeezed
    return None


def corrected_as(text: str, fixes: Iterable[tuple[str, str]]) -> str:
    """``text`` with each (typed, meant) pair of ``fixes`` read as meant."""
    meant = dict(fixes)
    if not meant:
        return text
    return _TOKEN.sub(lambda m: meant.get(m.group(), m.group()), text)
