"""``FakeShopSocially``: the embedded stand-in of the API, its state, faults and counters.

One ``threading.RLock`` guards the state, the fault plan and the counters; every request
takes it once to decide its faults and once to run its handler (never across an ``await``),
so a served fake (on its own thread) can be inspected from the test's thread at any time.
What the inspection methods return are copies: they do not change under the caller's feet.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import TypeVar

import attrs
import httpx

from . import _formats as fmt
from ._app import UNMATCHED, FakeApp
from ._errors import FakeApiError
from ._faults import Decision, FakeStats, Fault, FaultPlan
from ._records import Activity, Member, Redemption, Transaction
from ._routes import LABELS, Outcome, Route
from ._state import LoyaltyState
from ._traffic import Traffic, busiest_window

R = TypeVar("R", Member, Activity, Transaction)


def utc_now() -> datetime:
    """The default clock."""
    return datetime.now(timezone.utc)


def _copy(record: R) -> R:
    return attrs.evolve(record)


def _copy_redemption(redemption: Redemption) -> Redemption:
    return attrs.evolve(redemption, coupon_codes=list(redemption.coupon_codes))


class FakeShopSocially:
    """An in-memory loyalty program that speaks the ShopSocially API over HTTP.

    Example::

        fake = FakeShopSocially().seed(members=100)
        async with httpx.AsyncClient(transport=fake.asgi_transport(),
                                     base_url=fake.base_url_for_asgi) as http:
            ...
        async with fake.serve() as base_url:   # real sockets
            ...

    ``clock`` (a callable returning an aware UTC datetime) replaces the wall clock, for tests
    of award frequency windows and date filters. ``latency`` delays every request (seconds).

    ``rate_limit`` (requests per second, account-wide) answers requests beyond it with 429
    ``RATE_LIMIT_EXCEEDED`` and ``Retry-After`` (a sliding 1-second window; see ``_traffic``).
    Every request to a route is logged with its arrival time on ``monotonic`` (default
    ``time.monotonic``): :attr:`arrivals`, :attr:`throttled` and :meth:`busiest_window`.
    """

    #: The base URL to pair with :meth:`asgi_transport` (the transport ignores the host). https,
    #: because ``ShopSociallyClient`` refuses plain http to anything but loopback.
    base_url_for_asgi = "https://fake.shopsocially.test/v2/loyalty"

    def __init__(
        self,
        partner_id: str = "test-partner",
        api_key: str = "test-api-key",
        rng_seed: int = 0,
        *,
        clock: Callable[[], datetime] | None = None,
        latency: float = 0.0,
        rate_limit: int | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._partner_id = partner_id
        self._api_key = api_key
        self._clock = clock or utc_now
        self._lock = threading.RLock()
        self._state = LoyaltyState(partner_id, self.now, id_seed=rng_seed)
        self._plan = FaultPlan(random.Random(rng_seed))
        self._stats = FakeStats()
        self._traffic = Traffic(rate_limit, monotonic)
        self.latency = latency
        self.app = FakeApp(self)

    @property
    def partner_id(self) -> str:
        """The ``partner-id`` header the fake accepts."""
        return self._partner_id

    @property
    def api_key(self) -> str:
        """The ``api-key`` header the fake accepts."""
        return self._api_key

    def now(self) -> datetime:
        """The fake's current time (UTC)."""
        moment = self._clock()
        if moment.tzinfo is None:
            raise ValueError("the clock must return timezone-aware datetimes")
        return moment.astimezone(timezone.utc)

    # -- serving ---------------------------------------------------------------------------
    def asgi_transport(self) -> httpx.ASGITransport:
        """An httpx transport calling :attr:`app` in process (base URL: ``base_url_for_asgi``)."""
        return httpx.ASGITransport(app=self.app)

    def serve(
        self, host: str = "127.0.0.1", port: int = 0, *, timeout_keep_alive: int = 15
    ) -> contextlib.AbstractAsyncContextManager[str]:
        """Serve over real sockets on a thread; yields the base URL (``.../v2/loyalty``)."""
        from ._server import serve_app

        return serve_app(self.app, host, port, timeout_keep_alive=timeout_keep_alive)

    def run_forever(
        self,
        host: str = "127.0.0.1",
        port: int = 8000,
        log_level: str = "info",
        *,
        on_bound: Callable[[str], object] | None = None,
    ) -> None:
        """Serve in the foreground until interrupted (the CLI's ``serve``). The port is
        bound first (``OSError`` when taken; 0 picks a free one), then ``on_bound`` is called
        with the base URL, then requests are served."""
        from ._server import run_app

        run_app(self.app, host, port, log_level=log_level, on_bound=on_bound)

    serve_forever = run_forever

    # -- faults and counters ---------------------------------------------------------------
    def inject(self, fault: Fault) -> Fault:
        """Arm a fault; its routes must be ``"*"`` or labels of real routes."""
        unknown = sorted(set(fault.route) - LABELS - {"*"})
        if unknown:
            raise ValueError(f"unknown route(s) {unknown}; known: {sorted(LABELS)}")
        with self._lock:
            self._plan.add(fault)
        return fault

    def clear_faults(self) -> None:
        """Disarm every fault."""
        with self._lock:
            self._plan.clear()

    @property
    def faults(self) -> tuple[Fault, ...]:
        """The armed faults."""
        with self._lock:
            return self._plan.faults

    def applied_count(self, op_id: str) -> int:
        """How many times the write sent with ``x-fake-op-id: op_id`` changed the state."""
        with self._lock:
            return self._stats.applied_ops[op_id]

    @property
    def stats(self) -> FakeStats:
        """A snapshot of the counters (safe to read while a served fake is busy)."""
        with self._lock:
            return self._stats.copy()

    def reset_stats(self) -> None:
        """Start the counters and the arrival log afresh."""
        with self._lock:
            self._stats = FakeStats()
            self._traffic.clear_logs()

    # -- the account rate limit and the arrival log ------------------------------------------
    @property
    def rate_limit(self) -> int | None:
        """Requests per second the account may send (None: unlimited)."""
        return self._traffic.rate_limit

    @property
    def arrivals(self) -> list[float]:
        """When each request to a route arrived (``monotonic`` seconds), in arrival order."""
        with self._lock:
            return self._traffic.arrivals.tolist()

    @property
    def throttled(self) -> list[float]:
        """When each request answered 429 arrived (the account limit or a ``rate_limit`` fault)."""
        with self._lock:
            return self._traffic.throttled.tolist()

    def busiest_window(self, seconds: float = 1.0) -> int:
        """The most requests that arrived within any ``seconds``-long window (429s included)."""
        return busiest_window(self.arrivals, seconds)

    def admit(self, route: str | None) -> Decision:
        """Count a request, apply the account limit and decide its faults (called by the app)."""
        with self._lock:
            self._stats.requests[route or UNMATCHED] += 1
            decision = Decision() if route is None else self._decide(route)
            self._stats.faults.update(decision.fired)
        return attrs.evolve(decision, delay=decision.delay + self.latency)

    def _decide(self, route: str) -> Decision:
        retry_after = self._traffic.arrive()
        if retry_after is None:
            decision = self._plan.decide(route)
        else:  # refused at the gateway: the injected faults neither fire nor count
            decision = Decision(fault=Fault("rate_limit", retry_after=retry_after))
        if decision.kind == "rate_limit":
            self._traffic.answered_429()
        return decision

    def execute(
        self, route: Route, path: Mapping[str, str], params: Mapping[str, object], op_id: str | None
    ) -> Outcome:
        """Run a handler atomically and count what it applied (called by the app)."""
        with self._lock:
            outcome = route.handler(self._state, path, params)
            if outcome.applied:
                self._stats.applied_writes += 1
                if op_id:
                    self._stats.applied_ops[op_id] += 1
        return outcome

    # -- building the program --------------------------------------------------------------
    def add_member(
        self,
        email: str,
        first_name: str = "",
        last_name: str = "",
        uid: str | None = None,
        available_points: int = 0,
        *,
        redeemed_points: int = 0,
        gender: str = "",
        profile_image_url: str = "",
        loyalty_level_id: str = "",
        enrolled_at: datetime | None = None,
    ) -> Member:
        """Enrol a member with an opening balance; returns a copy of the record."""
        params = {
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
            "uid": uid or "",
            "gender": gender,
            "profile_image_url": profile_image_url,
            "loyalty_level_id": loyalty_level_id,
        }
        with self._lock:
            member = self._state.create_member(
                params,
                available_points=available_points,
                redeemed_points=redeemed_points,
                enrolled_at=enrolled_at,
            )
            return _copy(member)

    def add_activity(
        self,
        activity_id: str,
        activity_type: str = "fixed",
        points_per_activity: int = 1,
        bonus_multiplier: float = 1,
        approval_method: str = "immediate",
        is_active: bool = True,
        max_award_frequency: int = 1000,
        max_award_frequency_interval: str = "day",
        *,
        activity_name: str | None = None,
        activity_description: str | None = None,
        **extra: object,
    ) -> Activity:
        """Configure an activity (defaults: fixed, 1 point, immediate, 1000 a day)."""
        params: dict[str, object] = {
            "activity_id": activity_id,
            "activity_name": activity_name,
            "activity_description": activity_description,
            "activity_type": activity_type,
            "points_per_activity": points_per_activity,
            "bonus_multiplier": bonus_multiplier,
            "approval_method": approval_method,
            "is_active": is_active,
            "max_award_frequency": max_award_frequency,
            "max_award_frequency_interval": max_award_frequency_interval,
            **extra,
        }
        with self._lock:
            return _copy(self._state.create_activity(params, strict=False))

    def add_redemption(
        self,
        redemption_id: str,
        allowed_redeem_points: int,
        redemption_value: object,
        giftcard_coupon_codes: Iterable[str] = (),
        is_active: bool = True,
        *,
        redemption_name: str | None = None,
        coupon_expiry: date | str | None = None,
        **extra: object,
    ) -> Redemption:
        """Configure a reward with its pool of coupon codes (handed out first to last)."""
        params: dict[str, object] = {
            "redemption_id": redemption_id,
            "allowed_redeem_points": allowed_redeem_points,
            "redemption_value": redemption_value,
            "giftcard_coupon_codes": list(giftcard_coupon_codes),
            "is_active": is_active,
            "redemption_name": redemption_name or f"${redemption_value} Gift Card",
            "coupon_expiry": coupon_expiry,
            **extra,
        }
        with self._lock:
            return _copy_redemption(self._state.create_redemption(params, strict=False))

    def add_order(
        self,
        order_id: str,
        email: str,
        lines: Iterable[tuple[str, int, object]],
        *,
        activity_id: str = "made_a_purchase",
        points_passed: object = None,
        at: datetime | None = None,
    ) -> Transaction:
        """Award a purchase whose lines the fake knows, so product returns can take units back.

        ``lines`` are ``(product_id, quantity, amount)``, ``amount`` being what the whole line
        cost. It is the award an ``order_id`` and ``products`` in ``POST /award`` make (see
        ``_orders``), under the activity's rules; for a ``bonus_multiplier`` activity
        ``points_passed`` (the order amount) defaults to the sum of the line amounts. The
        member and the activity must exist. Returns a copy of the award; refusals raise
        :class:`FakeApiError` as the API would answer them.
        """
        products = [
            {"product_id": product_id, "quantity": quantity, "amount": amount}
            for product_id, quantity, amount in lines
        ]
        with self._lock:
            activity = self._state.activities.get(activity_id)
            if points_passed is None and activity and activity.activity_type == "bonus_multiplier":
                amounts = (fmt.decimal(line["amount"], "products.amount") for line in products)
                points_passed = sum(amounts, Decimal(0))
            award = self._state.award(
                email, activity_id, points_passed, order_id, at, products=products
            )
            return _copy(award)

    def seed(
        self,
        members: int = 10_000,
        activities: Sequence[Mapping[str, object]] | None = None,
        redemptions: Sequence[Mapping[str, object]] | None = None,
        transactions: int = 0,
        rng_seed: int = 0,
    ) -> FakeShopSocially:
        """Fill the program with realistic, deterministic data (see ``_seed``); returns ``self``."""
        from ._seed import seed_state

        with self._lock:
            seed_state(
                self._state,
                members=members,
                activities=activities,
                redemptions=redemptions,
                transactions=transactions,
                rng_seed=rng_seed,
            )
        return self

    def approve(self, transaction_id: str, approved_by: str = "admin") -> Transaction:
        """Approve a pending award (its points become available) or a pending deduction."""
        with self._lock:
            return _copy(self._state.approve(transaction_id, approved_by))

    # -- inspection ------------------------------------------------------------------------
    def member(self, email: str) -> Member:
        """A copy of the member's record; ``KeyError`` if there is none."""
        with self._lock, _as_key_error(email):
            return _copy(self._state.member(email))

    @property
    def members(self) -> list[Member]:
        """Copies of every member, in enrolment order."""
        with self._lock:
            return [_copy(member) for member in self._state.member_order]

    @property
    def ledger(self) -> list[Transaction]:
        """Copies of every transaction, in the order they were recorded."""
        with self._lock:
            return [_copy(txn) for txn in self._state.ledger]

    def transaction(self, transaction_id: str) -> Transaction:
        """A copy of one transaction; ``KeyError`` if there is none."""
        with self._lock, _as_key_error(transaction_id):
            return _copy(self._state.transaction(transaction_id))

    def activity(self, activity_id: str) -> Activity:
        """A copy of one activity; ``KeyError`` if there is none."""
        with self._lock:
            return _copy(self._state.activities[activity_id])

    def redemption(self, redemption_id: str) -> Redemption:
        """A copy of one redemption option (with its remaining codes); ``KeyError`` if none."""
        with self._lock:
            return _copy_redemption(self._state.redemptions[redemption_id])

    def ledger_balance(self, email: str) -> int:
        """The member's balance recomputed from the ledger (equals ``available_points``)."""
        with self._lock, _as_key_error(email):
            return self._state.ledger_balance(email)

    def ledger_mismatches(self) -> list[str]:
        """Every member whose balance disagrees with the ledger (or whose ledger is below
        zero), as ``"email: balance != ledger recomputed"``; empty when all agree."""
        with self._lock:
            wrong = []
            for member in self._state.member_order:
                recomputed = self._state.ledger_balance(member.email)
                if member.available_points != recomputed or recomputed < 0:
                    wrong.append(
                        f"{member.email}: {member.available_points} != ledger {recomputed}"
                    )
            return wrong

    def check_ledger(self) -> None:
        """Raise ``AssertionError`` naming every member whose balance disagrees with the ledger."""
        wrong = self.ledger_mismatches()
        if wrong:
            raise AssertionError("; ".join(wrong))


@contextlib.contextmanager
def _as_key_error(key: str) -> Iterator[None]:
    try:
        yield
    except FakeApiError:
        raise KeyError(key) from None
