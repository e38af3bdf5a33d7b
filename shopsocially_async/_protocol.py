"""The API's requests as pure functions over plain values: no I/O, no ``await``, no httpx.

- :class:`Call` describes one endpoint call (method, path, query, body, how safe it is to
  repeat); :func:`build_request` turns it into the :class:`~._http.Request` every engine
  sends: the URL with its path and query encoded, the exact header pairs, the body bytes.
- Responses are decoded in :mod:`._envelope`.
"""

from __future__ import annotations

import enum
import functools
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

import attrs

from ._body import ACCEPT_ENCODING
from ._config import ClientConfig, Credentials
from ._http import Request
from .errors import InvalidArgumentError

__all__ = [
    "MAX_URL_LENGTH",
    "USER_AGENT",
    "Call",
    "RetrySafety",
    "build_request",
    "encode_body",
    "path_segment",
]

USER_AGENT = "shopsocially-async/0.1.0"
#: The longest URL sent (servers commonly refuse past 8 KiB; engines differ beyond it).
MAX_URL_LENGTH = 8192


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
    """Percent-encode ``value`` as exactly one path segment (``/`` and ``?`` included).

    ``.`` and ``..`` are refused earlier (an HTTP stack may resolve them even encoded).
    """
    return quote(value, safe="@+!$&'()*,;=:~")


def build_request(config: ClientConfig, call: Call) -> Request:
    """The exact request for ``call``: URL, auth and content headers, JSON or form body."""
    body, content_type = _body_of(config, call)
    headers = _headers(config.credentials, content_type)
    if call.extra_headers:
        headers = headers + tuple(call.extra_headers.items())
    url = config.base_url + call.path
    if call.query:
        url += "?" + urlencode(call.query)
    if len(url) > MAX_URL_LENGTH:
        raise InvalidArgumentError(
            f"{call.route}: the request URL would be {len(url):,} characters, over the "
            f"{MAX_URL_LENGTH:,} that servers accept; shorten the identifier or the query"
        )
    return Request(call.method, url, headers, body, route=call.route)


def _body_of(config: ClientConfig, call: Call) -> tuple[bytes | None, str | None]:
    if call.body is None:
        return None, None
    return encode_body(call.body, config.body_encoding)


@functools.lru_cache(maxsize=64)
def _headers(
    credentials: Credentials | None, content_type: str | None
) -> tuple[tuple[str, str], ...]:
    """The headers every request carries (shared, immutable); engines add Host and
    Content-Length."""
    headers = [
        ("accept", "application/json"),
        ("accept-encoding", ACCEPT_ENCODING),
        ("user-agent", USER_AGENT),
    ]
    if credentials is not None:
        headers += credentials.headers().items()
    if content_type is not None:
        headers.append(("content-type", content_type))
    return tuple(headers)


def encode_body(body: Mapping[str, Any], encoding: str) -> tuple[bytes, str]:
    """JSON with numbers as numbers (the default), or form fields like the reference's curl.

    Anything JSON cannot carry exactly (NaN, infinities, sets, bytes, objects) is refused
    with :class:`~.errors.InvalidArgumentError`, before anything is sent.
    """
    if encoding == "form":
        fields = {key: _form_value(key, value) for key, value in body.items()}
        return urlencode(fields).encode(), "application/x-www-form-urlencoded"
    try:
        return _JSON_ENCODER.encode(body).encode(), "application/json"
    except (TypeError, ValueError, ArithmeticError, RecursionError) as exc:
        raise InvalidArgumentError(f"the request body cannot be sent as JSON: {exc}") from None


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        # Money travels as a JSON number; amounts are checked to fit a float exactly.
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not a JSON value")


# json.dumps(body, separators=..., default=...) builds a new encoder per call; this is the same.
# allow_nan=False: NaN and Infinity are not JSON, and no API field means them.
_JSON_ENCODER = json.JSONEncoder(separators=(",", ":"), default=_json_default, allow_nan=False)


def _form_value(key: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float, Decimal)):
        return str(value)
    raise InvalidArgumentError(f"{key}: {type(value).__name__} cannot be sent as a form field")
