"""OpenTelemetry: one span per call from ``hooks=otel_hooks()``, seen through the SDK's
in-memory exporter (the ``otel`` extra needs only the API; the tests bring the SDK).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import anyio
import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from shopsocially_async import errors
from shopsocially_async.otel import otel_hooks
from shopsocially_async.sync import SyncShopSociallyClient
from shopsocially_async.testing import FakeShopSocially
from tests.unit.scripted import API_KEY, Script, failure, ok, scripted_client, status

from .calls import CALLS, EMAIL, cancel_a_deduct_in_flight, in_process

pytestmark = pytest.mark.anyio

EVER = {"from_date": date(2000, 1, 1), "to_date": date(2100, 1, 1)}


@pytest.fixture
def provider() -> Iterator[TracerProvider]:
    """A tracer provider of the test's own, exporting to memory (see ``finished``)."""
    provider = TracerProvider()
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    provider.exporter = exporter  # type: ignore[attr-defined]
    yield provider
    provider.shutdown()


def finished(provider: TracerProvider) -> list[ReadableSpan]:
    """The spans ended so far, in the order they ended."""
    return list(provider.exporter.get_finished_spans())  # type: ignore[attr-defined]


def everything_in(span: ReadableSpan) -> str:
    """All a span says: name, attributes, events, status."""
    events = [(e.name, dict(e.attributes or {})) for e in span.events]
    return repr((span.name, dict(span.attributes or {}), events, span.status.description))


async def test_a_call_is_one_client_span_named_by_its_route(provider: TracerProvider) -> None:
    """``users.get(email)``: a CLIENT span ``GET /users/{user_email}``, child of the current
    span, with the semantic-convention attributes; no email, no key."""
    tracer = provider.get_tracer("merchant")
    async with scripted_client(Script(ok({"user_email": EMAIL})), hooks=otel_hooks(provider)) as c:
        with tracer.start_as_current_span("sync job") as job:
            await c.users.get(EMAIL)
    span, parent = finished(provider)
    assert (span.name, span.kind, span.status.status_code) == (
        "GET /users/{user_email}", SpanKind.CLIENT, StatusCode.UNSET,
    )  # fmt: skip
    assert span.parent is not None
    assert (span.parent.span_id, parent.context.span_id) == (job.get_span_context().span_id,) * 2
    assert dict(span.attributes or {}) == {
        "http.request.method": "GET",
        "server.address": "api.example.test",
        "server.port": 443,
        "url.template": "/users/{user_email}",
        "http.response.status_code": 200,
        "shopsocially.attempts": 1,
        "shopsocially.outcome_unknown": False,
    }
    assert span.events == ()
    assert "ann" not in everything_in(span)


async def test_retries_are_events_on_the_calls_span(provider: TracerProvider) -> None:
    """429 then 503 then 200 on an award with order_id: one span, two ``retry`` events."""
    limited = failure(429, "RATE_LIMIT_EXCEEDED", headers={"retry-after": "0"})
    script = Script(limited, status(503), ok({"id": "tx-1"}))
    async with scripted_client(script, hooks=otel_hooks(provider)) as client:
        await CALLS["points.award"](client)
    (span,) = finished(provider)
    retries = [(e.name, dict(e.attributes or {})) for e in span.events]
    assert retries == [
        ("retry", {"shopsocially.attempt": 2, "shopsocially.retry_delay": 0.0,
                   "http.response.status_code": 429, "error.type": "RateLimitError",
                   "shopsocially.error_code": "RATE_LIMIT_EXCEEDED"}),
        ("retry", {"shopsocially.attempt": 3, "shopsocially.retry_delay": 0.0,
                   "http.response.status_code": 503, "error.type": "ServerError"}),
    ]  # fmt: skip
    attributes = dict(span.attributes or {})
    assert (attributes["shopsocially.attempts"], attributes["http.request.resend_count"]) == (3, 2)
    assert attributes["http.response.status_code"] == 200
    assert span.status.status_code is StatusCode.UNSET
    assert API_KEY not in everything_in(span)
    assert "ann" not in everything_in(span)


@pytest.mark.parametrize(
    ("step", "error_type", "code", "description", "unknown"),
    [
        (httpx.ReadTimeout, "APITimeoutError", None, "APITimeoutError", True),
        (failure(200, "INSUFFICIENT_REDEEMABLE_POINTS"), "InsufficientPointsError",
         "INSUFFICIENT_REDEEMABLE_POINTS", "InsufficientPointsError INSUFFICIENT_REDEEMABLE_POINTS",
         False),
    ],
    ids=["read timeout", "success false"],
)  # fmt: skip
async def test_a_failed_call_has_an_error_span(
    provider: TracerProvider,
    step: Any,
    error_type: str,
    code: str | None,
    description: str,
    unknown: bool,
) -> None:
    """A failed redeem: status ERROR naming the error's class (and the API's code),
    ``error.type``, ``shopsocially.error_code`` and the error's ``outcome_unknown``."""
    async with scripted_client(Script(step), hooks=otel_hooks(provider)) as client:
        with pytest.raises(errors.ShopSociallyError) as caught:
            await CALLS["points.redeem"](client)
    (span,) = finished(provider)
    attributes = dict(span.attributes or {})
    assert (span.name, span.status.status_code, span.status.description) == (
        "POST /redeem", StatusCode.ERROR, description,
    )  # fmt: skip
    assert attributes["error.type"] == error_type
    assert attributes.get("shopsocially.error_code") == code
    assert attributes["shopsocially.outcome_unknown"] is caught.value.outcome_unknown is unknown
    assert "ann" not in everything_in(span)


@pytest.mark.parametrize("prefetch", [0, 2])
async def test_a_paginated_listing_is_a_span_per_page(
    provider: TracerProvider, shopsocially_seeded_fake: FakeShopSocially, prefetch: int
) -> None:
    """100 members, 30 a page: four ``GET /users`` spans, children of the caller's span,
    also when pages are fetched ahead in background tasks."""
    tracer = provider.get_tracer("merchant")
    async with in_process(shopsocially_seeded_fake, hooks=otel_hooks(provider)) as client:
        with tracer.start_as_current_span("export") as export:
            members = await client.users.list(**EVER, count=30, prefetch=prefetch).collect()
    assert len(members) == 100
    pages = [s for s in finished(provider) if s.name == "GET /users"]
    assert len(pages) == 4
    assert {s.parent.span_id for s in pages if s.parent} == {export.get_span_context().span_id}
    assert {dict(s.attributes or {})["http.response.status_code"] for s in pages} == {200}


async def test_log_paths_records_the_path(provider: TracerProvider) -> None:
    """``url.path`` (with the member's email) only when the client opted in with
    ``log_paths=True``; never in the span's name."""
    hooks = otel_hooks(provider)
    async with scripted_client(Script(ok(), ok()), hooks=hooks) as client:
        await client.users.get(EMAIL)
        await client.with_options().users.get(EMAIL)
    async with scripted_client(Script(ok()), hooks=hooks, log_paths=True) as client:
        await client.users.get(EMAIL)
    paths = [dict(s.attributes or {}).get("url.path") for s in finished(provider)]
    assert paths == [None, None, "/v2/loyalty/users/ann@example.com"]
    assert {s.name for s in finished(provider)} == {"GET /users/{user_email}"}


async def test_a_cancelled_call_ends_its_span(provider: TracerProvider) -> None:
    """A call cancelled mid-attempt still ends its span: ERROR, the cancellation's class."""
    await cancel_a_deduct_in_flight(otel_hooks(provider))
    (span,) = finished(provider)
    attributes = dict(span.attributes or {})
    assert span.status.status_code is StatusCode.ERROR
    assert attributes["error.type"] == anyio.get_cancelled_exc_class().__qualname__
    assert attributes["shopsocially.outcome_unknown"] is True


def test_a_blocking_calls_span_is_a_child_of_the_callers(
    provider: TracerProvider, shopsocially_fake: FakeShopSocially
) -> None:
    """The blocking client runs calls on its own thread; the span still has the calling
    thread's current span as its parent."""
    shopsocially_fake.add_member(EMAIL, available_points=1)
    tracer = provider.get_tracer("merchant")
    with SyncShopSociallyClient(
        shopsocially_fake.partner_id, shopsocially_fake.api_key,
        base_url=shopsocially_fake.base_url_for_asgi, transport=shopsocially_fake.asgi_transport(),
        hooks=otel_hooks(provider),
    ) as client, tracer.start_as_current_span("cron job") as job:  # fmt: skip
        client.users.get(EMAIL)
    call, _ = finished(provider)
    assert call.parent is not None
    assert call.parent.span_id == job.get_span_context().span_id
