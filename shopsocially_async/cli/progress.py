"""Progress on stderr: a rich progress bar on a terminal, plain periodic lines otherwise.

Output that cannot be written (a closed pipe, a terminal gone with its SSH session) is
dropped: progress is never a reason for a run to fail.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from ..bulk import RunCounters

PLAIN_EVERY = 2.0  # seconds between plain lines
BAR_EVERY = 0.1


def summary_line(label: str, counters: RunCounters) -> str:
    """``award: 1200/5000 done, 3 failed (1 outcome unknown), 10 retries, 410/s, 2.9 s``."""
    total = "" if counters.total is None else f"/{counters.total}"
    unknown = f" ({counters.outcome_unknown} outcome unknown)" if counters.outcome_unknown else ""
    return (
        f"{label}: {counters.processed}{total} done, {counters.failed} failed{unknown}, "
        f"{counters.retries} retries, {counters.throughput:.0f}/s, "
        f"{counters.elapsed:.1f} s"
    )


@asynccontextmanager
async def progress(
    label: str, counters: RunCounters, *, console: Console | None = None
) -> AsyncIterator[None]:
    """Show ``counters`` while the block runs (and a last line when it ends)."""
    console = console or Console(stderr=True, highlight=False)
    live = console.is_terminal
    async with anyio.create_task_group() as tasks:
        if live:
            bar = _bar(console)
            task = bar.add_task(label, total=counters.total, failed=0, retries=0, rate=0.0)
            _quietly(bar.start)
            tasks.start_soon(_refresh_bar, bar, task, counters)
            try:
                yield
            finally:
                tasks.cancel_scope.cancel()
                _update(bar, task, counters)
                _quietly(bar.stop)
        else:
            tasks.start_soon(_plain_lines, console, label, counters)
            try:
                yield
            finally:
                tasks.cancel_scope.cancel()
    _print(console, summary_line(label, counters))


def _quietly(draw: Callable[[], object]) -> None:
    """Draw, unless the output is gone."""
    with contextlib.suppress(OSError):
        draw()


def _print(console: Console, line: str) -> None:
    _quietly(lambda: console.print(line, markup=False, highlight=False))


def _bar(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:.0f}/s"),
        TextColumn("[red]{task.fields[failed]} failed"),
        TextColumn("[yellow]{task.fields[retries]} retries"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        auto_refresh=False,  # drawn by _refresh_bar, on the event loop: no thread to fail
    )


def _update(bar: Progress, task: TaskID, counters: RunCounters) -> None:
    bar.update(
        task,
        completed=counters.processed,
        total=counters.total,
        failed=counters.failed,
        retries=counters.retries,
        rate=counters.throughput,
    )


async def _refresh_bar(bar: Progress, task: TaskID, counters: RunCounters) -> None:
    while True:
        _update(bar, task, counters)
        _quietly(bar.refresh)
        await anyio.sleep(BAR_EVERY)


async def _plain_lines(console: Console, label: str, counters: RunCounters) -> None:
    while True:
        await anyio.sleep(PLAIN_EVERY)
        _print(console, summary_line(label, counters))
