"""Custom Rasa NLU components. Imported only by Rasa, never by the action server."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.risk import suggests_risk

SAFEGUARDING = "safeguarding"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RiskBackstop(GraphComponent):
    """Turn any message with risk phrases into the `safeguarding` intent.

    Runs last, after the FallbackClassifier, so neither a wrong guess nor a
    fallback can hide a message that suggests someone is at risk.
    """

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RiskBackstop:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            intent = (message.get(INTENT) or {}).get("name")
            if intent == SAFEGUARDING or not suggests_risk(text):
                continue
            message.set(INTENT, {"name": SAFEGUARDING, "confidence": 1.0}, add_to_output=True)
            ranking = [{"name": SAFEGUARDING, "confidence": 1.0}]
            ranking += [
                r for r in message.get(INTENT_RANKING_KEY) or [] if r["name"] != SAFEGUARDING
            ]
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            message.set("risk_backstop", True, add_to_output=True)
        return messages
