"""Settling in-doubt writes through the API: bulk runs with settle=True, and settle() itself."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from shopsocially_async import ShopSociallyClient, bulk
from shopsocially_async.bulk import SettlePolicy, Verdict
from shopsocially_async.testing import FakeShopSocially, Fault

NOW = SettlePolicy(grace=0)


def _rich(fake: FakeShopSocially, n: int) -> list[str]:
    return [m.email for m in fake.members if m.available_points >= 100][:n]


def _by_reason(fake: FakeShopSocially, prefix: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for txn in fake.ledger:
        if (txn.reason or "").startswith(prefix):
            found.setdefault(txn.reason or "", []).append(txn.id)
    return found


@pytest.mark.anyio
async def test_deduct_many_settles_lost_answers_by_reading_the_ledger(
    fake: FakeShopSocially, client: ShopSociallyClient
) -> None:
    """drop_after and timeout_after applied (settled applied, with their transaction);
    drop_before and server_error did not (settled not applied); the rest plainly succeeded."""
    for kind in ("drop_after", "timeout_after", "drop_before", "server_error"):
        fake.inject(Fault(kind, route="POST /deduct", every_nth=3, times=1))
    inputs = [bulk.DeductInput(user_email=e, points_passed=1, reason=f"settle-{i}")
              for i, e in enumerate(_rich(fake, 20))]  # fmt: skip
    async with bulk.deduct_many(client, inputs, concurrency=1, settle=NOW) as run:
        results = [r async for r in run]
    ledger = _by_reason(fake, "settle-")
    assert all(len(ids) == 1 for ids in ledger.values())
    settled = [r for r in results if r.settlement is not None]
    assert results[-len(settled) :] == settled  # held back, yielded last
    verdicts = sorted(r.settlement.verdict.value for r in settled if r.settlement)
    assert verdicts == ["applied", "applied", "not_applied", "not_applied"]
    for result in results:
        reason = result.input.reason
        assert result.applied is (reason in ledger)
        assert not result.outcome_unknown
        if result.settlement and result.settlement.verdict is Verdict.APPLIED:
            assert result.settlement.transaction_id == ledger[reason][0]
    counters = run.counters
    assert (counters.succeeded, counters.failed, counters.outcome_unknown) == (18, 2, 0)
    assert counters.settled == 4


@pytest.mark.anyio
async def test_award_without_order_and_returns_settle_through_their_traces(
    fake: FakeShopSocially, client: ShopSociallyClient
) -> None:
    """An award without order_id (activity + points) and a return (its member given as
    user_email) whose answers were lost are both found in the ledger."""
    email = _rich(fake, 1)[0]
    await client.points.award(
        user_email=email, activity_id="made_a_purchase", points_passed=30, order_id="st-1"
    )
    fake.inject(Fault("drop_after", route=["POST /award", "POST /transaction/return"]))
    award = {"user_email": email, "activity_id": "made_a_purchase", "points_passed": 17}
    async with bulk.award_many(client, [award], settle=NOW) as run:
        (awarded,) = [r async for r in run]
    returned = bulk.ReturnInput(order_id="st-1", user_email=email)
    async with bulk.returns_many(client, [returned], settle=NOW) as run:
        (returned_result,) = [r async for r in run]
    for result in (awarded, returned_result):
        assert result.settlement is not None
        assert result.settlement.verdict is Verdict.APPLIED, result.settlement.reason
        assert result.applied is True
        assert fake.transaction(result.settlement.transaction_id or "").user_email == email


@pytest.mark.anyio
async def test_product_returns_go_in_bulk_and_settle(
    fake: FakeShopSocially, client: ShopSociallyClient
) -> None:
    """A product return whose answer was lost takes back one mug's points once and is found
    in the ledger (applied, with its transaction); one with an amount too is refused
    before sending."""
    email = _rich(fake, 1)[0]
    fake.add_order("st-mugs", email, [("mug", 2, 200), ("lamp", 1, 100)])
    before = fake.member(email).available_points
    fake.inject(Fault("drop_after", route="POST /transaction/return", times=1))
    mug = bulk.ReturnInput(
        order_id="st-mugs", returned_product_id="mug", quantity=1, user_email=email
    )
    wrong = {"order_id": "st-mugs", "returned_product_id": "mug", "returned_amount": 5}
    async with bulk.returns_many(client, [mug, wrong], concurrency=1, settle=NOW) as run:
        refused, lost = [r async for r in run]
    assert type(refused.error).__name__ == "InvalidArgumentError"
    assert refused.applied is False
    (returned,) = [t for t in fake.ledger if t.returned_product_id == "mug"]
    assert (returned.points, returned.returned_quantity) == (100, 1)
    assert lost.settlement is not None
    assert lost.settlement.verdict is Verdict.APPLIED
    assert lost.settlement.transaction_id == returned.id
    assert fake.member(email).available_points == before - 100


@pytest.mark.anyio
async def test_a_product_return_in_doubt_is_never_given_its_twins_transaction(
    fake: FakeShopSocially, client: ShopSociallyClient
) -> None:
    """The mug's return applies (its answer names no transaction); the lamp's is dropped
    before the server handles it. The ledger holds one return of the order, the mug's, so
    the lamp's is not said applied with it: ambiguous, listing it."""
    email = _rich(fake, 1)[0]
    fake.add_order("st-two", email, [("mug", 2, 200), ("lamp", 1, 100)])
    fake.inject(Fault("drop_before", route="POST /transaction/return", every_nth=2, times=1))
    rows = [
        bulk.ReturnInput(order_id="st-two", returned_product_id=p, user_email=email)
        for p in ("mug", "lamp")
    ]
    async with bulk.returns_many(client, rows, concurrency=1, settle=NOW) as run:
        mug, lamp = [r async for r in run]
    (returned,) = [t for t in fake.ledger if t.returned_for_order_id == "st-two"]
    assert returned.returned_product_id == "mug"
    assert mug.applied is True
    assert lamp.settlement is not None
    assert lamp.settlement.verdict is Verdict.AMBIGUOUS
    assert lamp.settlement.candidates == (returned.id,)
    assert (lamp.applied, lamp.outcome_unknown) == (None, True)


@pytest.mark.anyio
async def test_a_return_without_member_stays_ambiguous(
    fake: FakeShopSocially, client: ShopSociallyClient
) -> None:
    """Without user_email the return's ledger is unknown: ambiguous, still outcome_unknown."""
    email = _rich(fake, 1)[0]
    await client.points.award(
        user_email=email, activity_id="made_a_purchase", points_passed=30, order_id="st-2"
    )
    fake.inject(Fault("drop_after", route="POST /transaction/return"))
    async with bulk.returns_many(client, [{"order_id": "st-2"}], settle=NOW) as run:
        (result,) = [r async for r in run]
    assert result.settlement is not None
    assert result.settlement.verdict is Verdict.AMBIGUOUS
    assert "user_email" in result.settlement.reason
    assert (result.outcome_unknown, result.applied) == (True, None)
    assert run.counters.outcome_unknown == 1


@pytest.mark.anyio
async def test_a_member_that_does_not_exist_settles_only_the_writes_sent_to_it(
    fake: FakeShopSocially, client: ShopSociallyClient
) -> None:
    """A deduct sent to a member the API does not know applied nothing: not applied. A
    return is sent by order id alone, so a user_email nobody has may be a typo for the
    order's member, whose ledger holds the applied return: ambiguous, never "send again"."""
    email = _rich(fake, 1)[0]
    await client.points.award(
        user_email=email, activity_id="made_a_purchase", points_passed=30, order_id="st-3"
    )
    await client.returns.create(order_id="st-3", returned_amount=10)
    sent = datetime.now(timezone.utc) - timedelta(seconds=5)
    nobody = "typo-" + email
    deduct = bulk.DeductInput(user_email=nobody, points_passed=1, reason="gone")
    returned = bulk.ReturnInput(order_id="st-3", returned_amount=10, user_email=nobody)
    writes = [bulk.InDoubtWrite(input=item, sent_at=sent) for item in (deduct, returned)]
    settled_deduct, settled_return = await bulk.settle(client, writes, policy=NOW)
    assert settled_deduct.verdict is Verdict.NOT_APPLIED
    assert settled_return.verdict is Verdict.AMBIGUOUS
    assert settled_return.reason == (
        "no member has this user_email: the return's order may be another member's "
        "(or the email is mistyped)"
    )


@pytest.mark.anyio
async def test_a_twin_that_succeeded_claims_its_transaction(
    fake: FakeShopSocially, client: ShopSociallyClient
) -> None:
    """Two identical deducts: the first is dropped before it is handled, the second applies.
    The second's transaction is not taken for the first's: settled not applied."""
    email = _rich(fake, 1)[0]
    fake.inject(Fault("drop_before", route="POST /deduct", times=1))
    twin = {"user_email": email, "points_passed": 2, "reason": "twin"}
    async with bulk.deduct_many(client, [twin, twin], concurrency=1, settle=NOW) as run:
        results = [r async for r in run]
    assert [r.applied for r in results] == [True, False]
    assert results[1].settlement is not None
    assert results[1].settlement.verdict is Verdict.NOT_APPLIED
    assert len(_by_reason(fake, "twin")["twin"]) == 1


@pytest.mark.anyio
async def test_an_unreadable_ledger_leaves_the_write_ambiguous(
    fake: FakeShopSocially, client: ShopSociallyClient
) -> None:
    """settle() never guesses: a 500 while reading the member's ledger is ambiguous."""
    email = _rich(fake, 1)[0]
    fake.inject(Fault("server_error", route="GET /users/{email}/transactions"))
    sent = datetime.now(timezone.utc)
    write = bulk.InDoubtWrite(
        input=bulk.DeductInput(user_email=email, points_passed=1, reason="x"), sent_at=sent
    )
    quick = client.with_options(max_retries=0)
    (settled,) = await bulk.settle(quick, [write], policy=NOW)
    assert settled.verdict is Verdict.AMBIGUOUS
    assert settled.reason.startswith("the member's ledger could not be read: ServerError")


@pytest.mark.anyio
async def test_settle_of_nothing_reads_nothing(
    fake: FakeShopSocially, client: ShopSociallyClient
) -> None:
    """No writes: no request at all."""
    assert await bulk.settle(client, []) == []
    assert fake.stats.requests.total() == 0


def test_settle_policy_waits_out_the_grace_after_the_last_failure() -> None:
    """ready_at is the latest failure (or send) plus the grace; bad durations are refused."""
    sent = datetime(2024, 5, 1, tzinfo=timezone.utc)
    writes: list[Any] = [
        bulk.InDoubtWrite(input=bulk.RedeemInput(user_email="a@x", redemption_id="r"),
                          sent_at=sent, failed_at=sent + timedelta(seconds=s))
        for s in (3, 9)
    ]  # fmt: skip
    assert SettlePolicy(grace=1.5).ready_at(writes) == sent + timedelta(seconds=10.5)
    assert SettlePolicy().ready_at([]) is None
    with pytest.raises(ValueError, match="negative"):
        SettlePolicy(clock_skew=-1)
    with pytest.raises(ValueError, match="concurrency"):
        SettlePolicy(concurrency=0)


def test_claimed_ids_remember_compactly() -> None:
    """ClaimedIds answers membership exactly for what was added (and nothing else)."""
    claimed = bulk.ClaimedIds(f"{i:024x}" for i in range(1000))
    claimed.add("extra")
    assert len(claimed) == 1001
    assert "extra" in claimed
    assert f"{999:024x}" in claimed
    assert f"{1000:024x}" not in claimed
    assert 5 not in claimed
