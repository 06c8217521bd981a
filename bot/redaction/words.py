"""The word lists redaction reads, and the words of a text with what is known of each."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

# Words never taken for a person's name, whatever the lists say: days, months, places
# and services families name, chat words and the SEND words of the glossary.
NEVER_NAMES = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    england scotland wales britain uk english welsh scottish irish british polish urdu
    france spain italy germany poland ireland india pakistan america europe africa china
    wirral halton warrington wokingham birmingham liverpool manchester leeds sheffield
    london chester bristol sefton knowsley cheshire merseyside birkenhead wallasey
    nhs send sen senco sendco ehc ehcp camhs salt ot pip dla esa pe ta sendiass ipsea ofsted
    im ive id ill ok okay haha hiya cos coz wat ta ty thx pls plz lol omg tbh idk btw
    mum dad nan nana grandad mam mom ma pa sis bro hun babe mate
    covid zoom teams whatsapp youtube fortnite minecraft roblox google
    """.split()
)
TITLES = frozenset("mr mrs ms miss mx dr doctor prof professor sir dame rev nurse sister".split())


@cache
def word_list(name: str) -> frozenset[str]:
    return frozenset((DATA / name).read_text(encoding="utf-8").split())


@cache
def first_names() -> frozenset[str]:
    """First names that are not English words: a name wherever they stand."""
    return word_list("first_names.txt") - NEVER_NAMES


@cache
def first_names_also_words() -> frozenset[str]:
    """First names that are English words too ("will", "grace"): a name only in context."""
    return word_list("first_names_also_words.txt") - NEVER_NAMES


@cache
def surnames() -> frozenset[str]:
    """Surnames that are not English words ("okafor")."""
    return word_list("surnames.txt") - NEVER_NAMES


@cache
def surnames_also_words() -> frozenset[str]:
    """Common British surnames that are English words too ("smith", "brown")."""
    return word_list("surnames_also_words.txt") - NEVER_NAMES


@cache
def common_words() -> frozenset[str]:
    """The 30,000 most frequent English words."""
    return word_list("common_words.txt")


@cache
def everyday_words() -> frozenset[str]:
    """The 3,000 most frequent English words."""
    return word_list("everyday_words.txt")


WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’\-](?=[^\W\d_]))*")


@dataclass(frozen=True)
class Word:
    text: str
    start: int
    end: int
    # The first word of a sentence (its capital says nothing).
    opens_sentence: bool

    @property
    def key(self) -> str:
        """Lower case, without a possessive 's ("Leo's" → "leo")."""
        lowered = self.text.lower().replace("’", "'")
        return lowered[:-2] if lowered.endswith("'s") else lowered

    @property
    def capitalised(self) -> bool:
        return self.text[0].isupper() and not self.text.isupper()

    @property
    def shouted(self) -> bool:
        return self.text.isupper() and len(self.text) > 1


def words_of(text: str) -> list[Word]:
    found = []
    for match in WORD.finditer(text):
        before = text[: match.start()].rstrip(" \t\"'“‘([-")
        opens = not before or before[-1] in ".!?\n:;•*" or before.endswith(("...", "…"))
        found.append(Word(match.group(), match.start(), match.end(), opens))
    return found


def capitals_mean_names(words: list[Word]) -> bool:
    """Whether capitals in this text are used as in print (so a capital marks a name).

    Yes when sentences start with a capital or a word inside one has one; not in a
    text written all in lower case or all in capitals.
    """
    inside = [w for w in words if not w.opens_sentence and w.key != "i"]
    openers = [w for w in words if w.opens_sentence]
    if sum(w.shouted for w in words) > len(words) / 2:
        return False
    if any(w.capitalised for w in inside):
        return True
    return bool(openers) and sum(w.capitalised for w in openers) > len(openers) / 2
