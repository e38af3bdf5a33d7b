"""Runs on Temporal from the command line: ``worker``, and ``award|redeem|deduct|returns FILE
--temporal ...`` / ``export ... --temporal ...`` that submit a run and watch it.

A submitted run belongs to the workers, not to this command: Ctrl-C here stops watching
(the run goes on), and the same command with the same ``--run-id`` attaches to it again, or,
once it has finished, reports it again without sending anything.
"""

from __future__ import annotations

import hashlib
import signal
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import anyio
import attrs

from .. import bulk
from .._config import DEFAULT_BASE_URL
from . import _runtime as rt
from . import ignore_late_signals
from .csvinput import RowReader, check_input
from .exportcmd import ExportJob
from .journal import Failure
from .journaling import say_failures, write_failure_file
from .outputs import plural
from .progress import progress

T = TypeVar("T")
STATES = {
    "started": "started",
    "running": "already running: watching it (no row is sent twice)",
    "finished": "finished earlier: reporting it again (nothing is sent)",
}
POLL_SECONDS = 1.0


@attrs.frozen
class TemporalTarget:
    """Where a run goes: the Temporal front end, its Redis, the run id, the task queue."""

    address: str
    run_id: str
    redis: str | None = None
    task_queue: str = "shopsocially"
    heartbeat_timeout: float = 10.0
    chunk_size: int = 200


def check_target(
    address: str | None, redis: str | None, run_id: str | None, *, needs_redis: bool
) -> None:
    """The options a Temporal run needs come together (one clear line when one is missing)."""
    if address is None:
        if redis is not None or run_id is not None:
            raise rt.CliError("--redis and --run-id go with --temporal HOST:PORT")
        return
    if run_id is None:
        raise rt.CliError("--temporal needs --run-id ID (the same ID attaches to the run)")
    if needs_redis and redis is None:
        raise rt.CliError("--temporal needs --redis URL (where the run's rows are kept)")


async def connect(address: str) -> Any:
    """A Temporal client, or a one-line error saying it cannot be reached."""
    from temporalio.client import Client

    try:
        return await Client.connect(address)
    except RuntimeError as exc:
        message = f"cannot reach Temporal at {address}: {exc}"
        raise rt.CliError(message, rt.EXIT_UNREACHABLE) from None


async def check_redis(url: str) -> None:
    """One PING, so that an unreachable or wrong ``--redis`` is one line (exit 3), not a
    traceback."""
    try:
        import coredis
    except ImportError:
        return  # _imports() says how to install the extra
    try:
        client: Any = coredis.Redis.from_url(url, connect_timeout=2.0, stream_timeout=5.0)
        async with client:
            await client.ping()
    except Exception as exc:  # whatever failed, Redis cannot be used
        cause = rt.innermost(exc)  # coredis raises inside its own task group
        raise rt.CliError(
            f"cannot reach Redis at {redis_where(url)}: {cause}", rt.EXIT_UNREACHABLE
        ) from None


def redis_where(url: str) -> str:
    """The Redis URL without credentials."""
    return url.split("@")[-1].split("://")[-1]


def _imports() -> Any:
    try:
        from .. import temporal
    except ImportError as exc:
        raise rt.CliError(
            f"--temporal needs its extra: pip install 'shopsocially-async[temporal]' ({exc})"
        ) from None
    return temporal


# -- bulk writes ------------------------------------------------------------------------------
def _account(settings: rt.Settings) -> str:
    """Whose inputs a file is remembered among: the partner at its API (a staging API and
    the production one, with one partner id, are two accounts; one API however spelt, by
    host case, default port or trailing slash, is one)."""
    url = urlsplit(settings.base_url or DEFAULT_BASE_URL)
    default_port = {"http": 80, "https": 443}.get(url.scheme.lower())
    port = "" if url.port in (None, default_port) else f":{url.port}"
    api = f"{url.scheme.lower()}://{(url.hostname or '').lower()}{port}{url.path.rstrip('/')}"
    return f"{settings.partner_id}@{hashlib.blake2b(api.encode(), digest_size=8).hexdigest()}"


async def submit_bulk(settings: rt.Settings, job: Any, target: TemporalTarget) -> int:
    """Stage the file's rows, start (or attach to) the run, watch it, write the failures."""
    temporal = _imports()
    checked = await anyio.to_thread.run_sync(
        check_input, job.csv_path, job.kind, job.encoding, job.ignore_columns
    )
    await check_redis(target.redis or "")
    client = await connect(target.address)
    async with temporal.RunStore(target.redis, target.run_id) as store:
        reader = RowReader(job.csv_path, job.kind, checked.encoding, ignored=job.ignore_columns)
        rows = (temporal.StagedRow(r.line, r.cells, r.settle_arguments) for r in reader)
        try:
            meta = await temporal.stage_rows(
                store, job.kind, rows, identity=checked.sha256, chunk_size=target.chunk_size,
                account=_account(settings), force=job.force_new_run,
            )  # fmt: skip
        except temporal.InputAlreadyRunError as exc:
            raise rt.CliError(_already_run(job, exc.other_run_id)) from None
        except temporal.RunConflictError as exc:
            raise rt.CliError(str(exc)) from None
        finally:
            reader.close()  # staging refused before reading the whole file
        run = temporal.BulkWriteInput(
            run_id=target.run_id, kind=job.kind, chunks=meta.chunks, rows=meta.rows,
            settle_grace=job.policy.grace.total_seconds(),
            clock_skew=job.policy.clock_skew.total_seconds(),
            timing=temporal.Timing(heartbeat_timeout=target.heartbeat_timeout),
        )  # fmt: skip
        submitted = await temporal.submit_bulk_write(
            client, meta, run, task_queue=target.task_queue
        )
        rows_and_chunks = (f"{meta.rows} {plural(meta.rows, 'row', 'rows')}, {meta.chunks} "
                           f"{plural(meta.chunks, 'chunk', 'chunks')}")  # fmt: skip
        rt.say(f"run {target.run_id} ({rows_and_chunks}): {STATES[submitted.state]}")
        summary = await _watching(
            target, lambda: _watch_bulk(temporal, store, meta, submitted, job.kind)
        )
        if summary is None:
            return rt.EXIT_INTERRUPTED
        failures = [_failure(r) async for r in temporal.bulk_report(store, meta)]
    await anyio.to_thread.run_sync(write_failure_file, job.failures_path, job.kind, failures)
    return _bulk_report(summary, failures, job.failures_path)


def _already_run(job: Any, other: str) -> str:
    return (
        f"{job.csv_path} (this same content) was already submitted as run {other}: a new run "
        f"would apply its rows again. To watch or report that run: --run-id {other}. "
        "(--force-new-run submits it anyway, applying every row again.)"
    )


async def _watch_bulk(temporal: Any, store: Any, meta: Any, submitted: Any, kind: str) -> Any:
    counters = bulk.RunCounters(total=meta.rows)
    async with anyio.create_task_group() as tasks, progress(kind, counters):
        tasks.start_soon(_poll_counts, store, counters)
        summary = await temporal.bulk_result(submitted)
        tasks.cancel_scope.cancel()
    await _count(store, counters)
    return summary


async def _poll_counts(store: Any, counters: bulk.RunCounters) -> None:
    while True:
        await _count(store, counters)
        await anyio.sleep(POLL_SECONDS)


async def _count(store: Any, counters: bulk.RunCounters) -> None:
    counts = await store.counts()
    counters.succeeded = counts["applied"]
    counters.failed = counts["failed"] + counts["ambiguous"]
    counters.outcome_unknown = counts["ambiguous"]
    counters.settled = counts["settled"]


def _failure(row: Any) -> Failure:
    return Failure(
        row.line, row.cells, row.code, row.message, row.outcome_unknown, row.sent_at,
        row.candidates,
    )  # fmt: skip


def _bulk_report(summary: Any, failures: list[Failure], path: Path) -> int:
    totals = summary.totals
    rt.say(
        f"run {summary.run_id}: {totals.applied} applied, {totals.failed} failed, "
        f"{totals.ambiguous} ambiguous ({totals.settled} in doubt settled by reading the "
        "ledger back)"
    )
    for failed in summary.failed_chunks:
        rt.say(f"chunk {failed.chunk} failed: {failed.message}")
    say_failures(path, failures)
    return rt.EXIT_ITEMS_FAILED if failures else rt.EXIT_OK


# -- exports ----------------------------------------------------------------------------------
async def submit_export(settings: rt.Settings, job: ExportJob, target: TemporalTarget) -> int:
    """Start (or attach to) an export run, watch it, report where its output is."""
    temporal = _imports()
    out = job.out.resolve()
    export = temporal.ExportInput(
        run_id=target.run_id, kind=job.kind, start=job.from_date.isoformat(),
        end=(job.to_date + timedelta(days=1)).isoformat(), out=str(out),
        out_dir=str(out.with_name(f"{out.name}.windows")), format=job.format,
        window_days=job.window_days or 7, points_status=list(job.status) or None,
        user_email=job.user_email, filter_by=job.filter_by,
        timing=temporal.Timing(heartbeat_timeout=target.heartbeat_timeout),
    )  # fmt: skip
    client = await connect(target.address)
    submitted = await temporal.submit_export(client, export, task_queue=target.task_queue)
    rt.say(f"export run {target.run_id}: {STATES[submitted.state]}")
    summary = await _watching(target, lambda: temporal.export_result(submitted))
    if summary is None:
        return rt.EXIT_INTERRUPTED
    done = len(summary.completed)
    overlap = (
        " (that day again: this export read it part-way; records already exported come "
        "again, so de-duplicate by id)"
        if summary.bookmark < (job.to_date + timedelta(days=1)).isoformat()
        and done == len(summary.windows)
        else ""
    )
    rt.say(
        f"{done} of {len(summary.windows)} windows exported, {summary.records} records; "
        f"the next incremental export starts at --from {summary.bookmark}{overlap}"
    )
    if summary.out is None:
        rt.say(f"{len(summary.failed)} windows failed: nothing merged into {out}")
        return rt.EXIT_ITEMS_FAILED
    rt.say(f"wrote {out} (manifest: {out}.manifest.json)")
    return rt.EXIT_OK


# -- Ctrl-C stops watching, never the run --------------------------------------------------------
async def _watching(target: TemporalTarget, watch: Callable[[], Awaitable[T]]) -> T | None:
    """``watch()``'s result, or None when a stop signal came first (the run goes on)."""
    result: list[T] = []
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(_stop_on_signal, tasks.cancel_scope, target)
        result.append(await watch())
        tasks.cancel_scope.cancel()
    ignore_late_signals()
    return result[0] if result else None


async def _stop_on_signal(scope: anyio.CancelScope, target: TemporalTarget) -> None:
    with anyio.open_signal_receiver(*rt.STOP_SIGNALS) as signals:
        async for signum in signals:
            if signum == getattr(signal, "SIGHUP", None):
                rt.detach_terminal()
            rt.say(
                f"\nstopped watching; run {target.run_id} goes on on the workers. To watch it "
                f"again: {rt.resume_command(())}"
            )
            scope.cancel()
            return
