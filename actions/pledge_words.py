"""Reading what people type while signing: typos mended, and the kind of signer, the area
and the answer (yes, not now, more, no name) that their words name.
"""

from __future__ import annotations

import re

from actions.pledge_rules import PERSON
from bot.content import list_packs
from bot.names import SIGNER_KINDS
from bot.nlp.profile import role_of

# ---- Typos ---------------------------------------------------------------------------------------

# Words the answers to this flow's questions turn on, so that a typo of one is still read
# ("organistion", "parnet", "yung person", "i plege").
_KEY_WORDS = frozenset(
    """organisation organization service council school college nursery hospital charity
    company business academy department provider agency authority forum parent parents carer
    carers mother father grandparent guardian family young person people student teenager
    myself individual personally behalf representing pledge agree promise another different
    later""".split()
)
# Everyday words one letter away from a key word: never taken for a typo of it.
_NOT_TYPOS = frozenset(
    "arent care cares charter charters form forms gather other others rather water unpledge "
    "parents' later laters".split()
)


def _distance(a: str, b: str) -> int:
    """Letters to add, drop, change or swap to make ``a`` into ``b``."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(
                rows[i - 1][j] + 1,
                row[j - 1] + 1,
                rows[i - 1][j - 1] + (a[i - 1] != b[j - 1]),
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def closest(word: str, words: frozenset[str] | set[str]) -> str | None:
    """The word of ``words`` that ``word`` is a typo of (one slip, two in long words)."""
    if word in words:
        return word
    if len(word) < 4 or word in _NOT_TYPOS:
        return None
    limit = 1 if len(word) < 8 else 2
    best = min(sorted(words), key=lambda known: _distance(word, known))
    return best if _distance(word, best) <= limit else None


def plain_words(text: str | None) -> str:
    """Lower case words, apostrophes dropped and typos of this flow's key words mended."""
    lowered = (text or "").lower().replace("’", "").replace("'", "")
    return " ".join(closest(w, _KEY_WORDS) or w for w in re.findall(r"[a-z0-9]+", lowered))


# ---- Who is signing, and for which area ----------------------------------------------------------

_ORGANISATION_WORDS = re.compile(
    r"\b(organi[sz]ations?|services?|council|schools?|college|nursery|nhs|hospital|charity|"
    r"company|business|team|trust|academy|board|department|provider|agency|authority|club|"
    r"setting|surgery|practice)\b"
)
_ON_BEHALF = re.compile(r"\b(on behalf|behalf of|representing|represent|group|employer)\b")
_FORUM_WORDS = re.compile(r"\bforum\b|\bpcf\b")
_FAMILY_WORDS = re.compile(
    r"\bmy (son|daughter|child|children|kids?|boy|girl|grandchild)\b|\bfamily\b|\bfamilies\b"
)
_YOUNG_WORDS = re.compile(r"\byoung (people|person|adults?|carers?)\b|\bteenager\b")
# "I'm at school" says who someone is, not which organisation they sign for.
_AT_SCHOOL = re.compile(r"\b(at|in|go to|attend) (school|college|sixth form)\b")
_PERSON_WORDS = re.compile(
    r"\b(me|myself|personally|individual|individually|person|private|my own|on my own)\b"
)
_ROLE_TO_KIND = {
    "parent_carer": "parents_and_carers",
    "young_person": "young_people",
    "practitioner": "organisation",
}


def kind_of(text: str | None) -> str | None:
    """The kind of signer a button sent or a typed answer names; None if unclear.

    ``PERSON`` when someone signs for themselves ("just me") without saying if they
    are a parent or carer or a young person.
    """
    if not text:
        return None
    lowered = text.strip().lower()
    if lowered in SIGNER_KINDS:
        return lowered
    words = plain_words(lowered)
    if _FORUM_WORDS.search(words):
        return "parent_carer_forum"
    words = _AT_SCHOOL.sub(" student ", words)
    if _ORGANISATION_WORDS.search(words):
        return "organisation"
    if _YOUNG_WORDS.search(words):
        return "young_people"
    if _FAMILY_WORDS.search(words):
        return "parents_and_carers"
    role = role_of(_PERSON_WORDS.sub(" ", words))
    if role is not None:
        return _ROLE_TO_KIND[role]
    if _ON_BEHALF.search(words):
        return "organisation"
    if _PERSON_WORDS.search(words):
        return PERSON
    return None


def area_of(text: str | None) -> str | None:
    """The charter (a pack id) of the area a typed answer names, typos allowed."""
    names = {pack.area.lower(): pack.id for pack in list_packs()}
    names.update({pack.id: pack.id for pack in list_packs()})
    for word in re.findall(r"[a-z]+", (text or "").lower()):
        found = closest(word, set(names))
        if found:
            return names[found]
    return None


# ---- Answers to the other questions --------------------------------------------------------------

MORE_WORDS = re.compile(r"\b(more|next|go on|carry on|continue|keep going|read on)\b")
AGREE_WORDS = re.compile(
    r"\b(yes|yeah|yep|yup|ok|okay|sure|agree|agreed|pledge|promise|sign|i do|happy to)\b"
)
NOT_NOW_WORDS = re.compile(
    r"\b(no|nope|nah|not now|not yet|not today|later|dont|do not|not sure)\b"
)
ANOTHER_WORDS = re.compile(
    r"\b(yes|yeah|yep|yup|ok|okay|sure|another|different|new|again|one more|more|sign|pledge)\b"
)
# A family member may sign without a name: these answers mean "no name".
NO_NAME = re.compile(
    r"^(no|nope|no name|none|anon|anonymous|anonymously|skip|rather not|no thanks)\b"
)
