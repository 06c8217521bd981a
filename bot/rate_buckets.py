"""Rate limits kept per key (a chat session, an address, a staff name), with pyrate-limiter.

Shared by the chat's limits (bot.channels.limits) and the staff login's
(bot.staff.login_guard).
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from pyrate_limiter import BucketFactory, InMemoryBucket, Rate, RateItem

# Buckets kept in memory; the least recently used go first beyond this.
MAX_KEYS = 20_000


class KeyedBuckets(BucketFactory):
    """One in-memory bucket per key (a session or an address), made on first use."""

    def __init__(self, rates: list[Rate], max_keys: int = MAX_KEYS) -> None:
        self.rates = rates
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, InMemoryBucket] = OrderedDict()
        self._clock = InMemoryBucket(rates)
        self._lock = Lock()

    def wrap_item(self, name: str, weight: int = 1) -> RateItem:
        return RateItem(name, self._clock.now(), weight=weight)

    def get(self, item: RateItem) -> InMemoryBucket:
        with self._lock:
            bucket = self._buckets.get(item.name)
            if bucket is None:
                bucket = self.create(InMemoryBucket, self.rates)
                self._buckets[item.name] = bucket
                while len(self._buckets) > self.max_keys:
                    _, oldest = self._buckets.popitem(last=False)
                    self.dispose(oldest)
            else:
                self._buckets.move_to_end(item.name)
            return bucket
