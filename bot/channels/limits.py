"""Rate limits for the chat: per session and per address, with pyrate-limiter."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from pyrate_limiter import BucketFactory, Duration, InMemoryBucket, Limiter, Rate, RateItem

# A person types or presses a button at most every couple of seconds; these
# limits stop scripts without ever slowing a person down.
PER_SESSION = [Rate(20, Duration.MINUTE), Rate(300, Duration.HOUR)]
# Several people can share one address (a school, a library).
PER_ADDRESS = [Rate(120, Duration.MINUTE), Rate(2000, Duration.HOUR)]
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


class ChatLimits:
    """Whether one more message from this session and address is allowed now."""

    def __init__(
        self,
        per_session: list[Rate] = PER_SESSION,
        per_address: list[Rate] = PER_ADDRESS,
    ) -> None:
        self._sessions = Limiter(KeyedBuckets(per_session))
        self._addresses = Limiter(KeyedBuckets(per_address))

    def allow(self, session: str, address: str) -> bool:
        session_ok = self._sessions.try_acquire(session, blocking=False)
        return bool(session_ok) and bool(self._addresses.try_acquire(address, blocking=False))
