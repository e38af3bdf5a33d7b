"""``export transactions|users``: stream to a file with a checkpoint; Ctrl-C is resumable."""

from __future__ import annotations

import signal
from datetime import date
from pathlib import Path

import anyio
import attrs

from .. import bulk
from .._client import ShopSociallyClient
from .._params import FilterBy, PointsStatus
from ..bulk import Checkpoint, ExportFormat
from . import _runtime as rt
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


async def run_export(settings: rt.Settings, job: ExportJob) -> int:
    """Run the export under a progress bar; returns the exit status."""
    async with settings.client() as client:
        await rt.preflight(client)
        counters = bulk.RunCounters()
        final: Checkpoint | None = None
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(_cancel_on_interrupt, tasks.cancel_scope)
            async with progress(f"export {job.kind}", counters):
                final = await _export(client, job, counters)
            tasks.cancel_scope.cancel()
    if final is None:
        rt.stderr.print(
            f"interrupted after {counters.succeeded} records; the checkpoint is "
            f"saved. To resume: {rt.resume_command()}",
            markup=False,
        )
        if rt.api_key_was_given():
            rt.stderr.print(rt.api_key_hint(), markup=False)
        return rt.EXIT_INTERRUPTED
    rt.stderr.print(
        f"wrote {final.records} records ({final.size} bytes) to {job.out}", markup=False
    )
    return rt.EXIT_OK


async def _cancel_on_interrupt(scope: anyio.CancelScope) -> None:
    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async for _ in signals:
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
