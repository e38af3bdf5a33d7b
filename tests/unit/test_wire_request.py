"""The fast transport's request parts match the ``httpx.Request`` the other path sends.

``wire_request`` (what the aiohttp transport sends without building an ``httpx.Request``)
must give the same method, URL text, header list and body as ``build_request``; and
``plain_success_data`` must agree with ``decode_envelope`` whenever that returns.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from shopsocially_async._config import RetryPolicy, resolve_config
from shopsocially_async._envelope import NOT_PLAIN, decode_envelope, plain_success_data
from shopsocially_async._protocol import (
    Call,
    RetrySafety,
    build_request,
    wire_request,
)
from shopsocially_async.errors import ShopSociallyError

CALLS = [
    Call("GET", "/transactions/t1", RetrySafety.IDEMPOTENT),
    Call("GET", "/users", RetrySafety.IDEMPOTENT, query={"email": "zoë+x@example.com", "n": 5}),
    Call("POST", "/award", RetrySafety.UNSAFE, body={"user_email": "a@example.com"}),
    Call("POST", "/award", RetrySafety.UNSAFE, body={"name": "Zoë", "amount": Decimal("1.50")}),
    Call("POST", "/award", RetrySafety.UNSAFE, body={}),
    Call("POST", "/deduct", RetrySafety.UNSAFE),
    Call("PUT", "/users/a%40b.com", RetrySafety.IDEMPOTENT, body={"gender": "female"}),
    Call(
        "POST",
        "/award",
        RetrySafety.UNSAFE,
        body={"x": 1},
        extra_headers={"X-Trace": "abc", "Content-Type": "text/plain", "accept": "*/*"},
    ),
    Call("GET", "/x", RetrySafety.IDEMPOTENT, extra_headers={"Host": "example.org"}),
]


@pytest.mark.parametrize("encoding", ["json", "form"])
@pytest.mark.parametrize("base_url", ["http://127.0.0.1:8080/v2", "https://API.example.com:443"])
@pytest.mark.parametrize("call", CALLS)
def test_wire_request_matches_build_request(call: Call, encoding: str, base_url: str) -> None:
    """Twice (the second from the caches): the same bytes httpx's request would carry."""
    config = resolve_config(
        partner_id="p-1",
        api_key="k3y",
        base_url=base_url,
        timeout=None,
        retry=RetryPolicy(),
        has_auth_hook=False,
        body_encoding=encoding,
        environ={},
    )
    request = build_request(config, call)
    for _ in range(2):
        wire = wire_request(config, call)
        assert wire.method == request.method
        assert wire.url == str(request.url)
        assert wire.headers == request.headers.multi_items()
        assert wire.content == (request.content or None)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, {"success": True, "data": {"id": "t1"}}),
        (200, {"data": None}),
        (201, {"data": [1, 2]}),
        (302, {"data": 1}),
        (200, {"success": False, "error_code": "X", "reason": "no", "data": 1}),
        (200, {"error": {"code": "X"}, "data": 1}),
        (200, {"code": "X", "message": "m"}),
        (200, [1]),
        (200, "not json"),
        (200, ""),
        (204, ""),
        (400, {"data": 1}),
        (500, {"success": True, "data": 1}),
    ],
)
def test_plain_success_data_agrees_with_decode_envelope(status: int, body: Any) -> None:
    """The fast path returns what decode_envelope returns, or defers (NOT_PLAIN) when it raises."""
    raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    response = httpx.Response(status, content=raw)
    try:
        expected = decode_envelope(status, response.headers, raw, response)
    except ShopSociallyError:  # then the fast check must defer to decode_envelope
        assert plain_success_data(status, raw) is NOT_PLAIN
    else:
        assert plain_success_data(status, raw) == expected
