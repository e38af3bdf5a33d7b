"""OpenTelemetry tracing: one span per call, built on the client's hooks.

Needs the ``otel`` extra (``pip install "shopsocially-async[otel]"``: ``opentelemetry-api``
only; the SDK, its exporters and its sampling are your application's)::

    from shopsocially_async.otel import otel_hooks

    client = ShopSociallyClient(hooks=otel_hooks())   # the global tracer provider

Each call (each page of a listing) is one ``CLIENT`` span:

- named by its route template, e.g. ``POST /award`` or ``GET /users/{user_email}``: never an
  email or an id;
- a child of the span current where the call was made; the client changes no context and
  sends no trace headers (the API does not take them);
- with ``http.request.method``, ``server.address``, ``server.port``, ``url.template`` and,
  when the call got an answer, ``http.response.status_code``; ``shopsocially.attempts``,
  ``http.request.resend_count`` (when retried), ``shopsocially.outcome_unknown``, and on
  failure ``error.type`` (the error's class), ``shopsocially.error_code`` (the API's code) and
  the status ERROR;
- one ``retry`` event per retry, with the attempt about to be made, the delay before it, and
  the status and error that caused it.

Never the API key, a header or a body. ``url.path`` (which holds member emails) is recorded
only when the client was made with ``log_paths=True``. Exceptions are not recorded: their
messages may hold what the server said about a member.
"""

from __future__ import annotations

from ._spans import SCOPE, otel_hooks

__all__ = ["SCOPE", "otel_hooks"]
