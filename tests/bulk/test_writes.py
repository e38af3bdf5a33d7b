"""Bulk writes: bounded concurrency, streamed per-item results, failures that never abort."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from shopsocially_async import ShopSociallyClient, bulk, errors
from shopsocially_async.testing import FakeShopSocially, Fault


def _emails(fake: FakeShopSocially, n: int) -> list[str]:
    return [m.email for m in fake.members[:n]]


@pytest.mark.anyio
async def test_award_many_awards_every_input_once(
    fake: FakeShopSocially, client: ShopSociallyClient
) -> None:
    """Every award succeeds once; results carry the input and the transaction."""
    emails = _emails(fake, 40)
    before = {e: fake.ledger_balance(e) for e in emails}
    inputs = [bulk.AwardInput(user_email=e, activity_id="made_a_purchase", points_passed=10,
                              order_id=f"bulk-{i}") for i, e in enumerate(emails)]  # fmt: skip
    async with bulk.award_many(client, inputs, concurrency=8) as run:
        results = [r async for r in run]
    assert sorted(r.index for r in results) == list(range(40))
    assert all(r.ok and r.value is not None and r.value.points == 10 for r in results)
    assert all(r.input is inputs[r.index] for r in results)
    assert {e: fake.ledger_balance(e) - before[e] for e in emails} == dict.fromkeys(emails, 10)
    assert (run.counters.succeeded, run.counters.failed, run.counters.in_flight) == (40, 0, 0)


@pytest.mark.anyio
async def test_one_failure_does_not_stop_the_batch(
    fake: FakeShopSocially, client: ShopSociallyClient
) -> None:
    """An unknown member, a bad mapping and an empty email fail alone; the rest succeed."""
    good = [{"user_email": e, "activity_id": "made_a_purchase", "points_passed": 5}
            for e in _emails(fake, 10)]  # fmt: skip
    bad: list[Any] = [
        {"user_email": "nobody@example.com", "activity_id": "made_a_purchase"},
        {"user_email": "x@example.com", "activity": "typo"},
        {"user_email": "", "activity_id": "made_a_purchase"},
    ]
    async with bulk.award_many(client, [*bad[:2], *good, bad[2]], concurrency=4) as run:
        results = [r async for r in run]
    failed = sorted((r for r in results if not r.ok), key=lambda r: r.index)
    assert [r.index for r in failed] == [0, 1, 12]
    assert isinstance(failed[0].error, errors.MemberNotFoundError)
    assert isinstance(failed[1].error, errors.InvalidArgumentError)
    assert isinstance(failed[2].error, errors.InvalidArgumentError)
    assert not any(r.outcome_unknown for r in failed)
    assert (run.counters.succeeded, run.counters.failed) == (10, 3)


@pytest.mark.anyio
async def test_retries_are_counted_and_awards_with_order_id_apply_once(
    fake: FakeShopSocially, client: ShopSociallyClient
) -> None:
    """Injected 429s and 500s are retried; every order is applied exactly once."""
    # At most 8 faults in all, and one order may meet every one of them (the faults count
    # requests across the 6 in flight): 8 retries make the outcome independent of ordering.
    fake.inject(Fault("rate_limit", route="POST /award", every_nth=4, times=5, retry_after=0))
    fake.inject(Fault("server_error", route="POST /award", every_nth=7, times=3))
    inputs = [{"user_email": e, "activity_id": "made_a_purchase", "points_passed": 3,
               "order_id": f"retry-{i}"} for i, e in enumerate(_emails(fake, 30))]  # fmt: skip
    patient = client.with_options(max_retries=8)
    async with bulk.award_many(patient, inputs, concurrency=6) as run:
        results = [r async for r in run]
    assert run.counters.retries > 0
    assert run.counters.requests == 30 + run.counters.retries
    assert all(r.ok or r.replayed for r in results)
    assert run.counters.succeeded == 30
    orders = [t.order_id for t in fake.ledger if (t.order_id or "").startswith("retry-")]
    assert sorted(orders) == sorted(f"retry-{i}" for i in range(30))


@pytest.mark.anyio
async def test_dropped_unsafe_write_is_outcome_unknown(
    fake: FakeShopSocially, client: ShopSociallyClient
) -> None:
    """An award without order_id whose answer is lost is reported outcome_unknown, not resent."""
    fake.inject(Fault("drop_after", route="POST /award", times=1))
    email = _emails(fake, 1)[0]
    before = fake.ledger_balance(email)
    async with bulk.award_many(client, [{"user_email": email, "activity_id": "made_a_purchase",
                                         "points_passed": 7}]) as run:  # fmt: skip
        (result,) = [r async for r in run]
    assert result.outcome_unknown
    assert not result.ok
    assert run.counters.outcome_unknown == 1
    assert run.counters.retries == 0
    assert fake.ledger_balance(email) == before + 7  # applied, exactly once


@pytest.mark.anyio
async def test_redeem_deduct_and_returns_many(
    fake: FakeShopSocially, client: ShopSociallyClient
) -> None:
    """The other three writes go through the same machinery."""
    rich = [m.email for m in fake.members if m.available_points >= 1000][:3]
    async with bulk.redeem_many(client, [bulk.RedeemInput(user_email=e, redemption_id="$5_gift_card") for e in rich]) as run:  # fmt: skip  # noqa: E501
        assert all([r.ok and r.value and r.value.coupon_code async for r in run])
    async with bulk.deduct_many(client, [bulk.DeductInput(user_email=e, points_passed=1, reason="fix") for e in rich]) as run:  # fmt: skip  # noqa: E501
        assert all([r.ok async for r in run])
    await client.points.award(user_email=rich[0], activity_id="made_a_purchase",
                              points_passed=20, order_id="ret-1")  # fmt: skip
    returns = [bulk.ReturnInput(order_id="ret-1"), bulk.ReturnInput(order_id="missing")]
    async with bulk.returns_many(client, returns) as run:
        results = sorted([r async for r in run], key=lambda r: r.index)
    assert results[0].ok
    assert isinstance(results[1].error, errors.OrderNotFoundError)
    fake.check_ledger()


class _CountingInputs:
    """An input generator that records how many items were taken."""

    def __init__(self, n: int) -> None:
        self.n, self.taken = n, 0

    def __iter__(self) -> Iterator[int]:
        for i in range(self.n):
            self.taken += 1
            yield i


async def _echo(item: int) -> int:
    await anyio.lowlevel.checkpoint()
    return item


@pytest.mark.anyio
async def test_inputs_are_consumed_lazily_and_memory_stays_bounded() -> None:
    """Over 20k inputs, never more than concurrency + buffer are taken ahead of the results."""
    inputs, consumed, worst = _CountingInputs(20_000), 0, 0
    async with bulk.run_many(_echo, inputs, concurrency=32, buffer=8) as run:
        async for _ in run:
            consumed += 1
            worst = max(worst, inputs.taken - consumed)
    assert consumed == 20_000
    assert worst <= 32 + 8 + 1


@pytest.mark.anyio
async def test_stop_finishes_in_flight_calls_and_takes_no_more_inputs() -> None:
    """stop(): the calls in flight still report; no new input is taken afterwards."""
    inputs, seen = _CountingInputs(10_000), []
    async with bulk.run_many(_echo, inputs, concurrency=16) as run:
        async for result in run:
            seen.append(result.index)
            if len(seen) == 100:
                run.stop()
                taken = inputs.taken
    assert inputs.taken == taken
    assert sorted(seen) == list(range(len(seen)))  # every taken input reported, none lost
    assert len(seen) == taken


@pytest.mark.anyio
async def test_failing_input_iterator_raises_after_in_flight_calls() -> None:
    """An input iterator that raises ends the batch with its own exception, not a group."""

    def inputs() -> Iterator[int]:
        yield from range(5)
        raise ValueError("bad row 6")

    seen = []
    with pytest.raises(ValueError, match="bad row 6"):
        async with bulk.run_many(_echo, inputs(), concurrency=2) as run:
            seen = [r.index async for r in run]
    assert sorted(seen) == list(range(5))


@pytest.mark.anyio
async def test_async_iterable_inputs() -> None:
    """Inputs may be an async iterable."""

    async def inputs() -> Any:
        for i in range(50):
            yield i

    async with bulk.run_many(_echo, inputs(), concurrency=4) as run:
        values = sorted([r.value async for r in run])  # type: ignore[type-var]
    assert values == list(range(50))


@pytest.mark.anyio
async def test_error_in_the_block_propagates_as_itself() -> None:
    """An exception raised while consuming results is not wrapped in an exception group."""

    async def consume() -> None:
        async with bulk.run_many(_echo, range(1000), concurrency=4) as run:
            async for _ in run:
                raise KeyError("consumer")

    with pytest.raises(KeyError, match="consumer"):
        await consume()


def test_bad_concurrency_is_refused() -> None:
    """concurrency must be a whole number of at least 1."""
    with pytest.raises(ValueError, match="concurrency"):
        anyio.run(_enter_with, 0)


async def _enter_with(concurrency: int) -> None:
    async with bulk.run_many(_echo, [1], concurrency=concurrency):
        pass


@pytest.mark.anyio
async def test_a_concurrency_the_pool_would_cap_is_refused(fake: FakeShopSocially) -> None:
    """award_many refuses concurrency above the client's max_connections, before any request."""
    async with ShopSociallyClient(
        fake.partner_id, fake.api_key, base_url="http://127.0.0.1:9/v2/loyalty", max_connections=4
    ) as client:
        assert client.max_connections == 4
        assert client.with_options(max_retries=0).max_connections == 4
        inputs = [{"user_email": "a@example.com", "activity_id": "signup"}] * 8
        with pytest.raises(errors.InvalidArgumentError, match=r"concurrency=8 .*max_connections=4"):
            async with bulk.award_many(client, inputs, concurrency=8):
                pass  # pragma: no cover - refused before the block runs
    assert fake.stats.requests.total() == 0


@pytest.mark.anyio
async def test_a_pool_of_unknown_size_is_not_second_guessed(client: ShopSociallyClient) -> None:
    """With the caller's own transport object the pool size is unknown, and not checked."""
    assert client.max_connections is None
    async with bulk.award_many(client, [], concurrency=500) as run:
        assert [result async for result in run] == []
