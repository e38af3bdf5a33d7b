"""The bytes on the wire are the same whatever the engine: for the same calls, every installed
engine that runs on the test's event loop sends the same method, path and query, the same
header names and values (up to order and case) and the same body, and nothing else.
"""

from __future__ import annotations

from typing import Any

import pytest

from shopsocially_async import ShopSociallyClient
from shopsocially_async.engines import installed_engines, runs_on

from .rawserver import RawServer, make_client, respond, serve

pytestmark = pytest.mark.anyio

Parsed = tuple[str, list[tuple[str, str]], bytes]


def parse(raw: bytes) -> Parsed:
    """The request line, the headers (names in lower case, sorted) and the body."""
    head, _, body = raw.partition(b"\r\n\r\n")
    request_line, *lines = head.decode("latin-1").split("\r\n")
    fields = (line.split(":", 1) for line in lines)
    return request_line, sorted((name.lower(), value.strip()) for name, value in fields), body


async def calls(client: ShopSociallyClient) -> None:
    """A read with an encoded identifier, a query and a header of the caller's; a JSON write."""
    await client.transactions.get(
        "t 1/é?", extra_query={"q": "a b&c"}, extra_headers={"X-Trace-Id": "abc-1"}
    )
    await client.points.deduct(user_email="a+b@example.com", points_passed=5, reason="réason")


async def sent_by(engine: str, **options: Any) -> list[Parsed]:
    """The requests ``engine`` sends for :func:`calls`, as the server read them."""
    with serve(RawServer(respond())) as server:
        async with make_client(engine, server.port, **options) as client:
            await calls(client)
    port = f"127.0.0.1:{server.port}"
    return [parse(raw.replace(port.encode(), b"HOST")) for raw in server.received]


DEDUCT = b'{"user_email":"a+b@example.com","points_passed":5,"reason":"r\\u00e9ason"}'
COMMON = [
    ("accept", "application/json"),
    ("accept-encoding", "gzip, deflate"),
    ("api-key", "key"),
    ("host", "HOST"),
    ("partner-id", "partner"),
    ("user-agent", "shopsocially-async/0.1.0"),
]
EXPECTED: list[Parsed] = [
    (
        "GET /transactions/t%201%2F%C3%A9%3F?q=a+b%26c HTTP/1.1",
        sorted([*COMMON, ("x-trace-id", "abc-1")]),
        b"",
    ),
    (
        "POST /deduct HTTP/1.1",
        sorted(
            [*COMMON, ("content-length", str(len(DEDUCT))), ("content-type", "application/json")]
        ),
        DEDUCT,
    ),
]


async def test_every_engine_sends_the_same_bytes(anyio_backend: str) -> None:
    """Each engine on this event loop sends exactly the expected requests (the httpx engine,
    the default, always among them): no header of its own beyond Host and Content-Length."""
    engines = [name for name in installed_engines() if runs_on(name, anyio_backend)]
    assert "httpx" in engines
    sent = {engine: await sent_by(engine) for engine in engines}
    assert sent == dict.fromkeys(engines, EXPECTED)


async def test_an_auth_hook_header_goes_out_the_same_on_every_engine(anyio_backend: str) -> None:
    """The cross-engine auth hook's header replaces the key pair identically everywhere."""
    engines = [name for name in installed_engines() if runs_on(name, anyio_backend)]
    options = {"auth": lambda request: {"Authorization": "Bearer t0ken"}}
    sent = {engine: (await sent_by(engine, **options))[0][1] for engine in engines}
    headers = sent["httpx"]
    assert ("authorization", "Bearer t0ken") in headers
    assert sent == dict.fromkeys(engines, headers)
