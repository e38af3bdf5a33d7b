"""Prefetching pagination: fetch up to N pages ahead while the caller consumes one.

After a page arrives, the real next cursor is computed (with every check of
:func:`~._pagination.next_start_index`) and the following cursors are *predicted* by
repeating the last advance (``next - start``), never past the listing's ``total``. Fetches
for the predicted cursors start before the page is handed to the caller. When the next
real cursor disagrees with a prediction, every speculative page from there on is cancelled
and discarded, and fetching continues from the real cursor: pages are always yielded in
order, exactly as sequential paging would yield them. A speculative fetch's error is raised
only if its page is actually needed.

Why background tasks instead of a task group held across ``yield``: a caller that stops
early (``break``) leaves the generator to be finalized later, in another task, where a task
group's cancel scope cannot be exited (anyio and trio both refuse). Each fetch instead runs
in its own task (:func:`~._tasks.spawn`: an ``asyncio`` task, or a trio system task in its
own cancel scope, with the caller's context variables) whose cancellation is a synchronous
call; the generator's ``finally`` cancels every outstanding fetch however it ends
(exhausted, ``break``, error, or the caller being cancelled).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, Generic, TypeVar

import anyio

from ._tasks import spawn
from .models.page import Page

__all__ = ["prefetching_pages"]

T = TypeVar("T")


class _Fetch(Generic[T]):
    """One page being fetched in the background; ``result()`` waits for it."""

    def __init__(self, fetch_page: Callable[[int], Awaitable[Page[T]]], cursor: int) -> None:
        self.cursor = cursor
        self._done = anyio.Event()
        self._page: Page[T] | None = None
        self._error: Exception | None = None
        self.cancel = spawn(lambda: self._run(fetch_page))

    async def _run(self, fetch_page: Callable[[int], Awaitable[Page[T]]]) -> None:
        try:
            self._page = await fetch_page(self.cursor)
        except Exception as exc:  # kept for the caller, raised only if the page is needed
            self._error = exc
        finally:
            self._done.set()

    async def result(self) -> Page[T]:
        await self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._page is not None
        return self._page


def _predict(page: Page[Any], cursor: int, count: int) -> list[int]:
    """``count`` cursors from ``cursor`` on, repeating the last advance; none past total."""
    step = cursor - page.start_index
    cursors = [cursor + i * step for i in range(count)]
    if page.total is not None:
        cursors = [c for c in cursors if c < page.total] or [cursor]
    return cursors


async def prefetching_pages(
    fetch_page: Callable[[int], Awaitable[Page[T]]],
    start_index: int,
    prefetch: int,
    next_cursor: Callable[[Page[T]], int | None],
) -> AsyncGenerator[Page[T], None]:
    """Pages from ``start_index`` in order, with up to ``prefetch`` fetched ahead."""
    ahead: dict[int, _Fetch[T]] = {}
    try:
        page = await fetch_page(start_index)  # the first page tells the page size
        while True:
            try:
                cursor = next_cursor(page)
            except Exception:  # the sequential paginator raises it after the yield
                yield page
                raise
            if cursor is not None:
                _keep_ahead(ahead, fetch_page, _predict(page, cursor, prefetch))
            yield page
            if cursor is None:
                return
            # Popped only once it is here: a consumer cancelled while waiting for it leaves it
            # in ``ahead``, where the ``finally`` below cancels it.
            page = await ahead[cursor].result()
            del ahead[cursor]
    finally:
        for fetch in ahead.values():
            fetch.cancel()


def _keep_ahead(
    ahead: dict[int, _Fetch[T]],
    fetch_page: Callable[[int], Awaitable[Page[T]]],
    wanted: list[int],
) -> None:
    """Cancel fetches nobody will need (a mispredicted cursor); start the missing ones."""
    for cursor in [c for c in ahead if c not in wanted]:
        ahead.pop(cursor).cancel()
    for cursor in wanted:
        if cursor not in ahead:
            ahead[cursor] = _Fetch(fetch_page, cursor)
