"""Telegram buttons: signed ``callback_data`` for Rasa's button payloads, and the keyboards.

Telegram gives back a button's ``callback_data`` (at most 64 bytes), and anyone
can send any ``callback_data``, so it is signed with ``secret_key``:
``"p" + sig + payload``, where ``sig`` is 11 characters of an HMAC of the
payload. A payload too long for that is kept in a bounded map in memory and the
button carries ``"k" + key``, where ``key`` is a longer HMAC of the payload. The
map only makes the button findable again; the HMAC makes it unforgeable. After a
restart (or once the map has moved on) such a button is "old", which is also
what anything tampered with is. Short payloads, the usual case, survive restarts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections import OrderedDict

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

# Telegram's limit on a button's callback data, in bytes.
MAX_CALLBACK_BYTES = 64
# Long payloads remembered, so their buttons work until this many newer ones were made.
KEPT_BUTTONS = 5_000


def _sig(secret: str, payload: str, size: int) -> str:
    digest = hmac.new(
        secret.encode(), b"telegram-button\x00" + payload.encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest[:size]).decode().rstrip("=")


class ButtonKeys:
    """Signed ``callback_data`` for button payloads, and the payloads back from it."""

    INLINE, KEPT = "p", "k"
    SHORT, LONG = 8, 16  # bytes of HMAC: 11 and 22 characters

    def __init__(self, secret: str, kept: int = KEPT_BUTTONS) -> None:
        self.secret = secret
        self.kept = kept
        self._payloads: OrderedDict[str, str] = OrderedDict()

    def data_for(self, payload: str) -> str:
        inline = f"{self.INLINE}{_sig(self.secret, payload, self.SHORT)}{payload}"
        if len(inline.encode()) <= MAX_CALLBACK_BYTES:
            return inline
        key = _sig(self.secret, payload, self.LONG)
        self._payloads[key] = payload
        self._payloads.move_to_end(key)
        while len(self._payloads) > self.kept:
            self._payloads.popitem(last=False)
        return f"{self.KEPT}{key}"

    def payload_of(self, data: object) -> str | None:
        """The payload a button was made for, or None when it is unknown or tampered with."""
        if not isinstance(data, str) or len(data.encode()) > MAX_CALLBACK_BYTES:
            return None
        if data.startswith(self.INLINE):
            size = len(_sig(self.secret, "", self.SHORT))
            sig, payload = data[1 : 1 + size], data[1 + size :]
            expected = _sig(self.secret, payload, self.SHORT)
            return payload if hmac.compare_digest(sig.encode(), expected.encode()) else None
        if data.startswith(self.KEPT):
            payload = self._payloads.get(data[1:])
            if payload is None:
                return None
            expected = _sig(self.secret, payload, self.LONG)
            return payload if hmac.compare_digest(data[1:].encode(), expected.encode()) else None
        return None


def keyboard(buttons: list[dict[str, str]], keys: ButtonKeys) -> InlineKeyboardMarkup | None:
    """Rasa's buttons as an inline keyboard, one button a row."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    b["title"] or b["payload"], callback_data=keys.data_for(b["payload"])
                )
            ]
            for b in buttons
        ]
    )
