"""The account's rate limit, and the log of when each request arrived.

The limit is a sliding window: a request is admitted when fewer than ``rate_limit`` requests
were admitted in the second before it, else answered 429 ``RATE_LIMIT_EXCEEDED`` with
``Retry-After`` (whole seconds, as HTTP writes it: until the oldest of those leaves the
window, so always 1 s). A sliding window rather than a GCRA because it is exactly what a
test measures: no half-open 1-second window ever holds more than ``rate_limit`` admitted
requests, whatever their spacing, where a GCRA with a burst lets nearly twice that through
in the second after an idle spell. Refused requests do not use up the window (a client that
backs off is served again at once), but they are logged like every other arrival.

Arrival times come from a monotonic clock (``time.monotonic`` unless the fake was given
another), which on Linux is one clock for every process of the machine, so a benchmark may
compare them with its workers' own readings.
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from collections.abc import Callable, Iterable

__all__ = ["Traffic", "busiest_window"]

WINDOW = 1.0


def busiest_window(arrivals: Iterable[float], seconds: float = 1.0) -> int:
    """The most arrivals in any half-open window ``[t, t + seconds)``."""
    times = sorted(arrivals)
    most, first = 0, 0
    for last, at in enumerate(times):
        while times[first] <= at - seconds:
            first += 1
        most = max(most, last - first + 1)
    return most


class Traffic:
    """The arrival log and the account limit of one fake. Callers hold the fake's lock."""

    def __init__(self, rate_limit: int | None, clock: Callable[[], float]) -> None:
        if rate_limit is not None and (
            isinstance(rate_limit, bool) or not isinstance(rate_limit, int) or rate_limit < 1
        ):
            raise ValueError(
                f"rate_limit must be a whole number of requests >= 1, got {rate_limit!r}"
            )
        self.rate_limit = rate_limit
        self._clock = clock
        self._admitted: deque[float] = deque()  # admitted arrivals of the last WINDOW
        self.arrivals = array("d")
        self.throttled = array("d")

    def arrive(self) -> int | None:
        """Log a request arriving now: None to admit it, else the Retry-After (seconds)."""
        now = self._clock()
        self.arrivals.append(now)
        if self.rate_limit is None:
            return None
        while self._admitted and self._admitted[0] <= now - WINDOW:
            self._admitted.popleft()
        if len(self._admitted) < self.rate_limit:
            self._admitted.append(now)
            return None
        return max(1, math.ceil(self._admitted[0] + WINDOW - now))

    def answered_429(self) -> None:
        """The request that just arrived is being answered 429 (by the limit or a fault)."""
        self.throttled.append(self.arrivals[-1])

    def clear_logs(self) -> None:
        """Forget the logged arrivals (the limit's window is the server's state: it stays)."""
        self.arrivals = array("d")
        self.throttled = array("d")
