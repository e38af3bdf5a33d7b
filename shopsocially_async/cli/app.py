"""The commands and options of ``shopsocially-async`` (typer); the work lives in sibling modules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import __version__, _config, bulk
from ..bulk import DEFAULT_CONCURRENCY
from ..bulk._records import plain
from . import _runtime as rt
from .appbase import (
    DEFAULT_TASK_QUEUE,
    GLOBAL_EPILOG,
    fail_usage,
    settings_of,
    target_of,
)
from .bulkcmd import BulkJob, default_paths, run_bulk
from .exportapp import export_app
from .options import (
    DEFAULT_GRACE,
    DEFAULT_SKEW,
    FLAG,
    ChangedOpt,
    ChunkOpt,
    CsvArg,
    EncodingOpt,
    FailuresOpt,
    ForceNewRunOpt,
    GraceOpt,
    HeartbeatOpt,
    IgnoreColumnOpt,
    JournalOpt,
    RedisOpt,
    ResumeOpt,
    RunIdOpt,
    SkewOpt,
    TaskQueueOpt,
    TemporalOpt,
)
from .reconcilecmd import ReconcileJob, run_reconcile

app = typer.Typer(
    name="shopsocially-async",
    help="Bulk loyalty jobs against the ShopSocially API (or the embedded one: try demo).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
DEMO_CONCURRENCY = 32
app.add_typer(export_app, name="export")


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
        settings = settings_of(ctx)
        target = target_of(temporal, redis, run_id, task_queue, heartbeat_timeout, chunk_size)
        if target is None:
            rt.run(lambda: run_bulk(settings, job))
            return
        if resume or journal is not None or allow_changed_input:
            fail_usage("--resume, --allow-changed-input and --journal are for runs here; on "
                        "Temporal the same --run-id continues a run")  # fmt: skip
        from .temporalcmd import submit_bulk

        rt.run(lambda: submit_bulk(settings, job, target))

    app.command(kind, help=summary, epilog=GLOBAL_EPILOG)(command)


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
    settings = settings_of(ctx)
    policy = bulk.SettlePolicy(clock_skew=clock_skew, grace=settle_grace)

    async def main() -> int:
        job = ReconcileJob(path, rt.parse_time("--since", since), encoding, policy)
        return await run_reconcile(settings, job)

    rt.run(main)


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _lookup(ctx: typer.Context, fetch: Any) -> None:
    settings = settings_of(ctx)

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

    settings = settings_of(ctx)
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
    from .faultspec import parse_fault, parse_latency
    from .servecmd import serve_forever

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
    settings = settings_of(ctx)
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
