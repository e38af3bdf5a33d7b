"""A body whose Content-Encoding cannot be decoded, on both transports."""

from __future__ import annotations

import asyncio

import pytest

from shopsocially_async import ResponseValidationError

from .rawserver import Server, make_client, start

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("anyio_backend", ["asyncio"])]


@pytest.mark.parametrize("transport", ["httpx", "aiohttp"])
async def test_undecodable_content_encoding_is_an_unknown_outcome(
    transport: str, raw_servers: list[asyncio.Server]
) -> None:
    """A 2xx whose body cannot be decoded: our error (never httpx.DecodingError), not
    retried, and for a write the outcome is unknown."""
    server = Server("badgzip")
    await start(server, raw_servers)
    async with make_client(transport, server.port) as client:
        with pytest.raises(ResponseValidationError) as caught:
            await client.points.deduct(user_email="a@example.com", points_passed=5, reason="x")
        assert caught.value.outcome_unknown is True
        with pytest.raises(ResponseValidationError) as read:
            await client.activities.list()
        assert read.value.outcome_unknown is False
    assert server.requests == 2
