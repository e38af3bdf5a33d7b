"""``SyncPaginator``: an :class:`~shopsocially_async.AsyncPaginator` for blocking code."""

from __future__ import annotations

import functools
from collections.abc import Generator
from typing import Generic, TypeVar

from .._pagination import AsyncPaginator
from ..models.page import Page
from ._loop import BlockingIterator, EventLoopThread

__all__ = ["SyncPaginator"]

T = TypeVar("T")


class SyncPaginator(Generic[T]):
    """A lazy, resumable listing: ``for item in pager`` or ``for page in pager.pages()``.

    The same paginator as the async client's, run on the client's event loop thread: nothing is
    requested until iteration starts, one page is held at a time (plus ``prefetch`` pages
    fetched ahead), the next page is fetched only when you ask for the item after the last one.
    An iterator you stop early (``break``, an exception, dropping it, or its ``close()``) stops
    at once: fetches still in flight are cancelled, none is left running. Each iterator is for
    one thread at a time.

    >>> for tx in client.transactions.list(from_date=d1, to_date=d2):  # doctest: +SKIP
    ...     print(tx.id, tx.points)
    """

    def __init__(self, pager: AsyncPaginator[T], loop: EventLoopThread) -> None:
        self._pager = pager
        self._loop = loop

    @property
    def start_index(self) -> int:
        """Where iteration starts (resume a sync from a checkpoint by passing it to a new call)."""
        return self._pager.start_index

    @property
    def prefetch(self) -> int:
        """Pages fetched ahead while you consume the current one (0: none)."""
        return self._pager.prefetch

    def __iter__(self) -> BlockingIterator[T]:
        return BlockingIterator(self._items())

    def _items(self) -> Generator[T, None, None]:
        # One hop to the loop per page, not per item; closing this closes the pages.
        with self.pages() as pages:
            for page in pages:
                yield from page.items

    def pages(self) -> BlockingIterator[Page[T]]:
        """Yield whole pages, with their ``total``, ``next_start_index`` and ``more``."""
        return self._loop.iterate(self._pager.pages)

    def first_page(self) -> Page[T]:
        """Fetch only the page at ``start_index`` (e.g. to read ``total``)."""
        return self._loop.run(self._pager.first_page)

    def collect(self, *, limit: int | None = None) -> list[T]:
        """Gather items into a list (all of them, or the first ``limit``). Mind memory."""
        return self._loop.run(functools.partial(self._pager.collect, limit=limit))
