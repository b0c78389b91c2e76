"""What a reply and the strong reply do not share, word by word: the replay screen
highlights it, plain text and the exports name it."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

_WORD = re.compile(r"\S+")
_NOT_WORD = re.compile(r"[^\w']")

Spans = list[tuple[int, int]]


def _norm(word: str) -> str:
    low = word.lower()
    return _NOT_WORD.sub("", low) or low


@lru_cache(maxsize=256)
def _words(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[str, ...]]:
    """Where each word of ``text`` is, and the word as compared (a node's strong reply is
    compared with every reply made there: read once)."""
    found = list(_WORD.finditer(text))
    return tuple(m.span() for m in found), tuple(_norm(m.group()) for m in found)


def word_diff(mine: str, model: str) -> tuple[Spans, Spans]:
    """The spans of the words in each text that the other does not have (difflib on words,
    compared without case or punctuation)."""
    (a, a_words), (b, b_words) = _words(mine), _words(model)
    matcher = difflib.SequenceMatcher(a=a_words, b=b_words, autojunk=False)
    only_mine: Spans = []
    only_model: Spans = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        only_mine += a[i1:i2]
        only_model += b[j1:j2]
    return only_mine, only_model


def phrases(text: str, spans: Spans) -> list[str]:
    """The spans as phrases: neighbouring words joined, as written."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out and not text[out[-1][1] : start].strip():
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return [text[s:e] for s, e in out]


def differences(mine: str, model: str) -> tuple[list[str], list[str]]:
    """The phrases only in ``mine`` and only in ``model``."""
    only_mine, only_model = word_diff(mine, model)
    return phrases(mine, only_mine), phrases(model, only_model)
