"""Redacting secrets a server (or a library's message) echoes back.

A hostile or buggy server may echo the API key in an error body; a library may put a header
in its exception text. Whatever ends up in an exception's message, its parsed ``body`` or its
response bytes goes through here first, so the key is unreachable from anything a user can
print, log or serialise. The secrets are the request's secret header values
(:attr:`~._http.Request.secret_names`).
"""

from __future__ import annotations

import json
from typing import Any

from ._http import MASK, Headers, Request

__all__ = ["redact_bytes", "redact_document", "redact_headers", "redact_text", "secrets_of"]

#: Shorter values are not worth redacting (and would mangle unrelated text).
_MIN_SECRET_LENGTH = 4


def secrets_of(request: Request) -> tuple[str, ...]:
    """The secret header values of ``request``, longest first."""
    values = {
        value
        for name, value in request.headers
        if name.lower() in request.secret_names and len(value) >= _MIN_SECRET_LENGTH
    }
    return tuple(sorted(values, key=len, reverse=True))


def redact_text(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every secret replaced by ``***``."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def redact_headers(headers: Headers, secrets: tuple[str, ...]) -> Headers:
    """``headers`` with every secret in their names and values replaced (a server may echo
    them anywhere)."""
    if not secrets:
        return headers
    return Headers(
        (_redact_name(name, secrets), redact_text(value, secrets))
        for name, value in headers.pairs()
    )


def _redact_name(name: str, secrets: tuple[str, ...]) -> str:
    """A header name holding a secret, in any case (libraries lower-case names), is masked."""
    lowered = name.lower()
    return MASK if any(secret.lower() in lowered for secret in secrets) else name


def redact_bytes(body: bytes, secrets: tuple[str, ...]) -> bytes:
    """``body`` with every secret replaced, also in its JSON-escaped spellings."""
    mask = MASK.encode()
    for secret in secrets:
        escaped = json.dumps(secret)[1:-1]
        for spelling in {secret, escaped, escaped.replace("/", "\\/")}:
            body = body.replace(spelling.encode(), mask)
    return body


def redact_document(document: Any, secrets: tuple[str, ...]) -> Any:
    """A parsed JSON document with every string (keys included) redacted, in place.

    Catches spellings :func:`redact_bytes` cannot (``\\u``-escaped characters). Iterative:
    documents may be nested as deep as the parser allows.
    """
    if not secrets:
        return document
    if isinstance(document, str):
        return redact_text(document, secrets)
    pending = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            _redact_dict(node, secrets, pending)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                if isinstance(item, str):
                    node[index] = redact_text(item, secrets)
                elif isinstance(item, (dict, list)):
                    pending.append(item)
    return document


def _redact_dict(node: dict[Any, Any], secrets: tuple[str, ...], pending: list[Any]) -> None:
    for key in list(node):
        value = node.pop(key)
        if isinstance(value, str):
            value = redact_text(value, secrets)
        elif isinstance(value, (dict, list)):
            pending.append(value)
        node[redact_text(key, secrets) if isinstance(key, str) else key] = value
