"""The export's I/O, without Temporal: plan windows, export one window, merge them in order.

Windows are half-open UTC day ranges ``[start, end)``; the API's ranges are whole days with
an inclusive end, so a window asks for ``start .. end - 1 day``. Each window is written by
``bulk.export_*`` to a file of its own, with its checkpoint beside it (after every durably
written page: its ``next_start_index``), so a retried window continues where the last
attempt stopped. A lock on the checkpoint keeps two attempts (one of them lost to Temporal
but still running) from writing the same file at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

from .. import bulk
from .._client import ShopSociallyClient
from .._params import FilterBy, PointsStatus
from ..models import Page
from ._messages import ExportInput, Window, WindowResult

__all__ = ["WindowBusy", "export_window", "merge_windows", "plan_windows", "window_path"]


class WindowBusy(Exception):
    """Another attempt is still writing this window (it holds the lock)."""


def _day(text: str) -> date:
    return date.fromisoformat(text)


def initial_windows(start: date, end: date, days: int) -> list[Window]:
    """``[start, end)`` cut into windows of ``days`` days (the last may be shorter)."""
    windows = []
    while start < end:
        stop = min(start + timedelta(days=days), end)
        windows.append(Window(start.isoformat(), stop.isoformat()))
        start = stop
    return windows


def _halves(window: Window) -> list[Window]:
    start, end = _day(window.start), _day(window.end)
    middle = start + (end - start) // 2
    return [Window(window.start, middle.isoformat()), Window(middle.isoformat(), window.end)]


async def count(client: ShopSociallyClient, export: ExportInput, window: Window) -> int | None:
    """How many records the window holds, as its first page announces (None: not said)."""
    page: Page[Any] = await _pager(client, export, window, 0).first_page()
    return page.total


async def plan_windows(client: ShopSociallyClient, export: ExportInput) -> list[Window]:
    """The run's windows, in order: initial ones, halved while larger than the limit."""
    pending = initial_windows(_day(export.start), _day(export.end), export.window_days)
    planned: list[Window] = []
    while pending:
        window = pending.pop(0)
        one_day = _day(window.end) - _day(window.start) <= timedelta(days=1)
        total = None if one_day else await count(client, export, window)
        if total is not None and total > export.max_window_records:
            pending[:0] = _halves(window)
        else:
            planned.append(window)
    return planned


def window_path(export: ExportInput, window: Window, index: int) -> Path:
    """Where window ``index`` is written."""
    name = f"{index:05d}_{window.start}_{window.end}.{export.format}"
    return Path(export.out_dir) / name


def _statuses(export: ExportInput) -> list[PointsStatus] | None:
    # Checked by the client like any caller's (the messages carry plain text).
    return cast("list[PointsStatus] | None", export.points_status)


def _filter_by(export: ExportInput) -> FilterBy | None:
    return cast("FilterBy | None", export.filter_by)


def _pager(client: ShopSociallyClient, export: ExportInput, window: Window, index: int) -> Any:
    first, last = _day(window.start), _day(window.end) - timedelta(days=1)
    if export.kind == "users":
        return client.users.list(
            from_date=first, to_date=last, filter_by=_filter_by(export), start_index=index
        )
    statuses = _statuses(export)
    if export.user_email is not None:
        return client.users.transactions(
            export.user_email, from_date=first, to_date=last, points_status=statuses,
            start_index=index,
        )  # fmt: skip
    return client.transactions.list(
        from_date=first, to_date=last, points_status=statuses, start_index=index
    )


async def export_window(
    client: ShopSociallyClient,
    export: ExportInput,
    window: Window,
    index: int,
    counters: bulk.RunCounters,
) -> WindowResult:
    """Write one window (resuming its checkpoint); :class:`WindowBusy` while locked."""
    path = window_path(export, window, index)
    path.parent.mkdir(parents=True, exist_ok=True)
    checkpoint = Path(f"{path}.checkpoint.json")
    first, last = _day(window.start), _day(window.end) - timedelta(days=1)
    common: dict[str, Any] = {
        "from_date": first, "to_date": last, "format": export.format,
        "checkpoint": checkpoint, "resume": True, "counters": counters,
    }  # fmt: skip
    with _locked(Path(f"{path}.lock")):
        if export.kind == "users":
            final = await bulk.export_users(client, path, filter_by=_filter_by(export), **common)
        else:
            final = await bulk.export_transactions(
                client, path, points_status=_statuses(export), user_email=export.user_email,
                **common,
            )  # fmt: skip
    return WindowResult(window, str(path), final.records, final.size)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WindowBusy(f"{path}: another attempt is still writing this window") from None
        yield
    finally:
        os.close(fd)


def merge_windows(export: ExportInput, results: Sequence[WindowResult]) -> dict[str, Any]:
    """Concatenate the windows' files in order into ``export.out`` (atomically; a CSV's
    header once), write the manifest beside it, and return the manifest."""
    out = Path(export.out)
    temporary = out.with_name(f".{out.name}.tmp")
    with temporary.open("wb") as merged:
        for number, result in enumerate(results):
            with open(result.path, "rb") as part:
                if export.format == "csv" and number > 0:
                    part.readline()  # the header, written once
                while block := part.read(1 << 20):
                    merged.write(block)
        merged.flush()
        os.fsync(merged.fileno())
    os.replace(temporary, out)
    manifest = {
        "run_id": export.run_id,
        "kind": export.kind,
        "out": str(out),
        "records": sum(r.records for r in results),
        "windows": [
            {"start": r.window.start, "end": r.window.end, "file": r.path, "records": r.records}
            for r in results
        ],
    }
    Path(f"{out}.manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest
