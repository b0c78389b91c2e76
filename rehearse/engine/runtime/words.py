"""Words as the understanding layer reads them: apostrophes straightened, contractions and
chat shorthand expanded ("don't" -> "do not", "idk" -> "i do not know"), light stemming,
a small synonym table, and the word lists (negators, stopwords, plain yes and no) that the
matcher and the recogniser share.

rapidfuzz's ``default_process`` turns "don't" into "don t": contractions are expanded here
first, before any punctuation is stripped.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.utils import default_process

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
# Contractions with an apostrophe, in this order, each with what any match of it contains
# (a pattern runs only when the text has that: most replies have few contractions).
_CONTRACTIONS: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (literal, re.compile(pattern), repl)
    for literal, pattern, repl in (
        ("can't", r"\bcan't\b", "can not"),
        ("won't", r"\bwon't\b", "will not"),
        ("shan't", r"\bshan't\b", "shall not"),
        ("ain't", r"\bain't\b", "am not"),
        ("n't", r"n't\b", " not"),
        ("i'm", r"\bi'm\b", "i am"),
        ("let's", r"\blet's\b", "let us"),
        ("'s", r"\b(it|that|what|there|here|he|she|who)'s\b", r"\1 is"),
        ("'re", r"'re\b", " are"),
        ("'ve", r"'ve\b", " have"),
        ("'ll", r"'ll\b", " will"),
        ("'d", r"'d\b", " would"),
    )
)
# Words typed without an apostrophe, and chat shorthand: one pass with a lookup.
_SHORTHAND = {
    "cannot": "can not",
    "cant": "can not",
    "wont": "will not",
    "im": "i am",
    "ive": "i have",
    "thats": "that is",
    "whats": "what is",
    "theres": "there is",
    "youre": "you are",
    "theyre": "they are",
    "weve": "we have",
    "youve": "you have",
    "theyve": "they have",
    "youll": "you will",
    "theyll": "they will",
    "itll": "it will",
    "youd": "you would",
    "theyd": "they would",
    "wouldve": "would have",
    "couldve": "could have",
    "shouldve": "should have",
    "aint": "am not",
    "shant": "shall not",
    "idk": "i do not know",
    "wanna": "want to",
    "gonna": "going to",
    "gotta": "got to",
    "dunno": "do not know",
    "kinda": "kind of",
    "sorta": "sort of",
    "imo": "in my opinion",
    "thx": "thanks",
    "pls": "please",
    "plz": "please",
    "u": "you",
    "r": "are",
    "ur": "your",
    "cos": "because",
    "coz": "because",
    "cuz": "because",
    "bc": "because",
    "tho": "though",
    "rly": "really",
    "ppl": "people",
    "abt": "about",
    "thru": "through",
    "b4": "before",
    "def": "definitely",
    "prolly": "probably",
    "probs": "probably",
    "ngl": "honestly",
    "smth": "something",
    "sth": "something",
    "atm": "at the moment",
    "tmrw": "tomorrow",
    "obvs": "obviously",
    "wud": "would",
    "cud": "could",
    "shud": "should",
    **{
        f"{aux}nt": f"{aux} not"
        for aux in ("do does did is are was were would could should have has had must need".split())
    },
}
# never a name, capitalised or not ("Im", "Ill", "Id"); "id" and "ill" are words too, so
# they are not expanded (read as "i would", the plans' "id love to" and "ill" shifted enough
# to check back a plain goal)
SHORTHAND_WORDS = frozenset(_SHORTHAND) | {"id", "ill"}
_SHORTHAND_RE = re.compile(r"\b(" + "|".join(sorted(_SHORTHAND, key=len, reverse=True)) + r")\b")

# The same words as they are written, for what looks for written forms (the coach's "did
# they ask?"): "cud we" as "could we", "id like" as "i'd like", "dont" as "don't".
_CONTRACTED = {
    "not": "n't",
    "am": "'m",
    "is": "'s",
    "are": "'re",
    "have": "'ve",
    "will": "'ll",
    "would": "'d",
}


def _as_written(word: str, meant: str) -> str:
    """A shorthand word as written: its one word ("cud": "could"), or its contraction
    ("dont": "don't", "youre": "you're", "wouldve": "would've")."""
    head, _, tail = meant.rpartition(" ")
    if not head:
        return meant
    if word.endswith("nt") and tail == "not":
        return word[:-2] + "n't"  # ("wont": "won't", not "willn't")
    if " " in head or tail not in _CONTRACTED:
        return meant  # ("idk": "i do not know")
    return (head.removesuffix("n") if tail == "not" else head) + _CONTRACTED[tail]  # ("can't")


_WRITTEN = {
    **{word: _as_written(word, meant) for word, meant in _SHORTHAND.items()},
    # typed without the apostrophe, but words too: read as written only here
    "id": "i'd",
    "ill": "i'll",
    "lets": "let's",
}
_WRITTEN_RE = re.compile(r"\b(" + "|".join(sorted(_WRITTEN, key=len, reverse=True)) + r")\b", re.IGNORECASE)


def written(text: str) -> str:
    """``text`` with chat shorthand and contractions typed without an apostrophe written
    out ("cud we" as "could we", "id like" as "i'd like"), the rest as typed."""
    return _WRITTEN_RE.sub(lambda m: _WRITTEN[m.group().lower()], text)


def written_where(text: str) -> tuple[str, list[int], list[int]] | None:
    """``written(text)`` with where its positions fall in ``text`` (None when nothing is
    written out): a span ``[i, j)`` of it is ``[starts[i], ends[j])`` of the text as typed,
    a word written out standing for the whole word typed. For checks whose spans must
    point at what the user typed ("if thats ok" flagged as typed, found as "if that's ok")."""
    starts: list[int] = []
    ends = [0]
    pieces: list[str] = []
    at = 0
    for match in _WRITTEN_RE.finditer(text):
        s, e = match.span()
        out = _WRITTEN[match.group().lower()]
        pieces += [text[at:s], out]
        starts += [*range(at, s), *[s] * len(out)]
        ends += [*range(at + 1, s + 1), *[e] * len(out)]
        at = e
    if not pieces:
        return None
    pieces.append(text[at:])
    starts += [*range(at, len(text)), len(text)]
    ends += range(at + 1, len(text) + 1)
    return "".join(pieces), starts, ends


NEGATORS = frozenset(
    "not no never nothing without refuse refusing nor neither none nobody nowhere "
    "decline declining against".split()
)
# Words that carry little meaning on their own: matching on them alone is noise.
STOPWORDS = (
    frozenset(
        """a an the i me my mine myself you your yours we us our it its this that these those
    to of in on at for with about as by from into up out over so than then too very
    and or but if because while just really quite also even still again
    is am are was were be been being do does did doing have has had having
    will would shall should can could may might must
    what which who whom whose when where why how
    he him his she her they them their there here
    some any all each both more most much many such own same other
    okay ok well um uh like oh yeah hmm
    honestly honest frankly basically enough actually literally anyway anyways guess suppose
    """.split()
    )
    - NEGATORS
)
# Words that mean the same thing in these conversations, folded onto one stem, so that
# "I'd love the job" meets "I want the role". Kept small: a wrong synonym costs precision.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "role": ("job", "post", "position", "opening", "promotion", "vacancy", "lead", "seat"),
    "want": ("like", "love", "keen", "interest", "fancy", "wish", "prefer", "eager"),
    "apply": ("application", "consider", "candidate", "candidacy", "run", "throw"),
    "thank": ("thanks", "grateful", "appreciate", "gratitude", "cheer"),
    "sorry": ("apologise", "apologize", "apology", "apologies", "regret"),
    "advice": (
        "advise",
        "suggest",
        "suggestion",
        "recommend",
        "recommendation",
        "tip",
        "pointer",
        "guidance",
    ),
    "leave": ("quit", "resign", "resignation", "elsewhere", "exit", "walk"),
    "train": ("teach", "mentor", "coach", "develop", "development", "learn"),
    "course": ("class", "workshop", "qualification", "certification", "certificate"),
    "help": ("support", "backing", "assist", "assistance"),
    "talk": ("meet", "meeting", "chat", "discuss", "discussion", "conversation", "catch"),
    "skill": ("ability", "competence", "expertise", "knowledge", "strength"),
    "colleague": ("peer", "coworker", "teammate"),
    "pay": ("salary", "money", "raise", "compensation", "rise"),
    "scope": ("responsibility", "responsibilities", "remit", "ownership", "influence"),
    "nerve": ("nervous", "scared", "afraid", "anxious", "fear", "worried", "worry", "fright"),
    "ready": ("prepared",),
    "sure": ("certain", "positive", "confident"),
    "idea": ("plan", "proposal", "suggestion"),
}
_CANON: dict[str, str] = {}
# "unfair" is "not fair": the base word, negated (a closed list; most un- words are not).
UN_WORDS = frozenset(
    "unfair unhappy unable unclear unsure unlikely uninterested unready unwilling unprepared "
    "unqualified unreasonable unhelpful unimportant unsuitable unacceptable unjust".split()
)


def stem(word: str) -> str:
    """A light suffix stripper: 'considered', 'considering', 'considers' -> 'consider'."""
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ied") and len(word) > 4:
        return word[:-3] + "y"
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if len(base) >= 4 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]
            return base
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


for _canon, _words in SYNONYMS.items():
    for _word in (_canon, *_words):
        _CANON[stem(_word)] = _canon


@lru_cache(maxsize=65536)
def concept(word: str) -> str:
    stemmed = stem(word)
    return _CANON.get(stemmed, stemmed)


BUT = re.compile(
    r"\b(?:but|however|though|although|except|yet)\b"
    # a speaker correcting themselves turns too: "I mean, no, what I mean is ..."
    r"|\b(?:what i mean is|what i meant was|or rather|scratch that|let me rephrase that|let me rephrase)\b"
)
_TAIL_WORD = re.compile(r"[a-z0-9]+")
# "yet" and "though" close a clause as adverbs ("not yet, honestly", "I do mean it though.")
_ADVERBS = frozenset({"yet", "though"})
_CLOSES = re.compile(r"\s*(?:[,.;:!?…)\-–—]|$)")
# "It's not that I don't want it. I just froze.": what it is not, then what it is
_NOT_THAT = re.compile(r"\W*(?:it (?:is|was) not|it isn't|it wasn't|its not) (?:that|like)\b[^.;!?,]*[.;!?,]")


def turn_tail(text: str) -> str | None:
    """What follows the last "but" ("though", "however"...) with two words or more after it,
    in lower-case text; or, with none, what follows an opening that says what the point is
    not ("It wasn't that I didn't want it. I bottled it."). A turn word with nothing after
    it turns nothing back: in "that's a fair worry, but I haven't turned miserable yet" the
    point follows "but", not "yet"."""
    for found in reversed(list(BUT.finditer(text))):
        tail = text[found.end() :]
        if found.group() in _ADVERBS and _CLOSES.match(tail):
            continue  # "I haven't decided yet, to be honest": an adverb closing its clause
        if len(_TAIL_WORD.findall(tail)) >= 2:
            return tail
    opened = _NOT_THAT.match(text)
    if opened is not None:
        tail = text[opened.end() :]
        if len(_TAIL_WORD.findall(tail)) >= 2:
            return tail
    return None


CLAUSE = re.compile(r"[.;!?\n]+|,|\b(?:and then|and also|also)\b")

AFFIRM_PHRASES = frozenset(
    {
        "yes",
        "yep",
        "yeah",
        "yup",
        "sure",
        "ok",
        "okay",
        "absolutely",
        "definitely",
        "certainly",
        "of course",
        "indeed",
        "sounds good",
        "correct",
        "right",
        "exactly",
        "agreed",
        "deal",
        "yes please",
        "i do",
        "i will",
        "i am",
        "i would",
        "for sure",
        "totally",
        "that is right",
        "go ahead",
        "why not",
        "sure thing",
        "yes i am",
        "yes i do",
        "yes i would",
        "yes definitely",
        "yes absolutely",
        "very much",
        "yes of course",
        "of course i do",
        "of course i am",
        "i guess so",
        "i think so",
        "alright",
        "all right",
        "ok then",
        "okay then",
        "go on then",
        "you bet",
        "fine yes",
        "yes fine",
        "hell yes",
    }
)
DENY_PHRASES = frozenset(
    {
        "no",
        "nope",
        "nah",
        "not really",
        "no thanks",
        "no thank you",
        "i do not",
        "not at all",
        "never",
        "i will not",
        "i am not",
        "i would not",
        "no way",
        "absolutely not",
        "definitely not",
        "certainly not",
        "of course not",
        "not now",
        "not yet",
        "no i am not",
        "no i do not",
        "no i would not",
        "i guess not",
        "i think not",
        "i do not think so",
        "not for me",
        "no not really",
        "hell no",
        "no chance",
    }
)
_ANSWER_WORDS = frozenset(w for phrase in AFFIRM_PHRASES | DENY_PHRASES for w in phrase.split())
LEAD_AFFIRM = ("yes", "yeah", "yep", "sure", "absolutely", "definitely", "of course")
LEAD_DENY = ("no", "nope", "nah", "not really")


# "no," answering the question; typed fast, with no comma, "no" before a subject or an
# adverb answers it too ("no I accept the decision", "no honestly I'm fine")
_INTERJECTION = re.compile(
    r"(^|[,.;!?]|\bbut\b)\s*(?:no|nope)(?:\s*[,.!;:-]+|\s+(?=(?:i|i'm|i'd|i'll|i've|im|ive|we|it|it's|"
    r"its|that|that's|thats|you|honestly|really|sorry|not|just|actually)\b))"
)


@lru_cache(maxsize=4096)
def expand(text: str) -> str:
    """Lower-case and expand contractions, before punctuation is stripped.

    A leading "no," answers the question; it does not negate what follows ("no, I stand
    by it"), so it becomes "nah", which counts as a plain no but not as a negator. Cached
    by text: a step expands the reply for matching, for the recogniser and for its lead
    word, and each clause again.
    """
    text = text.translate(_APOSTROPHES).lower()
    text = _INTERJECTION.sub(r"\1 nah, ", text)
    if "'" in text:
        for literal, pattern, repl in _CONTRACTIONS:
            if literal in text:
                text = pattern.sub(repl, text)
    return _SHORTHAND_RE.sub(lambda m: _SHORTHAND[m.group(1)], text)


# days, months and holidays: capitalised inside a sentence, yet neither names nor its start
CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday mondays tuesdays wednesdays "
    "thursdays fridays saturdays sundays january february march april may june july august "
    "september october november december christmas easter".split()
)
_CAPITALISED = re.compile(r"(?<=[a-z0-9'’])(\s+)([A-Z][a-z]*(?:['’][a-z]+)?)\b")
_FIRST_PERSON = frozenset({"i", "i'm", "i'd", "i'll", "i've"})


def with_stops(text: str, words: frozenset[str], names: frozenset[str] = frozenset()) -> str:
    """``text`` with the full stops a fast typist left out where a sentence plainly starts:
    a capitalised word straight after a lower-case one, that is a word of ``words`` (the
    library's) and not a name ("It's not nothing really Could I have a few minutes",
    "I'd say no to it Don't put me forward"). "I" starts no sentence by its capital."""

    def stop(match: re.Match[str]) -> str:
        word = match.group(2).translate(_APOSTROPHES).lower()
        first = expand(word).split()[0] if word else word
        if word in _FIRST_PERSON or word in names or word in CALENDAR or first not in words:
            return match.group()
        return "." + match.group()

    return _CAPITALISED.sub(stop, text)


def with_names(text: str, names: frozenset[str]) -> str:
    """``text`` with the names a fast typist wrote in lower case capitalised, as the
    recogniser knows a name by its capital ("alex can barely chair a stand-up"); a
    possessive without its apostrophe too ("priyas got the whole lab" as "Priya's")."""
    if not names:
        return text

    def named(match: re.Match[str]) -> str:
        word = match.group()
        if word in names:
            return word.capitalize()
        if word.endswith("s") and word[:-1] in names:
            return word[:-1].capitalize() + "'s"
        return word

    return _LOWER_WORD.sub(named, text)


_LOWER_WORD = re.compile(r"\b[a-z]+\b")


def normalise(text: str) -> str:
    return str(default_process(expand(text)))


_HELD = re.compile(r"(.)\1+")


def plain_answer(text: str) -> str:
    """The bare words of ``text`` to look up as a plain yes or no: without its empty
    opening, a letter held down read as the answer word it spells."""
    return held_answer(bare(strip_filler(text)))


def held_answer(said: str) -> str:
    """``said`` (bare) with each word typed with a letter held down that then spells a word
    of a plain yes or no read as that word: "yess definitely", "noo", "yeahh". (Three
    letters or more are read by the spelling reader; two are a real word's, "good", "all",
    unless they spell an answer word.)"""
    return " ".join(_held_word(word) for word in said.split())


def _held_word(word: str) -> str:
    if word in _ANSWER_WORDS:
        return word
    squeezed = _HELD.sub(r"\1", word)
    return squeezed if squeezed in _ANSWER_WORDS else word


def bare(text: str) -> str:
    """Text as short phrasings are compared (plain yes, plain no, the library's short
    phrasings): normalised, single spaces."""
    return " ".join(normalise(text).split())


# Openings that carry nothing ("Um, yeah, so", "To be honest,", "Sorry, let me be clearer:"):
# they never sink a reply, so they are taken off before it is read.
_FILLER = re.compile(
    r"^\s*(?:(?:um+|uh+|erm+|er|hmm+|so|well|ok|okay|right|yeah|yea|yes so|look|listen|honestly|"
    r"basically|anyway|to be honest|to be fair|in all honesty|tbh|like|hi|hey|"
    r"i mean(?! (?:it|that|this|every|what i)\b)|"  # not "I mean it": that is the point
    r"(?:sorry|ok|okay|right)?[,. ]*let me (?:be (?:clearer|more specific|clear)|rephrase|put (?:it|that) "
    r"(?:another|a different|differently)(?: way)?|try (?:that|again))|what i (?:mean|meant) is|"
    r"(?:ok|okay|right|sorry)[,. ]+(?:so|well)|"
    r"(?:sorry|sorry)[,. ]+(?:what i (?:mean|meant) is|i mean))"
    r"(?:\s*[,.:;!?…-]+\s*|\s+))+",
    re.IGNORECASE,
)


def strip_filler(text: str) -> str:
    """The reply without its empty opening; the reply itself if nothing else is left, or
    if it is a plain answer whole ("OK then")."""
    rest = _FILLER.sub("", text, count=1)
    if rest == text or not rest.split():
        return text
    whole = held_answer(bare(text))
    return text if whole in AFFIRM_PHRASES or whole in DENY_PHRASES else rest
