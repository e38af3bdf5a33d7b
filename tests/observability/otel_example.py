"""OpenTelemetry: one span per call, checked with the SDK's in-memory exporter."""

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shopsocially_async import ShopSociallyClient
from shopsocially_async.otel import otel_hooks
from shopsocially_async.testing import FakeShopSocially

pytestmark = pytest.mark.anyio


async def test_a_span_per_call(shopsocially_fake: FakeShopSocially) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()  # yours is set up once, with a real exporter
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    shopsocially_fake.add_member("bob@example.com", available_points=100)
    async with ShopSociallyClient(
        shopsocially_fake.partner_id,
        shopsocially_fake.api_key,
        base_url=shopsocially_fake.base_url_for_asgi,
        transport=shopsocially_fake.asgi_transport(),
        hooks=otel_hooks(provider),  # otel_hooks(): the global tracer provider
    ) as client:
        with provider.get_tracer("shop").start_as_current_span("order shipped"):
            await client.users.get("bob@example.com")
    call, order = exporter.get_finished_spans()
    assert call.name == "GET /users/{user_email}"  # the route template: never the email
    assert call.parent is not None
    assert call.parent.span_id == order.context.span_id  # a child of the current span
    assert call.attributes is not None
    assert call.attributes["http.response.status_code"] == 200
    assert call.attributes["shopsocially.attempts"] == 1
