"""The aiohttp transport behaves like httpx's own over real loopback sockets.

Every behaviour is checked on both transports with the same scripted server: success,
refused connections (never sent), read timeouts and dropped connections (maybe sent), and
the retry / ``outcome_unknown`` decisions that follow from them. asyncio only: aiohttp has no
trio support (which is checked too).
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import httpx
import pytest

from shopsocially_async import (
    APIConnectionError,
    APITimeoutError,
    ConfigurationError,
    ServerError,
    ShopSociallyClient,
)

from .rawserver import make_client, read_request

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.parametrize("anyio_backend", ["asyncio"]),
]

TRANSPORTS = ["httpx", "aiohttp"]
RECORD = {"id": "t-1", "points": 120, "created_time": "30-Mar-16 19:20:22"}


class ScriptedServer:
    """Answers request number i with ``script[i]`` (the last one repeats): ``"ok"``,
    ``"503"``, ``"hang"`` (read the request, never answer) or ``"drop"`` (read, then close)."""

    def __init__(self, *script: str) -> None:
        self.script = list(script)
        self.requests = 0
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await read_request(reader)
                action = self.script[min(self.requests, len(self.script) - 1)]
                self.requests += 1
                if action == "drop":
                    break
                if action == "hang":
                    await asyncio.sleep(30)
                    break
                status, body = (
                    (503, {"success": False, "error_code": "SERVICE_UNAVAILABLE", "reason": "x"})
                    if action == "503"
                    else (200, {"success": True, "data": RECORD})
                )
                payload = json.dumps(body).encode()
                writer.write(
                    f"HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n"
                    f"content-length: {len(payload)}\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def scripted() -> AsyncIterator[ScriptedServer]:
    """A ScriptedServer listening on 127.0.0.1 (script it by assigning ``.script``)."""
    srv = ScriptedServer("ok")
    listener = await asyncio.start_server(srv.handle, "127.0.0.1", 0)
    srv.port = listener.sockets[0].getsockname()[1]
    async with listener:
        yield srv
        listener.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_success(scripted: ScriptedServer, transport: str) -> None:
    """A plain GET and an award return decoded models."""
    async with make_client(transport, scripted.port) as client:
        tx = await client.transactions.get("t-1")
        award = await client.points.award(user_email="a@example.com", activity_id="x")
    assert (tx.id, tx.points, award.id) == ("t-1", 120, "t-1")
    assert tx.created_time is not None
    assert tx.created_time.year == 2016


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_refused_connection_was_never_sent(transport: str) -> None:
    """A refused connection is an APIConnectionError with request_sent False, and an unsafe
    write is retried (it certainly did not apply) and not outcome_unknown."""
    async with make_client(transport, free_port()) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.points.award(user_email="a@example.com", activity_id="x")
    assert type(caught.value) is APIConnectionError
    assert caught.value.request_sent is False
    assert caught.value.outcome_unknown is False


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_read_timeout(scripted: ScriptedServer, transport: str) -> None:
    """No answer within the read timeout: APITimeoutError, request_sent True; an unsafe
    write is not retried and its outcome is unknown."""
    scripted.script = ["hang"]
    async with make_client(transport, scripted.port, timeout=0.3) as client:
        with pytest.raises(APITimeoutError) as caught:
            await client.points.award(user_email="a@example.com", activity_id="x")
    assert caught.value.request_sent is True
    assert caught.value.outcome_unknown is True
    assert scripted.requests == 1


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_dropped_connection_unsafe_write(scripted: ScriptedServer, transport: str) -> None:
    """The server closes the connection after reading an award without order_id: maybe
    applied, so never retried, outcome_unknown True (httpx-aiohttp would call it a
    ConnectTimeout and retry it)."""
    scripted.script = ["drop"]
    async with make_client(transport, scripted.port) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.points.award(user_email="a@example.com", activity_id="x")
    assert type(caught.value) is APIConnectionError
    assert caught.value.request_sent is True
    assert caught.value.outcome_unknown is True
    assert scripted.requests == 1


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_dropped_connection_read_is_retried(scripted: ScriptedServer, transport: str) -> None:
    """A read whose connection drops is retried on a fresh connection and succeeds."""
    scripted.script = ["drop", "drop", "ok"]
    async with make_client(transport, scripted.port) as client:
        tx = await client.transactions.get("t-1")
    assert tx.id == "t-1"
    assert scripted.requests == 3


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_server_errors_retry_identically(scripted: ScriptedServer, transport: str) -> None:
    """503s: an idempotent award (order_id) is retried to success; an unsafe one is not and
    its outcome is unknown."""
    scripted.script = ["503", "ok"]
    async with make_client(transport, scripted.port) as client:
        tx = await client.points.award(user_email="a@example.com", activity_id="x", order_id="A1")
        assert (tx.id, scripted.requests) == ("t-1", 2)
        scripted.script, scripted.requests = ["503"], 0
        with pytest.raises(ServerError) as caught:
            await client.points.award(user_email="a@example.com", activity_id="x")
    assert caught.value.outcome_unknown is True
    assert scripted.requests == 1


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_pool_is_sized_and_closed(scripted: ScriptedServer, transport: str) -> None:
    """max_connections bounds concurrent connections; after aclose requests are refused."""
    client = make_client(transport, scripted.port, max_connections=2)
    async with client:
        results = await asyncio.gather(*(client.transactions.get("t-1") for _ in range(8)))
    assert len(results) == 8
    assert client.is_closed


async def test_aiohttp_refuses_trio() -> None:
    """Under trio the aiohttp transport is refused with a ConfigurationError."""
    import trio

    async def build() -> None:
        ShopSociallyClient("p", "k", base_url="http://127.0.0.1:9", transport="aiohttp")

    with pytest.raises(ConfigurationError, match="asyncio"):
        await asyncio.to_thread(trio.run, build)


async def test_aiohttp_transport_maps_connect_timeout() -> None:
    """An unroutable address times out connecting: APITimeoutError, request_sent False."""
    import aiohttp

    from shopsocially_async import _aiohttp as transport_mod

    request = httpx.Request("GET", "http://127.0.0.1:9/x")
    mapped = transport_mod.map_exception(aiohttp.ConnectionTimeoutError("slow"), request)
    assert isinstance(mapped, httpx.ConnectTimeout)
    dropped = transport_mod.map_exception(aiohttp.ServerDisconnectedError(), request)
    assert isinstance(dropped, httpx.RemoteProtocolError)
