"""CSV input checks and the progress display (terminal and plain)."""

from __future__ import annotations

import contextlib
import io
import os
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console

from shopsocially_async import bulk
from shopsocially_async.cli._runtime import CliError
from shopsocially_async.cli.csvinput import RowReader, check_input
from shopsocially_async.cli.progress import progress, summary_line


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "in.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_rows_are_converted_and_blank_lines_skipped(tmp_path: Path) -> None:
    """A BOM, spaces around cells, blank lines and empty optional cells are all fine."""
    path = _csv(
        tmp_path,
        "\ufeffuser_email,activity_id,points_passed,order_id\n"
        " a@x.com , signup ,12.5,\n\nb@x.com,signup,,o-1\n",
    )
    rows = list(RowReader(path, "award", "utf-8-sig"))
    assert [r.line for r in rows] == [2, 4]
    assert rows[0].arguments == {
        "user_email": "a@x.com",
        "activity_id": "signup",
        "points_passed": Decimal("12.5"),
    }
    assert rows[1].arguments == {
        "user_email": "b@x.com",
        "activity_id": "signup",
        "order_id": "o-1",
    }


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        (
            "deduct",
            "user_email,points_passed,reason\na@x.com,1.5,r\n",
            "line 2, column points_passed: '1.5' is not a whole number of points",
        ),
        (
            "deduct",
            "user_email,points_passed,reason\na@x.com,-3,r\n",
            "line 2, column points_passed: '-3' is not a positive number",
        ),
        ("award", "user_email,activity_id\n,signup\n", "line 2, column user_email: empty"),
        (
            "award",
            "user_email,activity_id\na@x.com,signup,extra\n",
            "line 2: 3 fields, the header has 2",
        ),
        ("returns", "returned_amount\n5\n", "line 1: missing column 'order_id'"),
        ("returns", "", "the file is empty"),
    ],
)
def test_bad_input_names_line_and_column(
    tmp_path: Path, kind: str, text: str, message: str
) -> None:
    """Each malformed input gives one message naming where it is."""
    path = _csv(tmp_path, text)
    with pytest.raises(CliError, match="^" + str(path).replace("\\", "\\\\")) as info:
        check_input(path, kind, None)
    assert message in str(info.value)


def test_summary_line() -> None:
    """The plain progress line says done/total, failures, unknowns and retries."""
    counters = bulk.RunCounters(total=10, succeeded=6, failed=2, outcome_unknown=1, retries=3)
    line = summary_line("award", counters)
    assert line.startswith("award: 8/10 done, 2 failed (1 outcome unknown), 3 retries,")


@pytest.mark.anyio
@pytest.mark.parametrize("terminal", [True, False])
async def test_progress_shows_a_final_summary(terminal: bool) -> None:
    """On a terminal (a bar) or not (plain lines), the block ends with the summary line."""
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=terminal, width=120)
    counters = bulk.RunCounters(total=3)
    async with progress("award", counters, console=console):
        counters.record_success()
        counters.record_failure(outcome_unknown=False)
    assert "award: 2/3 done, 1 failed" in buffer.getvalue()


def _open_files() -> set[str]:
    """The paths this process has open (Linux)."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            found.add(os.readlink(f"/proc/self/fd/{fd}"))
    return found


def test_a_file_is_closed_when_its_header_is_refused_or_its_reading_stops(
    tmp_path: Path,
) -> None:
    """A refused header, a bad row, and a pass stopped early (a stop signal) each close the
    file at once: nothing is left for the garbage collector to find open."""
    bad = tmp_path / "bad.csv"
    bad.write_text("user_mail,activity_id\na@example.com,signup\n")
    with pytest.raises(CliError, match="unknown column") as refused:
        RowReader(bad, "award", "utf-8")
    assert refused.traceback  # the error's frames (the reader's among them) are still alive
    assert str(bad) not in _open_files()
    rows = tmp_path / "rows.csv"
    rows.write_text("user_email,activity_id\na@example.com,signup\nb@example.com,\n")
    with pytest.raises(CliError, match="column activity_id: empty") as refused:
        list(RowReader(rows, "award", "utf-8"))
    assert refused.traceback
    assert str(rows) not in _open_files()
    reader = RowReader(rows, "award", "utf-8")
    passing = iter(reader)
    next(passing)
    assert str(rows) in _open_files()
    reader.close()
    assert str(rows) not in _open_files()
    del passing
