"""Bulk writes and exports run by many workers on Temporal, paced as one account.

Needs the ``temporal`` extra (``pip install 'shopsocially-async[temporal]'``: temporalio and
coredis) and a Redis that every worker reaches: it holds each run's rows, every row's
outcome, and the shared rate limit. The command line drives all of it (``shopsocially-async
worker``, ``award FILE --temporal ...``); from Python::

    from temporalio.client import Client
    from shopsocially_async import ShopSociallyClient, temporal

    # a worker process (run as many as you like, anywhere)
    tc = await Client.connect("127.0.0.1:7233")
    async with temporal.open_worker(
        tc, redis="redis://127.0.0.1:6379/0", account="partner-1", rate=20,
        make_client=lambda limiter: ShopSociallyClient(rate_limiter=limiter),
    ) as worker:
        await worker.run()

    # submitting a run
    async with temporal.RunStore("redis://127.0.0.1:6379/0", "nightly-2024-05-01") as store:
        meta = await temporal.stage_rows(store, "deduct", rows, identity=digest)
        run = temporal.BulkWriteInput(run_id=store.run_id, kind="deduct", chunks=0, rows=0)
        submitted = await temporal.submit_bulk_write(tc, meta, run)
        summary = await temporal.bulk_result(submitted)
        async for row in temporal.bulk_report(store, meta):
            print(row.line, row.outcome, row.code)

How it holds up: every row is recorded in Redis as *sent* before its request leaves and
with its outcome once known, fenced so that only the newest attempt of a chunk records (or
sends) anything. A worker killed mid-chunk is noticed within the heartbeat timeout; the
next attempt settles the rows the dead one left in doubt by reading the ledger back
(``bulk.settle``), then sends the rest. A row that cannot be settled is reported as
ambiguous and never sent again; Temporal never retries a write blindly.
"""

from __future__ import annotations

from ._activities import Activities, open_activities
from ._messages import (
    BulkWriteInput,
    BulkWriteSummary,
    ChunkFailure,
    ExportInput,
    ExportSummary,
    Timing,
    Totals,
    Window,
    WindowResult,
)
from ._store import RowRecord, RunMeta, RunStore, StagedRow, check_run_id
from ._submit import (
    DEFAULT_CHUNK_SIZE,
    InputAlreadyRunError,
    RowReport,
    RunConflictError,
    Submitted,
    bulk_report,
    bulk_result,
    export_result,
    stage_rows,
    submit_bulk_write,
    submit_export,
)
from ._worker import DEFAULT_TASK_QUEUE, open_worker, sandbox_runner
from ._workflows import BulkWriteWorkflow, ExportWorkflow

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_TASK_QUEUE",
    "Activities",
    "BulkWriteInput",
    "BulkWriteSummary",
    "BulkWriteWorkflow",
    "ChunkFailure",
    "ExportInput",
    "ExportSummary",
    "ExportWorkflow",
    "InputAlreadyRunError",
    "RowRecord",
    "RowReport",
    "RunConflictError",
    "RunMeta",
    "RunStore",
    "StagedRow",
    "Submitted",
    "Timing",
    "Totals",
    "Window",
    "WindowResult",
    "bulk_report",
    "bulk_result",
    "check_run_id",
    "export_result",
    "open_activities",
    "open_worker",
    "sandbox_runner",
    "stage_rows",
    "submit_bulk_write",
    "submit_export",
]
