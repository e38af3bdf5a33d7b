"""Shared test configuration: every async test runs under asyncio and trio; socket-level tests
take the ``engine`` fixture and run on every installed engine as well.

A test asking for ``engine`` runs once per (event loop, engine) pair the engine supports; the
pairs it does not (aiohttp under trio) are deselected at collection, never skipped.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from shopsocially_async.engines import installed_engines, runs_on


@pytest.fixture(
    params=[
        pytest.param("asyncio", id="asyncio"),
        pytest.param("trio", id="trio"),
    ]
)
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Run each ``@pytest.mark.anyio`` test once per event loop the library supports."""
    return str(request.param)


@pytest.fixture
def coredis_garbage() -> Iterator[None]:
    """For tests that talk to Redis through coredis: coredis 6.9 leaves a connection that
    failed (an unreachable Redis, one stopped mid-test, a connect cut short on a loaded
    machine) to the garbage collector with two anyio memory streams open, which warn when
    collected. Those warnings are dropped while the test runs, and garbage is collected as it
    ends, so they can never land in another test (where warnings are errors)."""
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if not _unclosed_memory_stream(unraisable):
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
        gc.collect()
    finally:
        sys.unraisablehook = previous


def _unclosed_memory_stream(unraisable: Any) -> bool:
    error = unraisable.exc_value
    return isinstance(error, ResourceWarning) and "Unclosed <MemoryObject" in str(error)


@pytest.fixture(params=installed_engines())
def engine(request: pytest.FixtureRequest) -> str:
    """The engine (``transport=`` name) a socket-level test runs on: each installed one."""
    return str(request.param)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the (event loop, engine) pairs an engine cannot run on."""
    kept, dropped = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        engine, loop = params.get("engine"), params.get("anyio_backend")
        if engine is not None and loop is not None and not runs_on(engine, loop):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
