"""A redis-server of the tests' own for the shared limiter (127.0.0.1, a free port).

A missing ``redis-server`` fails these tests (install it: ``apt-get install redis-server``);
they are never skipped, under ``CI=true`` or not.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shopsocially_async.testing import RedisServer


@pytest.fixture(autouse=True)
def _coredis_garbage(coredis_garbage: None) -> None:
    """Every test here may leave coredis's garbage (see the root conftest)."""


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One server for the whole run (each test uses accounts of its own), stopped by pid."""
    with RedisServer() as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The shared server's URL."""
    return redis_server.url
