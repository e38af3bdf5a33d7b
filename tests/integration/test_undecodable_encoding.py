"""Review finding: a body whose Content-Encoding cannot be decoded, on both transports."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from shopsocially_async import (
    ResponseValidationError,
    RetryPolicy,
    ShopSociallyClient,
)

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("anyio_backend", ["asyncio"])]

NO_WAIT = RetryPolicy(max_retries=2, initial_delay=0, max_delay=0)
OK_BODY = json.dumps({"success": True, "data": {"id": "t-1", "points": 1}}).encode()


class Server:
    """Answers every request with ``mode``: "badgzip" (a gzip header on a non-gzip body) or
    "slow" (a success after ``delay`` seconds). Counts the requests it read."""

    def __init__(self, mode: str, delay: float = 0.0) -> None:
        self.mode, self.delay, self.requests, self.port = mode, delay, 0, 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                self.requests += 1
                await asyncio.sleep(self.delay)
                body, extra = OK_BODY, b""
                if self.mode == "badgzip":
                    body, extra = b"this is not gzip", b"content-encoding: gzip\r\n"
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    + extra
                    + b"content-length: %d\r\n\r\n" % len(body)
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def serve() -> AsyncIterator[list[asyncio.Server]]:
    servers: list[asyncio.Server] = []
    yield servers
    for server in servers:
        server.close()


async def start(server: Server, servers: list[asyncio.Server]) -> None:
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    server.port = listener.sockets[0].getsockname()[1]
    servers.append(listener)


def make_client(transport: str, port: int, **options: object) -> ShopSociallyClient:
    return ShopSociallyClient(
        "partner",
        "key",
        base_url=f"http://127.0.0.1:{port}",
        transport=transport,  # type: ignore[arg-type]
        retry_policy=NO_WAIT,
        **options,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("transport", ["httpx", "aiohttp"])
async def test_undecodable_content_encoding_is_an_unknown_outcome(
    transport: str, serve: list[asyncio.Server]
) -> None:
    """A 2xx whose body cannot be decoded: our error (never httpx.DecodingError), not
    retried, and for a write the outcome is unknown."""
    server = Server("badgzip")
    await start(server, serve)
    async with make_client(transport, server.port) as client:
        with pytest.raises(ResponseValidationError) as caught:
            await client.points.deduct(user_email="a@example.com", points_passed=5, reason="x")
        assert caught.value.outcome_unknown is True
        with pytest.raises(ResponseValidationError) as read:
            await client.activities.list()
        assert read.value.outcome_unknown is False
    assert server.requests == 2
