"""``export transactions|users``: stream to a file with a checkpoint; Ctrl-C is resumable."""

from __future__ import annotations

import signal
from datetime import date, datetime, timezone
from pathlib import Path

import anyio
import attrs

from .. import bulk
from .._client import ShopSociallyClient
from .._params import FilterBy, PointsStatus
from ..bulk import Checkpoint, ExportFormat
from . import _runtime as rt
from . import ignore_late_signals
from .progress import progress


@attrs.frozen
class ExportJob:
    """What to export, where, and how."""

    kind: str  # "transactions" or "users"
    out: Path
    from_date: date
    to_date: date
    format: ExportFormat
    status: tuple[PointsStatus, ...] = ()
    user_email: str | None = None
    filter_by: FilterBy | None = None
    window_days: int | None = None
    resume: bool = False
    force: bool = False


SUFFIXES: dict[str, ExportFormat] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}


def resolve_format(out: Path, given: str | None) -> ExportFormat:
    """``--format``, or what the output's suffix says; a contradiction is refused."""
    inferred = SUFFIXES.get(out.suffix.lower())
    if given is None:
        if inferred is None:
            raise rt.CliError(
                f"--out {out}: cannot tell the format from its name; end it in .jsonl or .csv, "
                "or pass --format jsonl|csv"
            )
        return inferred
    rt.check_choice("--format", given, ("jsonl", "csv"))
    if inferred is not None and inferred != given:
        raise rt.CliError(f"--format {given} contradicts --out {out}: drop one of them")
    return "csv" if given == "csv" else "jsonl"


def today_utc() -> date:
    """Today's date in UTC (the API's days are UTC days)."""
    return datetime.now(timezone.utc).date()


def say_if_partial(job: ExportJob) -> None:
    """A day is complete only once it is over: warn when ``--to`` reaches today or later."""
    today = today_utc()
    if job.to_date >= today:
        rt.say(
            f"note: --to {job.to_date} reaches today ({today}, UTC), which is not over: "
            f"{job.kind} recorded after this export reads its day are not in it (the next "
            f"export should start at --from {today})"
        )


def check_output(job: ExportJob) -> None:
    """An existing output is overwritten only with --force, or continued with --resume."""
    if job.force or not job.out.exists():
        return
    checkpoint = Path(f"{job.out}.checkpoint.json")
    if not job.resume:
        raise rt.CliError(
            f"{job.out} exists: pass --resume to continue the export that wrote it, or "
            "--force to overwrite it"
        )
    if not checkpoint.exists():
        raise rt.CliError(
            f"{job.out} exists but has no checkpoint ({checkpoint.name}): no export of ours "
            "was interrupted there; pass --force to overwrite it"
        )


async def run_export(settings: rt.Settings, job: ExportJob) -> int:
    """Run the export under a progress bar; returns the exit status."""
    check_output(job)
    async with settings.client() as client:
        await rt.preflight(client)
        counters = bulk.RunCounters()
        final: Checkpoint | None = None
        stopped: list[int] = []
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(_cancel_on_stop, tasks.cancel_scope, stopped)
            async with progress(f"export {job.kind}", counters):
                final = await _export(client, job, counters)
            tasks.cancel_scope.cancel()
        ignore_late_signals()
    if final is None:
        rt.say(
            f"{rt.stop_message(stopped[0])} after {counters.succeeded} records; the checkpoint "
            f"is saved. To resume: {rt.resume_command()}"
        )
        if rt.api_key_was_given():
            rt.say(rt.api_key_hint())
        return rt.exit_status(stopped[0])
    rt.say(f"wrote {final.records} records ({final.size} bytes) to {job.out}")
    return rt.EXIT_OK


async def _cancel_on_stop(scope: anyio.CancelScope, stopped: list[int]) -> None:
    with anyio.open_signal_receiver(*rt.STOP_SIGNALS) as signals:
        async for signum in signals:
            if signum == getattr(signal, "SIGHUP", None):
                rt.detach_terminal()
            stopped.append(signum)
            scope.cancel()  # the page being written completes and is checkpointed first
            return


async def _export(
    client: ShopSociallyClient, job: ExportJob, counters: bulk.RunCounters
) -> Checkpoint:
    if job.kind == "users":
        return await bulk.export_users(
            client,
            job.out,
            from_date=job.from_date,
            to_date=job.to_date,
            filter_by=job.filter_by,
            format=job.format,
            window_days=job.window_days,
            resume=job.resume,
            counters=counters,
        )
    return await bulk.export_transactions(
        client,
        job.out,
        from_date=job.from_date,
        to_date=job.to_date,
        points_status=list(job.status) or None,
        user_email=job.user_email,
        format=job.format,
        window_days=job.window_days,
        resume=job.resume,
        counters=counters,
    )
