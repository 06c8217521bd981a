"""Word and word-pair counts that see "not": features for the logistic regression.

A bag of words cannot tell "not bad" from "bad", or "not really" from
"really". Here each word after a negation ("not", "no", "never", "don't", ...)
up to the next punctuation mark or "but" is counted as a different word
("not_bad"), and pairs of neighbouring words are counted as well as single
words ("not_too not_bad"). Imported only by Rasa (named in ``config.yml``).
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

# Words that turn the meaning of the words after them round. spaCy splits
# "don't" and "dont" into "do" + "n't" / "nt"; the joined forms are here too for
# tokenizers that do not.
NEGATIONS = frozenset(
    {
        "not",
        "n't",
        "nt",
        "no",
        "nah",
        "nope",
        "never",
        "nothing",
        "nobody",
        "none",
        "nowhere",
        "nor",
        "neither",
        "without",
        "hardly",
        "barely",
        "dont",
        "didnt",
        "doesnt",
        "isnt",
        "wasnt",
        "werent",
        "arent",
        "cant",
        "cannot",
        "couldnt",
        "wont",
        "wouldnt",
        "havent",
        "hasnt",
        "hadnt",
        "shouldnt",
    }
)
# Where a negation's reach ends.
SCOPE_ENDS = frozenset({".", ",", ";", ":", "!", "?", "but", "though", "although", "and"})
NEGATED_PREFIX = "not_"


def mark_negated(words: list[str]) -> list[str]:
    """The words with each one in a negation's reach marked ("not_" before it).

    One word for one word, so the features still line up with the tokens.
    """
    marked = []
    negated = False
    for word in words:
        lowered = word.lower()
        if lowered in SCOPE_ENDS or not any(c.isalnum() for c in lowered):
            negated = False
            marked.append(word)
            continue
        marked.append(NEGATED_PREFIX + word if negated else word)
        if lowered in NEGATIONS:
            negated = True
    return marked


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class NegationAwareCountVectorsFeaturizer(CountVectorsFeaturizer):
    """Rasa's word counts, of the message's words with negated ones marked.

    Set ``max_ngram: 2`` in ``config.yml`` to count word pairs too. Everything
    else (training, the vocabulary, storing) is Rasa's ``CountVectorsFeaturizer``.
    """

    def _get_message_tokens_by_attribute(self, message: Message, attribute: str) -> list[str]:
        words = super()._get_message_tokens_by_attribute(message, attribute)
        return mark_negated(words) if attribute == TEXT else words
