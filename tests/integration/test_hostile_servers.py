"""A hostile or broken server, on every engine and event loop: every answer ends as a typed
error with a truthful ``outcome_unknown``, within the call's time limits, in bounded memory,
and never shows the API key.

Each row scripts a raw loopback server (tests/integration/rawserver.py) and names what an
unsafe write (a deduct) must end with: the error class, ``outcome_unknown``, and how many
requests the server read. The same table runs on every installed engine.
"""

from __future__ import annotations

import gzip
import json
import traceback
import tracemalloc
import zlib
from typing import Any

import httpx
import pytest

from shopsocially_async import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ResponseValidationError,
    ShopSociallyClient,
    ShopSociallyError,
)

from .rawserver import OK_BODY, RawServer, make_client, raw, respond, response_bytes, serve, trickle

pytestmark = pytest.mark.anyio

KEY = "sk_live_HOSTILE_0123456789"


def head(status: str = "200 OK", **headers: str) -> bytes:
    """A response head with ``headers`` (underscores become dashes)."""
    lines = [f"HTTP/1.1 {status}"] + [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def gzip_bomb(decoded_size: int) -> bytes:
    """A gzip stream of ``decoded_size`` zero bytes (about 1 KiB per MiB)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1 << 20)
    parts = [compressor.compress(chunk) for _ in range(decoded_size >> 20)]
    return b"".join(parts) + compressor.flush()


NESTED = b'{"success": true, "data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
BOMB = gzip_bomb(1 << 30)  # 1 GiB once decoded, about 1 MiB on the wire
TRUNCATED_GZIP = gzip.compress(OK_BODY)[:-12]

# scenario -> (server script, error class, outcome_unknown of a deduct, requests read)
# fmt: off
CASES: dict[str, tuple[list[Any], type[ShopSociallyError], bool, int]] = {
    "body trickled a byte every 0.2 s past the timeout": (
        [trickle(head(content_length=str(len(OK_BODY))), OK_BODY, every=0.2)],
        APITimeoutError, True, 1,
    ),
    "headers trickled past the timeout": (
        [trickle(b"HTTP/1.1 200 OK\r\n", b"x-slow: " + b"a" * 40, every=0.2)],
        APITimeoutError, True, 1,
    ),
    "reset in the middle of the body": (
        [raw(head(content_length="1000") + OK_BODY[:10], reset=True)],
        APIConnectionError, True, 1,
    ),
    "Content-Length longer than the body, then closed": (
        [raw(head(content_length="1000") + OK_BODY)],
        APIConnectionError, True, 1,
    ),
    "Content-Length and Transfer-Encoding together": (
        [raw(head(content_length=str(len(OK_BODY)), transfer_encoding="chunked") + OK_BODY)],
        APIConnectionError, True, 1,
    ),
    "two different Content-Length fields": (
        [raw(head(content_length=str(len(OK_BODY))).replace(b"\r\n\r\n",
             f"\r\ncontent-length: {len(OK_BODY) + 1}\r\n\r\n".encode()) + OK_BODY)],
        APIConnectionError, True, 1,
    ),
    "Transfer-Encoding other than chunked": (
        [raw(head(transfer_encoding="gzip, chunked") + b"0\r\n\r\n")],
        APIConnectionError, True, 1,
    ),
    "150 header fields": (
        [raw(head(content_length=str(len(OK_BODY)), **{f"x_h{n}": "v" for n in range(150)})
             + OK_BODY)],
        APIConnectionError, True, 1,
    ),
    "a 100 kB header": (
        [raw(head(content_length=str(len(OK_BODY)), x_big="a" * 100_000) + OK_BODY)],
        APIConnectionError, True, 1,
    ),
    "status 099": (
        [raw(b"HTTP/1.1 099 Odd\r\ncontent-length: 0\r\n\r\n")], APIConnectionError, True, 1,
    ),
    "status 101 without an upgrade": (
        [raw(b"HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: h2c\r\n\r\n")],
        APIConnectionError, True, 1,
    ),
    "status 600": (
        [raw(b"HTTP/1.1 600 Odd\r\ncontent-length: 0\r\n\r\n")], APIConnectionError, True, 1,
    ),
    "a 9 kB header (over the 8 KiB a field may have)": (
        [raw(head(content_length=str(len(OK_BODY)), x_big="a" * 9_000) + OK_BODY)],
        APIConnectionError, True, 1,
    ),
    "a gzip bomb (1 GiB decoded)": (
        [respond(body=BOMB, headers={"content-encoding": "gzip"})],
        ResponseValidationError, True, 1,
    ),
    "gzip declared on a plain JSON body": (
        [respond(headers={"content-encoding": "gzip"})],
        ResponseValidationError, True, 1,
    ),
    "a truncated gzip body": (
        [respond(body=TRUNCATED_GZIP, headers={"content-encoding": "gzip"})],
        ResponseValidationError, True, 1,
    ),
    "an unknown Content-Encoding": (
        [respond(headers={"content-encoding": "br"})],
        ResponseValidationError, True, 1,
    ),
    "JSON nested 100,000 deep": ([respond(body=NESTED)], ResponseValidationError, True, 1),
    "a body of NUL bytes": ([respond(body=b"\x00" * 64)], ResponseValidationError, True, 1),
    "a 5 MB body over the 1 MiB limit": (
        [respond(body=b'{"data": "' + b"x" * 5_000_000 + b'", "success": true}')],
        ResponseValidationError, True, 1,
    ),
    "a failure envelope nested in data": (
        [respond(body=json.dumps({"success": True, "data": {"success": False,
                 "error_code": "INVALID_MEMBER", "reason": "no"}}).encode())],
        APIError, False, 1,
    ),
}
# fmt: on


def hostile_client(engine: str, port: int, **options: Any) -> ShopSociallyClient:
    """A client with the key of this module, a 1 s attempt timeout and a 1 MiB body limit."""
    options.setdefault("timeout", 1.0)
    return make_client(engine, port, max_response_bytes=1 << 20, **options)


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
async def test_every_hostile_answer_ends_as_a_typed_truthful_error(engine: str, case: str) -> None:
    """The deduct ends with the row's error class and outcome_unknown, having been sent once;
    the same client then goes on working (nothing leaked or wedged)."""
    script, error, unknown, reads = CASES[case]
    with serve(RawServer(*script, respond())) as server:
        async with hostile_client(engine, server.port) as client:
            with pytest.raises(ShopSociallyError) as caught:
                await client.points.deduct(user_email="a@example.com", points_passed=5, reason="r")
            assert server.requests == reads
            assert (await client.transactions.get("t-1")).id == "t-1"
    assert isinstance(caught.value, error), repr(caught.value)
    assert caught.value.outcome_unknown is unknown


async def test_a_gzip_bomb_never_materialises(engine: str) -> None:
    """Decoding stops at the limit: the 1 GiB body costs a few MiB, not gigabytes."""
    with serve(RawServer(respond(body=BOMB, headers={"content-encoding": "gzip"}))) as server:
        async with hostile_client(engine, server.port) as client:
            tracemalloc.start()
            try:
                with pytest.raises(ResponseValidationError, match="limit"):
                    await client.transactions.get("t-1")
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
    assert peak < 32 << 20, f"peak {peak / 2**20:.0f} MiB"


async def test_an_echoed_key_is_redacted_everywhere(engine: str) -> None:
    """A server echoing the API key in its message, body and headers: neither the error's
    text, repr, args, body, response view, nor the formatted traceback shows the key."""
    body = json.dumps({"success": False, "error_code": "ERROR_UNAUTHORIZED",
                       "reason": f"bad key {KEY}", "echo": {KEY: [KEY]}}).encode()  # fmt: skip
    echo = {"x-echo": f"key={KEY}"}
    with serve(RawServer(respond(401, body, echo))) as server:
        async with hostile_client(engine, server.port, max_retries=0) as client:
            client_with_key = ShopSociallyClient(
                "partner", KEY, base_url=client.base_url, transport=engine, max_retries=0
            )
            async with client_with_key:
                with pytest.raises(APIError) as caught:
                    await client_with_key.users.get("a@example.com")
    exc = caught.value
    assert exc.response is not None
    shown = [
        str(exc), repr(exc), repr(exc.args), repr(exc.body), exc.response.text,
        repr(exc.response.headers), repr(dict(exc.response.headers)),
        repr(dict(exc.response.request.headers)),
        "".join(traceback.format_exception(exc)),
    ]  # fmt: skip
    assert all(KEY not in text for text in shown)
    assert exc.message == "bad key ***"


async def test_a_key_echoed_as_a_header_name_or_escaped_is_redacted(engine: str) -> None:
    """A hostile server echoes the key as a header name and, \\u-escaped, in its JSON body:
    neither the headers nor the body bytes shown on the error reveal it."""
    escaped = "".join(f"\\u{ord(c):04x}" for c in KEY)
    body = ('{"success": false, "error_code": "X", "reason": "key ' + escaped + '"}').encode()
    with serve(RawServer(respond(500, body, {KEY: "1"}))) as server:
        client = ShopSociallyClient(
            "partner", KEY, base_url=f"http://127.0.0.1:{server.port}", transport=engine,
            max_retries=0,
        )  # fmt: skip
        async with client:
            with pytest.raises(APIError) as caught:
                await client.users.get("a@example.com")
    exc = caught.value
    assert exc.response is not None
    shown = [repr(exc.headers), exc.response.text, repr(exc.body), str(exc)]
    assert not any(KEY.lower() in text.lower() for text in shown), shown
    assert KEY not in json.dumps(json.loads(exc.response.content))


async def test_a_redirect_is_never_followed_even_on_a_borrowed_client(engine: str) -> None:
    """A 302 to another host is an error; the other host never sees the request (nor the
    key), even when the caller's own http_client follows redirects."""
    with serve(RawServer(respond())) as elsewhere:
        location = {"location": f"http://127.0.0.1:{elsewhere.port}/steal"}
        with serve(RawServer(respond(302, b"", location))) as server:
            if engine == "httpx":
                borrowed = httpx.AsyncClient(follow_redirects=True)
                client = ShopSociallyClient(
                    "partner", KEY, base_url=f"http://127.0.0.1:{server.port}",
                    http_client=borrowed, max_retries=0,
                )  # fmt: skip
            else:
                borrowed = None
                client = hostile_client(engine, server.port, max_retries=0)
            async with client:
                with pytest.raises(APIError) as caught:
                    await client.users.get("a@example.com")
            if borrowed is not None:
                await borrowed.aclose()
    assert caught.value.status_code == 302
    assert elsewhere.requests == 0


def test_the_cases_cover_the_issue() -> None:
    """The table keeps every hostile answer the hardening issue names."""
    names = " ".join(CASES)
    for needed in ("trickled", "reset", "Content-Length", "Transfer-Encoding", "100 kB",
                   "099", "101", "bomb", "nested", "limit"):  # fmt: skip
        assert needed in names
    assert response_bytes().split(b"\r\n\r\n", 1)[1] == OK_BODY
