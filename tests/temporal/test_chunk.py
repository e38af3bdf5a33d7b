"""A chunk's recovery, without Temporal: what an attempt finds recorded in Redis (as a dead
worker leaves it) decides what it settles, sends, or refuses to touch."""

from __future__ import annotations

from collections import Counter

import anyio
import pytest

from shopsocially_async import bulk, temporal
from shopsocially_async.errors import InvalidArgumentError
from shopsocially_async.temporal._chunk import ChunkWriter
from shopsocially_async.temporal._store import RowRecord, Superseded, now

from .conftest import Env, member
from .test_bulk_workflow import deduct

pytestmark = pytest.mark.anyio
POLICY = bulk.SettlePolicy(grace=0.1)


async def staged(env: Env, count: int) -> temporal.RunStore:
    """A store with ``count`` deduct rows staged in one chunk (entered: close it after)."""
    store = await temporal.RunStore(env.redis, env.run_id()).__aenter__()
    await temporal.stage_rows(
        store, "deduct", [deduct(i) for i in range(count)], identity="t", chunk_size=count
    )
    return store


def reasons(env: Env) -> Counter[str]:
    return Counter(t.reason for t in env.fake.ledger if t.reason)


async def test_rows_left_sent_are_settled_before_anything_is_sent(env: Env) -> None:
    """A dead attempt recorded rows 0 and 1 as sent; row 0 reached the server, row 1 did
    not. The next attempt settles both from the ledger: row 0 applied (not sent again),
    row 1 sent once; row 2 is sent as usual."""
    store = await staged(env, 3)
    async with env.client(deadline=2) as client:  # the dead attempt's calls are over by now
        await client.points.deduct(user_email=deduct(0).fields["user_email"], points_passed=1,
                                   reason="row 0")  # fmt: skip
        dead = await store.claim(0)
        for position in (0, 1):
            await store.record(0, dead, position, RowRecord("sent", now() - 3))
        writer = ChunkWriter(store, client, "deduct", 0, POLICY, anyio.CapacityLimiter(4))
        totals = await writer.run()
    assert totals == temporal.Totals(applied=3, settled=2)
    records = await store.records(0)
    assert [records[p].outcome for p in range(3)] == ["applied", "applied", "applied"]
    assert records[0].settled
    assert not records[2].settled
    assert reasons(env) == {"row 0": 1, "row 1": 1, "row 2": 1}
    await store.__aexit__()


async def test_a_superseded_attempt_records_and_sends_nothing(env: Env) -> None:
    """Once a newer attempt claimed the chunk, the older one's first record is refused
    (Superseded), so it sends nothing."""
    store = await staged(env, 2)
    async with env.client() as client:
        older = ChunkWriter(store, client, "deduct", 0, POLICY, anyio.CapacityLimiter(4))
        older.token = await store.claim(0)
        await store.claim(0)  # a newer attempt takes over
        with pytest.raises(Superseded):
            await store.record(0, older.token, 0, RowRecord("sent", now()))
    assert reasons(env) == {}
    assert await store.records(0) == {}
    await store.__aexit__()


async def test_an_unknown_answer_that_did_not_apply_is_failed_not_resent(env: Env) -> None:
    """A row answered "outcome unknown" that the ledger shows not applied is reported
    failed ("safe to send again"), as a local run reports it: never sent automatically."""
    store = await staged(env, 1)
    token = await store.claim(0)
    record = RowRecord("unknown", now() - 1, failed_at=now(), code="APITimeoutError",
                       message="POST /deduct timed out")  # fmt: skip
    await store.record(0, token, 0, record)
    async with env.client() as client:
        writer = ChunkWriter(store, client, "deduct", 0, POLICY, anyio.CapacityLimiter(4))
        totals = await writer.run()
    assert totals == temporal.Totals(failed=1, settled=1)
    (report,) = [r async for r in temporal.bulk_report(store, await store.meta())]  # type: ignore[arg-type]
    assert report.code == "APITimeoutError"
    assert not report.outcome_unknown
    assert report.message.endswith("settled: not applied, safe to send again")
    assert reasons(env) == {}
    await store.__aexit__()


@pytest.mark.parametrize("run_id", ["", "a b", "../x", "{x}", "x" * 129, None])
def test_bad_run_ids_are_refused(run_id: object) -> None:
    """A run id is a short plain name (it becomes a Redis key and a workflow id)."""
    with pytest.raises(InvalidArgumentError, match="run id"):
        temporal.check_run_id(run_id)


async def test_a_row_left_sent_is_settled_only_after_its_calls_deadline(env: Env) -> None:
    """A dead attempt sent a row a moment ago: the next attempt, however soon, reads the
    ledger only once the client's whole-call deadline (plus the grace) has passed since
    that send, never earlier (the request may still be on its way until then)."""
    store = await staged(env, 1)
    try:
        async with env.client(deadline=4) as client:
            writer = ChunkWriter(store, client, "deduct", 0, POLICY, anyio.CapacityLimiter(1))
            writer._rows = await store.rows(0)
            sent = now() - 1
            write = writer._in_doubt(writer._rows[0], RowRecord("sent", sent))
            ready = POLICY.ready_at([write])
    finally:
        await store.__aexit__(None, None, None)
    assert ready is not None
    assert ready.timestamp() == pytest.approx(sent + 4 + 0.1, abs=0.01)


async def test_a_product_return_in_doubt_is_not_given_its_twins_transaction(env: Env) -> None:
    """The mug's return applies (its answer names no transaction, so the run claims every
    return of the order); the lamp's is dropped before the server handles it. The one
    return in the ledger is not taken for the lamp's: ambiguous, never "applied"."""
    from shopsocially_async.testing import Fault

    email = member(0)
    env.fake.add_activity("shop", "bonus_multiplier", bonus_multiplier=1)
    env.fake.add_order("two-1", email, [("mug", 2, 200), ("lamp", 1, 100)], activity_id="shop")
    env.fake.inject(Fault("drop_before", route="POST /transaction/return", every_nth=2, times=1))
    rows = []
    for i, product in enumerate(("mug", "lamp")):
        fields = {"order_id": "two-1", "returned_product_id": product, "user_email": email}
        rows.append(temporal.StagedRow(i + 2, fields, fields))
    store = await temporal.RunStore(env.redis, env.run_id()).__aenter__()
    await temporal.stage_rows(store, "returns", rows, identity="r", chunk_size=2)
    async with env.client(max_retries=0) as client:
        writer = ChunkWriter(store, client, "returns", 0, POLICY, anyio.CapacityLimiter(1))
        totals = await writer.run()
    (returned,) = [t for t in env.fake.ledger if t.returned_for_order_id == "two-1"]
    assert returned.returned_product_id == "mug"
    assert totals == temporal.Totals(applied=1, ambiguous=1, settled=1)
    records = await store.records(0)
    assert [records[p].outcome for p in range(2)] == ["applied", "ambiguous"]
    assert records[1].candidates == (returned.id,)
    await store.__aexit__()
