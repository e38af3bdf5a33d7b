"""The aiohttp client closed while a call waits for a pooled connection."""

from __future__ import annotations

import asyncio

import pytest

from shopsocially_async import ClientClosedError

from .rawserver import Server, make_client, start

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("anyio_backend", ["asyncio"])]


async def test_aiohttp_close_while_waiting_for_a_connection(
    raw_servers: list[asyncio.Server],
) -> None:
    """A write queued for a pooled connection when the client closes was never sent: it
    fails with ClientClosedError (not a stray CancelledError), outcome known."""
    server = Server("slow", delay=0.5)
    await start(server, raw_servers)
    client = make_client("aiohttp", server.port, max_connections=1)

    async def deduct() -> object:
        return await client.points.deduct(user_email="a@example.com", points_passed=5, reason="x")

    first = asyncio.ensure_future(deduct())
    await asyncio.sleep(0.1)
    queued = asyncio.ensure_future(deduct())
    await asyncio.sleep(0.1)
    await client.aclose()
    results = await asyncio.gather(first, queued, return_exceptions=True)
    assert isinstance(results[1], ClientClosedError), repr(results[1])
    assert results[1].outcome_unknown is False
    assert server.requests == 1


async def test_aiohttp_cancelling_a_queued_call_still_cancels_it(
    raw_servers: list[asyncio.Server],
) -> None:
    """The mapping above must not swallow a real cancellation of the caller's task."""
    server = Server("slow", delay=0.5)
    await start(server, raw_servers)
    client = make_client("aiohttp", server.port, max_connections=1)

    async def deduct() -> object:
        return await client.points.deduct(user_email="a@example.com", points_passed=5, reason="x")

    first = asyncio.ensure_future(deduct())
    await asyncio.sleep(0.1)
    queued = asyncio.ensure_future(deduct())
    await asyncio.sleep(0.1)
    queued.cancel()
    await client.aclose()
    results = await asyncio.gather(first, queued, return_exceptions=True)
    assert isinstance(results[1], asyncio.CancelledError), repr(results[1])
