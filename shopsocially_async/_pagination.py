"""Paged listings: a pure "next cursor" step and one generic async paginator.

The API pages with ``start_index``; each page carries ``next_start_index``, ``more`` and a
total. :func:`next_start_index` decides where the next page starts (or that there is none)
and refuses a cursor that does not advance; :class:`ListingGuard` refuses a listing that
never ends (a page repeating the previous page's items, or far more items than the announced
total); :class:`AsyncPaginator` does the fetching.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from typing import Any, Generic, TypeVar

from ._prefetch import prefetching_pages
from .errors import InvalidArgumentError, PaginationError
from .models.page import Page

__all__ = ["AsyncPaginator", "ListingGuard", "next_start_index"]

T = TypeVar("T")


def next_start_index(page: Page[T]) -> int | None:
    """Where the page after ``page`` starts, or None when the listing is exhausted.

    Stops on an empty page (even when ``more`` says true) and when ``more`` is false;
    without ``more``, stops once ``total`` is reached. Advances by the number of items when
    the server sends no ``next_start_index``. Raises :class:`PaginationError` when the
    cursor would not move forward, instead of fetching the same page forever.
    """
    if not page.items or page.more is False:
        return None
    if page.next_start_index is None:
        cursor = page.start_index + len(page.items)
    else:
        cursor = page.next_start_index
    if cursor <= page.start_index:
        raise PaginationError(
            f"the server's cursor did not advance: page at start_index={page.start_index} "
            f"says next_start_index={page.next_start_index}"
        )
    if page.more is None and page.total is not None and cursor >= page.total:
        return None
    return cursor


class ListingGuard:
    """The next cursor of each page in turn, refusing a listing that would never end.

    A hostile or broken server may answer ``more: true`` forever with the same page, or
    keep inventing pages far past the ``total`` it announced. Keeps a hash of the previous
    page's items (not the items: a past page must be free to go) and two counters, so
    streaming stays O(one page). A listing may grow while it is read, so up to one page more
    than the first announced ``total`` is tolerated.
    """

    def __init__(self) -> None:
        self._previous: int | None = None  # the previous page's fingerprint
        self._started = False
        self._seen = 0  # where the last page ended: the first start_index plus the items seen
        self._total: int | None = None

    def next_cursor(self, page: Page[Any]) -> int | None:
        """:func:`next_start_index` of ``page``, after checking it against the pages before."""
        fingerprint = _fingerprint(page.items)
        if fingerprint is not None and fingerprint == self._previous:
            raise PaginationError(
                f"the page at start_index={page.start_index} repeats the previous page's "
                f"{len(page.items)} items; stopping instead of looping forever"
            )
        if not self._started:
            self._started = True
            self._seen = page.start_index  # a resumed listing: what came before counts too
            self._total = page.total
        self._previous = fingerprint
        self._seen += len(page.items)
        if self._total is not None and self._seen > self._total + len(page.items):
            raise PaginationError(
                f"the listing announced {self._total} items but has sent {self._seen} so far; "
                "stopping instead of reading an endless listing"
            )
        return next_start_index(page)


def _fingerprint(items: tuple[Any, ...]) -> int | None:
    """A hash of a page's items (models are frozen, so hashable); None for an empty page."""
    if not items:
        return None
    try:
        return hash((len(items), items))
    except TypeError:  # an unhashable item type: the repeat check cannot apply
        return None


class AsyncPaginator(Generic[T]):
    """A lazy, resumable listing: ``async for item in pager`` or ``async for page in
    pager.pages()``.

    Nothing is requested until iteration starts, and only the current page is held in
    memory (plus up to ``prefetch`` pages fetched ahead, see :mod:`._prefetch`). Each
    iteration starts again from ``start_index``; to resume a long sync from a checkpoint,
    pass the last page's ``next_start_index`` as ``start_index`` to a new call.

    >>> async for tx in client.transactions.list(from_date=d1, to_date=d2):  # doctest: +SKIP
    ...     print(tx.id, tx.points)
    """

    def __init__(
        self,
        fetch_page: Callable[[int], Awaitable[Page[T]]],
        *,
        start_index: int,
        prefetch: int = 0,
    ) -> None:
        self._fetch_page = fetch_page
        self.start_index = start_index
        #: Pages fetched ahead while the caller consumes the current one (0: none).
        self.prefetch = prefetch

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def _items(self) -> AsyncGenerator[T, None]:
        # Close pages() when we are closed early, or trio warns it was never exhausted.
        async with aclosing(self.pages()) as pages:
            async for page in pages:
                for item in page.items:
                    yield item

    async def pages(self) -> AsyncGenerator[Page[T], None]:
        """Yield whole pages, with their ``total``, ``next_start_index`` and ``more``."""
        guard = ListingGuard()
        if self.prefetch > 0:
            ahead = prefetching_pages(
                self._fetch_page, self.start_index, self.prefetch, guard.next_cursor
            )
            async with aclosing(ahead) as pages:
                async for page in pages:
                    yield page
            return
        cursor: int | None = self.start_index
        while cursor is not None:
            page = await self._fetch_page(cursor)
            yield page
            cursor = guard.next_cursor(page)

    async def first_page(self) -> Page[T]:
        """Fetch only the page at ``start_index`` (e.g. to read ``total``)."""
        return await self._fetch_page(self.start_index)

    async def collect(self, *, limit: int | None = None) -> list[T]:
        """Gather items into a list (all of them, or the first ``limit``). Mind memory."""
        items: list[T] = []
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise InvalidArgumentError(f"limit must be a whole number or None, got {limit!r}")
        if limit is not None and limit <= 0:
            return items
        async with aclosing(self._items()) as iterator:
            async for item in iterator:
                items.append(item)
                # Stop as soon as we have enough: asking for one more item would fetch a
                # page that is never used.
                if limit is not None and len(items) >= limit:
                    break
        return items
