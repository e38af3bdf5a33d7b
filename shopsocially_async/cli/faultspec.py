"""``serve --fault KIND[:ROUTE[:TIMES]]`` and ``--latency SECONDS[:ROUTE]``, parsed."""

from __future__ import annotations

from typing import Any, get_args

from ..testing import Fault, FaultKind
from ._runtime import CliError

FAILING_KINDS = tuple(kind for kind in get_args(FaultKind) if kind != "latency")


def parse_fault(spec: str) -> Fault:
    """``drop_after:POST /deduct:3``: that kind, on that route (``*``: all), that many times
    (default: every matching request)."""
    kind, _, rest = spec.partition(":")
    route, _, times = rest.partition(":")
    if kind not in FAILING_KINDS:
        raise CliError(f"--fault {spec!r}: the kind is one of {', '.join(FAILING_KINDS)}")
    arguments: dict[str, Any] = {"route": route.strip() or "*"}
    if times:
        arguments["times"] = _count("--fault", spec, times)
    return Fault(kind, **arguments)  # type: ignore[arg-type]


def parse_latency(spec: str) -> Fault:
    """``0.2`` (every request) or ``0.2:POST /deduct`` (that route): a delay before handling."""
    seconds, _, route = spec.partition(":")
    try:
        delay = float(seconds)
    except ValueError:
        delay = -1.0
    if not 0 <= delay <= 3600:
        raise CliError(f"--latency {spec!r}: SECONDS[:ROUTE], seconds from 0 to 3600")
    return Fault("latency", route=route.strip() or "*", latency=delay)


def _count(option: str, spec: str, text: str) -> int:
    if not text.isdigit():
        raise CliError(f"{option} {spec!r}: TIMES is a whole number")
    return int(text)
