"""The commands and options of ``shopsocially-async`` (typer); the work lives in sibling modules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import __version__, _config, bulk
from .._params import FILTER_BY_VALUES, POINTS_STATUS_VALUES
from ..bulk import DEFAULT_CONCURRENCY
from ..bulk._records import plain
from . import _runtime as rt
from .bulkcmd import BulkJob, default_paths, run_bulk
from .exportcmd import ExportJob, resolve_format, run_export, say_if_partial
from .options import (
    DEFAULT_GRACE,
    DEFAULT_SKEW,
    FLAG,
    ChangedOpt,
    ChunkOpt,
    CsvArg,
    EncodingOpt,
    ExportResumeOpt,
    FailuresOpt,
    ForceNewRunOpt,
    ForceOpt,
    FormatOpt,
    FromOpt,
    GraceOpt,
    HeartbeatOpt,
    IgnoreColumnOpt,
    JournalOpt,
    OutOpt,
    RedisOpt,
    ResumeOpt,
    RunIdOpt,
    SkewOpt,
    TaskQueueOpt,
    TemporalOpt,
    ToOpt,
    WindowOpt,
)
from .reconcilecmd import ReconcileJob, run_reconcile
from .temporalcmd import TemporalTarget, check_target

app = typer.Typer(
    name="shopsocially-async",
    help="Bulk loyalty jobs against the ShopSocially API (or the embedded one: try demo).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
DEMO_CONCURRENCY = 32
DEFAULT_TASK_QUEUE = "shopsocially"
export_app = typer.Typer(help="Stream transactions or members to JSON lines or CSV (resumable).")
app.add_typer(export_app, name="export")


#: Every command's help ends with this: global options may follow the command too.
GLOBAL_EPILOG = (
    "Global options (--base-url, --partner-id, --api-key, --concurrency, --rate, "
    "--max-retries, --timeout, --version) may come before or after the command: "
    "shopsocially-async --help describes them."
)


def run(argv: list[str]) -> None:
    """Run the command line (``main()`` calls this once typer is importable)."""
    try:
        argv = rt.hoist_global_options(argv)
    except rt.CliError as exc:
        rt.say(f"error: {exc}")
        raise SystemExit(exc.code) from None
    rt.ARGV.set(tuple(argv))
    app(args=argv, prog_name="shopsocially-async")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"shopsocially-async {__version__}")
        raise typer.Exit()


@app.callback()
def options(
    ctx: typer.Context,
    base_url: Annotated[
        str | None,
        typer.Option(
            envvar=_config.ENV_BASE_URL,
            help="API base URL, ending in /v2/loyalty",
            show_default=_config.DEFAULT_BASE_URL,
        ),
    ] = None,
    partner_id: Annotated[
        str | None,
        typer.Option(envvar=_config.ENV_PARTNER_ID, help="Your partner id", show_default="none"),
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option(
            envvar=_config.ENV_API_KEY,
            help="API key (prefer the environment variable)",
            show_default="none",
        ),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=1000,
            help="Calls in flight at once",
            show_default=f"{DEFAULT_CONCURRENCY}; demo {DEMO_CONCURRENCY}",
        ),
    ] = None,
    rate: Annotated[
        float | None,
        typer.Option(min=0.01, help="Most requests per second", show_default="unlimited"),
    ] = None,
    max_retries: Annotated[
        int, typer.Option(min=0, max=20, help="Retries of a call that is safe to repeat")
    ] = _config.DEFAULT_MAX_RETRIES,
    timeout: Annotated[
        float,
        typer.Option(
            min=0.1,
            help="Seconds per request; a whole call, retries included, gets this once per "
            "attempt (--timeout x (--max-retries + 1))",
        ),
    ] = 30.0,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            metavar=FLAG,
            help="Print the version and exit",
        ),
    ] = False,
) -> None:
    """Global options (before or after the command); credentials fall back to the
    SHOPSOCIALLY_* environment variables."""
    ctx.obj = rt.Settings(base_url, partner_id, api_key, concurrency, rate, max_retries, timeout)


def _settings(ctx: typer.Context) -> rt.Settings:
    settings = ctx.find_root().obj
    assert isinstance(settings, rt.Settings)
    return settings


def _bulk_command(kind: str, summary: str) -> None:
    """Register the CSV-driven write command ``kind``: the four differ only in their CSV."""

    def command(
        ctx: typer.Context,
        csv_path: CsvArg,
        failures: FailuresOpt = None,
        journal: JournalOpt = None,
        resume: ResumeOpt = False,
        allow_changed_input: ChangedOpt = False,
        force_new_run: ForceNewRunOpt = False,
        encoding: EncodingOpt = None,
        ignore_column: IgnoreColumnOpt = None,
        clock_skew: SkewOpt = DEFAULT_SKEW,
        settle_grace: GraceOpt = DEFAULT_GRACE,
        temporal: TemporalOpt = None,
        redis: RedisOpt = None,
        run_id: RunIdOpt = None,
        task_queue: TaskQueueOpt = DEFAULT_TASK_QUEUE,
        heartbeat_timeout: HeartbeatOpt = 10.0,
        chunk_size: ChunkOpt = 200,
    ) -> None:
        default_failures, default_journal = default_paths(csv_path)
        policy = bulk.SettlePolicy(clock_skew=clock_skew, grace=settle_grace)
        job = BulkJob(
            kind,
            csv_path,
            failures or default_failures,
            journal or default_journal,
            resume=resume,
            encoding=encoding,
            allow_changed_input=allow_changed_input,
            policy=policy,
            ignore_columns=tuple(ignore_column or ()),
            force_new_run=force_new_run,
        )
        settings = _settings(ctx)
        target = _target(temporal, redis, run_id, task_queue, heartbeat_timeout, chunk_size)
        if target is None:
            rt.run(lambda: run_bulk(settings, job))
            return
        if resume or journal is not None or allow_changed_input:
            _fail_usage("--resume, --allow-changed-input and --journal are for runs here; on "
                        "Temporal the same --run-id continues a run")  # fmt: skip
        from .temporalcmd import submit_bulk

        rt.run(lambda: submit_bulk(settings, job, target))

    app.command(kind, help=summary, epilog=GLOBAL_EPILOG)(command)


def _fail_usage(message: str) -> None:
    rt.say(f"error: {message}")
    raise typer.Exit(rt.EXIT_USAGE)


def _target(
    temporal: str | None,
    redis: str | None,
    run_id: str | None,
    task_queue: str,
    heartbeat_timeout: float,
    chunk_size: int = 200,
    *,
    needs_redis: bool = True,
) -> TemporalTarget | None:
    """Where a Temporal run goes, or None for a run here; a missing companion option is
    a usage error."""
    try:
        check_target(temporal, redis, run_id, needs_redis=needs_redis)
    except rt.CliError as exc:
        _fail_usage(str(exc))
    if temporal is None or run_id is None:
        return None
    return TemporalTarget(
        temporal, run_id, redis, task_queue, heartbeat_timeout=heartbeat_timeout,
        chunk_size=chunk_size,
    )  # fmt: skip


_bulk_command("award", "Award points: columns user_email, activity_id[, points_passed, order_id].")
_bulk_command("redeem", "Redeem rewards: columns user_email, redemption_id.")
_bulk_command("deduct", "Deduct points: columns user_email, points_passed, reason.")
_bulk_command(
    "returns",
    "Process returns: columns order_id[, returned_amount, user_email]. user_email (the "
    "order's member, not sent) lets a return in doubt be settled.",
)


@app.command(epilog=GLOBAL_EPILOG)
def reconcile(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="A failures file (or any input CSV, with --since)"),
    ],
    since: Annotated[
        str | None,
        typer.Option(
            help="When rows without a sent_at column were sent, e.g. 2024-05-01T09:30 (UTC)",
            show_default="none: every row needs its sent_at",
        ),
    ] = None,
    encoding: EncodingOpt = None,
    clock_skew: SkewOpt = DEFAULT_SKEW,
    settle_grace: GraceOpt = DEFAULT_GRACE,
) -> None:
    """Settle the rows that may have applied (outcome_unknown=true) by reading the ledger back.

    Writes FILE.reconciled.csv (every row's verdict) and FILE.resend.csv (the rows that did
    not apply, ready to send); exits 1 while any row stays ambiguous.
    """
    settings = _settings(ctx)
    policy = bulk.SettlePolicy(clock_skew=clock_skew, grace=settle_grace)

    async def main() -> int:
        job = ReconcileJob(path, rt.parse_time("--since", since), encoding, policy)
        return await run_reconcile(settings, job)

    rt.run(main)


def _export(
    ctx: typer.Context,
    from_text: str,
    to_text: str,
    target: TemporalTarget | None,
    **fields: Any,
) -> None:
    settings = _settings(ctx)

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
        target=_target(temporal, None, run_id, task_queue, heartbeat_timeout, needs_redis=False),
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
        target=_target(temporal, None, run_id, task_queue, heartbeat_timeout, needs_redis=False),
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


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _lookup(ctx: typer.Context, fetch: Any) -> None:
    settings = _settings(ctx)

    async def main() -> int:
        async with settings.client() as client:
            result = await fetch(client)
        _print_json([plain(r) for r in result] if isinstance(result, list) else plain(result))
        return rt.EXIT_OK

    rt.run(main)


@app.command(epilog=GLOBAL_EPILOG)
def user(ctx: typer.Context, email: Annotated[str, typer.Argument(metavar="EMAIL")]) -> None:
    """One member, with balances (JSON)."""
    _lookup(ctx, lambda client: client.users.get(email))


@app.command(epilog=GLOBAL_EPILOG)
def transaction(
    ctx: typer.Context, transaction_id: Annotated[str, typer.Argument(metavar="ID")]
) -> None:
    """One transaction by id (JSON)."""
    _lookup(ctx, lambda client: client.transactions.get(transaction_id))


@app.command(epilog=GLOBAL_EPILOG)
def activities(ctx: typer.Context) -> None:
    """Every activity (JSON)."""
    _lookup(ctx, lambda client: client.activities.list())


@app.command(epilog=GLOBAL_EPILOG)
def redemptions(ctx: typer.Context) -> None:
    """Every redemption option (JSON)."""
    _lookup(ctx, lambda client: client.redemptions.list())


@app.command(epilog=GLOBAL_EPILOG)
def worker(
    ctx: typer.Context,
    temporal: Annotated[
        str, typer.Option("--temporal", metavar="HOST:PORT", help="The Temporal front end")
    ],
    redis: Annotated[
        str,
        typer.Option(
            "--redis", metavar="URL", help="The Redis the workers share (rows, the rate limit)"
        ),
    ],
    task_queue: TaskQueueOpt = DEFAULT_TASK_QUEUE,
    max_chunks: Annotated[
        int, typer.Option(min=1, max=100, help="Chunks (activities) this worker runs at once")
    ] = 4,
    drain: Annotated[
        float, typer.Option(min=0, help="Seconds a Ctrl-C waits for the calls in flight")
    ] = 60.0,
) -> None:
    """Run a Temporal worker for bulk runs and exports (any number, on any machines);
    --rate is the account's limit, shared by every worker through Redis; Ctrl-C drains it."""
    from . import leave_without_teardown
    from .workercmd import WorkerJob, run_worker

    settings = _settings(ctx)
    job = WorkerJob(temporal, redis, task_queue, max_chunks, drain)
    try:
        rt.run(lambda: run_worker(settings, job))
    except SystemExit as exc:
        leave_without_teardown(exc.code if isinstance(exc.code, int) else 1)
        raise


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port to listen on (0: any free port)")
    ] = 8000,
    members: Annotated[int, typer.Option(min=0, help="Members to seed")] = 1000,
    transactions: Annotated[int, typer.Option(min=0, help="History to seed")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed")] = 0,
    rate_limit: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Account limit in requests/s (429 RATE_LIMIT_EXCEEDED beyond)",
            show_default="none",
        ),
    ] = None,
    fault: Annotated[
        list[str] | None,
        typer.Option(
            help="Inject failures, KIND[:ROUTE[:TIMES]], e.g. 'drop_after:POST /deduct:3'; "
            "repeatable",
            show_default="none",
        ),
    ] = None,
    latency: Annotated[
        list[str] | None,
        typer.Option(
            help="Delay requests, SECONDS[:ROUTE], e.g. '0.2:POST /deduct'; repeatable",
            show_default="none",
        ),
    ] = None,
) -> None:
    """Run the embedded ShopSocially API in the foreground (Ctrl-C stops it)."""
    from .demo import serve_forever
    from .faultspec import parse_fault, parse_latency

    try:
        faults = [*map(parse_latency, latency or ()), *map(parse_fault, fault or ())]
        serve_forever(host, port, members, transactions, seed, faults, rate_limit=rate_limit)
    except rt.CliError as exc:
        rt.say(f"error: {exc}")
        raise typer.Exit(exc.code) from None


@app.command(epilog=GLOBAL_EPILOG)
def demo(
    ctx: typer.Context,
    members: Annotated[int, typer.Option(min=10, help="Members to seed")] = 2000,
    awards: Annotated[int, typer.Option(min=10, help="Awards to send")] = 3000,
    out_dir: Annotated[
        Path | None,
        typer.Option(help="Where the export goes", show_default="a new temporary directory"),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=16,
            help="Scale out instead: Redis, a Temporal dev server and N worker processes; one "
            "is killed mid-run (needs redis-server and the Temporal CLI)",
            show_default="none",
        ),
    ] = None,
    rows: Annotated[int, typer.Option(min=10, help="Deducts to send, with --workers")] = 300,
) -> None:
    """The whole library on the embedded server: bulk awards with faults, export, reconcile;
    with --workers N, a bulk run across N workers on Temporal surviving a kill -9."""
    settings = _settings(ctx)
    if workers is not None:
        from .scaleout import ScalePlan
        from .scaleout import run_demo as run_scale_demo

        plan = ScalePlan(workers=workers, rows=rows, out_dir=out_dir)
        rt.run(lambda: run_scale_demo(plan))
        return
    from .demo import DemoPlan, run_demo

    plan_here = DemoPlan(
        members=members,
        awards=awards,
        out_dir=out_dir,
        concurrency=settings.workers(DEMO_CONCURRENCY),
        max_retries=settings.max_retries,
    )
    rt.run(lambda: run_demo(plan_here))
