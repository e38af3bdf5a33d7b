"""Bulk writes: many calls with bounded concurrency, an optional rate, streamed results.

The shape is an async context manager around a task group, so that no task outlives the
block and results can be yielded safely::

    async with bulk.award_many(client, inputs, concurrency=32, rate=50) as run:
        async for result in run:
            if not result.ok:
                log(result.input, result.error, result.outcome_unknown)
    print(run.counters.succeeded, run.counters.failed, run.counters.retries)

Memory is bounded: the next input is taken only when a slot is free, and a finished call
holds its slot until its result is handed over, so at most ``concurrency + buffer`` inputs
are ever taken ahead of the results consumed. One failed call never stops the others.
"""

from __future__ import annotations

from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
)
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar

import anyio
import attrs
from anyio.abc import ObjectSendStream

from .._client import ShopSociallyClient
from .._config import RetryEvent
from ..errors import InvalidArgumentError, ShopSociallyError
from ..models import Transaction
from ..ratelimit import UNROUTED, LocalRateLimiter, RateLimiter
from ._counters import RunCounters
from ._inputs import (
    AwardInput,
    DeductInput,
    InputT,
    RedeemInput,
    ReturnInput,
    as_kwargs,
    coerce_input,
)
from ._results import BulkResult, BulkRun
from ._settle import SettlePolicy, SettlingRun

__all__ = [
    "DEFAULT_CONCURRENCY",
    "award_many",
    "counting_retries",
    "deduct_many",
    "redeem_many",
    "returns_many",
    "run_many",
]

I = TypeVar("I")  # noqa: E741 - the conventional name for "input"
R = TypeVar("R")
DEFAULT_CONCURRENCY = 16
Inputs = Iterable[I] | AsyncIterable[I]


@asynccontextmanager
async def run_many(
    operation: Callable[[I], Awaitable[R]],
    inputs: Inputs[I],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    rate: float | RateLimiter | None = None,
    counters: RunCounters | None = None,
    buffer: int | None = None,
) -> AsyncIterator[BulkRun[I, R]]:
    """Call ``operation`` on every input, at most ``concurrency`` at once and, with ``rate``,
    at most that many calls started per second (or paced by ``rate``, a
    :class:`~shopsocially_async.ratelimit.RateLimiter`). Yields a :class:`BulkRun` to iterate.
    ``rate`` paces call starts only; a client's ``rate_limiter=`` also paces its retries
    and pages, and is the one to share across workers (do not pass it here too).

    A :class:`~shopsocially_async.errors.ShopSociallyError` becomes a failed result; any
    other exception is a bug and stops the batch. Leaving the block before the results are
    exhausted cancels the calls in flight (their outcome is then unknown): to stop cleanly,
    call :meth:`BulkRun.stop` and keep iterating to the end.
    """
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be a whole number >= 1, got {concurrency!r}")
    limiter = _limiter(rate)
    counters = RunCounters() if counters is None else counters
    send, receive = anyio.create_memory_object_stream[BulkResult[I, R]](
        concurrency if buffer is None else buffer
    )
    run = BulkRun(receive, counters)
    feeder = _Feeder(operation, run, send, limiter, concurrency)
    body_error: Exception | None = None
    try:
        async with receive, anyio.create_task_group() as tasks:
            tasks.start_soon(feeder.feed, inputs)
            try:
                yield run
            except Exception as exc:  # re-raised below as itself, not in an exception group
                body_error = exc
            finally:
                tasks.cancel_scope.cancel()
    finally:
        counters.finish()
    if body_error is not None:
        raise body_error
    if feeder.input_error is not None:
        raise feeder.input_error


def _limiter(rate: float | RateLimiter | None) -> RateLimiter | None:
    """What ``rate=`` paces the calls with: a number builds a process-local limiter."""
    if rate is None or isinstance(rate, RateLimiter):
        return rate
    if isinstance(rate, (int, float)) and not isinstance(rate, bool):
        return LocalRateLimiter(rate)
    raise InvalidArgumentError(
        f"rate must be calls per second or a RateLimiter, got {type(rate).__name__}"
    )


class _Feeder(Generic[I, R]):
    """``concurrency`` workers, each taking the next input only once its last result is sent."""

    def __init__(
        self,
        operation: Callable[[I], Awaitable[R]],
        run: BulkRun[I, R],
        send: ObjectSendStream[BulkResult[I, R]],
        limiter: RateLimiter | None,
        concurrency: int,
    ) -> None:
        self._operation = operation
        self._run = run
        self._send = send
        self._limiter = limiter
        self._concurrency = concurrency
        self._next_index = 0
        self._exhausted = False
        self.input_error: Exception | None = None

    async def feed(self, inputs: Inputs[I]) -> None:
        # Taking an input awaits (and needs a lock) only for async inputs or a rate limit.
        needs_lock = self._limiter is not None or isinstance(inputs, AsyncIterable)
        pulling = anyio.Lock() if needs_lock else _NO_LOCK
        async with self._send, _source(inputs) as source, anyio.create_task_group() as workers:
            for _ in range(self._concurrency):
                workers.start_soon(self._work, source, pulling)

    async def _work(
        self, source: Callable[[], Awaitable[I]], pulling: AbstractAsyncContextManager[Any]
    ) -> None:
        while True:
            async with pulling:  # one taker at a time; the rate limit paces the takes
                taken = await self._take(source)
            if taken is None:
                return
            await self._send.send(await self._call(*taken))

    async def _take(self, source: Callable[[], Awaitable[I]]) -> tuple[int, I] | None:
        if self._exhausted or self._run.stopping:
            return None
        try:
            item = await source()
        except Exception as exc:  # a failing input iterator: stop taking, report it after
            self.input_error, item = exc, _END
        if item is _END:
            self._exhausted = True
            return None
        if self._limiter is not None:  # an input once taken is always called and reported
            await self._limiter.acquire(UNROUTED)
        index, self._next_index = self._next_index, self._next_index + 1
        return index, item

    async def _call(self, index: int, item: I) -> BulkResult[I, R]:
        counters = self._run.counters
        counters.in_flight += 1
        started = datetime.now(timezone.utc)
        value: R | None = None
        error: ShopSociallyError | None = None
        try:
            value = await self._operation(item)
        except ShopSociallyError as exc:
            error = exc
        finally:
            counters.in_flight -= 1
        finished = datetime.now(timezone.utc)
        result = BulkResult(index, item, value, error, started_at=started, finished_at=finished)
        if result.ok or result.replayed:
            counters.record_success()
        else:
            counters.record_failure(outcome_unknown=result.outcome_unknown)
        return result


_END: Any = object()
_NO_LOCK = nullcontext()


@asynccontextmanager
async def _source(inputs: Inputs[I]) -> AsyncIterator[Callable[[], Awaitable[I]]]:
    """A "next input, or _END" function over a sync or async iterable (closed at the end)."""
    if isinstance(inputs, AsyncIterable):
        iterator = aiter(inputs)

        async def next_async() -> I:
            return await anext(iterator, _END)

        try:
            yield next_async
        finally:
            close = getattr(iterator, "aclose", None)
            if close is not None:
                await close()
        return
    sync_iterator = iter(inputs)

    async def next_sync() -> I:
        return next(sync_iterator, _END)

    yield next_sync


def counting_retries(client: ShopSociallyClient, counters: RunCounters) -> ShopSociallyClient:
    """A copy of ``client`` (sharing its pool) whose retries are counted in ``counters``."""
    policy = client._config.retry
    previous = policy.on_retry

    def on_retry(event: RetryEvent) -> None:
        counters.record_retry(event)
        if previous is not None:
            previous(event)

    return client.with_options(retry_policy=attrs.evolve(policy, on_retry=on_retry))


Run = AbstractAsyncContextManager[BulkRun[InputT | Mapping[str, Any], Transaction]]


def award_many(
    client: ShopSociallyClient,
    inputs: Inputs[AwardInput | Mapping[str, Any]],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    rate: float | RateLimiter | None = None,
    counters: RunCounters | None = None,
    settle: bool | SettlePolicy = False,
) -> Run[AwardInput]:
    """Award points for every input (an :class:`AwardInput` or a mapping of its fields).

    Awards with ``order_id`` are retried safely; a retry meeting its own earlier award
    fails with ``DuplicateOrderError(replay=True)``: applied exactly once.

    With ``settle=True`` (or a :class:`SettlePolicy`), outcome-unknown results are held back
    until every other input is done, settled by reading the members' ledgers back (see
    :func:`settle`), and yielded last, each with its ``settlement``; ``result.applied`` then
    says True, False or (still) None. Other results are never held back.
    """
    return _write_many(AwardInput, _award, client, inputs, concurrency, rate, counters, settle)


def redeem_many(
    client: ShopSociallyClient,
    inputs: Inputs[RedeemInput | Mapping[str, Any]],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    rate: float | RateLimiter | None = None,
    counters: RunCounters | None = None,
    settle: bool | SettlePolicy = False,
) -> Run[RedeemInput]:
    """Redeem a redemption option for every input (never retried once it may have applied);
    ``settle`` as in :func:`award_many`.
    """
    return _write_many(RedeemInput, _redeem, client, inputs, concurrency, rate, counters, settle)


def deduct_many(
    client: ShopSociallyClient,
    inputs: Inputs[DeductInput | Mapping[str, Any]],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    rate: float | RateLimiter | None = None,
    counters: RunCounters | None = None,
    settle: bool | SettlePolicy = False,
) -> Run[DeductInput]:
    """Deduct points for every input (never retried once it may have applied);
    ``settle`` as in :func:`award_many`.
    """
    return _write_many(DeductInput, _deduct, client, inputs, concurrency, rate, counters, settle)


def returns_many(
    client: ShopSociallyClient,
    inputs: Inputs[ReturnInput | Mapping[str, Any]],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    rate: float | RateLimiter | None = None,
    counters: RunCounters | None = None,
    settle: bool | SettlePolicy = False,
) -> Run[ReturnInput]:
    """Process a return for every input (never retried once it may have applied);
    ``settle`` as in :func:`award_many`.
    """
    return _write_many(ReturnInput, _return, client, inputs, concurrency, rate, counters, settle)


def _award(client: ShopSociallyClient) -> Callable[..., Awaitable[Transaction]]:
    return client.points.award


def _redeem(client: ShopSociallyClient) -> Callable[..., Awaitable[Transaction]]:
    return client.points.redeem


def _deduct(client: ShopSociallyClient) -> Callable[..., Awaitable[Transaction]]:
    return client.points.deduct


def _return(client: ShopSociallyClient) -> Callable[..., Awaitable[Transaction]]:
    return client.returns.create


def _write_many(
    kind: type[InputT],
    call: Callable[[ShopSociallyClient], Callable[..., Awaitable[Transaction]]],
    client: ShopSociallyClient,
    inputs: Inputs[InputT | Mapping[str, Any]],
    concurrency: int,
    rate: float | RateLimiter | None,
    counters: RunCounters | None,
    settle: bool | SettlePolicy,
) -> Run[InputT]:
    _check_pool_covers(client, concurrency)
    counters = RunCounters() if counters is None else counters
    method = call(counting_retries(client, counters))

    async def operation(item: InputT | Mapping[str, Any]) -> Transaction:
        return await method(**as_kwargs(coerce_input(kind, item)))

    run = run_many(operation, inputs, concurrency=concurrency, rate=rate, counters=counters)
    if settle is False:
        return run
    policy = SettlePolicy() if settle is True else settle
    return _settling(run, client, kind, policy)


@asynccontextmanager
async def _settling(
    run: Run[InputT], client: ShopSociallyClient, kind: type[InputT], policy: SettlePolicy
) -> AsyncIterator[BulkRun[InputT | Mapping[str, Any], Transaction]]:
    async with run as inner:
        yield SettlingRun(inner, client, lambda item: coerce_input(kind, item), policy)


def _check_pool_covers(client: ShopSociallyClient, concurrency: object) -> None:
    """Refuse a concurrency the client's pool would silently cap (calls would queue for a
    connection, and a pool timeout would fail writes that never left)."""
    pool = client.max_connections
    if pool is not None and isinstance(concurrency, int) and concurrency > pool:
        raise InvalidArgumentError(
            f"concurrency={concurrency} exceeds the client's max_connections={pool}: build the "
            f"client with ShopSociallyClient(..., max_connections={concurrency}) or more"
        )
