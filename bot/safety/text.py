"""Messages made ready for the rule cards: one lemma per word, misspellings mended.

People write "hes allways hittin me wen mum goes out". The cards are written in
lemmas ("hit me"), so each word is lower-cased, text-speak is spelt out, letters
held down are squeezed, and a word that is in no English word list is mended to
the nearest word the cards use (one or two letters apart, same first letter).
The result is a spaCy ``Doc`` whose tokens carry that lemma as their ``NORM``.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

RULES_DIR = Path(__file__).resolve().parent / "rules"
# Words the lookup lemmas get wrong for our purpose, or spaCy splits oddly.
_NORM_FIXES = {
    "ca": "can",
    "wo": "will",
    "n't": "not",
    "nt": "not",
    "'m": "be",
    "'re": "be",
    "'d": "would",
    "does": "do",
    "feed": "feed",
    "weed": "weed",
    "bit": "bit",
}
# Only words at least this long are mended: short words are too often other words.
MIN_MENDED_LENGTH = 4


def _lookups_table(name: str) -> dict:
    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / f"en_{name}.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """Inflected English word -> its lemma (spacy-lookups-data)."""
    return _lookups_table("lemma_lookup")


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Every English word the lookup tables know: a word outside it may be a misspelling."""
    words = set(lemma_table())
    words.update(lemma_table().values())
    for part_of_speech in _lookups_table("lemma_index").values():
        words.update(part_of_speech)
    words.update(_text_speak())
    return frozenset(w.lower() for w in words)


@lru_cache(maxsize=1)
def _text_speak() -> dict[str, str]:
    data = yaml.safe_load((RULES_DIR / "_text_speak.yml").read_text(encoding="utf-8"))
    return {str(k).lower(): str(v).lower() for k, v in data["spellings"].items()}


@lru_cache(maxsize=1)
def _text_speak_pattern() -> re.Pattern[str]:
    words = sorted(_text_speak(), key=len, reverse=True)
    return re.compile(r"(?<![\w'])(" + "|".join(re.escape(w) for w in words) + r")(?![\w'])")


def clean(text: str) -> str:
    """Lower case, plain letters and quotes, text-speak spelt out, spaces tidied."""
    text = unicodedata.normalize("NFKC", text or "")
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text).lower()
    # "soooo" -> "soo", "hurtinggg" -> "hurtingg": mended further word by word.
    text = re.sub(r"([a-z])\1{2,}", r"\1\1", text)
    text = _text_speak_pattern().sub(lambda m: _text_speak()[m.group(1)], text)
    return re.sub(r"\s+", " ", text).strip()


def lemma_of(word: str) -> str:
    word = word.lower()
    return _NORM_FIXES.get(word) or lemma_table().get(word, word)


@lru_cache(maxsize=1)
def tokenizer():  # -> spacy.Language
    """spaCy's English tokenizer (``spacy.blank("en")``): no model to download."""
    import spacy

    return spacy.blank("en")


def lemma_text(text: str) -> str:
    """The cleaned message as lemmas, one per word: what the risk classifier reads."""
    return " ".join(lemma_of(token.text) for token in tokenizer().make_doc(clean(text)))


class Speller:
    """Mends a misspelt word to the nearest form of a word the cards use."""

    def __init__(self, lemmas: Iterable[str], keep: Iterable[str] = ()) -> None:
        wanted = {lemma for lemma in lemmas if len(lemma) >= MIN_MENDED_LENGTH - 1}
        forms = {form for form, lemma in lemma_table().items() if lemma in wanted}
        forms |= wanted
        self._by_letter: dict[str, list[str]] = {}
        for form in sorted(forms):
            if form.isalpha():
                self._by_letter.setdefault(form[0], []).append(form)
        # Words a card names are never mended into others, though no word list has them.
        self._known = known_words() | frozenset(keep)

    def mend(self, word: str) -> str | None:
        """The word the person meant, when ``word`` is not English and one is close."""
        if len(word) < MIN_MENDED_LENGTH or not word.isalpha() or word in self._known:
            return None
        candidates = self._by_letter.get(word[0], [])
        limit = 1 if len(word) <= 6 else 2
        found = process.extract(
            word, candidates, scorer=OSA.distance, score_cutoff=limit, limit=None
        )
        if found:
            # The nearest; between equals, a letter left out is the likeliest slip
            # ("cary" is "carry", not "car"; "injuction" is "injunction").
            nearest = min(distance for _, distance, _ in found)
            tied = [form for form, distance, _ in found if distance == nearest]
            return max(tied, key=lambda form: (len(form) > len(word), form[-1] == word[-1]))
        # "alllways" was squeezed to "allways"; one letter of each may be the word.
        single = re.sub(r"(\w)\1+", r"\1", word)
        return single if single in self._known else None
