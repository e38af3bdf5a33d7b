"""A raw HTTP/1.1 server on loopback for the tests that need a misbehaving peer (a body that
is not what its headers say, an answer held back), which neither transport would send."""

from __future__ import annotations

import asyncio
import json

from shopsocially_async import RetryPolicy, ShopSociallyClient

NO_WAIT = RetryPolicy(max_retries=2, initial_delay=0, max_delay=0)
OK_BODY = json.dumps({"success": True, "data": {"id": "t-1", "points": 1}}).encode()


async def read_request(reader: asyncio.StreamReader) -> None:
    """Read one request (head and ``content-length`` body); IncompleteReadError at EOF."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)


class Server:
    """Answers every request with ``mode``: "badgzip" (a gzip header on a non-gzip body) or
    "slow" (a success after ``delay`` seconds). Counts the requests it read."""

    def __init__(self, mode: str, delay: float = 0.0) -> None:
        self.mode, self.delay, self.requests, self.port = mode, delay, 0, 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await read_request(reader)
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


async def start(server: Server, servers: list[asyncio.Server]) -> None:
    """Listen for ``server`` on a free loopback port; ``servers`` closes it after the test."""
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    server.port = listener.sockets[0].getsockname()[1]
    servers.append(listener)


def make_client(transport: str, port: int, **options: object) -> ShopSociallyClient:
    """A client on ``transport`` for the raw server at ``port``; retries never sleep."""
    return ShopSociallyClient(
        "partner",
        "key",
        base_url=f"http://127.0.0.1:{port}",
        transport=transport,  # type: ignore[arg-type]
        retry_policy=NO_WAIT,
        **options,  # type: ignore[arg-type]
    )
