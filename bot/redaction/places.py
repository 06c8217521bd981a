"""Where a family can be found: postcodes, street addresses, and the schools children go to."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.redaction.contacts import Span
from bot.redaction.words import (
    NEVER_NAMES,
    Word,
    capitals_mean_names,
    common_words,
    everyday_words,
    words_of,
)

# Every form: "CH41 5LH", "ch415lh", "L1-8JQ", "l1 8jq".
POSTCODE = re.compile(
    r"\b(?:[A-Z]{1,2}[0-9][A-Z0-9]?)[\s\-]*[0-9][ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE
)
# Words that end a street's name. After the strong ones a street is clear; after the
# others ("Place", "Park") only with capitals, as in "7 Cedar Park".
_STRONG_STREETS = frozenset(
    "road rd street lane ln avenue ave close drive grove crescent cres gardens gdns terrace "
    "mews".split()
)
_OTHER_STREETS = frozenset(
    "court ct way place pl walk hill park row square sq view rise green vale croft fold parade "
    "wharf quay gate heights meadow meadows brow bank side end chase glade boulevard "
    "embankment circus wynd copse st dr".split()
)
_STREET_TYPES = "|".join(sorted(_STRONG_STREETS | _OTHER_STREETS, key=len, reverse=True))
# "14 Ash Lane", "flat 3, 22 Church Road", "16b Victoria Road"
NUMBERED_ADDRESS = re.compile(
    r"\b(?P<flat>(?:flat|apartment|apt|unit|house)\s*\d+[a-z]?[\s,]+)?(?P<number>\d{1,4}[a-z]?[\s,]+)?"
    rf"(?P<name>(?:[^\W\d_][\w'’\-]*[\s,]+){{1,4}}?)(?P<type>{_STREET_TYPES})\b",
    re.IGNORECASE,
)
# "we live on Hawthorn Drive", "Mill Lane": a capitalised name and a street word.
_NAMED_STREET_TYPES = _STRONG_STREETS | frozenset("rise croft walk".split())
_STREET_WORDS = _STRONG_STREETS | _OTHER_STREETS
# "Rose Cottage", "Ivy House Farm"; "Ivy House," when a street follows.
HOUSE_NAME = re.compile(
    r"\b(?:[A-Z][a-z]+\s+){1,2}(?:Cottage|Farm|Lodge|Barn|Bungalow|House(?=\s*,\s*[A-Z]))\b"
)
# After these, a street may be written in lower case: "we live on hawthorn drive".
LIVES_ON = re.compile(
    r"\b(?:live[sd]?|living|moved|stay(?:ing)?|address is|house is|we'?re)\s+(?:on|in|at|to)\s*$",
    re.IGNORECASE,
)

_SCHOOL_TYPES = frozenset(
    """primary academy school high college nursery infants infant juniors junior grammar
    prep preparatory montessori pre-school preschool pru university base unit centre
    center""".split()
)
# Words that say what kind of school, never which one.
_GENERIC = frozenset(
    """a an the his her my our their your its this that these those same new old next last
    first previous current local nearest special mainstream specialist primary secondary high
    junior senior infant nursery private independent state free catholic church faith
    residential day boarding grammar comprehensive village big small whole every any other
    another different sen send autism asd asc resource base unit good bad outstanding
    sixth form further education secondary-school main lovely great brilliant amazing
    awful terrible right wrong proper normal regular ordinary little""".split()
)
_SAINT = frozenset({"st", "st.", "saint", "sts"})
_JOINERS = frozenset({"of", "and", "&", "c", "e", "ce", "rc", "cofe", "de"})
# Words between a school's name and its last word: "Holy Cross Catholic Primary".
_DESCRIBERS = frozenset(
    """special catholic church primary junior infant community high grammar resource
    methodist christian jewish muslim islamic free national academy sixth form children's
    childrens family community youth""".split()
)
# In lower-case writing "school" follows many verbs ("hates school"): a word before it
# is a name only if it is not everyday English at all.
_VERB_PRONE = frozenset({"school", "college", "base", "unit", "centre", "center"})
# "St Bede's", "Saint Anne's": a school or church named for a saint, the kind unsaid.
SAINT_NAMED = re.compile(r"\b(?:St\.?|Saint)\s+[A-Z][a-z]+(?:['’]s)?\b")


def postcodes(text: str) -> Iterator[Span]:
    for match in POSTCODE.finditer(text):
        yield match.start(), match.end(), "[postcode]"


def addresses(text: str) -> Iterator[Span]:
    words = words_of(text)
    capitals = capitals_mean_names(words)
    for match in NUMBERED_ADDRESS.finditer(text):
        if _is_address(match, capitals):
            yield match.start(), match.end(), "[address]"
    for match in HOUSE_NAME.finditer(text):
        yield match.start(), match.end(), "[address]"
    for i, word in enumerate(words):
        if word.key not in _STREET_WORDS or i == 0:
            continue
        named = _name_words_before(text, words, i, capitals, 2)
        if named is None:
            continue
        lives_on = LIVES_ON.search(text[max(0, words[named].start - 40) : words[named].start])
        # "Larkspur Way" only after "I live on": alone it may be anything.
        if lives_on or (capitals and word.key in _NAMED_STREET_TYPES):
            yield words[named].start, word.end, "[street]"


def _is_address(match: re.Match, capitals: bool) -> bool:
    """A house number (or flat) and a street's name: not "2015 still hasnt got a place"."""
    number = (match.group("number") or "").strip(" ,")
    if not (match.group("flat") or number) or re.fullmatch(r"(?:19|20)\d\d", number):
        return False
    named = words_of(match.group("name"))
    strong = match.group("type").lower() in _STRONG_STREETS
    if capitals:
        return all(w.capitalised or w.shouted or w.key == "the" for w in named)
    everyday = [w for w in named if w.key in everyday_words() and w.key != "the"]
    return strong and len(everyday) <= (1 if len(named) > 0 else 0) and len(named) <= 3


def schools(text: str) -> Iterator[Span]:
    """ "Oakfield Academy", "st marys primary", "BIRKENHEAD HIGH SCHOOL", "The Priory School"."""
    words = words_of(text)
    capitals = capitals_mean_names(words)
    for i, word in enumerate(words):
        if word.key not in _SCHOOL_TYPES or i == 0:
            continue
        end = i
        # "High School", "Primary School", "Junior School": one name, two type words.
        if end + 1 < len(words) and words[end + 1].key in _SCHOOL_TYPES:
            if text[word.end : words[end + 1].start].strip() == "":
                end += 1
        first = _name_words_before(text, words, i, capitals, 4)
        if first is None:
            continue
        yield words[first].start, words[end].end, "[school]"


def _name_words_before(
    text: str, words: list[Word], i: int, capitals: bool, most: int
) -> int | None:
    """The first of up to ``most`` words naming the place that ends at word ``i``.

    Words that say what kind of place ("Catholic", "Special", "of") may stand
    between the name and the last word; without a name before them there is none.
    """
    strict = words[i].key in _VERB_PRONE
    first = None
    j = i - 1
    while j >= 0 and most > 0:
        gap = text[words[j].end : words[j + 1].start]
        if gap.strip(" '’.,") not in ("", "-"):
            break
        word = words[j]
        key = word.key.rstrip(".")
        if key in _SAINT:
            return j
        if key in _JOINERS or key in _DESCRIBERS:
            j -= 1
            continue
        if not _names_a_place(word, capitals, strict):
            break
        first = j
        most -= 1
        j -= 1
    return first


def _names_a_place(word: Word, capitals: bool, strict: bool = False) -> bool:
    key = word.key
    if key in _GENERIC or key in _SCHOOL_TYPES:
        return False
    if capitals:
        return (word.capitalised or word.shouted) and not (
            word.opens_sentence and key in everyday_words()
        )
    return key not in (common_words() if strict else everyday_words()) or key in NEVER_NAMES
