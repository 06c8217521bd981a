"""Word and word-pair counts that see "not" (bot.nlp.features)."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.features import NegationAwareCountVectorsFeaturizer, mark_negated


@pytest.mark.parametrize(
    ("words", "marked"),
    [
        ("not too bad", "not not_too not_bad"),
        ("really bad", "really bad"),
        ("not really , it was fine", "not not_really , it was fine"),
        ("do n't know but ok", "do n't not_know but ok"),
        ("i did nt like it", "i did nt not_like not_it"),
        ("no problems at all", "no not_problems not_at not_all"),
        ("yes and no", "yes and no"),
        ("never again . great", "never not_again . great"),
        ("Not Great", "Not not_Great"),
        ("", ""),
    ],
)
def test_words_in_a_negations_reach_are_marked(words, marked):
    assert mark_negated(words.split()) == marked.split()


def test_one_word_for_one_word():
    words = "no , nothing at all was wrong but not fine !".split()
    assert len(mark_negated(words)) == len(words)


@pytest.fixture
def featurizer(tmp_path) -> NegationAwareCountVectorsFeaturizer:
    config = {
        **NegationAwareCountVectorsFeaturizer.get_default_config(),
        "use_lemma": False,
        "max_ngram": 2,
    }
    context = ExecutionContext(GraphSchema({}), node_name="negated")
    return NegationAwareCountVectorsFeaturizer.create(
        config, LocalModelStorage(tmp_path), Resource("negated"), context
    )


def tokenized(*texts: str) -> list[Message]:
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    messages = [Message(data={TEXT: text}) for text in texts]
    tokenizer.process(messages)
    return messages


def sentence_counts(featurizer, text: str) -> dict[str, float]:
    (message,) = tokenized(text)
    featurizer.process([message])
    _, sentence = message.get_sparse_features(TEXT)
    vocabulary = {index: word for word, index in featurizer.vectorizers[TEXT].vocabulary_.items()}
    row = sentence.features.tocsr()
    return {vocabulary[i]: v for i, v in zip(row.indices, row.data, strict=True)}


def test_not_bad_is_counted_apart_from_bad(featurizer):
    featurizer.train(TrainingData(tokenized("not bad", "really bad", "not too bad at all")))
    assert sentence_counts(featurizer, "not bad") == {"not": 1, "not_bad": 1, "not not_bad": 1}
    assert sentence_counts(featurizer, "really bad") == {"really": 1, "bad": 1, "really bad": 1}


def test_each_word_still_has_its_own_features(featurizer):
    featurizer.train(TrainingData(tokenized("not bad", "really bad")))
    (message,) = tokenized("not bad at all")
    featurizer.process([message])
    sequence, _ = message.get_sparse_features(TEXT)
    assert sequence.features.shape[0] == 4  # one row for each word
