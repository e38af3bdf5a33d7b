"""What keeps a file's rows from being sent twice across runs: an edited file resumed with
``--allow-changed-input``, and the same file started again under another journal.

**Edited rows.** The journal keys rows by content, so an edited row is new to it. A row
whose content is new is sent only when it cannot be an edit of a row that applied, or may
have (applied, in doubt, settled ambiguous): when no such row is gone from the file (an
edit can change any cell, the identity column too: ``order_id`` added, a ``reason``'s case
fixed), and no such row has its value in the command's identity column (``order_id`` for
awards and returns, ``reason`` for deducts).

Rows that certainly did not apply bind nothing: an edit of one is a correction, and is sent.
Every refused row is listed and nothing is sent.

**Another run of the same file.** A new journal is refused while another journal beside it
(or beside the file) holds a run of the same command over a file with the same SHA-256
that sent rows, unless ``--force-new-run`` says that sending them again is meant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from . import _runtime as rt
from .csvinput import MAX_REPORTED, SPECS, InputFile, Row, RowReader, default_paths
from .journal import JournalFile, decode
from .outputs import plural

if TYPE_CHECKING:
    from .bulkcmd import BulkJob


@attrs.frozen
class _Sent:
    """A row of the journal that applied or may have: its line then, its cells."""

    line: int
    cells: dict[str, str]


def check_changed_rows(journal: JournalFile, job: BulkJob, checked: InputFile) -> None:
    """Refuse (listing them) the rows of the changed file that may be edits of rows that
    applied or may have (see the module doc)."""
    identity = SPECS[job.kind].identity or ""
    known, risky = _journal_rows(journal)
    named = {row.cells.get(identity, ""): row for row in risky.values()}
    named.pop("", None)
    problems: list[str] = []
    new_rows: list[int] = []
    in_file: set[str] = set()
    for row in RowReader(job.csv_path, job.kind, checked.encoding, ignored=job.ignore_columns):
        in_file.add(row.key)
        if row.key in known:
            continue  # the same content: the journal knows what came of it
        value = row.cells.get(identity, "")
        if value and value in named:
            problems.append(_edited(job, row, identity, named[value]))
        else:
            new_rows.append(row.line)
    vanished = sorted(r.line for k, r in risky.items() if k not in in_file)
    if vanished and new_rows:
        problems.extend(_maybe_edited(job, line, vanished) for line in new_rows)
    if problems:
        raise rt.CliError(_refusal(job, problems))


def _journal_rows(journal: JournalFile) -> tuple[set[str], dict[str, _Sent]]:
    """The keys of every row the journal sent, and the rows that applied or may have (by
    key, cells as last sent)."""
    state = journal.state
    known: set[str] = set()
    risky: dict[str, _Sent] = {}
    for record in journal.each_record():
        if record["t"] != "sent":
            continue
        known.add(record["k"])
        if state.may_have_applied(record["k"]):
            risky[record["k"]] = _Sent(int(record["line"]), dict(record["row"]))
    return known, risky


def _edited(job: BulkJob, row: Row, identity: str, before: _Sent) -> str:
    changed = [
        _change(name, before.cells.get(name, ""), text)
        for name, text in row.cells.items()
        if before.cells.get(name, "") != text
    ]
    return (
        f"{job.csv_path} line {row.line}: {identity} {row.cells[identity]!r} was sent before "
        f"(line {before.line}) and may have applied, and its row changed since "
        f"({'; '.join(changed)})"
    )


def _change(column: str, before: str, now: str) -> str:
    # Member emails stay out of what a run prints (terminals, CI logs): the column only.
    if column == "user_email":
        return "user_email changed"
    return f"{column} {before!r}, now {now!r}"


def _maybe_edited(job: BulkJob, line: int, vanished: list[int]) -> str:
    lines = ", ".join(map(str, vanished[:5])) + (", ..." if len(vanished) > 5 else "")
    rows = plural(
        len(vanished), "row that may have applied (line", "rows that may have applied (lines"
    )
    gone = plural(len(vanished), "is", "are")
    return (
        f"{job.csv_path} line {line}: a new row, while {len(vanished)} {rows} {lines} when "
        f"sent) {gone} no longer in the file: it may be an edit of one (of any of its cells), "
        "and the two cannot be told apart"
    )


def _refusal(job: BulkJob, problems: list[str]) -> str:
    shown = problems[:MAX_REPORTED]
    if len(problems) > MAX_REPORTED:
        shown.append(f"{job.csv_path}: {len(problems) - MAX_REPORTED} more such rows")
    identity = SPECS[job.kind].identity
    name = f" (a new {identity})" if identity else ""
    shown.append(
        f"{job.csv_path}: {len(problems)} {plural(len(problems), 'row', 'rows')} refused; "
        "nothing was sent. A row that may have "
        "applied is never sent again: undo the edits, or send each correction as a row of "
        f"its own{name}, in a file of its own"
    )
    return "\nerror: ".join(shown)


# -- another run of the same file ----------------------------------------------------------
@attrs.frozen
class OtherRun:
    """Another journal's run of the same file: its path, input path, and whether complete."""

    journal: Path
    csv_path: str
    complete_at: float | None
    #: How many rows the complete run listed in its failures file.
    failed: int = 0


def check_no_other_run(job: BulkJob, checked: InputFile) -> None:
    """Refuse a new journal while another holds a run of the same content (module doc)."""
    if job.force_new_run:
        return
    other = next(iter(other_runs(job, checked.sha256)), None)
    if other is None:
        return
    rerun = rt.resume_command(("--resume",), replace={"--journal": str(other.journal)})
    if other.complete_at is None:
        what, then = "an interrupted run", f"To continue it (nothing is sent twice): {rerun}"
    else:
        when = datetime.fromtimestamp(other.complete_at, timezone.utc)
        what = f"a run that processed it to the end on {when:%Y-%m-%d %H:%M} UTC"
        then = _after_complete(other)
    raise rt.CliError(
        f"{other.journal} holds {what} of this same file ({other.csv_path}, same SHA-256): a "
        f"new run would send its rows again. {then}. (--force-new-run starts a new run "
        "anyway, sending every row again, those applied included.)"
    )


def _after_complete(other: OtherRun) -> str:
    if not other.failed:
        return "Every row of it applied: there is nothing left to send"
    failures = default_paths(Path(other.csv_path))[0]
    rows = plural(other.failed, "row", "rows")
    return (
        f"Its {other.failed} failed {rows} {plural(other.failed, 'is', 'are')} in its failures "
        f"file ({failures}, unless that "
        "run named another with --failures): `shopsocially-async reconcile` on it writes "
        "those that did not apply to a .resend.csv, ready to send"
    )


def other_runs(job: BulkJob, sha256: str) -> Iterable[OtherRun]:
    """Journals beside the new journal or the file that ran ``job.kind`` over this content."""
    mine = job.journal_path.resolve()
    folders = dict.fromkeys([job.journal_path.resolve().parent, job.csv_path.resolve().parent])
    for folder in folders:
        for path in sorted(folder.glob("*.journal")):
            if path.resolve() == mine or not path.is_file():
                continue
            found = _run_of(path, job.kind, sha256)
            if found is not None:
                yield found


def _run_of(path: Path, kind: str, sha256: str) -> OtherRun | None:
    """The journal's run of ``kind`` over this content that sent rows, if it holds one.
    Only the few record kinds needed are decoded (a journal can hold a million rows: its
    *sent* records are only noticed)."""
    wanted = (b'{"t":"journal"', b'{"t":"run"', b'{"t":"complete"')
    header: Mapping[str, Any] = {}
    csv_path, matched, sent, complete, failed = "", False, False, None, 0
    try:
        with path.open("rb") as handle:
            for line in handle:
                body = line[9:]
                if body.startswith(b'{"t":"sent"'):
                    sent = sent or matched
                    continue
                if not body.startswith(wanted):
                    continue
                record = decode(line) or {}
                kind_of = record.get("t")
                if kind_of == "journal":
                    header = record
                elif kind_of == "run":
                    complete = None
                    if (record.get("input") or {}).get("sha256") == sha256:
                        matched, csv_path = True, str(record.get("path") or path.stem + ".csv")
                elif kind_of == "complete":
                    complete, failed = record.get("at"), int(record.get("failed") or 0)
    except OSError:
        return None
    if header.get("command") != kind or not (matched and sent):
        return None
    return OtherRun(path, csv_path, complete, failed)
