"""BulkWriteWorkflow end to end: staged rows, chunk activities on a real worker, the
embedded API's ledger checked afterwards."""

from __future__ import annotations

from collections import Counter
from typing import Any

import anyio
import pytest
from temporalio.client import Client

from shopsocially_async import temporal
from shopsocially_async.testing import Fault

from .conftest import Env, member

pytestmark = pytest.mark.anyio


def deduct(i: int, *, email: str | None = None) -> temporal.StagedRow:
    """Row ``i``: deduct 1 point with a reason of its own (the ledger tells rows apart)."""
    fields = {"user_email": email or member(i), "points_passed": 1, "reason": f"row {i}"}
    cells = {k: str(v) for k, v in fields.items()}
    return temporal.StagedRow(i + 2, cells, fields)


async def run(
    env: Env, rows: list[temporal.StagedRow], *, run_id: str | None = None, **options: Any
) -> tuple[temporal.BulkWriteSummary, list[temporal.RowReport], temporal.Submitted]:
    """Stage ``rows``, run them as one workflow, return its summary and per-row report."""
    run_id = run_id or env.run_id()
    client = await Client.connect(env.target)
    async with temporal.RunStore(env.redis, run_id) as store:
        meta = await temporal.stage_rows(store, "deduct", rows, identity="t", chunk_size=50)
        task = temporal.BulkWriteInput(
            run_id=run_id, kind="deduct", chunks=0, rows=0, settle_grace=0.2, **options
        )
        submitted = await temporal.submit_bulk_write(client, meta, task, task_queue=env.task_queue)
        with anyio.fail_after(60):
            summary = await temporal.bulk_result(submitted)
        report = [row async for row in temporal.bulk_report(store, meta)]
    return summary, report, submitted


def ledger(env: Env) -> Counter[str]:
    """How many transactions the fake holds per reason."""
    return Counter(t.reason for t in env.fake.ledger if t.reason)


async def test_every_row_applied_exactly_once_across_chunks(env: Env) -> None:
    """120 rows in 3 chunks, two at a time and continuing as new after each 2 chunks: each
    row's deduct is in the ledger exactly once, and the summary says so."""
    summary, report, _ = await run(
        env, [deduct(i) for i in range(120)], max_parallel=2, chunks_per_run=2
    )
    assert summary.totals == temporal.Totals(applied=120)
    assert summary.rows == 120
    assert summary.failed_chunks == []
    assert report == []
    assert ledger(env) == {f"row {i}": 1 for i in range(120)}


async def test_refused_rows_are_reported_as_a_failures_file_row(env: Env) -> None:
    """A row the API refuses is reported with its line, cells, error code and message,
    certainly not applied; the other rows apply."""
    rows = [deduct(0), deduct(1, email="nobody@example.com"), deduct(2)]
    summary, report, _ = await run(env, rows)
    assert summary.totals == temporal.Totals(applied=2, failed=1)
    (row,) = report
    assert (row.line, row.outcome, row.code, row.outcome_unknown) == (
        3,
        "failed",
        "INVALID_MEMBER",
        False,
    )
    assert row.cells == {
        "user_email": "nobody@example.com",
        "points_passed": "1",
        "reason": "row 1",
    }
    assert ledger(env) == {"row 0": 1, "row 2": 1}


async def test_a_lost_answer_is_settled_from_the_ledger_and_never_sent_again(env: Env) -> None:
    """The server applies a deduct and drops the connection before answering: the row is
    settled applied by reading the ledger back, not sent a second time."""
    env.fake.inject(Fault("drop_after", route="POST /deduct", every_nth=5, times=1))
    summary, report, _ = await run(env, [deduct(i) for i in range(10)])
    assert summary.totals == temporal.Totals(applied=10, settled=1)
    assert report == []
    assert ledger(env) == {f"row {i}": 1 for i in range(10)}


async def test_a_429_is_never_a_row_failure(env: Env) -> None:
    """Rows answered 429 beyond the client's retries are sent again by the chunk: every row
    applies once, none is reported."""
    env.fake.inject(Fault("rate_limit", route="POST /deduct", every_nth=2, times=8, retry_after=0))
    summary, report, _ = await run(env, [deduct(i) for i in range(12)])
    assert summary.totals == temporal.Totals(applied=12)
    assert report == []
    assert ledger(env) == {f"row {i}": 1 for i in range(12)}


async def test_the_same_run_id_attaches_and_a_finished_run_is_reported_again(env: Env) -> None:
    """Submitting a run id that is running attaches to it (one workflow, every row once);
    submitting it once finished reports it again and sends nothing."""
    run_id = env.run_id()
    rows = [deduct(i) for i in range(60)]
    first, second = await _both(run(env, rows, run_id=run_id), run(env, rows, run_id=run_id))
    assert {first[2].state, second[2].state} <= {"started", "running"}
    assert "started" in {first[2].state, second[2].state}
    again = await run(env, rows, run_id=run_id)
    assert again[2].state == "finished"
    assert again[0].totals == temporal.Totals(applied=60)
    assert ledger(env) == {f"row {i}": 1 for i in range(60)}


async def _both(first: Any, second: Any) -> tuple[Any, Any]:
    results: list[Any] = [None, None]

    async def keep(index: int, coroutine: Any) -> None:
        results[index] = await coroutine

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(keep, 0, first)
        await anyio.sleep(0.2)
        tasks.start_soon(keep, 1, second)
    return results[0], results[1]


async def test_a_run_id_of_another_input_is_refused(env: Env) -> None:
    """Staging other rows (another identity) under a staged run id is refused, naming it."""
    async with temporal.RunStore(env.redis, env.run_id()) as store:
        await temporal.stage_rows(store, "deduct", [deduct(0)], identity="one")
        with pytest.raises(temporal.RunConflictError, match="another input"):
            await temporal.stage_rows(store, "deduct", [deduct(1)], identity="two")
