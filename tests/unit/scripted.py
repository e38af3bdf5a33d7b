"""Scripted HTTP for the unit tests: a ``MockTransport`` handler that replays a script.

Each request is answered by the next step of the script: an ``httpx.Response``, an
exception instance, or an httpx exception class (instantiated with the request). Every
request is recorded, and a request the script did not expect fails the test.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from shopsocially_async import RetryPolicy, ShopSociallyClient

__all__ = [
    "API_KEY",
    "BASE_URL",
    "NO_WAIT",
    "PARTNER_ID",
    "Script",
    "Step",
    "failure",
    "ok",
    "scripted_client",
    "status",
]

PARTNER_ID = "partner-42"
API_KEY = "sk_live_TOPSECRET_0123456789"
BASE_URL = "https://api.example.test/v2/loyalty"
#: Retries that never sleep: no backoff, and Retry-After capped at zero.
NO_WAIT = RetryPolicy(initial_delay=0, max_delay=0, max_retry_after=0)

Step = httpx.Response | Exception | type[httpx.TransportError]


class Script:
    """A MockTransport handler answering each request with the next scripted step."""

    def __init__(self, *steps: Step) -> None:
        self._steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self._steps:
            raise AssertionError(f"unscripted request #{len(self.requests)}: {request.url}")
        step = self._steps.pop(0)
        if isinstance(step, type):
            raise step(f"scripted {step.__name__}", request=request)
        if isinstance(step, Exception):
            raise step
        return step

    @property
    def count(self) -> int:
        """How many requests reached the transport."""
        return len(self.requests)

    def bodies(self) -> list[Any]:
        """The JSON bodies of the recorded requests."""
        return [json.loads(r.content) if r.content else None for r in self.requests]


def scripted_client(script: Script, **options: Any) -> ShopSociallyClient:
    """A client whose every request is answered by ``script``; never sleeps between retries."""
    options.setdefault("retry_policy", NO_WAIT)
    return ShopSociallyClient(
        PARTNER_ID,
        API_KEY,
        base_url=BASE_URL,
        transport=httpx.MockTransport(script),
        **options,
    )


def ok(data: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    """A success envelope around ``data``; by default a one-field object, which every
    endpoint decodes (as a record, a one-record list or an empty listing page)."""
    body = {"data": {"id": "stand-in"} if data is None else data, "success": True}
    return httpx.Response(200, json=body, headers=headers)


def failure(
    http_status: int,
    error_code: str,
    reason: str = "scripted",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """The ``{"success": false, "error_code", "reason"}`` envelope."""
    body = {"success": False, "error_code": error_code, "reason": reason}
    return httpx.Response(http_status, json=body, headers=headers)


def status(
    http_status: int, body: bytes = b"", headers: dict[str, str] | None = None
) -> httpx.Response:
    """A bare status with an optional raw body."""
    return httpx.Response(http_status, content=body, headers=headers)
