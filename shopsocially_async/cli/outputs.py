"""The CSV files the commands write: failures, reconciled verdicts, rows to send again.

Each is written whole, atomically (a temporary file, fsynced, renamed over the old one), so
a crash never leaves half a file, and a run that has nothing to report leaves no file.
"""

from __future__ import annotations

import contextlib
import csv
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path

#: What a failures file adds to the input's columns.
FAILURE_COLUMNS = ("error_code", "message", "outcome_unknown", "sent_at", "candidates", "line")


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> int:
    """Replace ``path`` with these rows (returns how many); no rows removes the file."""
    temporary = path.with_name(f".{path.name}.tmp")
    count = 0
    # Readable by its owner only: these files hold members' emails.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, list(columns), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
        handle.flush()
        os.fsync(handle.fileno())
    if count:
        os.replace(temporary, path)
    else:
        temporary.unlink()
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return count


def iso_time(seconds: float | None) -> str:
    """A journal time as ISO 8601 UTC to the millisecond (empty when unknown)."""
    if seconds is None:
        return ""
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="milliseconds")


def flag(value: bool) -> str:
    """A boolean cell."""
    return "true" if value else "false"


def plural(count: int, one: str, many: str) -> str:
    """``one`` or ``many``, as ``count`` asks (``1 row``, ``2 rows``)."""
    return one if count == 1 else many


def resend_path(path: Path) -> Path:
    """Where ``reconcile PATH`` writes the rows that did not apply: ``PATH.resend.csv``."""
    return path.with_name(f"{path.name.removesuffix('.csv')}.resend.csv")
