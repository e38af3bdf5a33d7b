"""The API's requests as pure functions: no I/O, no ``await``.

- :class:`Call` describes one endpoint call (method, path, query, body, how safe it is to
  repeat); :func:`build_request` turns it into an ``httpx.Request`` and :func:`wire_request`
  into the bare parts the aiohttp fast path sends.
- Responses are decoded in :mod:`._envelope`.
"""

from __future__ import annotations

import enum
import functools
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NamedTuple
from urllib.parse import quote, urlencode

import attrs
import httpx

from ._config import ClientConfig, Credentials

__all__ = [
    "Call",
    "RetrySafety",
    "WireRequest",
    "build_request",
    "encode_body",
    "path_segment",
    "wire_request",
]

USER_AGENT = "shopsocially-async/0.1.0"


class RetrySafety(enum.Enum):
    """How safe a call is to send twice."""

    #: Reads, PUTs, and awards with an ``order_id`` (the server deduplicates those).
    IDEMPOTENT = "idempotent"
    #: Every other POST: a repeat could award, redeem or deduct twice.
    UNSAFE = "unsafe"


@attrs.frozen
class Call:
    """One endpoint call, fully described; ``path`` is already percent-encoded."""

    method: str
    path: str
    safety: RetrySafety
    query: Mapping[str, str | int] | None = None
    body: Mapping[str, Any] | None = None
    extra_headers: Mapping[str, str] | None = None
    is_write: bool = False
    #: For logs and errors: the endpoint's name without identifiers, e.g. "GET /users/{email}".
    route: str = ""


def path_segment(value: str) -> str:
    """Percent-encode ``value`` as exactly one path segment (``/``, ``..`` and ``?`` included)."""
    encoded = quote(value, safe="@+!$&'()*,;=:~")
    # "." and ".." are path navigation even when alone in a segment; encode them too.
    return encoded.replace(".", "%2E") if encoded in (".", "..") else encoded


def build_request(config: ClientConfig, call: Call) -> httpx.Request:
    """The exact ``httpx.Request`` for ``call``: auth headers, JSON or form body, query."""
    content, content_type = _body_of(config, call)
    return httpx.Request(
        call.method,
        _parse_url(_url_of(config, call)),
        headers=_headers_of(config.credentials, call.extra_headers, content_type),
        content=content,
        # httpx.Request built by hand carries no timeout unless told; the pool honours this.
        extensions={"timeout": config.timeout.as_dict()},
    )


def _url_of(config: ClientConfig, call: Call) -> str:
    url = config.base_url + call.path
    if call.query:
        url += "?" + urlencode(call.query)
    return url


def _body_of(config: ClientConfig, call: Call) -> tuple[bytes | None, str | None]:
    if call.body is None:
        return None, None
    return encode_body(call.body, config.body_encoding)


def _headers_of(
    credentials: Credentials | None,
    extra_headers: Mapping[str, str] | None,
    content_type: str | None,
) -> httpx.Headers:
    headers = _base_headers(credentials)
    if content_type is not None or extra_headers:
        headers = httpx.Headers(headers)  # a copy: the cached one is shared
        if extra_headers:
            headers.update(extra_headers)
        if content_type is not None:
            headers["content-type"] = content_type
    return headers


class WireRequest(NamedTuple):
    """What goes on the wire for one call, without building an ``httpx.Request``.

    The fast transport sends this; :func:`build_request` still builds the ``httpx.Request``
    (for errors and logs) when one is needed. ``headers`` are exactly the ones httpx would send
    for the same call (``Host`` and ``Content-Length`` included): they are taken from an
    ``httpx.Request`` built the first time a header set is seen.
    """

    method: str
    url: str
    headers: list[tuple[str, str]]
    content: bytes | None


def wire_request(config: ClientConfig, call: Call) -> WireRequest:
    """The method, URL, headers and body :func:`build_request` would produce for ``call``."""
    content, content_type = _body_of(config, call)
    url = _url_of(config, call)
    extra = tuple(call.extra_headers.items()) if call.extra_headers else None
    length = None if content is None else len(content)
    headers = _wire_headers(config.credentials, call.method, url, extra, content_type, length)
    return WireRequest(call.method, _url_text(url), headers, content or None)


@functools.lru_cache(maxsize=1024)
def _url_text(url: str) -> str:
    """``str(httpx.URL(url))``: the URL as httpx normalizes it."""
    return str(_parse_url(url))


@functools.lru_cache(maxsize=1024)
def _wire_headers(
    credentials: Credentials | None,
    method: str,
    url: str,
    extra_headers: tuple[tuple[str, str], ...] | None,
    content_type: str | None,
    content_length: int | None,
) -> list[tuple[str, str]]:
    """httpx's own header list for such a request (it depends on the body only by its length).

    Keyed by the URL's text (hashing an ``httpx.URL`` formats it each time). Callers must not
    mutate the list: it is shared.
    """
    headers = _headers_of(credentials, dict(extra_headers) if extra_headers else None, content_type)
    content = None if content_length is None else bytes(content_length)
    request = httpx.Request(method, _parse_url(url), headers=headers, content=content)
    return request.headers.multi_items()


# Parsing a URL is most of the cost of an httpx.Request, and clients call the same few URLs
# (every award is POST /award) over and over. httpx.URL is immutable, so sharing is safe.
_parse_url = functools.lru_cache(maxsize=1024)(httpx.URL)


@functools.lru_cache(maxsize=64)
def _base_headers(credentials: Credentials | None) -> httpx.Headers:
    """The headers of every request; ``httpx.Request`` copies them, so sharing is safe."""
    headers = {"accept": "application/json", "user-agent": USER_AGENT}
    if credentials is not None:
        headers.update(credentials.headers())
    return httpx.Headers(headers)


def encode_body(body: Mapping[str, Any], encoding: str) -> tuple[bytes, str]:
    """JSON with numbers as numbers (the default), or form fields like the reference's curl."""
    if encoding == "form":
        fields = {key: _form_value(value) for key, value in body.items()}
        return urlencode(fields).encode(), "application/x-www-form-urlencoded"
    return _JSON_ENCODER.encode(body).encode(), "application/json"


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        # Money travels as a JSON number; float repr is exact for amounts of <= 15 digits.
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot send {type(value).__name__} in a request body")


# json.dumps(body, separators=..., default=...) builds a new encoder per call; this is the same.
_JSON_ENCODER = json.JSONEncoder(separators=(",", ":"), default=_json_default)


def _form_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
