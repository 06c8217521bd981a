"""Find the rule cards a message matches, with spaCy's Matcher on lemmas."""

from __future__ import annotations

from dataclasses import dataclass

from bot.safety.cards import Card, pattern_lemmas, token_specs
from bot.safety.text import Speller, clean, lemma_of, tokenizer


@dataclass(frozen=True)
class CardHit:
    """A card that matched, and the words that matched it (for ``--explain``)."""

    card: Card
    words: str


class CardMatcher:
    """Every card compiled into one Matcher; misspellings mended towards their words."""

    def __init__(self, cards: tuple[Card, ...]) -> None:
        from spacy.matcher import Matcher

        self.cards = {card.id: card for card in cards}
        self._nlp = tokenizer()
        self._speller = Speller(pattern_lemmas(cards), keep=pattern_lemmas(cards, True))
        self._matcher = Matcher(self._nlp.vocab)
        self._unless = Matcher(self._nlp.vocab)
        for card in cards:
            self._matcher.add(card.id, [token_specs(p, card.id) for p in card.patterns])
            if card.unless:
                self._unless.add(card.id, [token_specs(p, card.id) for p in card.unless])

    def read(self, text: str):  # -> spacy.tokens.Doc
        """The message as tokens whose NORM is the lemma of the word meant."""
        doc = self._nlp.make_doc(clean(text))
        for token in doc:
            word = token.lower_
            mended = self._speller.mend(word)
            token.norm_ = lemma_of(mended or word)
        return doc

    def hits(self, text: str) -> list[CardHit]:
        """The cards the text matches, each once, in the order of the text."""
        doc = self.read(text)
        strings = self._nlp.vocab.strings
        blocked: dict[str, list[tuple[int, int]]] = {}
        for match_id, start, end in self._unless(doc):
            blocked.setdefault(strings[match_id], []).append((start, end))
        found: dict[str, CardHit] = {}
        for match_id, start, end in sorted(self._matcher(doc), key=lambda m: m[1]):
            card_id = strings[match_id]
            if card_id in found:
                continue
            if any(s < end and start < e for s, e in blocked.get(card_id, [])):
                continue
            found[card_id] = CardHit(self.cards[card_id], doc[start:end].text)
        return list(found.values())
