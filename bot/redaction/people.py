"""People's names: family members, children, and the professionals a parent names.

A word is taken for a name when
- it is a first name that is not an English word ("Freya", "oluwaseun"), anywhere;
- it comes after words that introduce a name ("I'm", "my son", "called", "our
  social worker", "Mrs"), if it is a first name, a word with a capital where
  capitals are used as in print, or a word that is not everyday English;
- it is a first name that is also a word ("Will", "Grace") with a capital inside
  a sentence, or followed by an age ("Will is 14", "Summer, 19").
A surname after a first name goes with it ("Lily Smith", "sam smith").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.redaction.contacts import Span
from bot.redaction.words import (
    NEVER_NAMES,
    TITLES,
    Word,
    capitals_mean_names,
    common_words,
    everyday_words,
    first_names,
    first_names_also_words,
    surnames,
    surnames_also_words,
    words_of,
)

_FAMILY = (
    r"son|daughter|child|kid|boy|girl|lad|lass|little one|little girl|little boy|eldest|"
    r"youngest|middle one|twin|twins|baby|husband|wife|partner|brother|sister|grandson|"
    r"granddaughter|nephew|niece|stepson|stepdaughter|foster son|foster daughter|friend|"
    r"carer|mum|dad|mother|father|auntie|aunt|uncle|cousin|gran|nan|grandma|grandad"
)
_ROLE = (
    r"senco|sendco|social worker|support worker|key ?worker|case ?worker|worker|nurse|"
    r"teacher|head ?teacher|head|deputy head|therapist|salt|ot|paediatrician|consultant|"
    r"officer|co-?ordinator|manager|advis[eo]r|psychologist|ep|ta|teaching assistant|"
    r"assistant|mentor|chair|lead|doctor|gp|health visitor|practitioner|counsellor|coach|"
    r"tutor|principal|physio|physiotherapist|psychiatrist|dietitian|audiologist"
)
# Words after which the next word is likely a name.
INTRODUCES = re.compile(
    r"(?:\b(?:i'?m|i am|my name(?:'s|\s+is)|name\s*(?:is)?\s*[:\-]|call(?:ed)? me|called|named|"
    r"this is|it'?s|(?:her|his|their|my|our) names?(?:'s|\s+is|\s+are)|"
    r"(?:my|our|her|his|their)\s+(?:(?:little|baby|big|older|younger|autistic)\s+)?(?:"
    + _FAMILY
    + r")(?:'s name is|\s+is called|\s+called|\s+named|\s+is|,)?|"
    r"(?:my|our)\s+(?:kids|children|boys|girls|sons|daughters|twins)\s+(?:are|is)|"
    r"(?:the|our|my|his|her|their|a|new|camhs|school|class)\s+(?:" + _ROLE + r")(?:,|\s+called)?)"
    r")\s*[,:\-]?\s*$",
    re.IGNORECASE,
)
INTRODUCTION_CHARS = 60
NAME_SHAPE = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
# "my son is ...": what follows is often not a name ("my son is nonverbal").
DESCRIBES = re.compile(r"\b(?:is|are)\s*[,:\-]?\s*$", re.I)
# Introductions that name the writer: the surname after may be in any case.
SELF = re.compile(r"\b(?:i'?m|i am|my name(?:'s|\s+is)|call(?:ed)? me|called|named)\s*$", re.I)
# "Will is 14", "Summer, 19", "Tia (10)", "Roman aged 3"
AGE_AFTER = re.compile(r"\s*(?:,\s*|\(\s*|\s+(?:is|was|aged?|turned|turns)\s+)\d{1,2}\b", re.I)
# "Ruby has gone backwards", "Will needs": a name that is also a word, before a verb.
VERB_AFTER = re.compile(
    r"\s+(?:is|was|has|had|gets|got|loves|hates|needs|wants|went|goes|said|says|"
    r"can'?t|cannot|won'?t|doesn'?t|didn'?t|isn'?t|wasn'?t|started|starts|struggles|"
    r"cried|cries|refuses|refused|likes|liked|finds|found)\b",
    re.I,
)
# "the bus was late": after these a word is a thing, not a name.
DETERMINERS = frozenset(
    "the a an my our your his her their its this that these those every each no some any".split()
)
# A list of names: "Tia (10), Marcus (8) and Roman (3)", "jo n jack"
LIST_JOIN = re.compile(
    r"\s*(?:\(\s*\d{1,2}\s*\))?\s*(?:,\s*(?:(?:and|n)\s+)?|\s*(?:&|\+)\s*|\s+(?:and|n|an'?)\s+)",
    re.I,
)
# Words that end a school or street name, never a surname.
PLACE_WORDS = frozenset(
    """primary academy school high college nursery infants infant juniors junior grammar
    road street lane avenue close drive grove court crescent way place gardens terrace walk
    hill park mews row square view rise green vale croft hospital centre surgery""".split()
)


def _without_possessive(word: Word) -> int:
    """Where a name ends: "Leo's mum" keeps its "'s"."""
    return word.end - 2 if word.text.lower().endswith(("'s", "’s")) else word.end


def _before(text: str, at: int) -> str:
    """The words just before ``at``: every introduction fits in this many characters."""
    return text[max(0, at - INTRODUCTION_CHARS) : at]


def _first_name(word: Word) -> bool:
    key = word.key
    if key in NEVER_NAMES:
        return False
    if key in first_names():
        return True
    parts = key.split("-")
    return len(parts) > 1 and all(len(p) > 1 for p in parts) and parts[0] in first_names()


def _word_name(word: Word) -> bool:
    return word.key in first_names_also_words() and word.key not in NEVER_NAMES


def _introduced(text: str, word: Word, capitals: bool) -> bool:
    """Whether a word just after an introduction ("my son ...") is a name."""
    key = word.key
    if key in NEVER_NAMES or key in TITLES or not NAME_SHAPE.fullmatch(key):
        return False
    described = bool(DESCRIBES.search(_before(text, word.start)))
    if _first_name(word):
        return True
    if capitals or word.shouted:
        return word.capitalised or word.shouted
    if _word_name(word):
        # "im precious": a name-word after "I'm", unless it is everyday ("im just").
        if SELF.search(_before(text, word.start)) and key not in everyday_words():
            return True
        return bool(AGE_AFTER.match(text, word.end) or VERB_AFTER.match(text, word.end))
    return not described and key not in common_words()


def _surname(word: Word, capitals: bool, self_named: bool) -> bool:
    key = word.key
    if key in NEVER_NAMES or key in PLACE_WORDS or key in TITLES:
        return False
    if capitals and word.capitalised:
        # Where capitals are used as in print, a capitalised word after a first name
        # is its surname ("Imogen Price").
        return not word.opens_sentence
    if key in surnames() or (self_named and key in surnames_also_words()):
        return True
    return not capitals and _first_name(word)


def names(text: str) -> Iterator[Span]:
    words = words_of(text)
    capitals = capitals_mean_names(words)
    taken: set[int] = set()
    for i, word in enumerate(words):
        if i in taken:
            continue
        before = _before(text, word.start)
        introduced = bool(INTRODUCES.search(before))
        titled = i > 0 and words[i - 1].key in TITLES and _after_title(words[i - 1], word, capitals)
        is_name = (
            titled
            or (introduced and _introduced(text, word, capitals))
            or (_first_name(word) and not (word.shouted and capitals and len(word.text) <= 4))
            or (_word_name(word) and _word_name_in_context(text, words, i, capitals))
        )
        if not is_name:
            continue
        first = i - 1 if titled else i
        last = i
        self_named = bool(SELF.search(before))
        while last + 1 < len(words) and text[words[last].end : words[last + 1].start] in (" ", ""):
            if not _surname(words[last + 1], capitals, self_named):
                break
            last += 1
        taken.update(range(first, last + 1))
        yield words[first].start, _without_possessive(words[last]), "[name]"
        # Names listed after this one: "Tia (10), Marcus (8) and Roman (3)".
        starts = {w.start: k for k, w in enumerate(words)}
        j = last
        while (joined := LIST_JOIN.match(text, words[j].end)) and joined.end() in starts:
            j = starts[joined.end()]
            listed = words[j]
            if not (
                (introduced and _introduced(text, listed, capitals))
                or _first_name(listed)
                or (_word_name(listed) and (listed.capitalised or not capitals))
            ):
                break
            taken.add(j)
            yield listed.start, _without_possessive(listed), "[name]"


def _after_title(title: Word, word: Word, capitals: bool) -> bool:
    """ "Mrs Okafor", "mr patel", "Dr. Brennan"; not "the nurse said" or "I miss school"."""
    if title.key in ("nurse", "sister", "doctor", "miss") and not (
        title.capitalised or title.shouted
    ):
        return (capitals and word.capitalised) or _first_name(word)
    if word.key in NEVER_NAMES or word.key in PLACE_WORDS:
        return False
    if capitals:
        return word.capitalised or word.shouted or word.key not in common_words()
    return word.key not in common_words() or word.key in surnames()


def _word_name_in_context(text: str, words: list[Word], i: int, capitals: bool) -> bool:
    """ "Will is 14", "Summer, 19", "Ruby has gone"; or a capital inside a sentence.

    Not after a determiner ("the bus was late"), nor after another capitalised word
    that is no first name ("the Kite Mark is"): a full name's surname is found from
    its first name.
    """
    word = words[i]
    previous = words[i - 1] if i > 0 else None
    if (
        previous is not None
        and previous.capitalised
        and not previous.opens_sentence
        and text[previous.end : word.start] == " "
        and not (_first_name(previous) or _word_name(previous))
    ):
        return False
    if AGE_AFTER.match(text, word.end):
        return True
    after_determiner = previous is not None and previous.key in DETERMINERS
    if (word.capitalised or not capitals) and not after_determiner:
        if VERB_AFTER.match(text, word.end):
            return True
    return capitals and word.capitalised and not word.opens_sentence
