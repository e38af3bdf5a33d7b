"""What workflows and activities pass each other: plain dataclasses (Temporal's default
converter serialises dataclasses as JSON), stdlib only, so the workflow sandbox can take
them without importing the client or its HTTP stack.

Nothing here holds a member's data or a credential: rows live in Redis (see ``_store``),
the API key only in the workers' environment; workflow history holds ids and counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "BulkWriteInput",
    "BulkWriteSummary",
    "ChunkFailure",
    "ChunkTask",
    "ExportInput",
    "ExportSummary",
    "Timing",
    "Totals",
    "Window",
    "WindowResult",
    "WindowTask",
]

#: Activity names (workflows refer to activities by name: no import of their code).
WRITE_CHUNK = "shopsocially.write_chunk"
PLAN_EXPORT = "shopsocially.plan_export"
EXPORT_WINDOW = "shopsocially.export_window"
MERGE_EXPORT = "shopsocially.merge_export"


@dataclass
class Totals:
    """Rows by final outcome: ``applied`` (exactly once), ``failed`` (certainly not
    applied), ``ambiguous`` (may have applied: never re-sent), and how many in-doubt rows
    were ``settled`` by reading the ledger back."""

    applied: int = 0
    failed: int = 0
    ambiguous: int = 0
    settled: int = 0

    def add(self, other: Totals) -> Totals:
        """The sum of both."""
        return Totals(
            self.applied + other.applied,
            self.failed + other.failed,
            self.ambiguous + other.ambiguous,
            self.settled + other.settled,
        )

    @property
    def processed(self) -> int:
        """Rows with a final outcome."""
        return self.applied + self.failed + self.ambiguous


@dataclass(frozen=True)
class Timing:
    """The activity timeouts and retry pacing a workflow uses (seconds)."""

    heartbeat_timeout: float = 10.0
    start_to_close: float = 3600.0
    retry_initial: float = 1.0
    retry_maximum: float = 30.0
    max_attempts: int = 20


@dataclass(frozen=True)
class ChunkFailure:
    """A chunk whose activity failed for good: its rows without an outcome were never sent."""

    chunk: int
    message: str


@dataclass
class BulkWriteInput:
    """A bulk write run whose rows are staged in Redis under ``run_id`` in ``chunks`` chunks.

    ``max_parallel`` bounds the chunks in flight at once; after ``chunks_per_run`` chunks
    the workflow continues as new (``next_chunk`` and ``done`` carry over), far below the
    history limits. ``settle_grace`` and ``clock_skew`` tune settling (see
    ``bulk.SettlePolicy``).
    """

    run_id: str
    kind: str
    chunks: int
    rows: int
    max_parallel: int = 8
    chunks_per_run: int = 500
    settle_grace: float = 10.0
    clock_skew: float = 120.0
    timing: Timing = field(default_factory=Timing)
    next_chunk: int = 0
    done: Totals = field(default_factory=Totals)
    failed_chunks: list[ChunkFailure] = field(default_factory=list)


@dataclass(frozen=True)
class ChunkTask:
    """One chunk activity: its run, kind, chunk number and settling knobs."""

    run_id: str
    kind: str
    chunk: int
    settle_grace: float
    clock_skew: float


@dataclass
class BulkWriteSummary:
    """How a bulk write run ended (the per-row report is in Redis: ``temporal.bulk_report``)."""

    run_id: str
    rows: int
    totals: Totals
    failed_chunks: list[ChunkFailure] = field(default_factory=list)


@dataclass(frozen=True)
class Window:
    """A half-open UTC window of whole days, ``[start, end)`` (ISO dates)."""

    start: str
    end: str


@dataclass
class ExportInput:
    """An export of ``kind`` (``transactions`` or ``users``) over ``[start, end)``, frozen
    when the run is submitted, first cut into windows of ``window_days`` days, each cut in
    halves while it holds more than ``max_window_records`` records. Windows are written
    under ``out_dir`` (a directory every worker can reach), then merged in order into
    ``out`` with a manifest beside it. ``points_status`` and ``user_email`` filter
    transactions, ``filter_by`` members (as ``bulk.export_*`` take them)."""

    run_id: str
    kind: str
    start: str
    end: str
    out: str
    out_dir: str
    format: str = "jsonl"
    window_days: int = 7
    max_window_records: int = 50_000
    max_parallel: int = 4
    points_status: list[str] | None = None
    user_email: str | None = None
    filter_by: str | None = None
    timing: Timing = field(default_factory=Timing)


@dataclass(frozen=True)
class WindowTask:
    """One window to export (``index``: its place in the run, for its file's name)."""

    export: ExportInput
    window: Window
    index: int


@dataclass
class WindowResult:
    """A window written to the end: its file, records and bytes."""

    window: Window
    path: str
    records: int
    size: int


@dataclass
class ExportSummary:
    """How an export run ended: windows completed (in order), the merged output (when every
    window completed), and ``bookmark``: the end of the contiguous completed prefix, where
    the next incremental export starts."""

    run_id: str
    windows: list[Window]
    completed: list[WindowResult]
    failed: list[Window]
    bookmark: str
    out: str | None
    records: int
