"""Rate limits for the chat: per session and per address, with pyrate-limiter."""

from __future__ import annotations

from pyrate_limiter import Duration, Limiter, Rate

from bot.rate_buckets import KeyedBuckets

# A person types or presses a button at most every couple of seconds; these
# limits stop scripts without ever slowing a person down.
PER_SESSION = [Rate(20, Duration.MINUTE), Rate(300, Duration.HOUR)]
# Several people can share one address (a school, a library).
PER_ADDRESS = [Rate(120, Duration.MINUTE), Rate(2000, Duration.HOUR)]


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
