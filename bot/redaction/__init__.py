"""Redaction: free text without what could identify a person, before it leaves the store.

Removed, each replaced by a placeholder that says what was there: e-mail addresses
(also "jo at example dot com" and full-width forms), links and social media
handles, phone numbers in every UK and international form (``phonenumbers``;
letters typed for digits too), NHS numbers and other long numbers, dates of
birth and whole dates, reference numbers and vehicle registrations, postcodes,
street addresses, schools, and people's names: the family's and the
professionals' a parent names ("Mrs Okafor", "our social worker Karen").

`copro redact` and every export use :func:`redact`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from bot.redaction import contacts, people, places, records
from bot.redaction.contacts import Span

# In order of trust: where two finds overlap, both go, named after the longer (then the
# earlier here).
FINDERS = (
    contacts.emails,
    contacts.links,
    contacts.handles,
    places.postcodes,
    contacts.nhs_numbers,
    contacts.phones,
    records.dates,
    records.references,
    contacts.numbers,
    places.addresses,
    places.schools,
    people.names,
)


def _chosen(spans: list[tuple[int, int, str, int]]) -> list[Span]:
    """Overlapping finds joined into one (nothing is left half removed), sorted.

    The joined span says what its longest find was (then the most trusted finder's).
    """
    merged: list[list] = []
    for start, end, label, rank in sorted(spans):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            longest = last[3]
            if (end - start, -rank) > (longest[1] - longest[0], -longest[2]):
                last[3] = (start, end, rank, label)
            last[1] = max(last[1], end)
        else:
            merged.append([start, end, label, (start, end, rank, label)])
    return [(start, end, best[3]) for start, end, _, best in merged]


def _given_names(text: str, names: Iterable[str]) -> list[tuple[int, int, str, int]]:
    spans = []
    for name in {n.strip() for n in names if n and len(n.strip()) > 1}:
        for match in re.finditer(rf"\b{re.escape(name)}\b", text, flags=re.IGNORECASE):
            spans.append((match.start(), match.end(), "[name]", -1))
    return spans


def redact(text: str, names: Iterable[str] = ()) -> str:
    """``text`` without anything that could identify a person.

    ``names`` are names this person gave the bot (a first name when signing a
    pledge, for example); each is replaced wherever it appears.
    """
    text = unicodedata.normalize("NFKC", text)
    spans = _given_names(text, names)
    for rank, finder in enumerate(FINDERS):
        spans += [(start, end, label, rank) for start, end, label in finder(text)]
    out = []
    at = 0
    for start, end, label in _chosen(spans):
        out.append(text[at:start])
        out.append(label)
        at = end
    out.append(text[at:])
    return "".join(out)
