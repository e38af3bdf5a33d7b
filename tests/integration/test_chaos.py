"""Chaos: thousands of writes through every kind of fault, and the ledger agrees with the client.

Each operation (an award with or without ``order_id``, a redeem, a deduct) carries its own
``x-fake-op-id`` header, so the fake counts how often each one changed the program. What the
client reported must agree with those counts, by ``testing.check_exactly_once``:

* success                                           applied exactly once
* ``DuplicateOrderError(replay=True)``              applied exactly once (by this call)
* any other error with ``outcome_unknown`` False    not applied
* ``outcome_unknown`` True                          applied at most once
* and no operation is ever applied twice, none is applied unreported, balances equal ledgers.

Beyond those rules: a success's transaction is the member's, for the points reported; a replay
is never outcome-unknown; with unique order ids, no clean error is a duplicate order.

At the end every member's balance equals the ledger, and equals what ``users.get`` reports (read
through faults too: reads are retried). The plan of operations comes from a seeded RNG and the
faults from the fake's own seeded RNG; run one at a time, a seed replays exactly (checked).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

import anyio
import attrs
import pytest

from shopsocially_async import RetryPolicy, ShopSociallyClient, Timeout, errors
from shopsocially_async.testing import (
    FakeShopSocially,
    Fault,
    Reported,
    WriteOutcome,
    check_exactly_once,
)

pytestmark = pytest.mark.anyio

WRITES = ("POST /award", "POST /redeem", "POST /deduct")
CLOCK = datetime(2024, 3, 14, 12, 0, 0, tzinfo=timezone.utc)
OPENING_BALANCE = 300
# Short enough that a held response (timeout_after) costs little; long enough for a busy box.
TIMEOUT = Timeout(0.5, connect=5.0)
NO_WAIT = RetryPolicy(max_retries=3, initial_delay=0, max_delay=0, max_retry_after=0)


def chaos_faults() -> list[Fault]:
    """Every fault kind on the write routes; a read fault every 3rd member look-up."""
    return [
        Fault("latency", route=WRITES, probability=0.05, latency=0.005),
        Fault("rate_limit", route=WRITES, probability=0.05, retry_after=0),
        Fault("server_error", route=WRITES, probability=0.04),
        Fault("unavailable", route=WRITES, probability=0.04),
        Fault("drop_before", route=WRITES, probability=0.04),
        Fault("drop_after", route=WRITES, probability=0.04),
        Fault("timeout_after", route=WRITES, probability=0.02, latency=10),
        Fault("server_error", route="GET /users/{email}", every_nth=3),
    ]


@attrs.frozen
class Op:
    """One planned write."""

    op_id: str
    kind: str  # "award_order", "award", "redeem" or "deduct"
    email: str
    amount: int = 0


@attrs.define
class Result:
    """What the client said about one operation."""

    op: Op
    ok: bool = False
    transaction_id: str | None = None
    points: int | None = None
    error: errors.ShopSociallyError | None = None


@attrs.frozen
class Summary:
    """The run in numbers (equal for equal seeds when run one operation at a time)."""

    outcomes: tuple[tuple[str, int], ...]
    faults: tuple[tuple[str, int], ...]
    requests: int
    applied: int
    balances: tuple[int, ...]


def plan(rng: random.Random, emails: list[str], count: int, prefix: str) -> list[Op]:
    """``count`` writes: 35% awards with an order id, 25% without, 15% redeems, 25% deducts."""
    ops = []
    for n in range(count):
        roll, email = rng.random(), rng.choice(emails)
        op_id = f"{prefix}-{n:05d}"
        if roll < 0.35:
            ops.append(Op(op_id, "award_order", email, rng.randrange(1, 60)))
        elif roll < 0.60:
            ops.append(Op(op_id, "award", email))
        elif roll < 0.75:
            ops.append(Op(op_id, "redeem", email))
        else:
            ops.append(Op(op_id, "deduct", email, rng.randrange(1, 90)))
    return ops


def build_fake(seed: int, members: int) -> tuple[FakeShopSocially, list[str]]:
    """A program with ``members`` members, a purchase and a fixed activity, one reward."""
    fake = FakeShopSocially(rng_seed=seed, clock=lambda: CLOCK)
    fake.add_activity("made_a_purchase", "bonus_multiplier", bonus_multiplier=2)
    fake.add_activity("visit", points_per_activity=10, max_award_frequency=1_000_000)
    fake.add_redemption("$5_gift_card", 100, 5, [f"C-{n:06d}" for n in range(20_000)])
    emails = [f"member{n:03d}@example.com" for n in range(members)]
    for email in emails:
        fake.add_member(email, "Chaos", "Member", available_points=OPENING_BALANCE)
    return fake, emails


def client_for(
    base_url: str, transport: str, fake: FakeShopSocially, **options: Any
) -> ShopSociallyClient:
    """A client of the served ``fake``; retries (3) never sleep."""
    settings: dict[str, Any] = {"transport": transport, "retry_policy": NO_WAIT, **options}
    return ShopSociallyClient(fake.partner_id, fake.api_key, base_url=base_url, **settings)


def sender(client: ShopSociallyClient, op: Op) -> Callable[[], Awaitable[object]]:
    """The client call performing ``op``, tagged with its op id."""
    tag = {"x-fake-op-id": op.op_id}
    if op.kind == "award_order":
        return lambda: client.points.award(
            user_email=op.email, activity_id="made_a_purchase", points_passed=op.amount,
            order_id=f"order-{op.op_id}", extra_headers=tag,
        )  # fmt: skip
    if op.kind == "award":
        return lambda: client.points.award(
            user_email=op.email, activity_id="visit", extra_headers=tag
        )
    if op.kind == "redeem":
        return lambda: client.points.redeem(
            user_email=op.email, redemption_id="$5_gift_card", extra_headers=tag
        )
    return lambda: client.points.deduct(
        user_email=op.email, points_passed=op.amount, reason="chaos", extra_headers=tag
    )


async def perform(client: ShopSociallyClient, op: Op) -> Result:
    """Run one operation; record what the client reported (only our errors are caught)."""
    result = Result(op)
    try:
        tx = await sender(client, op)()
    except errors.ShopSociallyError as exc:
        result.error = exc
        return result
    result.ok = True
    result.transaction_id = getattr(tx, "id", None)
    result.points = getattr(tx, "points", None)
    return result


def outcome_of(result: Result) -> WriteOutcome:
    """What the client reported about the operation, for ``check_exactly_once``."""
    return WriteOutcome.of(result.op.op_id, result.error)


def check_result(fake: FakeShopSocially, result: Result) -> None:
    """What the client returned agrees with the ledger, beyond the exactly-once rules."""
    outcome = outcome_of(result)
    where = f"{result.op} -> {outcome.label} ({result.error!r})"
    if outcome.reported is Reported.APPLIED:
        record = fake.transaction(result.transaction_id or "")
        assert (record.user_email, record.points) == (result.op.email, result.points), where
    elif outcome.reported is Reported.REPLAYED:
        assert result.error is not None, where
        assert not result.error.outcome_unknown, where
    elif outcome.reported is Reported.NOT_APPLIED:
        # Unique order ids: a duplicate can only be a replay of this call's own award.
        assert not isinstance(result.error, errors.DuplicateOrderError), where


async def run_chaos(
    base_url: str, transport: str, fake: FakeShopSocially, ops: list[Op], concurrency: int
) -> list[Result]:
    """Perform ``ops`` with at most ``concurrency`` in flight; faults armed for the run only."""
    for fault in chaos_faults():
        fake.inject(fault)
    limiter = anyio.CapacityLimiter(concurrency)
    results: list[Result] = []

    async def one(op: Op) -> None:
        try:
            results.append(await perform(client, op))
        finally:
            limiter.release_on_behalf_of(op)

    client = client_for(base_url, transport, fake, timeout=TIMEOUT, max_connections=concurrency)
    async with client, anyio.create_task_group() as group:
        for op in ops:
            # Acquired here, in plan order (trio starts ready tasks in random order), so that
            # one at a time the requests reach the fake in the order of the plan.
            await limiter.acquire_on_behalf_of(op)
            group.start_soon(one, op)
    return results


async def verify(
    base_url: str, transport: str, fake: FakeShopSocially, emails: list[str], results: list[Result]
) -> Summary:
    """Every invariant; then the balances read back through the client (one at a time)."""
    stats = fake.stats
    check_exactly_once(fake, [outcome_of(r) for r in results]).assert_ok()
    for result in results:
        check_result(fake, result)
    fake.clear_faults()
    fake.inject(Fault("server_error", route="GET /users/{email}", every_nth=3))
    balances = []
    async with client_for(base_url, transport, fake) as client:
        for email in emails:
            user = await client.users.get(email)
            assert user.available_points == fake.ledger_balance(email), email
            assert user.available_points == fake.member(email).available_points, email
            balances.append(fake.ledger_balance(email))
    return Summary(
        outcomes=tuple(sorted(Counter(outcome_of(r).label for r in results).items())),
        faults=tuple(sorted(fake.stats.faults.items())),
        requests=sum(stats.requests.values()),
        applied=stats.applied_writes,
        balances=tuple(balances),
    )


async def chaos(
    seed: int, count: int, members: int, concurrency: int, transport: str = "httpx"
) -> Summary:
    """A whole run: build, serve, plan, perform, verify."""
    fake, emails = build_fake(seed, members)
    ops = plan(random.Random(seed), emails, count, prefix=f"s{seed}")
    async with fake.serve() as base_url:
        results = await run_chaos(base_url, transport, fake, ops, concurrency)
        return await verify(base_url, transport, fake, emails, results)


def assert_eventful(summary: Summary) -> None:
    """Every fault kind fired, and every kind of outcome the contract names was seen."""
    assert {kind for kind, _ in summary.faults} >= {
        "latency", "rate_limit", "server_error", "unavailable", "drop_before", "drop_after",
        "timeout_after",
    }  # fmt: skip
    labels = {label for label, _ in summary.outcomes}
    assert {"applied", "replayed"} <= labels
    assert {"outcome_unknown:APITimeoutError", "outcome_unknown:APIConnectionError"} <= labels
    assert {"outcome_unknown:ServerError", "not_applied:InsufficientPointsError"} <= labels


async def test_thousands_of_writes_under_faults_keep_every_invariant(engine: str) -> None:
    """1,500 concurrent writes (16 in flight) through every fault kind: the ledger agrees."""
    summary = await chaos(2024, count=1500, members=40, concurrency=16, transport=engine)
    assert_eventful(summary)
    assert dict(summary.outcomes)["applied"] > 750


async def test_a_seed_replays_exactly(engine: str) -> None:
    """One at a time, the same seed gives the same outcomes, faults and balances."""
    first = await chaos(7, count=150, members=10, concurrency=1, transport=engine)
    again = await chaos(7, count=150, members=10, concurrency=1, transport=engine)
    assert first == again
    assert len(first.faults) >= 6
