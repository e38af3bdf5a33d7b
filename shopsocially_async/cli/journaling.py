"""Opening a bulk command's journal (what it is bound to, when to refuse) and writing the
failures file from it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _runtime as rt
from .csvinput import SPECS, InputFile
from .journal import Failure, JournalDamaged, JournalFile, JournalLocked, JournalState
from .outputs import FAILURE_COLUMNS, flag, iso_time, write_csv

if TYPE_CHECKING:
    from .bulkcmd import BulkJob

#: The options a journal is bound to (the others, such as --concurrency, may change).
BOUND_OPTIONS = {"base_url": "--base-url", "partner_id": "--partner-id", "encoding": "--encoding"}


def open_journal(job: BulkJob, binding: dict[str, Any], checked: InputFile) -> JournalFile:
    """The journal, open, locked and checked against this run; refusals are one line."""
    journal = JournalFile(job.journal_path)
    try:
        journal.open()
    except JournalDamaged as exc:
        raise rt.CliError(_damaged(job, exc)) from None
    except JournalLocked as exc:
        raise rt.CliError(f"{exc}: wait for that run to end, or stop it") from None
    try:
        _check(journal, job, binding, checked)
        header = {"command": job.kind, "options": binding}
        journal.start(header, {"input": checked.identity, "resume": job.resume})
    except BaseException:
        journal.close()
        raise
    return journal


def _damaged(job: BulkJob, exc: JournalDamaged) -> str:
    since = "WHEN-THE-FIRST-RUN-STARTED"
    if exc.started_at is not None:
        since = iso_time(exc.started_at - 60).replace("+00:00", "Z")
    return (
        f"{job.journal_path} is damaged ({exc}), not just cut short by a crash, so it cannot "
        "say which rows were sent. Move it aside, then learn which rows applied before "
        f"sending any again: shopsocially-async reconcile {job.csv_path} --since {since} "
        "(it writes the rows that did not apply to a .resend.csv)"
    )


def _check(journal: JournalFile, job: BulkJob, binding: dict[str, Any], checked: InputFile) -> None:
    state, path = journal.state, job.journal_path
    if journal.fresh:
        return
    if not state.started:
        journal.restart()  # it never sent a row: nothing to resume, nothing to protect
        return
    _check_binding(state, job, binding)
    same_input = state.last_input == checked.identity
    if state.complete is not None:
        _already_complete(state, job, same_input)
    if not job.resume:
        raise rt.CliError(
            f"{path} exists from an interrupted run: pass --resume to continue it (rows that "
            "may have applied are settled first, never sent twice), or --journal NEW to start "
            "a separate run"
        )
    if not same_input and not job.allow_changed_input:
        before = (state.last_input or {}).get("size")
        raise rt.CliError(
            f"{job.csv_path} changed since {path} was written ({before} bytes then, "
            f"{checked.size} now): pass --allow-changed-input to continue anyway (rows are "
            "matched by content, so none that may have applied is sent again), or --journal "
            "NEW to start a separate run"
        )


def _check_binding(state: JournalState, job: BulkJob, binding: dict[str, Any]) -> None:
    header = state.header or {}
    if header.get("command") != job.kind:
        raise rt.CliError(
            f"{job.journal_path} is the journal of a `{header.get('command')}` run, not "
            f"`{job.kind}`: pass --journal to name another"
        )
    written = header.get("options", {})
    for name, option in BOUND_OPTIONS.items():
        if written.get(name) != binding.get(name):
            raise rt.CliError(
                f"{job.journal_path} was written with {option} {written.get(name)}, not "
                f"{binding.get(name)}: run with the same {option}, or pass --journal NEW"
            )


def _already_complete(state: JournalState, job: BulkJob, same_input: bool) -> None:
    assert state.complete is not None
    when = datetime.fromtimestamp(state.complete["at"], timezone.utc).strftime("%Y-%m-%d %H:%M")
    if not same_input:
        raise rt.CliError(
            f"{job.journal_path} belongs to an earlier, different {job.csv_path} (completed "
            f"{when} UTC): move or delete it, or pass --journal NEW"
        )
    failed = len(state.failures)
    see = f" (see {job.failures_path})" if failed else ""
    raise rt.CliError(
        f"{job.csv_path} was already processed to the end on {when} UTC: {state.applied} "
        f"applied, {failed} failed{see}. Nothing was sent; to send it all again, delete "
        f"{job.journal_path}",
        rt.EXIT_ITEMS_FAILED if failed else rt.EXIT_OK,
        label="note",
    )


def failures_of(state: JournalState) -> list[Failure]:
    """Every row that did not apply or may have, in line order: failed, settled ambiguous,
    or still in doubt (answered "unknown", or never answered: interrupted)."""
    in_doubt = [
        Failure(p.line, p.cells, p.code, p.message, True, p.sent_at)
        for p in (*state.sending.values(), *state.unknown.values())
    ]
    return sorted([*state.failures.values(), *in_doubt], key=lambda f: f.line)


def write_failures(job: BulkJob, state: JournalState) -> list[Failure]:
    """Rewrite the failures file from the journal (removed when there are none)."""
    failures = failures_of(state)
    write_failure_file(job.failures_path, job.kind, failures)
    return failures


def write_failure_file(path: Path, kind: str, failures: Iterable[Failure]) -> int:
    """Write ``failures`` as a failures file: the command's columns, then ours (a local run's
    and a Temporal run's alike; ``reconcile`` reads it back). Returns the rows written."""
    columns = [*SPECS[kind].columns, *FAILURE_COLUMNS]
    rows = (
        {
            **f.cells,
            "error_code": f.code,
            "message": f.message,
            "outcome_unknown": flag(f.unknown),
            "sent_at": iso_time(f.sent_at),
            "candidates": " ".join(f.candidates),
            "line": f.line,
        }
        for f in failures
    )
    return write_csv(path, columns, rows)


def say_failures(path: Path, failures: Sequence[Failure]) -> None:
    """The line that sends the operator to the failures file (and to ``reconcile`` for the
    rows that may have applied)."""
    if not failures:
        return
    unknown = sum(f.unknown for f in failures)
    settle = (
        f" ({unknown} outcome unknown: never re-sent; settle them with: shopsocially-async "
        f"reconcile {path})"
        if unknown
        else ""
    )
    rt.say(f"{len(failures)} failed rows written to {path}{settle}")
