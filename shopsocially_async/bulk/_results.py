"""What a bulk run hands back: one :class:`BulkResult` per input, through a :class:`BulkRun`."""

from __future__ import annotations

from datetime import datetime
from typing import Generic, TypeVar

import anyio
import attrs
from anyio.abc import ObjectReceiveStream
from anyio.lowlevel import checkpoint_if_cancelled
from anyio.streams.memory import MemoryObjectReceiveStream

from ..errors import (
    APIConnectionError,
    APIError,
    DuplicateOrderError,
    RateLimiterUnavailableError,
    ShopSociallyError,
)
from ._counters import RunCounters
from ._matching import Settlement, Verdict

__all__ = ["BulkResult", "BulkRun", "error_code", "send_again"]

#: How many times a row that certainly did not apply for want of a connection (a timeout
#: before sending, a refused connection) is sent before it is reported as failed.
MAX_UNSENT_ROUNDS = 3

I = TypeVar("I")  # noqa: E741 - the conventional name for "input"
R = TypeVar("R")


def error_code(error: ShopSociallyError) -> str:
    """The API's error code, or the exception's name (a failures file's ``error_code``)."""
    if isinstance(error, APIError) and error.error_code:
        return error.error_code
    return type(error).__name__


def throttled(error: ShopSociallyError) -> bool:
    """Whether the account's limit refused the call (HTTP 429), applying nothing."""
    return not error.outcome_unknown and isinstance(error, APIError) and error.status_code == 429


def send_again(error: ShopSociallyError, rounds: int) -> bool:
    """Whether a row whose call failed this way (``rounds`` times so far) is simply sent
    again: never when it may have applied; after a 429 (the account's limit is never a
    row's failure) or an outage of the rate limiter's Redis, always; after a connection
    failure that certainly did not apply (often a call whose deadline ran out while it
    waited its turn), for :data:`MAX_UNSENT_ROUNDS` rounds."""
    if error.outcome_unknown:
        return False
    if throttled(error) or isinstance(error, RateLimiterUnavailableError):
        return True
    return isinstance(error, APIConnectionError) and rounds < MAX_UNSENT_ROUNDS


@attrs.frozen
class BulkResult(Generic[I, R]):
    """The result of one input: ``value`` on success, else ``error``.

    ``index`` is the input's position (from 0) in the input sequence; results arrive in
    completion order, not input order. ``started_at`` and ``finished_at`` (UTC) bracket the
    call. ``settlement`` is set on a write whose outcome was unknown and was settled by
    reading the ledger back (runs with ``settle=True``); :attr:`applied` sums it all up.
    """

    index: int
    input: I
    value: R | None = None
    error: ShopSociallyError | None = None
    started_at: datetime | None = attrs.field(default=None, kw_only=True)
    finished_at: datetime | None = attrs.field(default=None, kw_only=True)
    settlement: Settlement | None = attrs.field(default=None, kw_only=True)

    @property
    def ok(self) -> bool:
        """True when the call succeeded."""
        return self.error is None

    @property
    def replayed(self) -> bool:
        """True when a retried award met the award its own first attempt made: applied
        exactly once (``error`` is ``DuplicateOrderError(replay=True)``, there is no value).
        Counted as succeeded in :class:`RunCounters`.
        """
        return isinstance(self.error, DuplicateOrderError) and self.error.replay

    @property
    def outcome_unknown(self) -> bool:
        """True when the call failed but may have been applied: reconcile before resending
        (False once a settlement said applied or not applied)."""
        if self.error is None or not self.error.outcome_unknown:
            return False
        return self.settlement is None or self.settlement.verdict is Verdict.AMBIGUOUS

    @property
    def applied(self) -> bool | None:
        """Whether the write took effect, exactly once: True (it succeeded, met its own
        earlier award, or was settled applied), False (it certainly did not), None (unknown).
        """
        if self.ok or self.replayed:
            return True
        if self.outcome_unknown:
            return None
        return self.settlement is not None and self.settlement.verdict is Verdict.APPLIED


class BulkRun(Generic[I, R]):
    """The results of a running batch (``async for``), its counters, and a clean stop."""

    def __init__(self, results: ObjectReceiveStream[BulkResult[I, R]], counters: RunCounters):
        self._results = results
        self.counters = counters
        self.stopping = False

    def stop(self) -> None:
        """Take no new inputs; calls in flight finish and their results are still yielded."""
        self.stopping = True

    def __aiter__(self) -> BulkRun[I, R]:
        return self

    async def __anext__(self) -> BulkResult[I, R]:
        if isinstance(self._results, MemoryObjectReceiveStream):
            # A waiting result is taken without receive()'s trip through the event loop;
            # cancellation is still checked, as receive() does.
            await checkpoint_if_cancelled()
            try:
                result: BulkResult[I, R] = self._results.receive_nowait()
            except anyio.WouldBlock:
                pass
            except anyio.EndOfStream:
                raise StopAsyncIteration from None
            else:
                return result
        try:
            return await self._results.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None
