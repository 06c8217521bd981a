"""The REST channel Rasa serves to bot.server, made honest about failures.

Rasa's own REST channel answers 200 with whatever replies it had when
handling a message fails (a store down, a lock not taken), and writes the
person's words into its error log. This one:

- answers **503** when the message could not be handled, so ``bot.server``
  keeps the message and sends it again later instead of losing it;
- logs only the kind of error, never the message;
- lets a tracker store failure reach it: Rasa's ``FailSafeTrackerStore``
  would otherwise answer a failed read with a new, empty conversation;
- installs faster versions of two of Rasa's slow paths (:mod:`bot.channels.rasa_speed`).

Named in credentials.yml; it keeps the name ``rest`` so the address stays
``/webhooks/rest/webhook``. Imported only by the Rasa server process.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.tracker_store import FailSafeTrackerStore
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import rasa_speed

logger = logging.getLogger(__name__)


class TrackerStoreFailed(RuntimeError):
    """Rasa's tracker store could not read or save a conversation."""


def _raise_store_error(error: Exception) -> None:
    raise TrackerStoreFailed(type(error).__name__) from error


def make_tracker_store_strict(app: object) -> None:
    """Turn off the in-memory fallback of the loaded agent's tracker store."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    store = getattr(agent, "tracker_store", None)
    if isinstance(store, FailSafeTrackerStore):
        # The documented hook of FailSafeTrackerStore: called instead of falling back.
        store._on_tracker_store_error = _raise_store_error


class SafeRestInput(RestInput):
    """Rasa's REST input with a 503 on failure and no message text in the logs."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        rasa_speed.install()
        webhook = Blueprint("copro_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            make_tracker_store_strict(request.app)
            sender_id = await self._extract_sender(request)
            text = self._extract_message(request)
            collector = CollectingOutputChannel()
            message = UserMessage(
                text,
                collector,
                sender_id,
                input_channel=self._extract_input_channel(request),
                metadata=self.get_metadata(request),
            )
            try:
                await on_new_message(message)
            except Exception as error:  # noqa: BLE001 - any failure: tell bot.server
                logger.error("A message could not be handled: %s", type(error).__name__)
                return response.json({"error": "not handled"}, status=503)
            return response.json(collector.messages)

        return webhook
