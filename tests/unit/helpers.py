"""Shared helpers for the endpoint tests: a client whose transport records every request.

``recording_client(*replies)`` builds a :class:`ShopSociallyClient` on ``httpx.MockTransport``
that answers each request with the next queued reply and keeps the requests for asserting
what went on the wire. :class:`Endpoint` rows describe one endpoint method's reference
example (the call, the exact request expected, the response and the model expected), and
the ``assert_*`` functions check a row, so each resource's test file is a table plus thin
parametrized tests.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from shopsocially_async import (
    AsyncPaginator,
    InvalidArgumentError,
    RetryPolicy,
    ShopSociallyClient,
)
from shopsocially_async._envelope import decode_envelope
from shopsocially_async._http import Headers, Request

__all__ = [
    "API_KEY",
    "BASE_PATH",
    "PARTNER_ID",
    "Endpoint",
    "RequestRecorder",
    "assert_clash_refused",
    "assert_extras_merged",
    "assert_request_on_the_wire",
    "decode_answer",
    "envelope",
    "form_body",
    "invoke",
    "json_body",
    "only_request",
    "outcome",
    "path_of",
    "query_of",
    "recording_client",
    "typed",
]

PARTNER_ID = "partner"
API_KEY = "secret-key"
HOST = "api.shopsocially.com"
BASE_PATH = b"/v2/loyalty"

Reply = bytes | Mapping[str, Any] | httpx.Response


class RequestRecorder:
    """A ``MockTransport`` handler: records each request, answers with the next reply.

    A reply is raw body bytes (HTTP 200), a mapping (sent as JSON, HTTP 200) or a whole
    ``httpx.Response``. A request beyond the queued replies fails the test.
    """

    def __init__(self, replies: Iterable[Reply]) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.replies:
            raise AssertionError(f"unexpected request: {request.method} {request.url}")
        reply = self.replies.pop(0)
        if isinstance(reply, httpx.Response):
            return reply
        content = reply if isinstance(reply, bytes) else json.dumps(reply).encode()
        return httpx.Response(200, content=content, headers={"content-type": "application/json"})


def recording_client(
    *replies: Reply, **client_options: Any
) -> tuple[ShopSociallyClient, RequestRecorder]:
    """A client (partner ``partner``, key ``secret-key``) on a recording mock transport."""
    recorder = RequestRecorder(replies)
    client_options.setdefault("retry_policy", RetryPolicy(initial_delay=0, max_delay=0))
    client = ShopSociallyClient(
        PARTNER_ID, API_KEY, transport=httpx.MockTransport(recorder), **client_options
    )
    return client, recorder


def decode_answer(
    status: int, body: bytes | str | Any, headers: Mapping[str, str] | None = None
) -> Any:
    """``decode_envelope`` on an answer to ``GET /x`` sent with the test credentials.

    ``body`` is raw bytes, text, or any other value sent as JSON.
    """
    if isinstance(body, str):
        body = body.encode()
    elif not isinstance(body, bytes):
        body = json.dumps(body).encode()
    request = Request(
        "GET",
        "https://api.shopsocially.com/v2/loyalty/x",
        (("partner-id", PARTNER_ID), ("api-key", API_KEY)),
        None,
        route="GET /x",
    )
    return decode_envelope(status, Headers((headers or {}).items()), body, request)


def envelope(data: object) -> dict[str, object]:
    """The API's success envelope around ``data``."""
    return {"data": data, "success": True}


def only_request(recorder: RequestRecorder) -> httpx.Request:
    """The one request the transport saw (fails if there were none or several)."""
    assert len(recorder.requests) == 1, [str(r.url) for r in recorder.requests]
    return recorder.requests[0]


def path_of(request: httpx.Request) -> bytes:
    """The request's raw (still percent-encoded) path, without the query string."""
    return request.url.raw_path.partition(b"?")[0]


def query_of(request: httpx.Request) -> dict[str, str]:
    """The decoded query parameters; a parameter sent twice fails the test."""
    pairs = parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True)
    keys = [key for key, _ in pairs]
    assert len(keys) == len(set(keys)), f"repeated query parameters: {keys}"
    return dict(pairs)


def json_body(request: httpx.Request) -> Any:
    """The request body parsed as JSON (the content type must say so)."""
    assert request.headers["content-type"] == "application/json"
    return json.loads(request.content)


def form_body(request: httpx.Request) -> dict[str, str]:
    """The request body parsed as form fields (the content type must say so)."""
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    pairs = parse_qsl(request.content.decode("ascii"), keep_blank_values=True)
    assert len(pairs) == len(dict(pairs)), f"repeated form fields: {pairs}"
    return dict(pairs)


def typed(value: Any) -> Any:
    """``value`` with every scalar tagged by its type, so ``1``, ``1.0``, ``True`` and ``"1"``
    compare unequal (plain ``==`` would take ``true`` for ``1``)."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    return (type(value).__name__, value)


Call = Callable[..., Any]


@dataclass(frozen=True)
class Endpoint:
    """One endpoint method exercised with the reference's example.

    ``call(client, **extra)`` makes the call (``extra`` is ``extra_query``/``extra_headers``/
    ``extra_body``); ``path`` is the raw path after the base URL; ``body`` is the expected
    JSON body (None for a GET); ``expected`` is the decoded result (for a listing, its
    first page).
    """

    name: str
    call: Call
    response: bytes
    method: str
    path: bytes
    expected: Any
    query: Mapping[str, str] = field(default_factory=dict)
    body: Mapping[str, Any] | None = None
    #: Fields the named arguments fill, which extra_body (writes) or extra_query (reads)
    #: may not repeat.
    named_fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.name


async def outcome(result: Any) -> Any:
    """What an endpoint method's return value gives: awaited, or a listing's first page."""
    if isinstance(result, AsyncPaginator):
        return await result.first_page()
    assert isinstance(result, Awaitable)
    return await result


async def invoke(endpoint: Endpoint, client: ShopSociallyClient, **extra: Any) -> Any:
    """Make the endpoint's call; a listing is asked for its first page only."""
    return await outcome(endpoint.call(client, **extra))


async def assert_request_on_the_wire(endpoint: Endpoint) -> None:
    """The call sends exactly the expected method, URL, headers and body."""
    client, recorder = recording_client(endpoint.response)
    async with client:
        await invoke(endpoint, client)
    request = only_request(recorder)
    assert request.method == endpoint.method
    assert (request.url.scheme, request.url.host) == ("https", HOST)
    assert path_of(request) == BASE_PATH + endpoint.path
    assert query_of(request) == dict(endpoint.query)
    assert request.headers["partner-id"] == PARTNER_ID
    assert request.headers["api-key"] == API_KEY
    if endpoint.body is None:
        assert request.content == b""
        assert "content-type" not in request.headers
    else:
        assert typed(json_body(request)) == typed(dict(endpoint.body))


async def assert_extras_merged(endpoint: Endpoint) -> None:
    """extra_query, extra_headers (and extra_body on writes) reach the wire beside the
    named arguments."""
    extra: dict[str, Any] = {
        "extra_query": {"debug": "1"},
        "extra_headers": {"x-request-id": "req-42"},
    }
    if endpoint.body is not None:
        extra["extra_body"] = {"source": "pos", "store_id": 7}
    client, recorder = recording_client(endpoint.response)
    async with client:
        await invoke(endpoint, client, **extra)
    request = only_request(recorder)
    assert query_of(request) == {**endpoint.query, "debug": "1"}
    assert request.headers["x-request-id"] == "req-42"
    assert request.headers["api-key"] == API_KEY
    if endpoint.body is not None:
        expected = {**endpoint.body, "source": "pos", "store_id": 7}
        assert typed(json_body(request)) == typed(expected)


async def assert_clash_refused(endpoint: Endpoint, named_field: str) -> None:
    """An extra_body (writes) or extra_query (reads) field repeating the named argument
    ``named_field`` is refused with InvalidArgumentError naming it, before anything is sent."""
    kind = "extra_query" if endpoint.body is None else "extra_body"
    client, recorder = recording_client(endpoint.response)
    async with client:
        with pytest.raises(InvalidArgumentError, match=named_field):
            await invoke(endpoint, client, **{kind: {named_field: "other"}})
    assert recorder.requests == []
