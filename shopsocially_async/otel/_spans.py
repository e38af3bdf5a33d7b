"""Spans from hooks: the implementation of :mod:`shopsocially_async.otel`."""

from __future__ import annotations

from typing import Any

try:
    from opentelemetry import trace
    from opentelemetry.trace import Span, SpanKind, Status, StatusCode, TracerProvider
except ImportError as exc:  # pragma: no cover - exercised where the extra is not installed
    raise ImportError(
        'shopsocially_async.otel needs OpenTelemetry\'s API: pip install "shopsocially-async[otel]"'
    ) from exc

from .. import __version__
from .._hooks import CallInfo, CallResult, Hooks, RetryInfo, _Outcome

__all__ = ["SCOPE", "otel_hooks"]

#: The instrumentation scope's name (the tracer's).
SCOPE = "shopsocially_async"


def otel_hooks(tracer_provider: TracerProvider | None = None) -> Hooks:
    """Hooks that trace every call as a span (see the module's documentation).

    ``tracer_provider`` defaults to the global one (``trace.set_tracer_provider``). Combine
    with hooks of your own: ``hooks=[otel_hooks(), Hooks(...)]``.
    """
    tracer = trace.get_tracer(SCOPE, __version__, tracer_provider)
    spans: dict[CallInfo, Span] = {}

    def start(call: CallInfo) -> None:
        attributes = _call_attributes(call)
        spans[call] = tracer.start_span(call.route, kind=SpanKind.CLIENT, attributes=attributes)

    def retry(event: RetryInfo) -> None:
        span = spans.get(event.call)
        if span is not None:
            attributes = {
                "shopsocially.attempt": event.attempt,
                "shopsocially.retry_delay": event.delay,
            }
            span.add_event("retry", {**attributes, **_outcome_attributes(event)})

    def end(result: CallResult) -> None:
        span = spans.pop(result.call, None)
        if span is not None:
            _finish(span, result)

    return Hooks(before_call=start, on_retry=retry, after_call=end)


def _call_attributes(call: CallInfo) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "http.request.method": call.method,
        "server.address": call.host,
        "url.template": call.template,
    }
    if call.port is not None:
        attributes["server.port"] = call.port
    if call.path is not None:  # the client's log_paths=True: identifiers may leave the library
        attributes["url.path"] = call.path
    return attributes


def _outcome_attributes(outcome: _Outcome) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    if outcome.status_code is not None:
        attributes["http.response.status_code"] = outcome.status_code
    if outcome.error is not None:
        attributes["error.type"] = outcome.error.__qualname__
    if outcome.error_code is not None:
        attributes["shopsocially.error_code"] = outcome.error_code
    return attributes


def _finish(span: Span, result: CallResult) -> None:
    """Set what the call's end tells, then end the span."""
    span.set_attributes(_outcome_attributes(result))
    span.set_attribute("shopsocially.attempts", result.attempts)
    span.set_attribute("shopsocially.outcome_unknown", result.outcome_unknown)
    if result.attempts > 1:
        span.set_attribute("http.request.resend_count", result.attempts - 1)
    if result.error is not None:
        code = f" {result.error_code}" if result.error_code else ""
        span.set_status(Status(StatusCode.ERROR, f"{result.error.__qualname__}{code}"))
    span.end()
