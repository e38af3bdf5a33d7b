"""``reconcile FAILURES.csv``: settle the rows that may have applied, by reading the ledger.

Reads a failures file of any earlier run (or any input CSV, with ``--since``), settles each
row with ``outcome_unknown=true`` (a file without that column: every row) against its
member's ledger, and writes ``<file>.reconciled.csv`` (every row with ``verdict``,
``transaction_id`` and ``candidates``) and ``<file>.resend.csv`` (the rows that did not
apply, ready to send again). Exits 1 while any row stays ambiguous.
"""

from __future__ import annotations

import contextlib
import csv
from datetime import datetime, timezone
from pathlib import Path

import attrs

from .. import bulk
from . import _runtime as rt
from .csvinput import RESULT_COLUMNS, SPECS, RowReader, resolve_encoding, text_lines
from .outputs import plural, resend_path, write_csv
from .settling import Doubt, settle_rows

KIND_BY_COLUMN = (
    ("activity_id", "award"),
    ("redemption_id", "redeem"),
    ("reason", "deduct"),
    ("order_id", "returns"),
)
VERDICT_COLUMNS = ("verdict", "transaction_id", "candidates")


@attrs.frozen
class ReconcileJob:
    """What to reconcile and how."""

    path: Path
    since: datetime | None = None
    encoding: str | None = None
    policy: bulk.SettlePolicy = attrs.field(factory=bulk.SettlePolicy)

    @property
    def reconciled_path(self) -> Path:
        return self.path.with_name(f"{_stem(self.path)}.reconciled.csv")

    @property
    def resend_path(self) -> Path:
        return resend_path(self.path)


def _stem(path: Path) -> str:
    return path.name.removesuffix(".csv")


@attrs.frozen
class _Line:
    """One row of the file: its cells as read, its result columns, and whether in doubt."""

    cells: dict[str, str]
    results: dict[str, str]
    in_doubt: bool


def read_file(job: ReconcileJob) -> tuple[str, list[str], list[_Line]]:
    """The command that wrote the file, its columns, and its rows (checked in full)."""
    encoding = resolve_encoding(job.path, job.encoding)
    kind = _kind(job.path, encoding)
    problems: list[str] = []
    reader = RowReader(job.path, kind, encoding, problems)
    marked = "outcome_unknown" in reader.names
    lines = []
    for row in reader:
        in_doubt = not marked or row.results.get("outcome_unknown", "").lower() == "true"
        lines.append(_Line(row.cells, row.results, in_doubt))
    if problems:
        raise rt.CliError("\nerror: ".join(problems))
    columns = [n for n in reader.names if n not in RESULT_COLUMNS]
    return kind, columns, lines


def _kind(path: Path, encoding: str) -> str:
    with contextlib.closing(text_lines(path, encoding)) as lines:  # the header line only
        header = {name.strip() for name in next(csv.reader(lines), [])}
    for column, kind in KIND_BY_COLUMN:
        if column in header:
            return kind
    raise rt.CliError(f"{path} line 1: not a file of award, redeem, deduct or returns rows")


def _doubt(job: ReconcileJob, line: _Line, number: int) -> Doubt:
    sent = line.results.get("sent_at", "")
    if sent:
        try:
            when = datetime.fromisoformat(sent.replace("Z", "+00:00"))
        except ValueError:
            raise rt.CliError(f"{job.path} row {number}: sent_at {sent!r} is not a time") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return Doubt(line.cells, when)
    if job.since is None:
        raise rt.CliError(
            f"{job.path} row {number} has no sent_at: pass --since with the time the run "
            "started (e.g. --since 2024-05-01T09:30)"
        )
    return Doubt(line.cells, job.since)


async def run_reconcile(settings: rt.Settings, job: ReconcileJob) -> int:
    """Settle the rows in doubt; write the verdicts and the rows to send again."""
    kind, columns, lines = read_file(job)
    doubtful = [(i, line) for i, line in enumerate(lines) if line.in_doubt]
    doubts = [_doubt(job, line, i + 1) for i, line in doubtful]
    async with settings.client() as client:
        await rt.preflight(client)
        settled = await settle_rows(
            client, kind, doubts, claimed=frozenset(), policy=job.policy,
            unidentified=_product_returns(kind, doubts),
        )  # fmt: skip
    verdicts = {i: verdict for (i, _), verdict in zip(doubtful, settled, strict=True)}
    rows = [_verdict_row(line, verdicts.get(i)) for i, line in enumerate(lines)]
    return _write_and_report(job, kind, columns, rows)


def _product_returns(kind: str, doubts: list[Doubt]) -> list[dict[str, str]]:
    """The product returns in doubt, taken as claims of twins that applied: the run's other
    returns of an order answered with no transaction id, and a failures file does not list
    them, so a return of the order in the ledger may be theirs (ambiguous, never applied)."""
    if kind != "returns":
        return []
    return [d.cells for d in doubts if d.cells.get("returned_product_id")]


def _verdict_row(line: _Line, settled: bulk.Settlement | str | None) -> dict[str, str]:
    row = {**line.cells, **line.results}
    if settled is None:  # it certainly did not apply: the run said so
        row.update(verdict="not_applied", transaction_id="", candidates="")
    elif isinstance(settled, str):
        row.update(verdict="ambiguous", transaction_id="", candidates="", message=settled)
    else:
        row.update(
            verdict=settled.verdict.value,
            transaction_id=settled.transaction_id or "",
            candidates=" ".join(settled.candidates),
        )
        if settled.verdict is bulk.Verdict.AMBIGUOUS:
            row["message"] = settled.reason
    return row


def _write_and_report(
    job: ReconcileJob, kind: str, columns: list[str], rows: list[dict[str, str]]
) -> int:
    results = ["error_code", "message", "outcome_unknown", "sent_at"]
    write_csv(job.reconciled_path, [*columns, *results, *VERDICT_COLUMNS], rows)
    resend = [r for r in rows if r["verdict"] == "not_applied"]
    write_csv(job.resend_path, [c for c in SPECS[kind].columns if c in columns], resend)
    tally = {v: sum(r["verdict"] == v for r in rows) for v in ("applied", "not_applied")}
    ambiguous = len(rows) - sum(tally.values())
    rt.say(
        f"{tally['applied']} applied, {tally['not_applied']} not applied, {ambiguous} "
        f"ambiguous: verdicts in {job.reconciled_path}"
    )
    if resend:
        did_not = plural(len(resend), "row that did not apply is", "rows that did not apply are")
        rt.say(f"the {len(resend)} {did_not} in {job.resend_path}")
    if ambiguous:
        rt.say(
            f"{ambiguous} {plural(ambiguous, 'row stays', 'rows stay')} ambiguous (several "
            "transactions could be theirs, or the "
            "ledger could not be read): check their candidates by hand "
            "(shopsocially-async transaction ID), or run reconcile again later"
        )
        return rt.EXIT_ITEMS_FAILED
    return rt.EXIT_OK
