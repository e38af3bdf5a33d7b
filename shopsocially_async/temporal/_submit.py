"""Submitting runs: stage a bulk write's rows in Redis and start its workflow (or attach to
the one already running under that id), start an export, and read a run's per-row report."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

import attrs
from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.service import RPCError, RPCStatusCode

from ..errors import InvalidArgumentError
from ._messages import BulkWriteInput, BulkWriteSummary, ExportInput, ExportSummary
from ._store import RowRecord, RunMeta, RunStore, StagedRow
from ._worker import DEFAULT_TASK_QUEUE
from ._workflows import BulkWriteWorkflow, ExportWorkflow

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "InputAlreadyRunError",
    "RowReport",
    "RunConflictError",
    "Submitted",
    "bulk_report",
    "stage_rows",
    "submit_bulk_write",
    "submit_export",
]

DEFAULT_CHUNK_SIZE = 200
KINDS = ("award", "redeem", "deduct", "returns")
#: Reusing a run id restarts a run that failed, was cancelled or terminated (it continues
#: from what Redis recorded); a run that completed stays completed: its result stands.
REUSE = WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY


class RunConflictError(InvalidArgumentError):
    """The run id is already another run's (another input, or another kind)."""


class InputAlreadyRunError(RunConflictError):
    """The account already ran this input (same kind, same identity) under another run id,
    ``other_run_id``: submitting it again would apply its rows again."""

    def __init__(self, message: str, other_run_id: str) -> None:
        super().__init__(message)
        self.other_run_id = other_run_id


@attrs.frozen
class Submitted:
    """A submitted run: its workflow handle, and whether it was ``started`` by this call,
    was already ``running`` (attached to), or had ``finished``."""

    handle: WorkflowHandle[Any, Any]
    state: str


async def stage_rows(
    store: RunStore,
    kind: str,
    rows: Iterable[StagedRow],
    *,
    identity: str,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    account: str | None = None,
    force: bool = False,
) -> RunMeta:
    """Stage the rows under the store's run id, unless that run is staged already: then
    its ``identity`` (e.g. the input's SHA-256) must match (:class:`RunConflictError`).

    With ``account``, a new run is refused (:class:`InputAlreadyRunError`) when the account
    already staged the same ``kind`` and ``identity`` under another run id (remembered in
    Redis for 90 days), unless ``force``: the same file is not applied twice by mistake."""
    if kind not in KINDS:
        raise InvalidArgumentError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise InvalidArgumentError(f"chunk_size must be a whole number >= 1, got {chunk_size!r}")
    meta = await store.meta()
    if meta is None:
        if account is not None:
            other = await store.remember_input(account, kind, identity, force=force)
            if other is not None:
                raise InputAlreadyRunError(
                    f"this input was already staged as run {other!r} (a `{kind}` run, "
                    f"identity {identity[:12]}...): stage it again only with force=True",
                    other,
                )
        return await store.stage(kind, rows, chunk_size=chunk_size, identity=identity)
    if (meta.kind, meta.identity) != (kind, identity):
        raise RunConflictError(
            f"run id {store.run_id!r} is already a `{meta.kind}` run of another input: "
            "choose another run id"
        )
    return meta


async def _state(temporal: Client, run_id: str) -> str | None:
    """``running``, ``finished``, or None when no workflow has that id."""
    try:
        described = await temporal.get_workflow_handle(run_id).describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    return (
        "running"
        if described.status is None or described.status.name == "RUNNING"
        else ("finished")
    )


async def _start(
    temporal: Client, workflow: Any, argument: Any, run_id: str, task_queue: str, result: type
) -> Submitted:
    before = await _state(temporal, run_id)
    handle = temporal.get_workflow_handle(run_id, result_type=result)
    if before == "running":
        return Submitted(handle, "running")
    if before == "finished":
        described = await handle.describe()
        if described.status is not None and described.status.name == "COMPLETED":
            return Submitted(handle, "finished")
    handle = await temporal.start_workflow(
        workflow, argument, id=run_id, task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING, id_reuse_policy=REUSE,
    )  # fmt: skip
    return Submitted(handle, "started")


async def submit_bulk_write(
    temporal: Client,
    meta: RunMeta,
    run: BulkWriteInput,
    *,
    task_queue: str = DEFAULT_TASK_QUEUE,
) -> Submitted:
    """Start the bulk write workflow for a staged run (``run.run_id`` is the workflow id),
    attach to it while it runs, or find it finished. The workflow's input is ``run`` with
    the staged kind and sizes."""
    run = BulkWriteInput(
        **{**run.__dict__, "kind": meta.kind, "chunks": meta.chunks, "rows": meta.rows}
    )
    return await _start(
        temporal, BulkWriteWorkflow.run, run, run.run_id, task_queue, BulkWriteSummary
    )


async def submit_export(
    temporal: Client, export: ExportInput, *, task_queue: str = DEFAULT_TASK_QUEUE
) -> Submitted:
    """Start the export workflow (``export.run_id`` is its id), or attach to it."""
    return await _start(
        temporal, ExportWorkflow.run, export, export.run_id, task_queue, ExportSummary
    )


async def bulk_result(submitted: Submitted) -> BulkWriteSummary:
    """Wait for a bulk write run to end; its summary."""
    return await submitted.handle.result()  # type: ignore[no-any-return]


async def export_result(submitted: Submitted) -> ExportSummary:
    """Wait for an export run to end; its summary."""
    return await submitted.handle.result()  # type: ignore[no-any-return]


@attrs.frozen
class RowReport:
    """A row that did not apply, or may have: the shape of a failures file's row.

    ``outcome`` is ``failed`` (certainly not applied), ``ambiguous`` (settled, still
    unknown), ``in_doubt`` (sent, never settled: the run stopped) or ``not_sent``.
    """

    line: int
    cells: dict[str, str]
    outcome: str
    code: str
    message: str
    sent_at: float | None
    candidates: tuple[str, ...] = ()

    @property
    def outcome_unknown(self) -> bool:
        """Whether the row may have applied (never send it again without settling it)."""
        return self.outcome in ("ambiguous", "in_doubt")


async def bulk_report(store: RunStore, meta: RunMeta) -> AsyncIterator[RowReport]:
    """Every row of the run that did not apply or may have, in input order."""
    async for row, record in store.report(meta):
        found = _report(row, record)
        if found is not None:
            yield found


def _report(row: StagedRow, record: RowRecord | None) -> RowReport | None:
    cells = dict(row.cells)
    if record is None:
        message = "never sent (its chunk did not complete); safe to send again"
        return RowReport(row.line, cells, "not_sent", "NOT_SENT", message, None)
    if record.outcome == "applied":
        return None
    outcome = "in_doubt" if record.in_doubt else record.outcome
    code = record.code or "INTERRUPTED"
    message = record.message or "interrupted in flight; may have been applied"
    return RowReport(row.line, cells, outcome, code, message, record.sent_at, record.candidates)
