"""DIET and TED restored from their saved weights without a training step (bot.nlp.restore)."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import tensorflow as tf
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.utils.tensorflow.models import RasaModel

from bot.nlp import restore
from bot.nlp.restore import QuickLoadingTEDPolicy, RestoredDIET, RestoredTED
from bot.nlp.trained import TypedWordsDIETClassifier
from tests.e2e import MODEL


def _network_weights(checkpoint: str) -> dict[str, np.ndarray]:
    """The saved values of a network's layers (not its training metrics or optimizer).

    A layer with a kernel mask (Rasa's RandomlyConnectedDense) multiplies its
    kernel by the mask each time it runs, so its kernel is given masked.
    """
    reader = tf.train.load_checkpoint(checkpoint)
    weights = {
        key: reader.get_tensor(key)
        for key, _ in tf.train.list_variables(checkpoint)
        if key.startswith("model/_tf_layers/")
    }
    for key in [k for k in weights if "/kernel_mask/" in k]:
        weights[key.replace("/kernel_mask/", "/kernel/")] *= weights[key]
    return weights


@pytest.mark.model
@pytest.mark.parametrize(
    "component,network",
    [(TypedWordsDIETClassifier, RestoredDIET), (QuickLoadingTEDPolicy, RestoredTED)],
)
def test_the_trained_networks_are_restored_with_every_saved_weight(
    component, network, tmp_path, caplog
):
    if not MODEL.exists():
        pytest.fail("No trained model: run `make test`, which trains first.")
    storage, metadata = LocalModelStorage.from_model_archive(tmp_path / "model", MODEL)
    (node,) = [n for n in metadata.predict_schema.nodes.values() if n.uses is component]
    context = ExecutionContext(metadata.predict_schema, metadata.model_id)
    with caplog.at_level(logging.WARNING, logger=restore.__name__):
        loaded = component.load(
            {**component.get_default_config(), **node.config}, storage, node.resource, context
        )
    assert not caplog.records  # restored directly, not Rasa's way
    assert type(loaded.model) is network

    (index,) = (tmp_path / "model" / node.resource.name).glob("*.tf_model.index")
    saved = _network_weights(str(index.with_suffix("")))
    loaded.model._checkpoint.write(str(tmp_path / "again"))
    restored = _network_weights(str(tmp_path / "again"))
    assert len(saved) > 10 and sorted(restored) == sorted(saved)
    for key, value in saved.items():
        assert np.array_equal(restored[key], value), key


class _RasaWay:
    """Stands in for Rasa's own ``RasaModel.load``, remembering how it was called."""

    calls: list[tuple] = []

    @classmethod
    def load(cls, *args, **kwargs):
        _RasaWay.calls.append((args, kwargs))
        return "loaded Rasa's way"


@pytest.fixture
def rasa_way(monkeypatch):
    _RasaWay.calls = []
    monkeypatch.setattr(RasaModel, "load", _RasaWay.load)
    return _RasaWay.calls


def test_a_restore_that_fails_falls_back_to_rasas_way_with_a_warning(rasa_way, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ValueError("Received incompatible tensor with shape (20, 50)")

    monkeypatch.setattr(restore, "restore", broken)
    with caplog.at_level(logging.WARNING, logger=restore.__name__):
        model = RestoredTED.load("ted.tf_model", "data", "predict data", config={"a": 1})
    assert model == "loaded Rasa's way"
    assert rasa_way == [(("ted.tf_model", "data", "predict data", False), {"config": {"a": 1}})]
    assert "could not be restored" in caplog.text and "incompatible tensor" in caplog.text


def test_fine_tuning_loads_rasas_way_with_the_optimizer_state(rasa_way, monkeypatch):
    monkeypatch.setattr(restore, "restore", lambda *a, **k: pytest.fail("restored"))
    assert RestoredDIET.load("diet.tf_model", "data", None, True) == "loaded Rasa's way"
    assert rasa_way == [(("diet.tf_model", "data", None, True), {})]
