"""The second opinion on the intent: a logistic regression combined with DIET."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.trained import BlendedIntentClassifier, TypedWordsDIETClassifier, payload_intent

# Three made-up features: the first means "yes", the second "no", the third "bye".
YES, NO, BYE = [1, 0, 0], [0, 1, 0], [0, 0, 1]


def message(text: str, counts: list[int] | None, **data) -> Message:
    msg = Message(data={TEXT: text, **data})
    if counts is not None:
        matrix = scipy.sparse.coo_matrix(np.array([counts], dtype=float))
        msg.add_features(Features(matrix, FEATURE_TYPE_SENTENCE, TEXT, "counts"))
    return msg


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


@pytest.fixture
def trained(storage) -> BlendedIntentClassifier:
    examples = [message(f"y{i}", YES, intent="affirm") for i in range(6)]
    examples += [message(f"n{i}", NO, intent="deny") for i in range(6)]
    examples += [message(f"b{i}", BYE, intent="goodbye") for i in range(6)]
    context = ExecutionContext(GraphSchema({}), node_name="blend")
    component = BlendedIntentClassifier.create({}, storage, Resource("blend"), context)
    component.train(TrainingData(examples))
    return component


def diet_ranking(**confidences: float) -> list[dict]:
    return [{"name": name, "confidence": c} for name, c in confidences.items()]


def linear_confidences(component: BlendedIntentClassifier, counts: list[int]) -> dict:
    probabilities = component.clf.predict_proba(component._create_X([message("", counts)]))[0]
    return dict(zip(component.clf.classes_, probabilities, strict=True))


def test_the_confidences_are_multiplied_and_scaled(trained):
    msg = message("nope", NO)
    msg.set(INTENT, {"name": "affirm", "confidence": 0.6})
    msg.set(INTENT_RANKING_KEY, diet_ranking(affirm=0.6, deny=0.4))
    linear = linear_confidences(trained, NO)
    assert linear["deny"] > 0.5  # the linear model reads the "no" feature

    trained.process([msg])

    products = {
        "affirm": 0.6 * linear["affirm"],
        "deny": 0.4 * linear["deny"],
        # DIET did not name it: it counts as DIET's lowest confidence.
        "goodbye": 0.4 * linear["goodbye"],
    }
    expected = {name: p / sum(products.values()) for name, p in products.items()}
    ranking = msg.get(INTENT_RANKING_KEY)
    assert msg.get(INTENT) == ranking[0]
    assert {r["name"]: r["confidence"] for r in ranking} == pytest.approx(expected)
    assert ranking[0]["name"] == "deny"  # the second opinion changed DIET's guess
    assert [r["confidence"] for r in ranking] == sorted(expected.values(), reverse=True)


def test_when_both_agree_the_answer_is_as_sure_as_diet(trained):
    msg = message("no", NO)
    msg.set(INTENT_RANKING_KEY, diet_ranking(deny=0.95, affirm=0.05))
    trained.process([msg])
    assert msg.get(INTENT)["name"] == "deny"
    assert msg.get(INTENT)["confidence"] >= 0.95


def test_when_they_disagree_the_answer_is_less_sure(trained):
    msg = message("bye", BYE)
    msg.set(INTENT_RANKING_KEY, diet_ranking(affirm=0.7, goodbye=0.3))
    trained.process([msg])
    assert msg.get(INTENT)["confidence"] < max(0.7, linear_confidences(trained, BYE)["goodbye"])


def test_a_message_without_features_keeps_diets_guess(trained):
    msg = message("", None)
    msg.set(INTENT, {"name": "affirm", "confidence": 0.7})
    trained.process([msg])
    assert msg.get(INTENT) == {"name": "affirm", "confidence": 0.7}


def test_an_untrained_component_keeps_diets_guess(storage):
    context = ExecutionContext(GraphSchema({}), node_name="blend")
    component = BlendedIntentClassifier.create({}, storage, Resource("empty"), context)
    msg = message("yes", YES)
    msg.set(INTENT, {"name": "deny", "confidence": 0.9})
    component.process([msg])
    assert msg.get(INTENT) == {"name": "deny", "confidence": 0.9}


def test_training_labels_are_left_alone(trained):
    data = TrainingData([message("yes", YES, intent="affirm")])
    trained.process_training_data(data)
    assert data.training_examples[0].get(INTENT) == "affirm"


def test_a_saved_model_loads_and_gives_the_same_answers(storage, trained):
    context = ExecutionContext(GraphSchema({}), node_name="blend")
    loaded = BlendedIntentClassifier.load({}, storage, Resource("blend"), context)
    assert loaded.clf.predict_proba([BYE]) == pytest.approx(trained.clf.predict_proba([BYE]))


def test_the_linear_model_reads_counts_as_log_counts(trained):
    counts = trained._create_X([message("no no no", [0, 3, 0])])
    assert counts.toarray()[0].tolist() == pytest.approx([0.0, np.log(4), 0.0])


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("/affirm", "affirm"),
        ('/inform{"role": "parent_carer"}', "inform"),
        ("  /deny", "deny"),
        # As Rasa reads it: a name it does not know, so not a known payload.
        ("/affirm please", "affirm please"),
        ("yes /affirm", None),
        ("/", None),
        ("and/or", None),
        ("1/2", None),
    ],
)
def test_a_payload_names_its_intent(text, intent):
    assert payload_intent(Message(data={TEXT: text})) == intent


def test_a_button_payload_keeps_its_own_intent(trained):
    msg = message("/affirm", NO)
    msg.set(INTENT, {"name": "affirm", "confidence": 1.0})
    msg.set(INTENT_RANKING_KEY, diet_ranking(affirm=1.0))
    trained.process([msg])
    assert msg.get(INTENT) == {"name": "affirm", "confidence": 1.0}


def test_diet_is_not_asked_about_a_button_payload(storage):
    context = ExecutionContext(GraphSchema({}), node_name="diet")
    diet = TypedWordsDIETClassifier.create(
        TypedWordsDIETClassifier.get_default_config(), storage, Resource("diet"), context
    )
    diet.index_label_id_mapping = {0: "affirm", 1: "deny"}
    payload, unknown, typed = (
        Message({TEXT: "/deny"}),
        Message({TEXT: "/nope"}),
        Message({TEXT: "no"}),
    )
    assert diet.process([payload, unknown, typed]) == [payload, unknown, typed]
    assert payload.get(INTENT) == {"name": "deny", "confidence": 1.0}
    assert payload.get(INTENT_RANKING_KEY) == [{"name": "deny", "confidence": 1.0}]
    # Typed words and unknown payloads go to the network (untrained here: no name).
    assert typed.get(INTENT)["name"] is None and unknown.get(INTENT)["name"] is None


def test_diet_weighs_in_to_the_power_of_its_weight(storage):
    examples = [message(f"y{i}", YES, intent="affirm") for i in range(6)]
    examples += [message(f"n{i}", NO, intent="deny") for i in range(6)]
    context = ExecutionContext(GraphSchema({}), node_name="weighted")
    component = BlendedIntentClassifier.create(
        {"diet_weight": 0.25}, storage, Resource("weighted"), context
    )
    component.train(TrainingData(examples))
    msg = message("nope", NO)
    msg.set(INTENT_RANKING_KEY, diet_ranking(affirm=0.9, deny=0.1))
    linear = linear_confidences(component, NO)

    component.process([msg])

    products = {"affirm": 0.9**0.25 * linear["affirm"], "deny": 0.1**0.25 * linear["deny"]}
    expected = {name: p / sum(products.values()) for name, p in products.items()}
    ranking = {r["name"]: r["confidence"] for r in msg.get(INTENT_RANKING_KEY)}
    assert ranking == pytest.approx(expected)
    # The plain product would have kept DIET's guess; with less say, it is overruled.
    assert 0.9 * linear["affirm"] > 0.1 * linear["deny"]
    assert msg.get(INTENT)["name"] == "deny"


def test_the_regularisation_strength_comes_from_the_configuration(storage):
    context = ExecutionContext(GraphSchema({}), node_name="blend")
    default = BlendedIntentClassifier.create({}, storage, Resource("default"), context)
    weaker = BlendedIntentClassifier.create({"C": 10.0}, storage, Resource("weaker"), context)
    assert (default.clf.C, weaker.clf.C) == (1.0, 10.0)
    examples = [message(f"y{i}", YES, intent="affirm") for i in range(6)]
    examples += [message(f"n{i}", NO, intent="deny") for i in range(6)]
    default.train(TrainingData(examples))
    weaker.train(TrainingData(examples))
    # Less held back, the fit is surer of the same answer.
    assert linear_confidences(weaker, NO)["deny"] > linear_confidences(default, NO)["deny"]


def with_naive_bayes(storage, name: str = "bayes") -> BlendedIntentClassifier:
    # "bye" comes with "no" in some goodbyes: naive Bayes and the regression weigh it apart.
    examples = [message(f"y{i}", YES, intent="affirm") for i in range(6)]
    examples += [message(f"n{i}", NO, intent="deny") for i in range(6)]
    examples += [message(f"b{i}", [0, i % 2, 1], intent="goodbye") for i in range(6)]
    context = ExecutionContext(GraphSchema({}), node_name=name)
    component = BlendedIntentClassifier.create(
        {"naive_bayes_weight": 0.5, "naive_bayes_alpha": 0.1}, storage, Resource(name), context
    )
    component.train(TrainingData(examples))
    return component


def test_naive_bayes_weighs_in_to_the_power_of_its_weight(storage):
    component = with_naive_bayes(storage)
    msg = message("no thanks bye", [0, 1, 1])
    msg.set(INTENT_RANKING_KEY, diet_ranking(deny=0.5, goodbye=0.3, affirm=0.2))
    linear = linear_confidences(component, [0, 1, 1])
    row = component._create_X([message("", [0, 1, 1])])
    bayes = dict(
        zip(
            component.naive_bayes.classes_, component.naive_bayes.predict_proba(row)[0], strict=True
        )
    )
    assert bayes != pytest.approx(linear)  # a second, different opinion

    component.process([msg])

    products = {
        name: c * linear[name] * bayes[name] ** 0.5
        for name, c in {"deny": 0.5, "goodbye": 0.3, "affirm": 0.2}.items()
    }
    expected = {name: p / sum(products.values()) for name, p in products.items()}
    assert {r["name"]: r["confidence"] for r in msg.get(INTENT_RANKING_KEY)} == pytest.approx(
        expected
    )


def test_naive_bayes_is_saved_and_loaded_with_the_regression(storage):
    trained_one = with_naive_bayes(storage)
    context = ExecutionContext(GraphSchema({}), node_name="bayes")
    loaded = BlendedIntentClassifier.load(trained_one.config, storage, Resource("bayes"), context)
    row = trained_one._create_X([message("", [0, 1, 1])])
    assert loaded.naive_bayes is not None
    assert loaded.naive_bayes.predict_proba(row) == pytest.approx(
        trained_one.naive_bayes.predict_proba(row)
    )


def test_without_a_weight_there_is_no_naive_bayes(trained, storage):
    assert trained.naive_bayes is None
    context = ExecutionContext(GraphSchema({}), node_name="blend")
    assert BlendedIntentClassifier.load({}, storage, Resource("blend"), context).naive_bayes is None


def test_the_matrix_is_rasas_own_in_log_counts(storage):
    """Stacked per featurizer, the rows and columns are those Rasa builds per message."""
    messages = []
    for i, text in enumerate(["yes", "no thanks", "bye now then"]):
        msg = message(text, [i, 2, 0])
        msg.add_features(
            Features(scipy.sparse.coo_matrix([[0, i + 1]]), FEATURE_TYPE_SENTENCE, TEXT, "pairs")
        )
        msg.add_features(Features(np.array([[0.5, i]]), FEATURE_TYPE_SENTENCE, TEXT, "dense"))
        # Word-level features are not part of the matrix.
        msg.add_features(Features(scipy.sparse.coo_matrix([[7, 7]]), "sequence", TEXT, "pairs"))
        messages.append(msg)
    context = ExecutionContext(GraphSchema({}), node_name="blend")
    component = BlendedIntentClassifier.create({}, storage, Resource("blend"), context)

    ours = component._create_X(messages)
    rasas = LogisticRegressionClassifier._create_X(component, messages).log1p()

    assert ours.shape == (3, 7)
    assert ours.toarray() == pytest.approx(rasas.toarray())
