"""Rule cards: readable risk patterns on lemmas, each with its own examples.

A card (YAML under ``bot/safety/rules/``) names one kind of risk::

    - id: hurt-by-someone-at-home
      severity: severe            # severe: help at once; possible: a gentle check first
      says: Someone at home hurts the person.
      patterns:
        - "@someone ~2 hit|kick|punch me"
      unless:
        - "by accident"
      examples: ["my stepdad hits me when mum is out"]
      near_misses: ["my brother hit me with a pillow by accident"]

A pattern is words separated by spaces, each matched on its lemma, so "hit"
also finds "hits", "hitting" and a misspelt "hittin":
- ``a|b|c``: any of these words; ``@name``: a word list from ``_words.yml``;
- ``=word``: exactly this word (no lemma), for when the form matters;
- ``!a|b``: one word that is none of these;
- ``word?``: the word may be missing; ``~N``: up to N words of anything, within
  a sentence.
Each space starts a new word, also inside choices: ``out of|up from`` is "out",
then "of" or "up", then "from". Write two patterns for two phrases.
A match that overlaps a match of any of the card's ``unless`` patterns does not
count (so an ``unless`` names the card's own words, with what makes them safe).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.safety.text import RULES_DIR, lemma_of

SEVERITIES = ("severe", "possible")
CATEGORIES = (
    "self_harm",
    "suicide",
    "physical_abuse",
    "sexual_abuse_grooming",
    "neglect_medical_neglect",
    "domestic_abuse",
    "exploitation_county_lines",
    "online_image_abuse",
    "forced_marriage_fgm",
    "radicalisation",
    "missing_homeless",
    "carer_breaking_point",
    "threats_weapons",
)
_SENTENCE_ENDS = [".", "!", "?", "\n"]


class CardError(ValueError):
    """A card file that cannot be used: names the file, the card and the problem."""


@dataclass(frozen=True)
class Card:
    id: str
    category: str
    severity: str
    says: str
    patterns: tuple[str, ...]
    unless: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    near_misses: tuple[str, ...] = ()
    source: str = field(default="", compare=False)


@lru_cache(maxsize=1)
def word_lists() -> dict[str, tuple[str, ...]]:
    """The shared word lists (``_words*.yml``): "@child" in a pattern is any of its words."""
    lists: dict[str, tuple[str, ...]] = {}
    for path in sorted(RULES_DIR.glob("_words*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, words in (data.get("lists") or {}).items():
            if name in lists:
                raise CardError(f"{path.name}: word list {name!r} is defined twice")
            lists[name] = tuple(str(w) for w in words)
    return lists


def _words(spec: str, source: str) -> list[str]:
    words: list[str] = []
    parts = spec.split("|")
    if len(parts) > 1 and any(p[:1] in ("=", "!") and len(p) > 1 for p in parts):
        raise CardError(f"{source}: '=' or '!' must start the whole word, not one choice: {spec!r}")
    for part in parts:
        if part.startswith("@"):
            if part[1:] not in word_lists():
                raise CardError(f"{source}: unknown word list {part!r}")
            words.extend(word_lists()[part[1:]])
        elif part:
            words.append(part)
    if not words:
        raise CardError(f"{source}: empty word in a pattern")
    return words


def token_specs(pattern: str, source: str = "pattern") -> list[dict[str, Any]]:
    """One pattern in the card syntax as spaCy Matcher token specs (on NORM)."""
    specs: list[dict[str, Any]] = []
    for piece in pattern.split():
        if piece.startswith("~"):
            try:
                gap = int(piece[1:])
            except ValueError as error:
                raise CardError(f"{source}: a gap is ~ and a number, not {piece!r}") from error
            specs += [{"ORTH": {"NOT_IN": _SENTENCE_ENDS}, "OP": "?"}] * gap
            continue
        optional = piece.endswith("?") and len(piece) > 1
        piece = piece.rstrip("?") if optional else piece
        if piece.startswith("="):
            spec: dict[str, Any] = {"LOWER": {"IN": [w.lower() for w in _words(piece[1:], source)]}}
        elif piece.startswith("!"):
            spec = {"NORM": {"NOT_IN": sorted({lemma_of(w) for w in _words(piece[1:], source)})}}
        else:
            spec = {"NORM": {"IN": sorted({lemma_of(w) for w in _words(piece, source)})}}
        if optional:
            spec["OP"] = "?"
        specs.append(spec)
    if not any("OP" not in s for s in specs):
        raise CardError(f"{source}: a pattern needs at least one word that must be there")
    return specs


def pattern_lemmas(cards: Iterable[Card], with_unless: bool = False) -> set[str]:
    """Every lemma the cards look for: the words misspellings are mended towards
    (and, ``with_unless``, every word a card names, which is never mended away)."""
    found: set[str] = set()
    for card in cards:
        for pattern in card.patterns + (card.unless if with_unless else ()):
            for spec in token_specs(pattern, card.id):
                found.update(spec.get("NORM", {}).get("IN", []))
                found.update(spec.get("NORM", {}).get("NOT_IN", []))
    return found


def _strings(value: Any, source: str, name: str, required: bool = False) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CardError(f"{source}: '{name}' must be a list of words")
    if required and not value:
        raise CardError(f"{source}: '{name}' must not be empty")
    return tuple(v.strip() for v in value)


def _card(raw: Any, category: str, source: str) -> Card:
    if not isinstance(raw, dict):
        raise CardError(f"{source}: each card must be a mapping")
    card_id = raw.get("id")
    if not isinstance(card_id, str) or not card_id:
        raise CardError(f"{source}: a card has no id")
    where = f"{source}, card {card_id}"
    unknown = set(raw) - {"id", "severity", "says", "patterns", "unless", "examples", "near_misses"}
    if unknown:
        raise CardError(f"{where}: unknown fields {sorted(unknown)}")
    if raw.get("severity") not in SEVERITIES:
        raise CardError(f"{where}: severity must be one of {SEVERITIES}")
    if not isinstance(raw.get("says"), str) or not raw["says"].strip():
        raise CardError(f"{where}: 'says' must say what the card finds")
    card = Card(
        id=card_id,
        category=category,
        severity=raw["severity"],
        says=raw["says"].strip(),
        patterns=_strings(raw.get("patterns"), where, "patterns", required=True),
        unless=_strings(raw.get("unless"), where, "unless"),
        examples=_strings(raw.get("examples"), where, "examples", required=True),
        near_misses=_strings(raw.get("near_misses"), where, "near_misses"),
        source=source,
    )
    for pattern in card.patterns + card.unless:
        token_specs(pattern, where)
    return card


def load_cards(directory: Path = RULES_DIR) -> tuple[Card, ...]:
    """Every card in ``directory`` (files not starting with ``_``), checked."""
    cards: list[Card] = []
    for path in sorted(directory.glob("*.yml")):
        if path.name.startswith("_"):
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        category = data.get("category")
        if category not in CATEGORIES:
            raise CardError(f"{path.name}: category must be one of {CATEGORIES}")
        if not isinstance(data.get("cards"), list):
            raise CardError(f"{path.name}: 'cards' must be a list")
        cards += [_card(raw, category, path.name) for raw in data["cards"]]
    ids = [card.id for card in cards]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise CardError(f"card ids used twice: {twice}")
    return tuple(cards)
