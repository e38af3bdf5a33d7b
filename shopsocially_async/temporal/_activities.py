"""The activities: one :class:`Activities` object per worker process owns the client (one
connection pool), the shared rate limiter and the Redis client, and every activity of the
worker runs on them.

Each activity heartbeats about once a second, so a worker that dies is noticed within the
heartbeat timeout and its activity is retried on another worker; and each stops early, in
good order, when its worker shuts down (the calls in flight finish and are recorded, the
rest is handed back to Temporal).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import anyio
from temporalio import activity
from temporalio.exceptions import ApplicationError

from .. import bulk
from .._client import ShopSociallyClient
from ._chunk import ChunkWriter, Drained
from ._exporting import WindowBusy, export_window, merge_windows, plan_windows
from ._messages import (
    EXPORT_WINDOW,
    MERGE_EXPORT,
    PLAN_EXPORT,
    WRITE_CHUNK,
    ChunkTask,
    ExportInput,
    Totals,
    Window,
    WindowResult,
    WindowTask,
)
from ._store import RunStore, Superseded

__all__ = ["Activities"]

T = TypeVar("T")
HEARTBEAT_EVERY = 1.0


class Activities:
    """The activities of one worker process, sharing ``client`` and ``redis``.

    ``client`` is the worker's one :class:`ShopSociallyClient` (give it the shared
    ``RedisRateLimiter`` as ``rate_limiter``, and ``max_connections >= concurrency``);
    ``redis`` a coredis client opened with ``decode_responses=True`` (where row outcomes
    are recorded); ``concurrency`` bounds the calls in flight across all of this worker's
    activities. Register :meth:`all` with a ``temporalio.worker.Worker``.
    """

    def __init__(
        self,
        client: ShopSociallyClient,
        redis: Any,
        *,
        concurrency: int = bulk.DEFAULT_CONCURRENCY,
        prefix: str = "shopsocially",
    ) -> None:
        self.client = client
        self.redis = redis
        self.prefix = prefix
        self.capacity = anyio.CapacityLimiter(concurrency)

    def all(self) -> list[Callable[..., Any]]:
        """Every activity, to pass as ``Worker(activities=...)``."""
        return [self.write_chunk, self.plan_export, self.export_window, self.merge_export]

    @activity.defn(name=WRITE_CHUNK)
    async def write_chunk(self, task: ChunkTask) -> Totals:
        """Write one chunk of a bulk run (see ``_chunk``)."""
        store = RunStore(self.redis, task.run_id, prefix=self.prefix)
        policy = bulk.SettlePolicy(clock_skew=task.clock_skew, grace=task.settle_grace)
        writer = ChunkWriter(store, self.client, task.kind, task.chunk, policy, self.capacity)
        try:
            return await _supervised(writer.run, writer.stop, lambda: {"sent": writer.sent})
        except Drained as exc:
            raise ApplicationError(str(exc), type="Drained") from None
        except Superseded as exc:
            raise ApplicationError(str(exc), type="Superseded", non_retryable=True) from None
        except LookupError as exc:
            raise ApplicationError(str(exc), type="RowsMissing", non_retryable=True) from None

    @activity.defn(name=PLAN_EXPORT)
    async def plan_export(self, export: ExportInput) -> list[Window]:
        """Cut the export's range into windows (halving the large ones)."""
        return await plan_windows(self.client, export)

    @activity.defn(name=EXPORT_WINDOW)
    async def export_window(self, task: WindowTask) -> WindowResult:
        """Write one window of an export, resuming from its checkpoint."""
        counters = bulk.RunCounters()

        async def run() -> WindowResult:
            return await export_window(self.client, task.export, task.window, task.index, counters)

        try:
            return await _supervised(run, None, lambda: {"records": counters.succeeded})
        except WindowBusy as exc:
            raise ApplicationError(str(exc), type="WindowBusy") from None

    @activity.defn(name=MERGE_EXPORT)
    async def merge_export(self, export: ExportInput, results: Sequence[WindowResult]) -> str:
        """Merge the windows in order into the output; the manifest's path."""
        await anyio.to_thread.run_sync(merge_windows, export, results)
        return f"{export.out}.manifest.json"


async def _supervised(
    work: Callable[[], Awaitable[T]],
    stop: Callable[[], None] | None,
    progress: Callable[[], object],
) -> T:
    """Run ``work`` while heartbeating ``progress()``; on the worker's shutdown, ``stop()``
    (the work then ends early, in good order)."""
    result: list[T] = []
    failure: list[Exception] = []
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(_heartbeat, progress)
        if stop is not None:
            tasks.start_soon(_stop_on_shutdown, stop)
        try:
            result.append(await work())
        except Exception as exc:  # raised below as itself, not in an exception group
            failure.append(exc)
        finally:
            tasks.cancel_scope.cancel()
    if failure:
        raise failure[0]
    return result[0]


async def _heartbeat(progress: Callable[[], object]) -> None:
    while True:
        activity.heartbeat(progress())
        await anyio.sleep(HEARTBEAT_EVERY)


async def _stop_on_shutdown(stop: Callable[[], None]) -> None:
    await activity.wait_for_worker_shutdown()
    stop()


@asynccontextmanager
async def open_activities(
    redis_url: str,
    client: ShopSociallyClient,
    *,
    concurrency: int,
    prefix: str = "shopsocially",
) -> AsyncIterator[Activities]:
    """:class:`Activities` on a Redis client of their own (closed at the end)."""
    import coredis

    redis: coredis.Redis[str] = coredis.Redis.from_url(
        redis_url, decode_responses=True, connect_timeout=2.0, stream_timeout=5.0
    )
    # Closed as on a normal exit whatever happened in the block: coredis closes inside a
    # task group, which would wrap the block's own error in an exception group.
    await redis.__aenter__()
    try:
        yield Activities(client, redis, concurrency=concurrency, prefix=prefix)
    finally:
        await redis.__aexit__(None, None, None)
