"""The escape hatches: ``extra_body``, ``extra_query`` and ``extra_headers``, checked.

Every method takes fields the reference does not list through these. They are checked as
strictly as named arguments, before anything is sent, with an
:class:`~shopsocially_async.errors.InvalidArgumentError` naming the offending entry
(``extra_body['items'][2]``), so that what goes on the wire is exactly what the caller meant,
identically on every engine:

- bodies carry JSON values only: no NaN or infinities, no sets, bytes, dates or objects, no
  integers or decimals a JSON number cannot carry exactly, no lone surrogates;
- query values are scalars (None is refused, not sent as ``"None"``);
- headers are strings of visible ASCII, and never the ones the client sets itself
  (credentials, ``Host``, ``Content-Length``, ``Transfer-Encoding``, ``Content-Type``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ._params import exact_json_number, text, unicode_text
from .errors import InvalidArgumentError

__all__ = ["CLIENT_HEADERS", "header_pairs", "merge_extra"]

#: Headers only the client sets: credentials, and what describes the body and connection.
CLIENT_HEADERS = frozenset(
    {"partner-id", "api-key", "host", "content-length", "transfer-encoding", "content-type"}
)
# RFC 9110 token characters, and a field value: visible ASCII, inner spaces and tabs.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEADER_VALUE = re.compile(r"(?:[\x21-\x7e](?:[\x20\x09\x21-\x7e]*[\x21-\x7e])?)?")
#: How deep an extra_body value may nest (the API's own bodies are flat).
MAX_DEPTH = 32


def merge_extra(
    kind: str, fields: dict[str, Any], extra: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Add checked ``extra_body``/``extra_query`` fields; refuse one that shadows a named
    argument."""
    if not extra:
        return fields
    if not isinstance(extra, Mapping):
        raise InvalidArgumentError(f"extra_{kind} must be a mapping, got {type(extra).__name__}")
    clashes = sorted(str(key) for key in set(extra) & set(fields))
    if clashes:
        raise InvalidArgumentError(
            f"extra_{kind} repeats {', '.join(clashes)}: pass it as the named argument instead"
        )
    check = _json_value if kind == "body" else _query_value
    checked = {
        _key(kind, key): check(f"extra_{kind}[{key!r}]", value, 0) for key, value in extra.items()
    }
    return {**fields, **checked}


def _key(kind: str, key: object) -> str:
    return text(f"extra_{kind} key", key)


def _query_value(name: str, value: object, _: int) -> str | int:
    """A scalar the query string carries as the caller wrote it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return unicode_text(name, value)
    if isinstance(value, (int, float, Decimal)):
        return str(exact_json_number(name, value))
    raise InvalidArgumentError(
        f"{name} must be a string, number or bool, got {type(value).__name__}"
    )


def _json_value(name: str, value: object, depth: int) -> Any:
    """``value`` if JSON carries it exactly (recursively, to :data:`MAX_DEPTH`)."""
    if depth > MAX_DEPTH:
        raise InvalidArgumentError(f"{name} nests deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return unicode_text(name, value)
    if isinstance(value, (int, float, Decimal)):
        return exact_json_number(name, value)
    if isinstance(value, Mapping):
        return {
            _key("body", k): _json_value(f"{name}[{k!r}]", v, depth + 1) for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_json_value(f"{name}[{i}]", item, depth + 1) for i, item in enumerate(value)]
    raise InvalidArgumentError(f"{name}: {type(value).__name__} is not a JSON value")


def header_pairs(
    name: str, headers: object, *, reserved: frozenset[str] = CLIENT_HEADERS
) -> dict[str, str]:
    """Headers every engine can send identically: str names and values, no CR/LF/NUL or
    other control characters, none of the ``reserved`` names. The message never shows a value
    (it may be a secret)."""
    if not isinstance(headers, Mapping):
        raise InvalidArgumentError(f"{name} must be a mapping of header names to values")
    checked: dict[str, str] = {}
    for key, value in headers.items():
        if not isinstance(key, str) or not _HEADER_NAME.fullmatch(key):
            raise InvalidArgumentError(f"{name} has an invalid header name {key!r}")
        if key.lower() in reserved:
            raise InvalidArgumentError(f"{name} may not set {key!r}: the client sets it itself")
        if not isinstance(value, str) or not _HEADER_VALUE.fullmatch(value):
            raise InvalidArgumentError(
                f"{name}[{key!r}] must be a string of visible ASCII characters "
                "(no CR, LF, NUL or other control characters, no leading or trailing spaces)"
            )
        checked[key] = value
    return checked
