"""The trained intent classifiers: DIET and a logistic regression blended with it.

Both are asked only about typed words: a button's payload ("/affirm") names its
intent, which is set here as Rasa's RegexMessageHandler will set it. Imported
only by Rasa (named in ``config.yml``), never by the action server.
"""

from __future__ import annotations

import logging
from typing import Any

import scipy.sparse
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers import LABEL_RANKING_LENGTH
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.constants import (
    FEATURE_TYPE_SENTENCE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.naive_bayes import ComplementNB

from bot.nlp.restore import RestoredDIET

logger = logging.getLogger(__name__)


def _sentence_features(message: Message) -> list[Any]:
    """A message's sentence-level feature rows for its text, as Rasa orders them."""
    text = [f for f in message.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE]
    return [scipy.sparse.csr_matrix(f.features) for f in text if f.is_sparse()] + [
        scipy.sparse.csr_matrix(f.features) for f in text if f.is_dense()
    ]


def payload_intent(message: Message) -> str | None:
    """The intent a button's payload names ("/affirm"), or None for typed words.

    Read by Rasa's own parser, the one its RegexMessageHandler uses, so a message
    is left to the classifiers exactly when the handler will not set its intent.
    """
    text = message.get(TEXT) or ""
    if not text.strip().startswith(INTENT_MESSAGE_PREFIX):
        return None
    unpacked = YAMLStoryReader.unpack_regex_message(Message(data={TEXT: text}))
    return (unpacked.get(INTENT) or {}).get(INTENT_NAME_KEY)


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER,
        DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR,
    ],
    is_trainable=True,
)
class TypedWordsDIETClassifier(DIETClassifier):
    """DIET, asked only about typed words.

    A button's payload (`/affirm`) names its intent, which Rasa's
    RegexMessageHandler sets at the end of the pipeline whatever was guessed.
    Most messages in a review are button presses: running the network on them
    cost a Rasa server a tenth of its time per message. The payload's intent is
    set here (sure), so the components after this see what the handler will set.
    Its network is loaded without a training step (:mod:`bot.nlp.restore`).
    """

    @staticmethod
    def model_class() -> type[RestoredDIET]:
        return RestoredDIET

    def process(self, messages: list[Message]) -> list[Message]:
        known = set(self.index_label_id_mapping.values())
        typed = []
        for message in messages:
            intent = payload_intent(message)
            if intent in known:
                sure = {"name": intent, "confidence": 1.0}
                message.set(INTENT, sure, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [sure], add_to_output=True)
            else:
                typed.append(message)
        super().process(typed)
        return messages


# Stored next to Rasa's file of the regression ("<resource>.skops").
NAIVE_BAYES_FILE = ".naive_bayes.skops"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class BlendedIntentClassifier(LogisticRegressionClassifier):
    """The intent from a logistic regression, with DIET's opinion weighed in.

    A logistic regression over the word and character counts DIET sees, and
    over words and word pairs with negated words marked
    (:mod:`bot.nlp.features`), which DIET does not see. The two make different
    mistakes. With ``naive_bayes_weight`` above 0, a complement naive Bayes
    model over the same counts has a say too: it weighs rare, telling words
    more than the regression does. Their confidences are multiplied, DIET's
    and naive Bayes' first raised to the power of their weights (less than 1
    gives less say), and scaled to add up to 1: when they are sure of the same
    intent the result is sure; when they disagree it is less sure, and the
    person is asked again. On five-fold cross-validation the regression alone
    was right more often than DIET alone, and the weighted product more often
    than either; it also let fewer wrong guesses through the typed-answer
    threshold than the plain product (docs/nlu-report.md). Rasa's class gives
    safe storage (skops); this one sets the regression's strength ``C``, trains
    naive Bayes beside it and changes what `process` does. Whether a message
    is `safeguarding` is decided after this, by
    :class:`bot.nlp.components.SafetyIntent`.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **LogisticRegressionClassifier.get_default_config(),
            # Rasa's 100 steps stop before the fit converges on 30 intents.
            "max_iter": 1000,
            # Newton steps reach the same fit as Rasa's lbfgs (confidences within
            # 0.0002) in about 20 steps instead of 270: 24 s against 33 s here.
            "solver": "newton-cg",
            # Inverse strength of the regularisation (scikit-learn's default 1.0).
            "C": 1.0,
            # The power DIET's confidences are raised to before they are multiplied
            # with the regression's: 1.0 is the plain product, less gives DIET less say.
            "diet_weight": 1.0,
            # The power naive Bayes' confidences are raised to; 0 leaves it out.
            "naive_bayes_weight": 0.0,
            # Naive Bayes' smoothing: what a word never seen with an intent counts as.
            "naive_bayes_alpha": 1.0,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clf.C = float(self.config["C"])
        self.naive_bayes: ComplementNB | None = None

    def train(self, training_data: TrainingData) -> Resource:
        X, y = self._create_training_matrix(training_data)  # noqa: N806 - Rasa's name
        if X.shape[0] == 0:
            return self._resource
        self.clf.fit(X, y)
        if float(self.config["naive_bayes_weight"]) > 0:
            self.naive_bayes = ComplementNB(alpha=float(self.config["naive_bayes_alpha"]))
            self.naive_bayes.fit(X, y)
        self.persist()
        return self._resource

    def persist(self) -> None:
        import skops.io as sio

        super().persist()
        if self.naive_bayes is not None:
            with self._model_storage.write_to(self._resource) as model_dir:
                sio.dump(self.naive_bayes, model_dir / f"{self._resource.name}{NAIVE_BAYES_FILE}")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> BlendedIntentClassifier:
        import skops.io as sio

        component = super().load(config, model_storage, resource, execution_context, **kwargs)
        try:
            with model_storage.read_from(resource) as model_dir:
                path = model_dir / f"{resource.name}{NAIVE_BAYES_FILE}"
                if path.exists():
                    # Rasa's class loads the regression only when it holds no
                    # unknown types; the same for this one.
                    untrusted = sio.get_untrusted_types(file=path)
                    if untrusted:
                        logger.warning("Naive Bayes not loaded: unknown types %s", untrusted)
                    else:
                        component.naive_bayes = sio.load(path, trusted=[])
        except ValueError:
            pass  # nothing stored for this component: untrained, as Rasa's class found
        return component

    def _create_X(self, messages: list[Message]) -> Any:  # noqa: N802 - Rasa's name
        """Rasa's matrix of sentence features, each count c taken as log(1 + c).

        On raw counts (a long message has many letter groups) the fit needed about
        720 steps; on log counts about 250, three times faster to train, with the
        same held-out score. Rasa builds the matrix message by message, joining
        each message's word-level features too and throwing them away (18 of a
        fold's 80 seconds here); this stacks each featurizer's sentence rows
        once, in the same column order: sparse, then dense.
        """
        layouts = [_sentence_features(m) for m in messages]
        if not layouts or not layouts[0] or any(len(x) != len(layouts[0]) for x in layouts):
            return super()._create_X(messages).log1p()
        columns = [scipy.sparse.vstack(blocks) for blocks in zip(*layouts, strict=True)]
        return scipy.sparse.hstack(columns, format="csr").log1p()

    def process(self, messages: list[Message]) -> list[Message]:
        if not hasattr(self.clf, "classes_"):
            return messages  # no training data: DIET's guess stands
        # An empty message has no features, and a button's payload names its
        # intent: DIET's guess (or the payload's) stands for them.
        known = set(self.clf.classes_)
        featured = [
            m
            for m in messages
            if m.get_sparse_features(attribute=TEXT)[1] is not None
            and payload_intent(m) not in known
        ]
        if not featured:
            return messages
        X = self._create_X(featured)  # noqa: N806 - Rasa's name
        linear_all = self.clf.predict_proba(X)
        if self.naive_bayes is not None:
            bayes = self.naive_bayes.predict_proba(X)
            linear_all = linear_all * bayes ** float(self.config["naive_bayes_weight"])
        weight = float(self.config["diet_weight"])
        for message, linear in zip(featured, linear_all, strict=True):
            diet = {r["name"]: r["confidence"] for r in message.get(INTENT_RANKING_KEY) or []}
            # DIET names its top ten only: the others were at most its lowest.
            floor = min(diet.values(), default=1.0)
            linear_by_name = dict(zip(self.clf.classes_, linear.tolist(), strict=True))
            products = {
                name: diet.get(name, floor) ** weight * p for name, p in linear_by_name.items()
            }
            total = sum(products.values()) or 1.0
            ranking = sorted(
                ({"name": name, "confidence": v / total} for name, v in products.items()),
                key=lambda r: -r["confidence"],
            )[:LABEL_RANKING_LENGTH]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Rasa's class writes its guesses over the training labels; keep them.
        return training_data
