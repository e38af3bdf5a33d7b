"""The raw ASGI application: routing, authentication, request parsing, envelopes and faults.

It is event-loop agnostic (only ``anyio`` is awaited): in process it runs on the caller's
asyncio or trio loop, served it runs on the server thread's asyncio loop.

Request parsing, where the reference is vague:

* Paths live under ``/v2/loyalty``; each segment is percent-decoded once, so
  ``/users/bob%40x.com`` and ``/users/a%2Fb`` name one member each. One trailing slash is
  ignored. A path or method no route serves is a 404 ``{"code": "NOT_FOUND", ...}``.
* Parameters are the query string's, overridden by the body's (the reference's own examples
  send ``GET /users`` parameters in a body). A body is JSON (``application/json``, decimals kept
  exact) or a form (``application/x-www-form-urlencoded``); without a ``Content-Type`` it is
  JSON when it starts with ``{`` and a form otherwise (the reference's Python examples send
  JSON text with no header). Any other type on a write is a 400 INVALID_REQUEST, a body that is
  not a JSON object a 400 INVALID_JSON.
* The order of checks: route, faults, authentication (401), body, then the endpoint's own.

Drops need the connection itself: the server (see ``_server``) puts a callable that aborts the
TCP connection into ``scope["extensions"]["shopsocially.fake.abort"]``. Without it (in
process) a drop raises ``httpx.RemoteProtocolError``, which ``httpx.ASGITransport`` re-raises
to the client, and ``timeout_after`` raises ``httpx.ReadTimeout``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from decimal import Decimal
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote

import anyio
import httpx

from . import _errors as errors
from ._errors import FakeApiError, JsonObject
from ._faults import BEFORE_KINDS, Decision, Fault, seconds_text
from ._routes import Outcome, Route, match

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

ABORT_EXTENSION = "shopsocially.fake.abort"
PREFIX = ("v2", "loyalty")
UNMATCHED = "<unmatched>"
DISCONNECTED = "Server disconnected without sending a response."


class Host(Protocol):
    """What the app needs from the fake (``FakeShopSocially`` provides it)."""

    @property
    def partner_id(self) -> str: ...

    @property
    def api_key(self) -> str: ...

    def admit(self, route: str | None) -> Decision: ...

    def execute(
        self, route: Route, path: Mapping[str, str], params: Mapping[str, object], op_id: str | None
    ) -> Outcome: ...


def path_segments(scope: Scope) -> list[str] | None:
    """The decoded segments below ``/v2/loyalty``, or ``None`` for a path outside it."""
    raw = scope.get("raw_path") or str(scope.get("path", "")).encode()
    parts = raw.decode("utf-8", "replace").split("/")[1:]
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    segments = [unquote(part) for part in parts]
    if tuple(segments[: len(PREFIX)]) != PREFIX:
        return None
    return segments[len(PREFIX) :]


def _headers(scope: Scope) -> dict[str, str]:
    return {
        bytes(k).decode("latin-1").lower(): bytes(v).decode("latin-1") for k, v in scope["headers"]
    }


def check_auth(headers: Mapping[str, str], partner_id: str, api_key: str) -> None:
    """401 when a credential header is missing or does not match."""
    given = (headers.get("partner-id", "").strip(), headers.get("api-key", "").strip())
    if not all(given):
        raise errors.unauthorized("Authentication missing")
    if given != (partner_id, api_key):
        raise errors.unauthorized("Authentication failure")


def _media_type(headers: Mapping[str, str]) -> str:
    return headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _json_body(body: bytes) -> dict[str, object]:
    try:
        parsed = json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.invalid_json(str(exc)) from None
    if not isinstance(parsed, dict):
        raise errors.invalid_json("expected a JSON object")
    return parsed


def _form_body(body: bytes) -> dict[str, object]:
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def body_params(method: str, headers: Mapping[str, str], body: bytes) -> dict[str, object]:
    """The parameters a body carries (see the module docstring for the formats)."""
    media = _media_type(headers)
    is_write = method in ("POST", "PUT", "PATCH")
    if media == "application/json" or media.endswith("+json"):
        return _json_body(body) if body.strip() else {}
    if media == "application/x-www-form-urlencoded":
        return _form_body(body)
    if media:
        if is_write:
            raise errors.unsupported_content_type(headers.get("content-type", ""))
        return {}
    if not body.strip():
        return {}
    return _json_body(body) if body.lstrip().startswith(b"{") else _form_body(body)


def request_params(scope: Scope, headers: Mapping[str, str], body: bytes) -> dict[str, object]:
    """Query parameters, overridden by body parameters."""
    query = bytes(scope.get("query_string", b"")).decode("latin-1")
    params: dict[str, object] = dict(parse_qsl(query, keep_blank_values=True))
    params.update(body_params(scope["method"], headers, body))
    return params


async def read_body(receive: Receive) -> bytes:
    """The whole request body."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def send_json(
    send: Send, status: int, payload: object, extra: Mapping[str, str] | None = None
) -> None:
    """One complete JSON response."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _wait_disconnect(receive: Receive, seconds: float) -> None:
    with anyio.move_on_after(seconds):
        while (await receive())["type"] != "http.disconnect":
            pass


async def drop(scope: Scope, receive: Receive) -> None:
    """Close the connection without a response (a real abort when served)."""
    abort = scope.get("extensions", {}).get(ABORT_EXTENSION)
    if abort is None:
        raise httpx.RemoteProtocolError(DISCONNECTED)
    abort()
    await _wait_disconnect(receive, 1.0)


async def stall(scope: Scope, receive: Receive, seconds: float) -> None:
    """Hold the response back ``seconds`` or until the client gives up (``timeout_after``)."""
    if ABORT_EXTENSION not in scope.get("extensions", {}):
        raise httpx.ReadTimeout("timed out (timeout_after fault)")
    await _wait_disconnect(receive, seconds)


def _failure(fault: Fault) -> tuple[FakeApiError, dict[str, str]]:
    if fault.kind == "rate_limit":
        retry_after = seconds_text(fault.retry_after)
        return errors.rate_limited(retry_after), {"retry-after": retry_after}
    return (errors.server_error() if fault.kind == "server_error" else errors.unavailable()), {}


class FakeApp:
    """The ASGI callable (``fake.app``)."""

    def __init__(self, host: Host) -> None:
        self._host = host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await read_body(receive)
        segments = path_segments(scope)
        found = None if segments is None else match(scope["method"], segments)
        decision = self._host.admit(None if found is None else found[0].label)
        if decision.delay:
            await anyio.sleep(decision.delay)
        if found is None:
            message = f"No route for {scope['method']} {scope.get('path', '')}"
            error = errors.not_found(message)
            await send_json(send, error.status, error.body)
            return
        if decision.fault is not None and decision.fault.kind in BEFORE_KINDS:
            await self._fail(decision.fault, scope, receive, send)
            return
        status, payload = self._respond(found[0], found[1], scope, body)
        if decision.kind == "drop_after":
            await drop(scope, receive)
            return
        if decision.fault is not None and decision.kind == "timeout_after":
            await stall(scope, receive, decision.fault.stall)
        await send_json(send, status, payload)

    async def _fail(self, fault: Fault, scope: Scope, receive: Receive, send: Send) -> None:
        if fault.kind == "drop_before":
            await drop(scope, receive)
            return
        error, extra = _failure(fault)
        await send_json(send, error.status, error.body, extra)

    def _respond(
        self, route: Route, path: Mapping[str, str], scope: Scope, body: bytes
    ) -> tuple[int, JsonObject]:
        headers = _headers(scope)
        try:
            check_auth(headers, self._host.partner_id, self._host.api_key)
            params = request_params(scope, headers, body)
            outcome = self._host.execute(route, path, params, headers.get("x-fake-op-id"))
        except FakeApiError as error:
            return error.status, error.body
        return 200, {"data": outcome.data, "success": True}


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
