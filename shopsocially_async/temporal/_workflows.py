"""The workflows: deterministic, and clean for the sandbox (they import only the messages,
passed through, and name activities as strings, so no HTTP client is ever imported here).

``BulkWriteWorkflow`` runs a staged bulk write chunk by chunk, at most ``max_parallel``
chunks at once, and continues as new every ``chunks_per_run`` chunks (carrying its totals),
far below Temporal's history limits. A chunk that fails for good is reported with its
rows, never retried blindly. ``ExportWorkflow`` plans the windows of an export, writes each
in an activity of its own (bounded fan-out), merges them in order when all completed, and
reports the bookmark: the end of the contiguous completed prefix.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from ._messages import (
        EXPORT_WINDOW,
        MERGE_EXPORT,
        PLAN_EXPORT,
        WRITE_CHUNK,
        BulkWriteInput,
        BulkWriteSummary,
        ChunkFailure,
        ChunkTask,
        ExportInput,
        ExportSummary,
        Timing,
        Totals,
        Window,
        WindowResult,
        WindowTask,
    )

__all__ = ["BulkWriteWorkflow", "ExportWorkflow"]

#: Failures of a chunk that a retry cannot mend (its rows are gone; a newer attempt owns it).
FINAL_CHUNK_ERRORS = ["RowsMissing", "Superseded"]


def _options(timing: Timing, final: list[str] | None = None) -> dict[str, Any]:
    return {
        "heartbeat_timeout": timedelta(seconds=timing.heartbeat_timeout),
        "start_to_close_timeout": timedelta(seconds=timing.start_to_close),
        "retry_policy": RetryPolicy(
            initial_interval=timedelta(seconds=timing.retry_initial),
            maximum_interval=timedelta(seconds=timing.retry_maximum),
            maximum_attempts=timing.max_attempts,
            non_retryable_error_types=final or [],
        ),
    }


async def _lanes(count: int, lane: Callable[[], Awaitable[None]]) -> None:
    """``count`` copies of ``lane`` at once (each takes the next item until none is left)."""
    await asyncio.gather(*(lane() for _ in range(max(count, 0))))


def _cause(error: ActivityError) -> str:
    cause = error.cause
    return str(cause) if cause is not None else str(error)


@workflow.defn(name="shopsocially.BulkWrite")
class BulkWriteWorkflow:
    """A staged bulk write (``temporal.submit_bulk_write`` stages and starts it)."""

    @workflow.run
    async def run(self, run: BulkWriteInput) -> BulkWriteSummary:
        """Write chunks ``next_chunk ..`` (up to ``chunks_per_run`` of them), then continue
        as new or return the summary."""
        totals, failed = run.done, list(run.failed_chunks)
        stop_at = min(run.chunks, run.next_chunk + run.chunks_per_run)
        chunks = iter(range(run.next_chunk, stop_at))
        options = _options(run.timing, FINAL_CHUNK_ERRORS)

        async def lane() -> None:
            nonlocal totals
            for chunk in chunks:
                task = ChunkTask(run.run_id, run.kind, chunk, run.settle_grace, run.clock_skew)
                try:
                    done = await workflow.execute_activity(
                        WRITE_CHUNK, task, result_type=Totals,
                        activity_id=f"chunk-{chunk:06d}", **options,
                    )  # fmt: skip
                except ActivityError as exc:
                    failed.append(ChunkFailure(chunk, _cause(exc)))
                    continue
                totals = totals.add(done)

        await _lanes(min(run.max_parallel, stop_at - run.next_chunk), lane)
        if stop_at < run.chunks:
            workflow.continue_as_new(
                dataclasses.replace(run, next_chunk=stop_at, done=totals, failed_chunks=failed)
            )
        failed.sort(key=lambda f: f.chunk)
        return BulkWriteSummary(run.run_id, run.rows, totals, failed)


@workflow.defn(name="shopsocially.Export")
class ExportWorkflow:
    """An export over a frozen date range (``temporal.submit_export`` starts it)."""

    @workflow.run
    async def run(self, export: ExportInput) -> ExportSummary:
        """Plan the windows, write each, merge them when all completed."""
        read_from = workflow.now()  # no window is read before this moment
        options = _options(export.timing)
        windows = await workflow.execute_activity(
            PLAN_EXPORT, export, result_type=list[Window], activity_id="plan", **options
        )
        done: dict[int, WindowResult] = {}
        failed: list[int] = []
        pending = iter(enumerate(windows))

        async def lane() -> None:
            for index, window in pending:
                task = WindowTask(export, window, index)
                try:
                    done[index] = await workflow.execute_activity(
                        EXPORT_WINDOW, task, result_type=WindowResult,
                        activity_id=f"window-{index:05d}", **options,
                    )  # fmt: skip
                except ActivityError:
                    failed.append(index)

        await _lanes(min(export.max_parallel, len(windows)), lane)
        completed = [done[i] for i in sorted(done)]
        out = None
        if not failed and windows:
            await workflow.execute_activity(
                MERGE_EXPORT, args=[export, completed], activity_id="merge", **options
            )
            out = export.out
        return ExportSummary(
            run_id=export.run_id,
            windows=windows,
            completed=completed,
            failed=[windows[i] for i in sorted(failed)],
            bookmark=_bookmark(export, windows, done, read_from.date().isoformat()),
            out=out,
            records=sum(r.records for r in completed),
        )


def _bookmark(
    export: ExportInput, windows: list[Window], done: dict[int, WindowResult], today: str
) -> str:
    """The end of the contiguous completed prefix (the start, when the first window failed),
    never past ``today`` (the UTC day the export began reading): a window that reaches into
    today was read part-way through the day, so the next export starts at today again and a
    transaction made later today is in it, not lost between the two."""
    bookmark = export.start
    for index, window in enumerate(windows):
        if index not in done:
            break
        bookmark = window.end
    return min(bookmark, max(today, export.start))
