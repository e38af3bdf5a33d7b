"""Resumable exports of transactions and members to JSON lines or CSV.

After every page the output is flushed and fsynced, and then the checkpoint is replaced
atomically, so the checkpoint never claims more than the output holds, even after a power
cut. On resume the output is first cut back to the checkpointed size (a page written after
the last checkpoint is dropped, then fetched again), and reading continues from the
checkpointed window and ``start_index``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import aclosing, contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import anyio
import attrs

from .._client import ShopSociallyClient
from .._pagination import AsyncPaginator, next_start_index
from .._params import FilterBy, PointsStatus, date_range
from ..models import Page, Transaction, User
from ._checkpoint import Checkpoint, CheckpointMismatchError
from ._counters import RunCounters
from ._records import FORMATS, ExportFormat, column_names, csv_header, render

__all__ = [
    "Checkpoint",
    "CheckpointMismatchError",
    "ExportFormat",
    "export_transactions",
    "export_users",
]

Fetch = Callable[[date, date, int], AsyncPaginator[Any]]
USERS_PAGE_SIZE = 500


async def export_transactions(
    client: ShopSociallyClient,
    out: str | Path,
    *,
    from_date: date,
    to_date: date,
    points_status: PointsStatus | Sequence[PointsStatus] | None = None,
    user_email: str | None = None,
    format: ExportFormat = "jsonl",
    window_days: int | None = None,
    checkpoint: str | Path | None = None,
    resume: bool = False,
    counters: RunCounters | None = None,
) -> Checkpoint:
    """Write every transaction between two dates (or one member's, with ``user_email``) to
    ``out``, one page at a time, checkpointing after each page (see :func:`export_users`).
    """
    statuses = None if points_status is None else _as_list(points_status)
    arguments = {"kind": "transactions", "points_status": statuses, "user_email": user_email}

    def fetch(start: date, end: date, index: int) -> AsyncPaginator[Transaction]:
        if user_email is not None:
            return client.users.transactions(
                user_email,
                from_date=start,
                to_date=end,
                points_status=statuses,
                start_index=index,
            )
        return client.transactions.list(
            from_date=start, to_date=end, points_status=statuses, start_index=index
        )

    job = _Export(Path(out), Transaction, fetch, format, _checkpoint_path(out, checkpoint))
    return await job.run(arguments, from_date, to_date, window_days, resume, counters)


async def export_users(
    client: ShopSociallyClient,
    out: str | Path,
    *,
    from_date: date,
    to_date: date,
    filter_by: FilterBy | None = None,
    format: ExportFormat = "jsonl",
    window_days: int | None = None,
    checkpoint: str | Path | None = None,
    resume: bool = False,
    counters: RunCounters | None = None,
) -> Checkpoint:
    """Write every member enrolled (or active, with ``filter_by``) between two dates to ``out``.

    ``format`` is ``"jsonl"`` or ``"csv"``. ``window_days`` splits the date range into
    windows of that many days, read one after the other. The checkpoint (JSON, default
    ``<out>.checkpoint.json``) is replaced after every page; with ``resume=True`` an export
    continues from it (an absent checkpoint starts afresh; a finished one does nothing) and
    refuses one written for other arguments (:class:`CheckpointMismatchError`). Returns the
    final checkpoint; ``counters`` count the records written by this call.
    """
    arguments = {"kind": "users", "filter_by": filter_by}

    def fetch(start: date, end: date, index: int) -> AsyncPaginator[User]:
        return client.users.list(
            from_date=start,
            to_date=end,
            filter_by=filter_by,
            start_index=index,
            count=USERS_PAGE_SIZE,
        )

    job = _Export(Path(out), User, fetch, format, _checkpoint_path(out, checkpoint))
    return await job.run(arguments, from_date, to_date, window_days, resume, counters)


def _as_list(statuses: PointsStatus | Sequence[PointsStatus]) -> list[PointsStatus]:
    """One status or several, as a list (as the checkpoint's JSON gives it back)."""
    return [statuses] if isinstance(statuses, str) else list(statuses)


def _checkpoint_path(out: str | Path, checkpoint: str | Path | None) -> Path:
    return Path(checkpoint) if checkpoint is not None else Path(f"{out}.checkpoint.json")


def date_windows(start: date, end: date, days: int | None) -> Iterator[tuple[date, date]]:
    """``[start, end]`` cut into consecutive whole-day windows of ``days`` days (or one)."""
    if days is None:
        yield start, end
        return
    if days < 1:
        raise ValueError(f"window_days must be at least 1, got {days}")
    while start <= end:
        last = min(start + timedelta(days=days - 1), end)
        yield start, last
        start = last + timedelta(days=1)


@attrs.define
class _Export:
    """One export job: fetch pages window by window, append them, checkpoint each."""

    out: Path
    model: type[Any]
    fetch: Fetch
    format: ExportFormat
    checkpoint_path: Path

    async def run(
        self,
        arguments: dict[str, Any],
        from_date: date,
        to_date: date,
        window_days: int | None,
        resume: bool,
        counters: RunCounters | None,
    ) -> Checkpoint:
        if self.format not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {self.format!r}")
        start, end = date_range(from_date, to_date)
        windows = list(date_windows(start, end, window_days))  # small: one per window
        arguments = {
            **arguments,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "format": self.format,
            "window_days": window_days,
        }
        state = self._starting_point(arguments, windows[0], resume)
        counters = RunCounters() if counters is None else counters
        try:
            if not state.done:
                state = await self._export(state, windows, counters)
        finally:
            counters.finish()
        return state

    def _starting_point(
        self, arguments: dict[str, Any], first: tuple[date, date], resume: bool
    ) -> Checkpoint:
        saved = Checkpoint.load(self.checkpoint_path) if resume else None
        if saved is None:
            return Checkpoint(arguments=arguments, window_from=first[0], window_to=first[1])
        if saved.arguments != arguments:
            raise CheckpointMismatchError(
                f"checkpoint {self.checkpoint_path} was written for another export "
                f"({_describe(saved.arguments)}), not this one ({_describe(arguments)})"
            )
        return saved

    async def _export(
        self, state: Checkpoint, windows: list[tuple[date, date]], counters: RunCounters
    ) -> Checkpoint:
        columns = column_names(self.model)
        with _open_output(self.out, state.size, self.format, columns) as output:
            remaining = list(_remaining(windows, state))
            for number, window in enumerate(remaining, start=1):
                state = attrs.evolve(state, window_from=window[0], window_to=window[1])
                last = number == len(remaining)
                state = await self._window(state, output, columns, counters, last=last)
            state = attrs.evolve(state, done=True)
            await anyio.to_thread.run_sync(state.save, self.checkpoint_path)
        return state

    async def _window(
        self,
        state: Checkpoint,
        output: BinaryIO,
        columns: list[str],
        counters: RunCounters,
        *,
        last: bool,
    ) -> Checkpoint:
        before_window, first_index = counters.succeeded, state.start_index
        pager = self.fetch(state.window_from, state.window_to, state.start_index)
        async with aclosing(pager.pages()) as pages:
            async for page in pages:
                # The total is known once the last window's first page says its size; before
                # that, a window's total is not the export's (no "60/60 done" part-way).
                if page.total is not None and last:
                    counters.total = before_window + max(page.total - first_index, 0)
                state = await anyio.to_thread.run_sync(self._commit, state, page, output, columns)
                counters.succeeded += len(page.items)
        return attrs.evolve(state, start_index=0)

    def _commit(
        self, state: Checkpoint, page: Page[Any], output: BinaryIO, columns: list[str]
    ) -> Checkpoint:
        """Append the page and make it durable, then record it in the checkpoint (in that
        order: a checkpoint never covers bytes that a power cut could still take away)."""
        output.write(render(page.items, self.format, columns))
        output.flush()
        os.fsync(output.fileno())
        cursor = next_start_index(page)
        state = attrs.evolve(
            state,
            start_index=page.start_index + len(page.items) if cursor is None else cursor,
            records=state.records + len(page.items),
            size=output.tell(),
        )
        state.save(self.checkpoint_path)
        return state


def _remaining(windows: list[tuple[date, date]], state: Checkpoint) -> Iterable[tuple[date, date]]:
    """The windows from the checkpoint's on (the first one resumes at its start_index)."""
    found = False
    for window in windows:
        found = found or window[0] == state.window_from
        if found:
            yield window
    if not found:
        raise CheckpointMismatchError(
            f"checkpoint window {state.window_from} is not a window of this export"
        )


@contextmanager
def _open_output(
    path: Path, size: int, fmt: ExportFormat, columns: list[str]
) -> Iterator[BinaryIO]:
    """The output file cut back to ``size`` bytes and positioned at its end (header written)."""
    if size == 0:
        with path.open("wb") as handle:
            if fmt == "csv":
                handle.write(csv_header(columns))
            yield handle
        return
    with path.open("r+b") as handle:
        actual = handle.seek(0, os.SEEK_END)
        if actual < size:
            raise CheckpointMismatchError(
                f"{path} holds {actual} bytes but the checkpoint says {size} were written: the "
                "output was changed since; start the export again without resume"
            )
        handle.truncate(size)
        handle.seek(size)
        yield handle


def _describe(arguments: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in arguments.items() if v is not None)
