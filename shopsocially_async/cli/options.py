"""The options several commands share, with their help (defaults are shown by typer)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import bulk

CsvArg = Annotated[
    Path,
    typer.Argument(metavar="CSV", help="CSV file; header names are the API's parameters"),
]
FailuresOpt = Annotated[
    Path | None,
    typer.Option(help="Where the rows that failed go", show_default="<csv>.failures.csv"),
]
JournalOpt = Annotated[
    Path | None,
    typer.Option(help="The run's write-ahead journal", show_default="<csv>.journal"),
]
#: A flag shows no value placeholder in the help (typer would print "<bool>").
FLAG = ""
ResumeOpt = Annotated[
    bool,
    typer.Option(
        "--resume",
        metavar=FLAG,
        help="Continue an interrupted run: rows that may have applied are settled by reading "
        "the ledger back, never sent twice",
    ),
]
ChangedOpt = Annotated[
    bool,
    typer.Option(
        "--allow-changed-input",
        metavar=FLAG,
        help="With --resume: continue although the CSV changed. Rows are matched by content "
        "and by order_id (award, returns) or reason (deduct); a row edited after it may "
        "have applied is refused, never sent",
    ),
]
ForceNewRunOpt = Annotated[
    bool,
    typer.Option(
        "--force-new-run",
        metavar=FLAG,
        help="Start a new run of a file that another journal (or, on Temporal, another run "
        "id) already ran: its rows are sent again, those applied included",
    ),
]
IgnoreColumnOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--ignore-column",
        metavar="NAME",
        help="A column of the CSV to leave out (never sent); repeatable",
        show_default="none: an unknown column is refused",
    ),
]
EncodingOpt = Annotated[
    str | None,
    typer.Option(
        help="The CSV's encoding, e.g. cp1252",
        show_default="UTF-8, or UTF-16 with a byte-order mark",
    ),
]
SkewOpt = Annotated[
    float,
    typer.Option(
        min=0,
        help="Seconds this machine's clock may be off the API's, when settling",
    ),
]
GraceOpt = Annotated[
    float,
    typer.Option(
        min=0,
        help="Seconds a request may still land after its call's deadline, when settling: a "
        "resume reads the ledger once the interrupted run's last send is older than its "
        "call deadline (--timeout x (--max-retries + 1)) plus this",
    ),
]
DEFAULT_SKEW = bulk.SettlePolicy().clock_skew.total_seconds()
DEFAULT_GRACE = bulk.SettlePolicy().grace.total_seconds()


FromOpt = Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD")]
ToOpt = Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD")]
OutOpt = Annotated[Path, typer.Option("--out", help="Output file (.jsonl or .csv)")]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", help="jsonl or csv", show_default="from the --out suffix"),
]
WindowOpt = Annotated[
    int | None,
    typer.Option(min=1, help="Read the range N days at a time", show_default="all at once"),
]
ExportResumeOpt = Annotated[
    bool, typer.Option("--resume", metavar=FLAG, help="Continue from the checkpoint")
]
ForceOpt = Annotated[
    bool, typer.Option("--force", metavar=FLAG, help="Overwrite an existing output")
]


TemporalOpt = Annotated[
    str | None,
    typer.Option(
        "--temporal",
        metavar="HOST:PORT",
        help="Run on Temporal: submit to the workers of this front end (needs --run-id)",
        show_default="run here",
    ),
]
RedisOpt = Annotated[
    str | None,
    typer.Option(
        "--redis",
        metavar="URL",
        help="The Redis the workers share (rows, outcomes, the rate limit)",
        show_default="none",
    ),
]
RunIdOpt = Annotated[
    str | None,
    typer.Option(
        "--run-id",
        metavar="ID",
        help="The run's id (its workflow id): the same id attaches to the run",
        show_default="none",
    ),
]
TaskQueueOpt = Annotated[str, typer.Option(help="The workers' Temporal task queue")]
HeartbeatOpt = Annotated[
    float,
    typer.Option(
        min=1,
        help="Seconds without a heartbeat after which a worker's chunk is retried elsewhere",
    ),
]
ChunkOpt = Annotated[int, typer.Option(min=1, max=10_000, help="Rows per chunk (one activity)")]
