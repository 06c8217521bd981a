"""Entity extractors that find known phrases: SEND glossary terms and local areas.

The names are read from content files when Rasa loads the model, so a new term
or area needs no retraining. Imported only by Rasa (named in ``config.yml``),
never by the action server.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.components import RuleComponent

# Terms that are also everyday words: found only when written in capitals ("SEND", not "send").
CAPITALS_ONLY = frozenset({"send", "sen", "salt", "ot", "ep", "la", "asc", "ld", "slt", "pcf"})


class PhraseEntityExtractor(RuleComponent):
    """Find known phrases in any message and fill one entity with their canonical value.

    A spaCy PhraseMatcher over names read from content files when Rasa loads the
    model, so a new name needs no retraining. Matching ignores case, except for
    names listed in ``capitals_only`` (acronyms that are also everyday words).
    The longest match wins, and any match replaces what DIET guessed for the entity.
    """

    entity = ""
    capitals_only: frozenset[str] = frozenset()

    def names(self) -> dict[str, str]:
        """Every lower-case name to find, mapped to the entity value it stands for."""
        raise NotImplementedError

    def __init__(self) -> None:
        import spacy
        from spacy.matcher import PhraseMatcher

        self._nlp = spacy.blank("en")
        self._any_case = PhraseMatcher(self._nlp.vocab, attr="LOWER")
        self._capitals = PhraseMatcher(self._nlp.vocab, attr="ORTH")
        self._values: dict[str, str] = {}
        for name, value in self.names().items():
            key = f"{self.entity}-{len(self._values)}"
            self._values[key] = value
            if name in self.capitals_only:
                self._capitals.add(key, [self._nlp.make_doc(name.upper())])
            else:
                self._any_case.add(key, [self._nlp.make_doc(name)])

    def find(self, text: str) -> list[dict[str, Any]]:
        doc = self._nlp.make_doc(text)
        matches = [*self._any_case(doc), *self._capitals(doc)]
        # Longest match first, so "EHC needs assessment" wins over "EHC".
        matches.sort(key=lambda m: (m[1], -(m[2] - m[1])))
        found, taken_until = [], -1
        for match_id, start, end in matches:
            if start < taken_until:
                continue
            span = doc[start:end]
            found.append(
                {
                    "entity": self.entity,
                    "value": self._values[self._nlp.vocab.strings[match_id]],
                    "start": span.start_char,
                    "end": span.end_char,
                    "confidence_entity": 1.0,
                    "extractor": type(self).__name__,
                }
            )
            taken_until = end
        return found

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            found = self.find(text)
            if not found:
                continue
            # What the phrase list found wins over anything DIET guessed for this entity.
            kept = [e for e in message.get(ENTITIES) or [] if e.get("entity") != self.entity]
            message.set(ENTITIES, kept + found, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class GlossaryTermExtractor(PhraseEntityExtractor):
    """SEND glossary terms and their other spellings (``bot/content/glossary.yml``) as `term`."""

    entity = "term"
    capitals_only = CAPITALS_ONLY

    def names(self) -> dict[str, str]:
        from bot.content.glossary import glossary_names

        return glossary_names()


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class AreaExtractor(PhraseEntityExtractor):
    """Local areas that have a charter pack (``bot/content/packs``) as `area` (the pack id)."""

    entity = "area"

    def names(self) -> dict[str, str]:
        from bot.content import list_packs

        names = {}
        for pack in list_packs():
            names[pack.id.replace("_", " ")] = pack.id
            names[pack.area.lower()] = pack.id
        return names
