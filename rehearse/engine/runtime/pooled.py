"""Which reply of a node the words favour, with all of each reply's examples pooled.

The matcher scores a reply by its single closest example, and the recogniser reads the
intent library, which knows nothing of a script's own replies. This third reader counts the
recogniser's features (concepts, word pairs, negation marks) over all of a reply's
examples together, a multinomial naive Bayes over the node's replies, so that many
examples each sharing a word or two with the text add up. The decision model leans on it as
a second opinion (``matching._gated``): a reply is taken at once only when the pooled words
favour it too, and a check-back on a reply they all but certainly favour is taken at once.

It is built from the node's examples when the node first decides (a few milliseconds at
the largest bundled node, once per session) and kept with the node's other weights.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

ALPHA = 0.3  # additive smoothing of each reply's counts
TEMPERATURE = 3.0  # softens naive Bayes' overconfident log odds into usable confidences


@dataclass(frozen=True)
class Pooled:
    """Per reply: log P(feature | reply) of each feature its examples have, and of one they
    never had; ``known`` is every feature of the node (others say nothing about a reply)."""

    replies: tuple[str, ...]
    logs: tuple[Mapping[str, float], ...]
    unseen: tuple[float, ...]
    known: frozenset[str]

    @staticmethod
    def of(examples: Sequence[tuple[str, Sequence[Mapping[str, float]]]]) -> Pooled:
        """``examples``: each reply's id and the features of each of its examples. A reply
        with none (it stands on its intent alone) has nothing to pool and is left out: it
        would read every word as equally likely, and so outbid the replies that know."""
        counts: dict[str, dict[str, float]] = {}
        for reply, featured in examples:
            pooled: dict[str, float] = {}
            for features in featured:
                for feature, value in features.items():
                    pooled[feature] = pooled.get(feature, 0.0) + value
            if pooled:
                counts[reply] = pooled
        known = frozenset(f for pooled in counts.values() for f in pooled)
        logs: list[Mapping[str, float]] = []
        unseen: list[float] = []
        for pooled in counts.values():
            total = sum(pooled.values()) + ALPHA * len(known)
            logs.append({f: math.log((v + ALPHA) / total) for f, v in pooled.items()})
            unseen.append(math.log(ALPHA / total))
        return Pooled(tuple(counts), tuple(logs), tuple(unseen), known)

    def posterior(self, features: Mapping[str, float]) -> dict[str, float]:
        """Each reply's share (0..1, summing to 1) of how well its examples explain the text;
        equal shares when the text has no feature any example has; no shares at all (no
        opinion) when fewer than two replies have examples."""
        if len(self.replies) < 2:
            return {}
        seen = [(f, v) for f, v in features.items() if f in self.known]
        scores = [
            math.fsum(v * logs.get(f, unseen) for f, v in seen)
            for logs, unseen in zip(self.logs, self.unseen, strict=True)
        ]
        best = max(scores)
        shares = [math.exp((s - best) / TEMPERATURE) for s in scores]
        z = math.fsum(shares)
        return {reply: share / z for reply, share in zip(self.replies, shares, strict=True)}
