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
from .outputs import FAILURE_COLUMNS, flag, iso_time, plural, resend_path, write_csv
from .reruns import check_changed_rows, check_no_other_run

if TYPE_CHECKING:
    from .bulkcmd import BulkJob

#: The options a journal is bound to (the others, such as --concurrency, may change).
BOUND_OPTIONS = {"base_url": "--base-url", "partner_id": "--partner-id", "encoding": "--encoding"}


def open_journal(
    job: BulkJob, binding: dict[str, Any], checked: InputFile, *, deadline: float | None = None
) -> JournalFile:
    """The journal, open, locked and checked against this run; refusals are one line.
    ``deadline`` is the run's call deadline (recorded: it bounds when a request the run
    sent may still be on its way, should the run die)."""
    journal = JournalFile(job.journal_path)
    try:
        journal.open(create=not job.resume)
    except FileNotFoundError:
        raise rt.CliError(
            f"--resume: there is no journal at {job.journal_path}, so there is no run to "
            "continue (name it with --journal, or leave out --resume to start a run)"
        ) from None
    except JournalDamaged as exc:
        raise rt.CliError(_damaged(job, exc)) from None
    except JournalLocked as exc:
        raise rt.CliError(f"{exc}: wait for that run to end, or stop it") from None
    try:
        _check(journal, job, binding, checked)
        header = {"command": job.kind, "options": binding}
        run = {"input": checked.identity, "path": str(job.csv_path), "resume": job.resume,
               "deadline": deadline}  # fmt: skip
        journal.start(header, run)
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
    if not journal.fresh and not state.started:
        journal.restart()  # it never sent a row: nothing to resume, nothing to protect
    if journal.fresh:
        check_no_other_run(job, checked)
        return
    _check_binding(state, job, binding)
    same_input = state.last_input == checked.identity
    if state.complete is not None and (same_input or not _continues_changed(job)):
        _already_complete(state, job, same_input)
    if not job.resume:
        raise rt.CliError(
            f"{path} exists from an interrupted run: pass --resume to continue it (rows that "
            "may have applied are settled first, never sent twice)"
        )
    if same_input:
        return
    if not job.allow_changed_input:
        before = (state.last_input or {}).get("size")
        raise rt.CliError(
            f"{job.csv_path} changed since {path} was written ({before} bytes then, "
            f"{checked.size} now): put the file back as it was and pass --resume, or pass "
            f"--resume --allow-changed-input to continue with it as it is ({_MATCHING[job.kind]})"
        )
    check_changed_rows(journal, job, checked)


def _continues_changed(job: BulkJob) -> bool:
    return job.resume and job.allow_changed_input


#: How --allow-changed-input matches rows, said in its refusal and its help.
_MATCHING = {
    kind: "rows are matched by content"
    + (f" and by {spec.identity}" if spec.identity else "")
    + "; a row that may have applied is never sent again, and an edited one is refused"
    for kind, spec in SPECS.items()
}


def _check_binding(state: JournalState, job: BulkJob, binding: dict[str, Any]) -> None:
    header = state.header or {}
    if header.get("command") != job.kind:
        raise rt.CliError(
            f"{job.journal_path} is the journal of a `{header.get('command')}` run, not "
            f"`{job.kind}`: check the command; a `{job.kind}` run of this file needs a journal "
            "of its own (--journal NAME)"
        )
    written = header.get("options", {})
    for name, option in BOUND_OPTIONS.items():
        if written.get(name) != binding.get(name):
            raise rt.CliError(
                f"{job.journal_path} was written with {option} {written.get(name)}, not "
                f"{binding.get(name)}: run it with {option} {written.get(name)} (--resume "
                "continues it; nothing is sent twice)"
            )


def _already_complete(state: JournalState, job: BulkJob, same_input: bool) -> None:
    assert state.complete is not None
    when = datetime.fromtimestamp(state.complete["at"], timezone.utc).strftime("%Y-%m-%d %H:%M")
    if not same_input:
        raise rt.CliError(
            f"{job.journal_path} belongs to an earlier, different {job.csv_path} (completed "
            f"{when} UTC): to send the rows of this file that it has not applied, pass "
            f"--resume --allow-changed-input ({_MATCHING[job.kind]})"
        )
    failed = state.failed_rows
    code = rt.EXIT_ITEMS_FAILED if failed else rt.EXIT_OK
    summary = f"{state.applied} applied, {failed} {plural(failed, 'row', 'rows')} failed"
    if not failed:
        raise rt.CliError(
            f"{job.csv_path} was already processed to the end on {when} UTC ({summary}): "
            "nothing was sent",
            code,
            label="note",
        )
    raise rt.CliError(
        f"{job.csv_path} was already processed to the end on {when} UTC ({summary}, listed in "
        f"{job.failures_path}): nothing was sent. To send the failed rows that did not apply: "
        f"shopsocially-async reconcile {job.failures_path} (it settles the rows in doubt and "
        f"writes those that did not apply to {resend_path(job.failures_path)}, ready to send)",
        code,
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
    rows = plural(len(failures), "row", "rows")
    rt.say(f"{len(failures)} failed {rows} written to {path}{settle}")
