"""The SEND glossary (``glossary.yml``): terms, their other names and easy read meanings."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from bot.content.errors import ContentError
from bot.content.fields import text_field

GLOSSARY_FILE = Path(__file__).resolve().parent / "glossary.yml"


@lru_cache(maxsize=1)
def _glossary() -> dict[str, dict[str, str]]:
    """Glossary entries keyed by every lower-cased name and alias they can be found by."""
    data = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8"))
    entries: dict[str, dict[str, str]] = {}
    for term, entry in data.items():
        where = f"{GLOSSARY_FILE.name}: {term}"
        if not isinstance(entry, dict) or set(entry) - {"short", "simple", "also"}:
            raise ContentError(f"{where}: must have 'short', 'simple' and optional 'also'")
        also = entry.get("also") or []
        if not isinstance(also, list) or not all(isinstance(a, str) and a.strip() for a in also):
            raise ContentError(f"{where}: field 'also' must be a list of other names")
        record = {
            "term": term,
            "short": text_field(entry, "short", where, easy_read=True),
            "simple": text_field(entry, "simple", where, easy_read=True),
        }
        for name in (term, *also):
            key = name.strip().lower()
            if key in entries and entries[key]["term"] != term:
                raise ContentError(
                    f"{where}: name '{name}' is already used by {entries[key]['term']}"
                )
            entries[key] = record
    return entries


def glossary_names() -> dict[str, str]:
    """Every name a glossary term can be written as (lower case), mapped to the term."""
    return {name: entry["term"] for name, entry in _glossary().items()}


def glossary_terms() -> list[str]:
    return sorted({entry["term"] for entry in _glossary().values()})


def lookup_term(term: str | None) -> dict[str, str] | None:
    """The glossary entry for ``term`` (any case, with or without 'a'/'the' or a plural 's')."""
    if not term:
        return None
    glossary = _glossary()
    key = re.sub(r"^(an?|the)\s+", "", term.strip().lower()).strip(" ?.!")
    for candidate in (key, key.rstrip("s"), key.replace("-", " ")):
        if candidate in glossary:
            return glossary[candidate]
    return None
