"""DIET and TED networks restored from their saved weights without a training step.

Rasa gives a loaded network its variables by training it one step on one
example, then reads the saved weights over them. TensorFlow first traces that
step into a graph: on this project's model that was most of a Rasa server's
start. Here the network is run forward once on the same example, eagerly,
which makes the same variables, and the saved weights are read into them by
name: the same numbers (bench/model_load.py compares every weight and intent
ranking). On two cores, loading DIET took 21 to 27 s and now takes 4 to 6,
TED 12 to 18 s and now about 4 to 5, both with the prediction graph traced as
Rasa does (docs/benchmarks.md). The optimizer's saved state is not read; only
further training needs it, and fine-tuning keeps Rasa's own way.

If the weights cannot be restored this way, Rasa's own way is used and a
warning is logged: a failed restore must never leave an untrained network (Rasa
answers a ValueError while loading TED with an untrained policy).
"""

from __future__ import annotations

import logging
from typing import Any

import tensorflow as tf
from rasa.core.policies.ted_policy import TED, TEDPolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.diet_classifier import DIET
from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel

logger = logging.getLogger(__name__)


def restore(
    model_class: type[RasaModel],
    model_file_name: str,
    model_data_example: RasaModelData,
    predict_data_example: RasaModelData | None,
    *args: Any,
    **kwargs: Any,
) -> RasaModel:
    """A network of ``model_class`` with the weights saved in ``model_file_name``.

    The arguments are those of Rasa's ``RasaModel.load``, without fine-tuning.
    """
    model = model_class(*args, **kwargs)
    config = kwargs.get("config", {})
    model.compile(
        optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)),
        run_eagerly=config.get(RUN_EAGERLY),
    )
    # One forward pass as in a training step (Rasa's train_step), without the
    # gradients: it makes every variable the loss uses.
    batch, _ = RasaBatchDataGenerator(model_data_example, batch_size=1)[0]
    model._training = True
    model.batch_loss(batch)
    model._training = None
    status = model.load_weights(model_file_name)
    # Every variable made so far has a saved value; the optimizer's saved
    # values stay unread. Variables first made while predicting get their
    # saved values as they are made (TensorFlow's restore on creation).
    status.assert_existing_objects_matched()
    status.expect_partial()
    if predict_data_example:
        # As Rasa does: the first prediction traces the prediction graph.
        model.run_inference(predict_data_example)
    return model


class _RestoredWithoutTraining:
    """``load`` restores the weights without a training step (see the module)."""

    @classmethod
    def load(
        cls,
        model_file_name: str,
        model_data_example: RasaModelData,
        predict_data_example: RasaModelData | None = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> RasaModel:
        if not finetune_mode:
            try:
                return restore(
                    cls, model_file_name, model_data_example, predict_data_example, *args, **kwargs
                )
            except Exception:
                logger.warning(
                    "The %s weights could not be restored directly; loading them Rasa's way.",
                    cls.__name__,
                    exc_info=True,
                )
        return super().load(  # type: ignore[misc]
            model_file_name,
            model_data_example,
            predict_data_example,
            finetune_mode,
            *args,
            **kwargs,
        )


class RestoredDIET(_RestoredWithoutTraining, DIET):
    """Rasa's DIET network, loaded without a training step."""


class RestoredTED(_RestoredWithoutTraining, TED):
    """Rasa's TED network, loaded without a training step."""


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITH_END_TO_END_SUPPORT, is_trainable=True
)
class QuickLoadingTEDPolicy(TEDPolicy):
    """Rasa's TED policy, its network loaded without a training step."""

    @staticmethod
    def model_class() -> type[TED]:
        return RestoredTED
