"""Which replies say the opposite of each other, and a reply read without its one "not".

A plain statement and its negation share every word but one, so the matcher's word scores
and the recogniser's word counts all but tie them ("I'd like to take it on." / "I wouldn't
like to take it on."). What tells them apart is knowing what the sentence says without its
"not", and which reply says the opposite of that. Intents that are opposites are listed
here; replies of one node are opposites when they stand for opposite intents, or when the
author wrote one's example as the other's with a "not" (a negation twin, which
docs/authoring.md asks for).

A short answer in the words of the boss's question is that question's yes, or with a "not"
its no ("Do you mean it?" "I don't mean it."): :class:`Question` holds what a node asks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from rehearse.engine.runtime.words import NEGATORS, STOPWORDS, concept, normalise

#: Intents that say the opposite of each other: a clause that plainly does one rules out a
#: reply that stands for the other ("caught off guard, and I don't want a shot at it").
OPPOSITES: dict[str, frozenset[str]] = {
    "express_interest": frozenset({"decline_role"}),
    "decline_role": frozenset({"express_interest"}),
    "accept_decision": frozenset({"dispute_decision"}),
    "dispute_decision": frozenset({"accept_decision"}),
    "commit_to_stay": frozenset({"threaten_leave"}),
    "threaten_leave": frozenset({"commit_to_stay"}),
    "yes": frozenset({"no"}),
    "no": frozenset({"yes"}),
}

#: "not sure", "not certain": a hedge, not the opposite of being sure
HEDGED = frozenset(concept(w) for w in ("sure", "certain", "know", "convinced"))
FLIP_MAX_WORDS = 14
_FLIPPING = frozenset({"not", "never", "no"})


class _Reply(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def raw_examples(self) -> tuple[str, ...]: ...
    @property
    def intents(self) -> tuple[str, ...]: ...


def without_its_not(text: str) -> str | None:
    """The text, normalised, without its one plain negator ("not", "n't", "never", "no"),
    when it has exactly one and three to FLIP_MAX_WORDS words; None otherwise, and for
    "not sure", "not certain", "don't know" (a hedge)."""
    words = normalise(text).split()
    negators = [k for k, w in enumerate(words) if w in NEGATORS]
    if len(negators) != 1 or not 3 <= len(words) <= FLIP_MAX_WORDS or words[negators[0]] not in _FLIPPING:
        return None
    k = negators[0]
    if _hedged(words, k):
        return None
    return " ".join(words[:k] + words[k + 1 :])


#: where a plain statement takes its "not": after the first of these ("I'd like" -> "I would
#: not like", "it was the right call" -> "it was not the right call")
_AUXILIARIES = frozenset("am is are was were do does did would will can could should shall must".split())
_SUBJECTS = frozenset({"i", "we"})
_QUESTION_OPENERS = _AUXILIARIES | frozenset("how what why who when where which whose are have has".split())
_AUX_REACH = 5  # the auxiliary is looked for among the text's first words


def with_a_not(text: str) -> str | None:
    """The text, normalised, with a "not" put in where a plain statement takes one: after
    its first auxiliary, or as "do not" after its first "I" before a verb ("I accept it" ->
    "I do not accept it"); None for a text with a negator already, a question, a text of
    fewer than three or more than FLIP_MAX_WORDS words, or where the "not" would make a
    hedge ("I'm sure" -> "I'm not sure")."""
    words = normalise(text).split()
    if text.rstrip().endswith("?") or not 3 <= len(words) <= FLIP_MAX_WORDS or NEGATORS.intersection(words):
        return None
    if words[0] in _QUESTION_OPENERS:  # a question typed without its mark
        return None
    for k, word in enumerate(words[:_AUX_REACH]):
        if word in _AUXILIARIES:
            out, at = [*words[: k + 1], "not", *words[k + 1 :]], k + 1
            break
        if word in _SUBJECTS and k + 1 < len(words) and words[k + 1] not in _AUXILIARIES:
            out, at = [*words[: k + 1], "do", "not", *words[k + 1 :]], k + 2
            break
    else:
        return None
    return None if _hedged(out, at) else " ".join(out)


def opposite_replies(replies: Sequence[_Reply]) -> dict[str, frozenset[str]]:
    """Each reply's opposites at one node: the replies that stand for an opposite intent,
    and those with an example that is one of its own examples with a "not" taken out or
    put in."""
    found: dict[str, set[str]] = {r.id: set() for r in replies}
    said: dict[str, set[str]] = {}
    for reply in replies:
        for example in reply.raw_examples:
            said.setdefault(normalise(example), set()).add(reply.id)
    for reply in replies:
        against = {o for i in reply.intents for o in OPPOSITES.get(i, ())}
        opposed = {other.id for other in replies if against.intersection(other.intents)}
        for example in reply.raw_examples:
            plain = without_its_not(example)
            opposed.update(said.get(plain, ()) if plain is not None else ())
        for other_id in opposed - {reply.id}:
            found[reply.id].add(other_id)
            found[other_id].add(reply.id)
    return {reply: frozenset(others) for reply, others in found.items()}


ECHO_MAX_WORDS = 10  # an answer this short, all in the question's words, is its yes or no
_TAG = re.compile(r"\{[%{#].*?[%}#]\}", re.S)
_ASKING = re.compile(r"[^.!?]*\?")
_CLAUSE_BREAK = re.compile(r"[,:;]")
_UNDECIDED = frozenset({"dunno", "idk", "maybe", "perhaps"})
_YES = frozenset({"yes", "yeah", "yep"})
_NEGATED_SPAN = 3  # how far after a negator the word it negates is looked for


@dataclass(frozen=True)
class Question:
    """What the boss asks at a node: the content words of every sentence of theirs that
    ends in a question mark, in every variant of the line, and the ones the question itself
    negates ("You won't regret not trying?")."""

    concepts: frozenset[str] = frozenset()
    negated: frozenset[str] = frozenset()
    heads: frozenset[str] = frozenset()  # what each asks: the first content word of a clause

    @staticmethod
    def of(lines: Iterable[str]) -> Question:
        """From the sources of the boss's lines (a template's tags and names are left out)."""
        concepts: set[str] = set()
        negated: set[str] = set()
        heads: set[str] = set()
        for line in lines:
            for asked in _ASKING.findall(_TAG.sub(" ", line)):
                words = normalise(asked).split()
                concepts.update(_content(words))
                # what it asks opens a clause ("Before I answer that: are you hoping...?",
                # "You're going for it, I assume?")
                for clause in _CLAUSE_BREAK.split(asked):
                    heads.update(_content(normalise(clause).split())[:1])
                negated.update(c for k in range(len(words)) for c in _negating(words, k) if c)
        return Question(frozenset(concepts), frozenset(negated), frozenset(heads))

    def answer(self, text: str) -> Literal["affirm", "deny"] | None:
        """Whether a short statement in the question's own words answers yes ("affirm") or,
        with a "not" the question does not have, no ("deny"); None for anything else (a
        question back, a hedge, "yes and no", a statement of something else)."""
        words = normalise(text).split()
        if not words or len(words) > ECHO_MAX_WORDS or text.rstrip().endswith("?"):
            return None
        if _UNDECIDED.intersection(words) or (_YES.intersection(words) and "no" in words):
            return None
        content = _content(words)
        if not content or not all(c in self.concepts for c in content):
            return None
        if any(_hedged(words, k) for k, w in enumerate(words) if w in NEGATORS):
            return None  # "I don't know if I mean it": a hedge, not a no
        # a "not" the question has too is an echo; one the answer adds, or drops, says no
        governed = [c for k in range(len(words)) for c in _negating(words, k)]
        added = [c for c in governed if c not in self.negated]
        dropped = [c for c in content if c in self.negated and c not in governed]
        flips = len(added) + len(dropped)
        if flips > 1 or not self.heads.intersection(content):
            return None
        if added and not self.heads.intersection(added):
            return None  # "It won't be a headache" (to "Are you sure you want the headache?")
        return "deny" if flips else "affirm"

    def negates_what_it_asks(self, text: str) -> bool:
        """Whether a "not" in the text negates what the question asks ("I'm not hoping" to
        "are you hoping...?", not "It won't be a headache" to "are you sure you want the
        headache?")."""
        words = normalise(text).split()
        return any(c in self.heads for k in range(len(words)) for c in _negating(words, k))


NOTHING_ASKED = Question()


def _content(words: Sequence[str]) -> list[str]:
    return [concept(w) for w in words if w not in STOPWORDS and w not in NEGATORS]


def _hedged(words: Sequence[str], k: int) -> bool:
    """The negator at ``k`` makes a hedge ("not sure", "don't know"), not an opposite."""
    return any(concept(w) in HEDGED for w in words[k + 1 : k + 3])


def _negating(words: Sequence[str], k: int) -> list[str]:
    """The content word the word at ``k`` negates, when it is a negator: the first one
    after it, within a few words ("not going to", "never really wanted"); "" when none
    follows ("I'd rather not.")."""
    if words[k] not in NEGATORS:
        return []
    return _content(words[k + 1 : k + 1 + _NEGATED_SPAN])[:1] or [""]
