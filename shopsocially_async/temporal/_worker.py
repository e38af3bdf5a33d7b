"""A worker process: one client, one shared limiter, one Redis client, the workflows and the
activities, on one task queue."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from .. import bulk
from .._client import ShopSociallyClient
from ..distributed import RedisRateLimiter, UnavailablePolicy
from ..ratelimit import RateLimiter
from ._activities import open_activities
from ._workflows import BulkWriteWorkflow, ExportWorkflow

__all__ = ["DEFAULT_TASK_QUEUE", "open_worker", "sandbox_runner"]

DEFAULT_TASK_QUEUE = "shopsocially"
#: How long a draining worker waits for its activities before abandoning them.
DEFAULT_DRAIN = timedelta(seconds=60)


def sandbox_runner() -> SandboxedWorkflowRunner:
    """The sandbox, with our package passed through: the workflows import only its plain
    messages, but importing any part of the package imports the client (and httpx) too."""
    restrictions = SandboxRestrictions.default.with_passthrough_modules("shopsocially_async")
    return SandboxedWorkflowRunner(restrictions=restrictions)


@asynccontextmanager
async def open_worker(
    temporal: Client,
    *,
    redis: str,
    make_client: Callable[[RateLimiter | None], ShopSociallyClient],
    account: str,
    rate: float | None = None,
    on_unavailable: UnavailablePolicy = "raise",
    concurrency: int = bulk.DEFAULT_CONCURRENCY,
    max_chunks: int = 4,
    task_queue: str = DEFAULT_TASK_QUEUE,
    drain: timedelta = DEFAULT_DRAIN,
) -> AsyncIterator[Worker]:
    """A ``temporalio.worker.Worker`` for the workflows and activities, not yet running
    (``await worker.run()``; ``await worker.shutdown()`` drains it).

    ``make_client(limiter)`` builds the worker's one client around the rate limiter: a
    ``RedisRateLimiter`` on ``redis`` for ``account`` at ``rate`` requests/s (None: no
    shared pacing). ``concurrency`` bounds the calls in flight in this process,
    ``max_chunks`` the activities it runs at once.
    """
    async with AsyncExitStack() as stack:
        limiter = None
        if rate is not None:
            limiter = await stack.enter_async_context(
                RedisRateLimiter(redis, account=account, rate=rate, on_unavailable=on_unavailable)
            )
        client = await stack.enter_async_context(make_client(limiter))
        activities = await stack.enter_async_context(
            open_activities(redis, client, concurrency=concurrency)
        )
        options: dict[str, Any] = {
            "max_concurrent_activities": max_chunks,
            "graceful_shutdown_timeout": drain,
        }
        yield Worker(
            temporal,
            task_queue=task_queue,
            workflows=[BulkWriteWorkflow, ExportWorkflow],
            activities=activities.all(),
            workflow_runner=sandbox_runner(),
            **options,
        )
