"""What the command modules share: the global options' settings, the help's epilog, and
where a run goes (here, or to Temporal)."""

from __future__ import annotations

import typer

from . import _runtime as rt
from .temporalcmd import TemporalTarget, check_target

DEFAULT_TASK_QUEUE = "shopsocially"

#: Every command's help ends with this: global options may follow the command too.
GLOBAL_EPILOG = (
    "Global options (--base-url, --partner-id, --api-key, --concurrency, --rate, "
    "--max-retries, --timeout, --version) may come before or after the command: "
    "shopsocially-async --help describes them."
)


def settings_of(ctx: typer.Context) -> rt.Settings:
    """The global options, as the root command resolved them."""
    settings = ctx.find_root().obj
    assert isinstance(settings, rt.Settings)
    return settings


def fail_usage(message: str) -> None:
    """Stop with a one-line usage error (exit 2)."""
    rt.say(f"error: {message}")
    raise typer.Exit(rt.EXIT_USAGE)


def target_of(
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
        fail_usage(str(exc))
    if temporal is None or run_id is None:
        return None
    return TemporalTarget(
        temporal, run_id, redis, task_queue, heartbeat_timeout=heartbeat_timeout,
        chunk_size=chunk_size,
    )  # fmt: skip
