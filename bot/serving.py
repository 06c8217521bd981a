"""How bot.server is served: uvicorn, with bounds on slow, idle and oversized clients.

``python -m bot.serving --host HOST --port PORT`` is what ``copro run`` and the
container start. uvicorn itself closes a connection left idle between requests
(``KEEP_ALIVE_SECONDS``) but waits for ever for a request's line and headers;
``HeadDeadline`` closes a connection whose request head has not arrived
within ``HEAD_SECONDS`` or has grown past ``MAX_HEAD_BYTES``. The body is
bounded in size and time by ``bot.request_limits`` inside the application.
"""

from __future__ import annotations

import argparse
import asyncio

import uvicorn
from uvicorn.protocols.http.auto import AutoHTTPProtocol

# A request's line and headers must arrive within this many seconds of the
# connection opening (or of the previous response on a kept-alive connection).
HEAD_SECONDS = 10.0
# A request's line and headers are a few kilobytes; far more is not a browser.
MAX_HEAD_BYTES = 64 * 1024
# An idle kept-alive connection is closed after this many seconds.
KEEP_ALIVE_SECONDS = 5
# Open connections at once; beyond this, new requests get 503 at once.
MAX_CONNECTIONS = 500
# On stopping, requests still running get this long to finish.
SHUTDOWN_SECONDS = 10

TIMEOUT_RESPONSE = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
TOO_LARGE_RESPONSE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-length: 0\r\nconnection: close\r\n\r\n"
)


class HeadDeadline(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    """uvicorn's HTTP protocol, closing connections whose request head is too slow or too big.

    uvicorn starts a new request cycle (``self.cycle``) once a request's headers
    are complete; until then this counts the time and the bytes.
    """

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self._head_timer: asyncio.TimerHandle | None = None
        self._await_head()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._await_head()

    def data_received(self, data: bytes) -> None:
        waiting = self._waiting_for_head()
        super().data_received(data)
        if not waiting or self.transport.is_closing():
            return
        if self._waiting_for_head():
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._close_with(TOO_LARGE_RESPONSE)
        else:
            self._head_bytes = 0

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
        super().connection_lost(exc)

    def _await_head(self) -> None:
        """From now, a new request head must arrive within HEAD_SECONDS."""
        if self._head_timer is not None:
            self._head_timer.cancel()
        self._awaited = self.cycle
        self._head_bytes = 0
        self._head_timer = self.loop.call_later(HEAD_SECONDS, self._head_overdue)

    def _waiting_for_head(self) -> bool:
        """No request head since the timer was set, and no request being answered."""
        cycle = self.cycle
        return cycle is self._awaited and (cycle is None or cycle.response_complete)

    def _head_overdue(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or not self._waiting_for_head():
            return
        # A half-sent request is told why; a connection that sent nothing is just closed.
        self._close_with(TIMEOUT_RESPONSE if self._head_bytes else b"")

    def _close_with(self, response: bytes) -> None:
        if response:
            self.transport.write(response)
        self.transport.close()


def config(host: str, port: int) -> uvicorn.Config:
    """bot.server's uvicorn configuration. No websockets: Rasa pins a version uvicorn cannot use."""
    return uvicorn.Config(
        "bot.server:create_app",
        factory=True,
        host=host,
        port=port,
        http=HeadDeadline,
        ws="none",
        access_log=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        limit_concurrency=MAX_CONNECTIONS,
        timeout_graceful_shutdown=SHUTDOWN_SECONDS,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.serving", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    uvicorn.Server(config(args.host, args.port)).run()


if __name__ == "__main__":
    main()
