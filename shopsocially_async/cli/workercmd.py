"""``worker``: one Temporal worker process for bulk runs and exports (run any number, on any
machines). The first Ctrl-C (or SIGTERM) drains it: it takes no new work, its chunks finish
the calls in flight, record them and hand the rest back to Temporal (another worker goes
on); a second one stops it at once (the next attempt settles what it left in doubt)."""

from __future__ import annotations

import signal
from datetime import timedelta
from typing import Any

import anyio
import anyio.abc
import attrs

from .. import errors
from .._client import ShopSociallyClient
from ..ratelimit import RateLimiter
from . import _runtime as rt
from . import ignore_late_signals
from .temporalcmd import _imports, check_redis, connect, redis_where


@attrs.frozen
class WorkerJob:
    """The worker's options."""

    temporal: str
    redis: str
    task_queue: str = "shopsocially"
    max_chunks: int = 4
    drain: float = 60.0


def _make_client(settings: rt.Settings) -> Any:
    # A write in doubt is settled once it can no longer land: the client's whole call (its
    # retries included) is bounded by settings.deadline, so a dead worker's rows are settled
    # soon after it, never before.
    def make(limiter: RateLimiter | None) -> ShopSociallyClient:
        return settings.client(rate_limiter=limiter)

    return make


async def run_worker(settings: rt.Settings, job: WorkerJob) -> int:
    """Run until stopped; returns the exit status."""
    temporal = _imports()
    if not settings.partner_id:
        raise rt.CliError(
            "worker needs --partner-id (or SHOPSOCIALLY_PARTNER_ID): it names the account "
            "whose rate limit the workers share"
        )
    await check_redis(job.redis)
    async with settings.client() as probe:  # the API, its base URL and the credentials
        await rt.preflight(probe)
    client = await connect(job.temporal)
    opened = temporal.open_worker(
        client, redis=job.redis, make_client=_make_client(settings),
        account=settings.partner_id, rate=settings.rate, concurrency=settings.workers(),
        max_chunks=job.max_chunks, task_queue=job.task_queue,
        drain=timedelta(seconds=job.drain),
    )  # fmt: skip
    try:
        async with opened as worker:
            return await _serve(worker, settings, job)
    except errors.ConfigurationError as exc:
        raise rt.CliError(str(exc)) from None


async def _serve(worker: Any, settings: rt.Settings, job: WorkerJob) -> int:
    stopped: list[int] = []
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(_drain_on_signals, worker, tasks, stopped, job.drain)
        pace = f"{settings.rate:g}/s shared" if settings.rate else "no shared rate limit"
        rt.say(
            f"worker ready: task queue {job.task_queue!r} on {job.temporal}, "
            f"{settings.workers()} calls in flight at most, {pace} (Redis {redis_where(job.redis)})"
        )
        await worker.run()
        tasks.cancel_scope.cancel()
    ignore_late_signals()
    if not stopped:
        return rt.EXIT_OK
    rt.say("worker stopped")
    return rt.exit_status(stopped[0])


async def _drain_on_signals(
    worker: Any, tasks: anyio.abc.TaskGroup, stopped: list[int], drain: float
) -> None:
    with anyio.open_signal_receiver(*rt.STOP_SIGNALS) as signals:
        async for signum in signals:
            if signum == getattr(signal, "SIGHUP", None):
                rt.detach_terminal()
            if stopped:
                rt.say("second signal: stopping now (the chunks in flight are retried elsewhere)")
                tasks.cancel_scope.cancel()
                return
            stopped.append(signum)
            rt.say(
                f"\n{rt.stop_message(signum)}: draining (no new work; the calls in flight "
                f"finish and are recorded, for {drain:g} s at most); a second signal stops "
                "at once"
            )
            tasks.start_soon(worker.shutdown)
