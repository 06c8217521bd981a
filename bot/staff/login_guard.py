"""Limits on staff logins: guessing is slow, memory stays bounded, nobody can lock a person out.

- Password checks (Argon2, 64 MiB each) run in one pool of ``HASH_WORKERS``
  threads for the whole process, with at most ``HASH_WAITING`` more waiting
  their turn. A login beyond that is asked to wait a minute (429) rather than
  queued, whatever the number of requests.
- Attempts are limited per address (``PER_ADDRESS``) and per user name
  (``PER_NAME``: a short window, so a slowdown and never a lockout). A browser that
  has logged in with that name before (its signed "known device" cookie, see
  bot.staff.security) is not held by the per-name limit: guessing from elsewhere
  cannot keep the owner out, because getting past it takes more than the name.
- After ``MAX_FAILED`` wrong passwords in a row for one name from one address,
  that name is paused from that address for ``LOCK_FOR``. The account itself is
  never locked: its owner still gets in from anywhere else, so an outsider who
  knows a staff name cannot shut them out. A successful login clears the count.
- An IPv6 address counts by its /64 network: one home or office holds all of them.

The counts are kept in memory with pyrate-limiter (as the chat limits are), per
server process; bot.server runs as one process. A refusal says how long to wait
(``Retry-After``) in plain words.
"""

from __future__ import annotations

import asyncio
import ipaddress
import math
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from pyrate_limiter import Duration, Rate

from bot.rate_buckets import KeyedBuckets

T = TypeVar("T")

HASH_WORKERS = 2
HASH_WAITING = 8
# A person types a password a few times a minute at most.
PER_ADDRESS = [Rate(10, Duration.MINUTE), Rate(100, Duration.HOUR)]
PER_NAME = [Rate(10, Duration.MINUTE)]
MAX_FAILED = 5
LOCK_FOR = timedelta(minutes=15)

BUSY = "Too many people are logging in at once. Please wait a minute and try again."
TOO_MANY = "There have been too many login attempts. Please wait {wait} and try again."
PAUSED = (
    f"After {MAX_FAILED} wrong passwords, logging in with this name from here is paused. "
    "Please wait {wait} and try again. If you have forgotten your password, ask the person "
    "who runs the companion to give you a new one."
)


class Busy(Exception):
    """Every password check slot is taken: the login should be tried again in a minute."""


@dataclass(frozen=True)
class Pause:
    """A login refused before its password is checked: how long to wait, and why."""

    seconds: int
    words: str


def wait_words(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return "a minute" if minutes == 1 else f"{minutes} minutes"


def place_of(address: str) -> str:
    """Where attempts come from: the address, or its /64 network for IPv6."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def name_key(name: str) -> str:
    """User names match whatever their case (as accounts do)."""
    return (name or "").strip().lower()


class HashPool:
    """A fixed pool for password checks, refusing work beyond ``workers + waiting``.

    A running check keeps its place until it has finished, even when the request
    that asked for it has gone, so the bound holds for the memory really in use;
    a waiting one whose request has gone is dropped without running.
    """

    def __init__(self, workers: int = HASH_WORKERS, waiting: int = HASH_WAITING) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="staff-login")
        self._places = workers + waiting
        self._taken = 0
        self._lock = threading.Lock()

    @property
    def taken(self) -> int:
        return self._taken

    def _release(self, _: object = None) -> None:
        with self._lock:
            self._taken -= 1

    async def run(self, function: Callable[..., T], *args: object) -> T:
        """``function(*args)`` in the pool; Busy when every place is taken."""
        with self._lock:
            if self._taken >= self._places:
                raise Busy
            self._taken += 1
        try:
            future: Future[T] = self._pool.submit(function, *args)
        except BaseException:
            self._release()
            raise
        future.add_done_callback(self._release)
        return await asyncio.wrap_future(future)


PASSWORD_CHECKS = HashPool()


class LoginGuard:
    """Whether a login attempt may have its password checked now, and what its outcome counts."""

    def __init__(
        self,
        per_address: list[Rate] = PER_ADDRESS,
        per_name: list[Rate] = PER_NAME,
        max_failed: int = MAX_FAILED,
        lock_for: timedelta = LOCK_FOR,
    ) -> None:
        self._addresses = KeyedBuckets(per_address)
        self._names = KeyedBuckets(per_name)
        self._failures = KeyedBuckets([Rate(max_failed, int(lock_for.total_seconds() * 1000))])
        self._max_failed = max_failed
        self._lock_ms = int(lock_for.total_seconds() * 1000)

    @staticmethod
    def _take(buckets: KeyedBuckets, key: str) -> Pause | None:
        item = buckets.wrap_item(key)
        decision = buckets.get(item).put_decision(item)
        if decision.allowed:
            return None
        waited = decision.retry_after_ms
        seconds = 60 if waited is None else max(1, math.ceil(waited / 1000))
        return Pause(seconds, TOO_MANY.format(wait=wait_words(seconds)))

    def _source(self, address: str, name: str) -> str:
        return f"{place_of(address)} {name_key(name)}"

    def check(self, address: str, name: str, known_device: bool = False) -> Pause | None:
        """None when the password may be checked now; otherwise how long to wait.

        The address and the name each count the attempt; a paused name from
        this address is refused without spending the name's allowance. A known
        device is not counted against the name.
        """
        pause = self._take(self._addresses, place_of(address))
        if pause is not None:
            return pause
        item = self._failures.wrap_item(self._source(address, name))
        oldest = self._failures.get(item).peek(self._max_failed - 1)
        if oldest is not None and item.timestamp - oldest.timestamp < self._lock_ms:
            seconds = max(1, math.ceil((oldest.timestamp + self._lock_ms - item.timestamp) / 1000))
            return Pause(seconds, PAUSED.format(wait=wait_words(seconds)))
        if known_device:
            return None
        return self._take(self._names, name_key(name))

    def failed(self, address: str, name: str) -> None:
        """A wrong password (or an unknown name) from this address."""
        item = self._failures.wrap_item(self._source(address, name))
        self._failures.get(item).put(item)

    def succeeded(self, address: str, name: str) -> None:
        """The right password: this address starts again from no failures for this name."""
        item = self._failures.wrap_item(self._source(address, name))
        self._failures.get(item).flush()
