"""``export transactions|users``: the commands (the work is in :mod:`.exportcmd`, or on
Temporal in :mod:`.temporalcmd`)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .._params import FILTER_BY_VALUES, POINTS_STATUS_VALUES
from . import _runtime as rt
from .appbase import DEFAULT_TASK_QUEUE, GLOBAL_EPILOG, settings_of, target_of
from .exportcmd import ExportJob, resolve_format, run_export, say_if_partial
from .options import (
    ExportResumeOpt,
    ForceOpt,
    FormatOpt,
    FromOpt,
    HeartbeatOpt,
    OutOpt,
    RunIdOpt,
    TaskQueueOpt,
    TemporalOpt,
    ToOpt,
    WindowOpt,
)
from .temporalcmd import TemporalTarget

export_app = typer.Typer(help="Stream transactions or members to JSON lines or CSV (resumable).")


def _export(
    ctx: typer.Context,
    from_text: str,
    to_text: str,
    target: TemporalTarget | None,
    **fields: Any,
) -> None:
    settings = settings_of(ctx)

    async def main() -> int:
        fields["format"] = resolve_format(fields["out"], fields["format"])
        for status in fields.get("status", ()):
            rt.check_choice("--status", status, sorted(POINTS_STATUS_VALUES))
        rt.check_choice("--filter-by", fields.get("filter_by"), sorted(FILTER_BY_VALUES))
        from_date, to_date = rt.parse_date("--from", from_text), rt.parse_date("--to", to_text)
        if from_date > to_date:
            raise rt.CliError(f"--from ({from_date}) is after --to ({to_date})")
        job = ExportJob(from_date=from_date, to_date=to_date, **fields)
        say_if_partial(job)
        if target is not None:
            from .temporalcmd import submit_export

            return await submit_export(settings, job, target)
        return await run_export(settings, job)

    rt.run(main)


@export_app.command("transactions", epilog=GLOBAL_EPILOG)
def export_transactions(
    ctx: typer.Context,
    from_text: FromOpt,
    to_text: ToOpt,
    out: OutOpt,
    format: FormatOpt = None,
    status: Annotated[
        list[str] | None,
        typer.Option(help="points_status filter; repeatable", show_default="every status"),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(help="Only this member's transactions", show_default="every member"),
    ] = None,
    window_days: WindowOpt = None,
    resume: ExportResumeOpt = False,
    force: ForceOpt = False,
    temporal: TemporalOpt = None,
    run_id: RunIdOpt = None,
    task_queue: TaskQueueOpt = DEFAULT_TASK_QUEUE,
    heartbeat_timeout: HeartbeatOpt = 10.0,
) -> None:
    """Every transaction between two dates (or one member's); with --temporal, by the
    workers, a window of days per activity (--window-days, default 7 there)."""
    _export(
        ctx,
        target=target_of(temporal, None, run_id, task_queue, heartbeat_timeout, needs_redis=False),
        kind="transactions",
        from_text=from_text,
        to_text=to_text,
        out=out,
        format=format,
        status=tuple(status or ()),
        user_email=user,
        window_days=window_days,
        resume=resume,
        force=force,
    )


@export_app.command("users", epilog=GLOBAL_EPILOG)
def export_users(
    ctx: typer.Context,
    from_text: FromOpt,
    to_text: ToOpt,
    out: OutOpt,
    format: FormatOpt = None,
    filter_by: Annotated[
        str | None,
        typer.Option(help="enrollment_date or last_activity_date", show_default="enrollment_date"),
    ] = None,
    window_days: WindowOpt = None,
    resume: ExportResumeOpt = False,
    force: ForceOpt = False,
    temporal: TemporalOpt = None,
    run_id: RunIdOpt = None,
    task_queue: TaskQueueOpt = DEFAULT_TASK_QUEUE,
    heartbeat_timeout: HeartbeatOpt = 10.0,
) -> None:
    """Every member enrolled (or active) between two dates (with --temporal: as
    export transactions does)."""
    _export(
        ctx,
        target=target_of(temporal, None, run_id, task_queue, heartbeat_timeout, needs_redis=False),
        kind="users",
        from_text=from_text,
        to_text=to_text,
        out=out,
        format=format,
        filter_by=filter_by,
        window_days=window_days,
        resume=resume,
        force=force,
    )
