"""Talk to the Rasa servers' REST channel.

One Rasa server or several: :class:`RasaGateway` sends each person's messages
to the same server while it answers (so its caches stay warm), and to the next
one when it does not. All of them share one conversation store, so any can
carry on. When none can take a message, it is kept on disk (:mod:`spool`) and
sent again, in order, when Rasa is back.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.channels.spool import Spool
from bot.content import channel_message

logger = logging.getLogger(__name__)


class RasaUnavailable(RuntimeError):
    """Rasa did not answer (down, timed out or returned an error)."""


class RasaUnreachable(RasaUnavailable):
    """No connection to that Rasa server: the message cannot have reached it."""


class RasaRefused(RasaUnavailable):
    """Rasa answered 503: it could not handle the message (a store or lock was away)."""


@dataclass(frozen=True)
class RasaReply:
    """Rasa's replies for the person (text and buttons), and signals for the channel."""

    messages: list[dict[str, Any]]
    signals: frozenset[str] = field(default_factory=frozenset)

    def then(self, other: RasaReply) -> RasaReply:
        """These replies, then ``other``'s (a turn can hold several)."""
        return _joined([self, other])


async def send_to_rasa(
    client: httpx.AsyncClient,
    rasa_url: str,
    sender: str,
    text: str,
    channel: str,
    safety: dict[str, Any] | None = None,
) -> RasaReply:
    """Send one message; return Rasa's replies and any signal an action sent.

    ``safety`` is what the safety check at the edge decided, for Rasa's pipeline
    and actions (the message's level, and whether help was already given).
    """
    metadata: dict[str, Any] = {"channel": channel}
    if safety is not None:
        metadata["safety"] = safety
    try:
        response = await client.post(
            f"{rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text, "metadata": metadata},
        )
        if response.status_code == 503:
            logger.warning("Rasa could not handle a message (503)")
            raise RasaRefused("503")
        response.raise_for_status()
        replies = response.json()
    except (httpx.ConnectError, httpx.ConnectTimeout) as error:
        logger.warning("Rasa at %s could not be reached: %s", rasa_url, type(error).__name__)
        raise RasaUnreachable(type(error).__name__) from error
    except (httpx.HTTPError, ValueError) as error:
        logger.warning("Rasa did not answer: %s", type(error).__name__)
        raise RasaUnavailable(str(type(error).__name__)) from error
    if not isinstance(replies, list):
        raise RasaUnavailable("unexpected reply")
    signals = frozenset(
        str(reply["custom"].get("signal"))
        for reply in replies
        if isinstance(reply, dict) and isinstance(reply.get("custom"), dict)
    )
    messages = [
        {
            "text": reply.get("text") or "",
            "buttons": [
                {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                for b in reply.get("buttons") or []
            ],
        }
        for reply in replies
        if isinstance(reply, dict) and (reply.get("text") or reply.get("buttons"))
    ]
    return RasaReply(messages, signals)


def kind_reply(key: str, signal: str | None = None) -> RasaReply:
    """A message of the channel's own instead of Rasa's replies."""
    return RasaReply(
        [{"text": channel_message(key), "buttons": []}],
        frozenset({signal}) if signal else frozenset(),
    )


# Signals for the channel: the message was kept to be sent again later; or it
# could not be kept either, and the person was told to try again.
KEPT = "kept"
UNAVAILABLE = "unavailable"
# How often kept messages are tried again while a channel server runs.
RETRY_SECONDS = 3.0

Deliver = Callable[[str, str, RasaReply], Awaitable[None]]


def route(urls: Sequence[str], sender: str) -> list[str]:
    """The Rasa servers in the order to try for this person (rendezvous hashing).

    The same person always starts at the same server, and when one server is
    added or removed only the people who used it move.
    """
    return sorted(
        urls, key=lambda url: hashlib.sha256(f"{url}|{sender}".encode()).digest(), reverse=True
    )


class RasaGateway:
    """Sends messages to the Rasa servers; keeps them when no server can take them."""

    def __init__(
        self, client: httpx.AsyncClient, urls: Sequence[str], spool: Spool | None = None
    ) -> None:
        if not urls:
            raise ValueError("at least one Rasa server address is needed")
        self.client = client
        self.urls = list(urls)
        self.spool = spool
        # One message at a time per person in this process; a lock lives while used.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def _lock(self, sender: str) -> asyncio.Lock:
        lock = self._locks.get(sender)
        if lock is None:
            lock = self._locks[sender] = asyncio.Lock()
        return lock

    async def _post(
        self, sender: str, text: str, channel: str, safety: dict[str, Any] | None = None
    ) -> RasaReply:
        for url in route(self.urls, sender):
            try:
                return await send_to_rasa(self.client, url, sender, text, channel, safety)
            except RasaUnreachable:
                continue  # never reached it: the next server can take it
        raise RasaUnreachable("no Rasa server could be reached")

    async def _spooled(self, call: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.to_thread(call, *args)

    async def _send_kept(self, sender: str) -> list[tuple[str, RasaReply]] | None:
        """Send the person's kept messages in order; None if Rasa still cannot take them.

        Returns each message's channel and Rasa's replies to it.
        """
        replies: list[tuple[str, RasaReply]] = []
        if self.spool is None or not await self._spooled(self.spool.has, sender):
            return replies  # the usual case: nothing kept, nothing locked
        while True:
            kept = await self._spooled(self.spool.claim_next, sender)
            if kept is None:
                still = await self._spooled(self.spool.has, sender)
                return None if still else replies
            safety = json.loads(kept.safety) if kept.safety else None
            try:
                reply = await self._post(sender, kept.text, kept.channel, safety)
            except (RasaUnreachable, RasaRefused):
                await self._spooled(self.spool.release, kept)
                return None
            except RasaUnavailable as error:
                # An error that sending again will not mend: drop it, as a live message would be.
                logger.warning("A kept message was dropped: Rasa gave %s", error)
                await self._spooled(self.spool.done, kept)
                continue
            await self._spooled(self.spool.done, kept)
            replies.append((kept.channel, reply))

    async def send(
        self,
        sender: str,
        text: str,
        channel: str,
        keep: bool = True,
        expect_reply: bool = True,
        safety: dict[str, Any] | None = None,
    ) -> RasaReply:
        """One message: Rasa's replies (after those of any kept earlier messages).

        When no Rasa server can take it, it is kept (if ``keep``), with its
        ``safety``, and the reply says so. Raises :class:`RasaUnavailable` when
        it cannot be kept. No reply at all to a message that ``expect_reply``
        means an action failed (its server is down): the person is told kindly.
        """
        async with self._lock(sender):
            earlier = await self._send_kept(sender)
            if earlier is None:
                return await self._keep(
                    sender, text, channel, keep, RasaRefused("kept before"), safety
                )
            try:
                reply = await self._post(sender, text, channel, safety)
            except (RasaUnreachable, RasaRefused) as error:
                return await self._keep(sender, text, channel, keep, error, safety)
        if expect_reply and not reply.messages and not reply.signals:
            # Rasa took the message but said nothing: an action could not run.
            reply = kind_reply("trouble")
        return _joined([*(earlier_reply for _, earlier_reply in earlier), reply])

    async def _keep(
        self,
        sender: str,
        text: str,
        channel: str,
        keep: bool,
        error: RasaUnavailable,
        safety: dict[str, Any] | None = None,
    ) -> RasaReply:
        if not keep or self.spool is None:
            raise error
        kept_safety = json.dumps(safety) if safety is not None else None
        await self._spooled(self.spool.keep, sender, channel, text, kept_safety)
        return kind_reply("kept", KEPT)

    async def send_kept(self, deliver: Deliver) -> int:
        """Try every kept message again; hand the replies to ``deliver``. Returns how many went."""
        if self.spool is None:
            return 0
        sent = 0
        for sender in await self._spooled(self.spool.senders):
            async with self._lock(sender):
                replies = await self._send_kept(sender)
            for channel, reply in replies or []:
                sent += 1
                await deliver(sender, channel, reply)
        return sent

    async def forget(self, sender: str) -> None:
        if self.spool is not None:
            await self._spooled(self.spool.forget, sender)


def _joined(replies: list[RasaReply]) -> RasaReply:
    if len(replies) == 1:
        return replies[0]
    return RasaReply(
        [message for reply in replies for message in reply.messages],
        frozenset().union(*(reply.signals for reply in replies)),
    )


def make_gateway(client: httpx.AsyncClient, settings: Any) -> RasaGateway:
    """The gateway for a channel server: its Rasa servers and its kept messages."""
    return RasaGateway(client, settings.rasa_urls, Spool(settings.spool_path))


def gateway_of(state: Any) -> RasaGateway:
    """The app's gateway, made for its HTTP client on first use."""
    gateway = getattr(state, "rasa", None)
    if gateway is None or gateway.client is not state.http:
        gateway = state.rasa = make_gateway(state.http, state.settings)
    return gateway
