"""``award`` / ``redeem`` / ``deduct`` / ``returns`` from a CSV file.

Each processed line goes to the journal (so ``--resume`` skips it) and each failure to the
failures file (input columns + ``error_code``, ``message``, ``outcome_unknown``). Ctrl-C
stops taking lines, lets the calls in flight finish, then prints the command to resume; a
second Ctrl-C abandons the calls in flight, which are written to the failures file as
outcome unknown (never re-sent by ``--resume``: reconcile them first).
"""

from __future__ import annotations

import csv
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TextIO

import anyio
import attrs

from .. import bulk, errors
from .._client import ShopSociallyClient
from ..models import Transaction
from . import _runtime as rt
from .csvinput import RESULT_COLUMNS, SPECS, Journal, Row, count_rows, input_columns, read_rows
from .progress import progress

Method = Callable[..., Awaitable[Transaction]]


@attrs.frozen
class BulkJob:
    """One bulk command's files and switches."""

    kind: str
    csv_path: Path
    failures_path: Path
    journal_path: Path
    resume: bool


def default_paths(csv_path: Path) -> tuple[Path, Path]:
    """``orders.csv`` -> ``orders.failures.csv``, ``orders.journal``."""
    return csv_path.with_suffix(".failures.csv"), csv_path.with_suffix(".journal")


def _method(client: ShopSociallyClient, kind: str) -> Method:
    methods: dict[str, Method] = {
        "award": client.points.award,
        "redeem": client.points.redeem,
        "deduct": client.points.deduct,
        "returns": client.returns.create,
    }
    return methods[kind]


class FailuresFile:
    """The failures CSV (a context manager): appended and flushed row by row."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        self._path, self._columns = path, [*columns, *RESULT_COLUMNS]
        self.count = 0

    def __enter__(self) -> FailuresFile:
        fresh = not self._path.exists() or self._path.stat().st_size == 0
        self._handle: TextIO = self._path.open("a", newline="", encoding="utf-8")
        self._writer = csv.DictWriter(self._handle, self._columns)
        if fresh:
            self._writer.writeheader()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._handle.close()

    def add(self, row: Row, code: str, message: str, outcome_unknown: bool) -> None:
        self._writer.writerow(
            {
                **row.cells,
                "error_code": code,
                "message": message,
                "outcome_unknown": str(outcome_unknown).lower(),
            }
        )
        self._handle.flush()
        self.count += 1


def _error_code(error: errors.ShopSociallyError) -> str:
    if isinstance(error, errors.APIError) and error.error_code:
        return error.error_code
    return type(error).__name__


async def run_bulk(settings: rt.Settings, job: BulkJob) -> int:
    """Check the file, then send every line not yet done; returns the exit status."""
    spec = SPECS[job.kind]
    journal = Journal(job.journal_path)
    if journal.exists():
        if not job.resume:
            raise rt.CliError(
                f"{job.journal_path} exists from an earlier run: pass --resume to "
                "skip the lines it lists, or delete it to start over"
            )
        await anyio.to_thread.run_sync(journal.load)
    rows, todo = await anyio.to_thread.run_sync(count_rows, job.csv_path, spec, journal.done)
    columns = input_columns(job.csv_path, spec)
    async with settings.client() as client:
        await rt.preflight(client)
        counters = bulk.RunCounters(total=todo)
        runner = _Runner(_method(bulk.counting_retries(client, counters), job.kind), counters)
        with journal, FailuresFile(job.failures_path, columns) as failures:
            await runner.run(settings, job, journal, failures)
    return _report(job, runner, counters, rows - todo)


class _Runner:
    """Streams the lines through ``bulk.run_many``, recording every result as it comes."""

    def __init__(self, method: Method, counters: bulk.RunCounters) -> None:
        self._method = method
        self.counters = counters
        self.in_flight: dict[int, Row] = {}
        self.interrupted = False
        self.abandoned = 0

    async def _call(self, row: Row) -> Transaction:
        # A row leaves in_flight only once its result is recorded (see run): a hard stop
        # then finds every row whose result it never wrote down, finished or not.
        self.in_flight[row.line] = row
        return await self._method(**row.arguments)

    async def run(
        self, settings: rt.Settings, job: BulkJob, journal: Journal, failures: FailuresFile
    ) -> None:
        spec = SPECS[job.kind]
        rows = (r for r in read_rows(job.csv_path, spec) if not journal.done(r.line))
        async with anyio.create_task_group() as guard:
            async with (
                bulk.run_many(
                    self._call,
                    rows,
                    concurrency=settings.workers(),
                    rate=settings.rate,
                    counters=self.counters,
                ) as run,
                progress(job.kind, self.counters),
            ):
                guard.start_soon(self._watch_interrupts, run, guard.cancel_scope)
                try:
                    async for result in run:
                        _record(result, journal, failures)
                        del self.in_flight[result.input.line]
                finally:
                    self._abandon(journal, failures)
            guard.cancel_scope.cancel()

    async def _watch_interrupts(
        self, run: bulk.BulkRun[Row, Transaction], hard_stop: anyio.CancelScope
    ) -> None:
        with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async for _ in signals:
                if self.interrupted:
                    hard_stop.cancel()
                    return
                self.interrupted = True
                run.stop()
                rt.stderr.print(
                    f"\nstopping: waiting for {len(self.in_flight)} calls in flight "
                    "(Ctrl-C again to abandon them)",
                    markup=False,
                )

    def _abandon(self, journal: Journal, failures: FailuresFile) -> None:
        """Rows abandoned by a hard stop may have applied: failures file, outcome unknown."""
        for row in list(self.in_flight.values()):
            failures.add(row, "INTERRUPTED", "abandoned in flight; may have been applied", True)
            journal.record(row.line)
            self.abandoned += 1
        self.in_flight.clear()


def _record(result: bulk.BulkResult[Row, Any], journal: Journal, failures: FailuresFile) -> None:
    error = None if result.replayed else result.error  # a replay applied exactly once
    if error is not None:
        failures.add(result.input, _error_code(error), str(error), error.outcome_unknown)
    journal.record(result.input.line)


def _report(job: BulkJob, runner: _Runner, counters: bulk.RunCounters, skipped: int) -> int:
    if skipped:
        rt.stderr.print(f"skipped {skipped} lines already done (from {job.journal_path})")
    failed = counters.failed + runner.abandoned
    if failed:
        rt.stderr.print(
            f"{failed} failed lines written to {job.failures_path} "
            f"({counters.outcome_unknown + runner.abandoned} outcome unknown: "
            "reconcile those before sending them again)",
            markup=False,
        )
    if runner.interrupted:
        rt.stderr.print(f"interrupted. To resume: {rt.resume_command()}", markup=False)
        if rt.api_key_was_given():
            rt.stderr.print(rt.api_key_hint(), markup=False)
        return rt.EXIT_INTERRUPTED
    return rt.EXIT_ITEMS_FAILED if failed else rt.EXIT_OK
