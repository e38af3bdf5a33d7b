"""The processes of the rate-limit benchmark: the limited fake, and the workers that share it.

``python -m benchmarks._ratelimit_processes fake --rate-limit 20 [--force-429-at K]`` serves the
embedded fake with an account limit (and, with ``--force-429-at``, one 429 with
``Retry-After`` on the K-th award), prints its base URL, serves until its stdin closes, then
prints its arrival log as one JSON line.

``python -m benchmarks._ratelimit_processes worker --base-url URL --limiter redis|local ...``
builds a client paced by a RedisRateLimiter (or a LocalRateLimiter), prints ``ready``, waits
for a line on stdin, sends its awards through ``bulk.award_many`` and prints one JSON line:
counters, and when each acquire returned and each 429 was reported (``time.monotonic``,
which on Linux is one clock for every process, the fake's arrival log included).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
import anyio.to_thread

from shopsocially_async import RetryPolicy, ShopSociallyClient, bulk
from shopsocially_async.distributed import RedisRateLimiter
from shopsocially_async.ratelimit import LocalRateLimiter, RateLimiter
from shopsocially_async.testing import FakeShopSocially, Fault

MEMBERS = 50
ACTIVITY = "purchase"


def member(i: int) -> str:
    return f"member{i % MEMBERS}@example.com"


async def serve_fake(args: argparse.Namespace) -> None:
    fake = FakeShopSocially(rate_limit=args.rate_limit)
    for i in range(MEMBERS):
        fake.add_member(member(i))
    fake.add_activity(ACTIVITY, points_per_activity=10, max_award_frequency=1_000_000)
    if args.force_429_at:
        forced = Fault("rate_limit", route="POST /award", every_nth=args.force_429_at, times=1,
                       retry_after=args.retry_after)  # fmt: skip
        fake.inject(forced)
    async with fake.serve() as base_url:
        print(base_url, flush=True)
        await anyio.to_thread.run_sync(sys.stdin.read)  # until the parent closes our stdin
    print(json.dumps({"arrivals": fake.arrivals, "throttled": fake.throttled}), flush=True)


class Logged:
    """A RateLimiter that notes when each acquire returned and each 429 was reported."""

    def __init__(self, inner: RateLimiter) -> None:
        self.inner = inner
        self.acquired: list[float] = []
        self.cooldowns: list[tuple[float, float]] = []  # (reported, recorded by the limiter)

    async def acquire(self, route: str) -> None:
        await self.inner.acquire(route)
        self.acquired.append(time.monotonic())

    async def rate_limited(self, route: str, retry_after: float | None) -> None:
        reported = time.monotonic()
        await self.inner.rate_limited(route, retry_after)
        self.cooldowns.append((reported, time.monotonic()))


@contextlib.asynccontextmanager
async def limiter_for(args: argparse.Namespace) -> AsyncIterator[RateLimiter]:
    if args.limiter == "local":
        yield LocalRateLimiter(args.rate)
        return
    async with RedisRateLimiter(
        args.redis, account=args.account, rate=args.rate, headroom=args.headroom,
        on_unavailable="raise",
    ) as shared:  # fmt: skip
        yield shared


async def work(args: argparse.Namespace) -> None:
    inputs = [
        {"user_email": member(i), "activity_id": ACTIVITY, "order_id": f"w{args.worker}-{i}"}
        for i in range(args.calls)
    ]
    async with limiter_for(args) as limiter:
        logged = Logged(limiter)
        async with ShopSociallyClient(
            "test-partner", "test-api-key", base_url=args.base_url, rate_limiter=logged,
            max_connections=args.concurrency, retry_policy=RetryPolicy(max_retries=args.retries),
        ) as client:  # fmt: skip
            print("ready", flush=True)
            await anyio.to_thread.run_sync(sys.stdin.readline)
            started = time.monotonic()
            async with bulk.award_many(client, inputs, concurrency=args.concurrency) as run:
                errors = [type(r.error).__name__ async for r in run if r.error is not None]
            report: dict[str, Any] = {
                "started": started, "finished": time.monotonic(),
                "succeeded": run.counters.succeeded, "failed": run.counters.failed,
                "retries": run.counters.retries, "errors": sorted(set(errors)),
                "acquired": logged.acquired, "cooldowns": logged.cooldowns,
            }  # fmt: skip
    print(json.dumps(report), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    fake = commands.add_parser("fake")
    fake.add_argument("--rate-limit", type=int, required=True)
    fake.add_argument("--force-429-at", type=int, default=0)
    fake.add_argument("--retry-after", type=float, default=2.0)
    worker = commands.add_parser("worker")
    worker.add_argument("--base-url", required=True)
    worker.add_argument("--limiter", choices=("redis", "local"), required=True)
    worker.add_argument("--redis", default="")
    worker.add_argument("--account", default="benchmark")
    worker.add_argument("--rate", type=float, required=True)
    worker.add_argument("--headroom", type=float, default=0.85)
    worker.add_argument("--calls", type=int, required=True)
    worker.add_argument("--concurrency", type=int, default=50)
    worker.add_argument("--retries", type=int, default=2)
    worker.add_argument("--worker", type=int, default=0)
    args = parser.parse_args()
    anyio.run(serve_fake if args.command == "fake" else work, args)


if __name__ == "__main__":
    main()
