"""Which of a charter's ideas a concern is about: typed words matched to ideas, and ideas in parts.

A charter's ideas are its principles. The concern form asks which idea was not
kept; a person may press a button or type in their own words.
"""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz import fuzz
from rasa_sdk import Tracker

from actions.pages import in_parts
from bot.content import CharterPack
from bot.content.fields import word_count

# Which few ideas the question shows when a charter has more than fit in one
# message: a message has at most six buttons, so four ideas, "More ideas" and
# "Not sure".
PAGE_SLOT = "concern_principle_page"
IDEAS_PER_PAGE = 4
IDEAS_WORDS = 45
MORE_IDEAS = "more_ideas"
_MORE = re.compile(
    r"^\W*(more|next|others?|the others?|other ideas|more ideas|see more|show more)\W*$"
)

# Words that tell no principle from another: function words, and words every
# charter uses ("everyone", "people", "meeting").
_IGNORED = frozenset(
    """a about after all also always an and any are around as at be been better both but by
    can community could did do does each every everybody everyone for from get given got
    had has have he help helps her his i idea ideas if in into is it its just know knows lives lot
    lots made make making me meeting meetings more most much my no not nothing of on one
    ones only or other others our out over people person possible really same she so some
    someone something than that the their them then there they thing things think thinking
    this to too up us very was way ways we well were what when where which who will with
    you your""".split()
)
_ENDINGS = ("ations", "ation", "ings", "ing", "ness", "ment", "ful", "ly", "ed", "es", "e", "s")
# A word from a principle's description counts a little less than one from its name.
_DESCRIPTION_PENALTY = 5.0
UNSURE = re.compile(
    r"\b(not (really |too |that |very )?sure|unsure|dunno|don'?t know|do not know|no idea|"
    r"idk|no clue|not certain|can'?t say|cannot say|can'?t remember|don'?t remember|skip|"
    r"none( of (them|those|these|it))?|neither)\b"
)
BOTH = re.compile(
    r"\b(both|all of (them|those|these)|all (the |of the |\w+ )?ideas|the two)\b|^all\W*$"
)
ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "last": -1}


def plain(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def _words(text: str) -> list[str]:
    found = re.findall(r"[a-z]+", plain(text).replace("'", ""))
    return [word for word in found if len(word) >= 3 and word not in _IGNORED]


def _stem(word: str) -> str:
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def _likeness(typed: str, known: str) -> float:
    """100 for the same word or the same word with another ending; less for a typo; else 0."""
    if typed == known or _stem(typed) == _stem(known):
        return 100.0
    if min(len(typed), len(known)) < 5 or typed[:2] != known[:2]:
        return 0.0
    spelt = fuzz.ratio(typed, known)
    stems = (_stem(typed), _stem(known))
    ended = fuzz.ratio(*stems) if min(map(len, stems)) >= 6 else 0.0
    return max(spelt, ended) if spelt >= 85 or ended >= 80 else 0.0


def principle_matches(pack: CharterPack, text: str | None) -> list[str]:
    """The principles a typed answer names, in the charter's order (empty: none).

    A principle's whole name counts first. Each other word counts for the
    principle whose name or description has it (spelt a little wrong, or with
    another ending, too); a word two principles share counts for both. When
    one principle has every word named, it alone is meant.
    """
    if not text or not text.strip():
        return []
    lowered = plain(text)
    for principle in pack.principles:
        if lowered in (principle.id, plain(principle.name)):
            return [principle.id]
    hits: list[set[str]] = []
    for principle in pack.principles:
        name = plain(principle.name)
        if re.search(rf"\b{re.escape(name)}\b", lowered):
            hits.append({principle.id})
            lowered = lowered.replace(name, " ")
    keywords = [
        (principle.id, set(_words(principle.name)), set(_words(principle.easy_read)))
        for principle in pack.principles
    ]
    for word in _words(lowered):
        scores = {}
        for principle_id, name_words, described in keywords:
            named = max((_likeness(word, known) for known in name_words), default=0.0)
            told = max((_likeness(word, known) for known in described), default=0.0)
            scores[principle_id] = max(named, told - _DESCRIPTION_PENALTY if told else 0.0)
        best = max(scores.values(), default=0.0)
        if best > 0:
            hits.append({pid for pid, score in scores.items() if score >= best - 2})
    # "Jargon and respect": the one principle that has every word named wins.
    found = set.intersection(*hits) if hits else set()
    found = found or set().union(*hits)
    return [principle.id for principle in pack.principles if principle.id in found]


def principle_of(pack: CharterPack, text: str | None) -> str | None:
    """The principle a button sent (its id) or a typed answer names alone; None if unclear."""
    matches = principle_matches(pack, text)
    return matches[0] if len(matches) == 1 else None


def says_not_sure(text: str) -> bool:
    return bool(UNSURE.search(plain(text)))


def picked_from(choices: list[str], pack: CharterPack, text: str) -> str | None:
    """Which of the short list a typed answer picks: by its words, or "the first one"."""
    named = [match for match in principle_matches(pack, text) if match in choices]
    if len(named) == 1:
        return named[0]
    ordinals = [ORDINALS[word] for word in re.findall(r"\w+", plain(text)) if word in ORDINALS]
    if len(ordinals) == 1 and ordinals[0] < len(choices):
        return choices[ordinals[0]]
    return None


def principle_buttons(principles: Any) -> list[dict[str, str]]:
    return [
        {"title": f"🔹 {p.name}", "payload": f'/inform{{"principle": "{p.id}"}}'}
        for p in principles
    ]


def idea_line(principle: Any) -> str:
    return f"🔹 {principle.name}: {principle.easy_read}"


def idea_pages(pack: CharterPack) -> list[list[Any]]:
    """The charter's ideas as they are shown: all at once if they fit, else a few a part.

    One part holds five ideas (five buttons and "Not sure"); more parts hold
    four (with "More ideas"), and at most 45 words of ideas each.
    """
    principles = list(pack.principles)
    whole = sum(word_count(idea_line(p)) for p in principles)
    if len(principles) <= IDEAS_PER_PAGE + 1 and whole <= IDEAS_WORDS:
        return [principles]
    return in_parts(
        principles,
        lambda p: word_count(idea_line(p)),
        most_items=IDEAS_PER_PAGE,
        most_words=IDEAS_WORDS,
    )


def page_of(pack: CharterPack, tracker: Tracker) -> int:
    """The page the question is on (0 when none was turned, or it is out of range)."""
    try:
        page = int(tracker.get_slot(PAGE_SLOT) or 0)
    except (TypeError, ValueError):
        return 0
    return page if 0 <= page < len(idea_pages(pack)) else 0


def wants_more_ideas(named: str | None, text: str) -> bool:
    return named == MORE_IDEAS or bool(_MORE.match(plain(text)))
