"""Fault injection: what can go wrong on a request, when, and how often.

A :class:`Fault` names a kind, the routes it applies to (``"POST /award"``, a list of such
labels, or ``"*"``; labels are the method and the path template under ``/v2/loyalty``, as in
``"GET /users/{email}"``), and when it fires: on each matching request with ``probability``,
or on every ``every_nth`` matching request of each route (counted per route), at most
``times`` times in all.

For each request, every matching fault that is not used up is evaluated in the order they were
injected: a probabilistic one draws once from the fake's own ``random.Random(rng_seed)``, in
the order requests arrive, so a run is reproducible under a seed. All ``latency`` faults that
fire add their delay; of the other kinds, the first that fires wins and the rest neither fire
nor count. Kinds:

========================  ======================================================  ==========
kind                      effect                                                  applied?
========================  ======================================================  ==========
``latency``               waits ``latency`` seconds before handling               yes
``rate_limit``            429 RATE_LIMIT_EXCEEDED, ``Retry-After: retry_after``    no
``server_error``          500 ``{"code": "INTERNAL_SERVER_ERROR", ...}``          no
``unavailable``           503 ``{"code": "SERVICE_UNAVAILABLE", ...}``            no
``drop_before``           connection closed, no response, before handling         no
``drop_after``            handled and committed, then connection closed           yes
``timeout_after``         handled and committed, response held ``latency`` s      yes
                          (30 s when 0) or until the client goes away
========================  ======================================================  ==========

Faults fire before authentication, like a gateway in front of the API. In process (through
:meth:`FakeShopSocially.asgi_transport`) a drop raises ``httpx.RemoteProtocolError`` and
``timeout_after`` raises ``httpx.ReadTimeout`` at once, since that transport has no sockets
and no timeouts.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, Literal, get_args

import attrs

FaultKind = Literal[
    "latency",
    "rate_limit",
    "server_error",
    "unavailable",
    "drop_before",
    "drop_after",
    "timeout_after",
]
KINDS: tuple[str, ...] = get_args(FaultKind)
BEFORE_KINDS = frozenset({"rate_limit", "server_error", "unavailable", "drop_before"})
AFTER_KINDS = frozenset({"drop_after", "timeout_after"})
DEFAULT_STALL = 30.0


def _as_routes(value: str | Sequence[str]) -> tuple[str, ...]:
    routes = (value,) if isinstance(value, str) else tuple(value)
    if not routes or not all(isinstance(route, str) and route for route in routes):
        raise ValueError("route must be '*', a label like 'POST /award', or a list of labels")
    return routes


def _at_least(minimum: float) -> Callable[[object, attrs.Attribute[Any], Any], None]:
    def check(_: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
        if value is not None and value < minimum:
            raise ValueError(f"{attribute.name} must be at least {minimum}, got {value}")

    return check


def _probability(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"probability must be between 0 and 1, got {value}")


@attrs.frozen
class Fault:
    """A failure to inject: ``Fault("rate_limit", route="POST /award", every_nth=3)``."""

    kind: FaultKind = attrs.field(validator=attrs.validators.in_(KINDS))
    route: tuple[str, ...] = attrs.field(default=("*",), converter=_as_routes)
    probability: float = attrs.field(default=1.0, validator=_probability)
    every_nth: int | None = attrs.field(default=None, validator=_at_least(1))
    times: int | None = attrs.field(default=None, validator=_at_least(0))
    latency: float = attrs.field(default=0.0, validator=_at_least(0))
    retry_after: float = attrs.field(default=1.0, validator=_at_least(0))

    def applies_to(self, route: str) -> bool:
        """Whether this fault is meant for requests to ``route``."""
        return "*" in self.route or route in self.route

    @property
    def stall(self) -> float:
        """How long ``timeout_after`` holds the response back."""
        return self.latency or DEFAULT_STALL


@attrs.define
class _Armed:
    fault: Fault
    fired: int = 0
    seen: Counter[str] = attrs.field(factory=Counter)

    def live_for(self, route: str) -> bool:
        used_up = self.fault.times is not None and self.fired >= self.fault.times
        return not used_up and self.fault.applies_to(route)

    def triggers(self, route: str, rng: random.Random) -> bool:
        if self.fault.every_nth is not None:
            self.seen[route] += 1
            return self.seen[route] % self.fault.every_nth == 0
        return rng.random() < self.fault.probability


@attrs.frozen
class Decision:
    """What the faults make of one request: a delay first, then at most one failure."""

    delay: float = 0.0
    fault: Fault | None = None
    fired: tuple[str, ...] = ()

    @property
    def kind(self) -> str | None:
        """The failing kind chosen, if any."""
        return None if self.fault is None else self.fault.kind


class FaultPlan:
    """The injected faults and their counters. Callers hold the fake's lock."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._armed: list[_Armed] = []

    def add(self, fault: Fault) -> None:
        """Arm a fault after those already armed."""
        self._armed.append(_Armed(fault))

    def clear(self) -> None:
        """Disarm every fault."""
        self._armed.clear()

    @property
    def faults(self) -> tuple[Fault, ...]:
        """The armed faults, in injection order."""
        return tuple(armed.fault for armed in self._armed)

    def decide(self, route: str) -> Decision:
        """Evaluate the faults for one request to ``route`` (see the module docstring)."""
        delay, chosen, fired = 0.0, None, []
        for armed in self._armed:
            if not armed.live_for(route) or not armed.triggers(route, self._rng):
                continue
            if armed.fault.kind == "latency":
                delay += armed.fault.latency
            elif chosen is None:
                chosen = armed.fault
            else:
                continue
            armed.fired += 1
            fired.append(armed.fault.kind)
        return Decision(delay, chosen, tuple(fired))


@attrs.define
class FakeStats:
    """Counters a test can assert on (``fake.stats`` is a snapshot; they only grow until reset)."""

    requests: Counter[str] = attrs.field(factory=Counter)
    """Requests per route label (``"POST /award"``); unknown routes under ``"<unmatched>"``."""
    faults: Counter[str] = attrs.field(factory=Counter)
    """Faults fired per kind."""
    applied_writes: int = 0
    """Writes that changed the program's state."""
    applied_ops: Counter[str] = attrs.field(factory=Counter)
    """Applied writes per ``x-fake-op-id`` request header."""

    def copy(self) -> FakeStats:
        """An independent copy."""
        return FakeStats(
            Counter(self.requests),
            Counter(self.faults),
            self.applied_writes,
            Counter(self.applied_ops),
        )


def seconds_text(seconds: float) -> str:
    """A delay as a header value: ``1`` for whole seconds, ``0.25`` otherwise."""
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"
