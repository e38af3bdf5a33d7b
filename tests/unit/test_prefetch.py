"""Prefetching pagination: same pages in the same order as sequential paging, fetched ahead.

Runs under asyncio and trio (the ``anyio_backend`` fixture). Pages come from a fake
``fetch_page`` with small random delays, so later pages often arrive first.
"""

from __future__ import annotations

import contextvars
import json
import random
from datetime import date
from typing import Any

import anyio
import httpx
import pytest

from shopsocially_async import (
    AsyncPaginator,
    InvalidArgumentError,
    PaginationError,
    ShopSociallyClient,
)
from shopsocially_async.models.page import Page

pytestmark = pytest.mark.anyio


class Listing:
    """A fake listing of ``total`` items in pages of ``size``; records what was fetched."""

    def __init__(self, total: int = 95, size: int = 10, *, delay: float = 0.002) -> None:
        self.total, self.size, self.delay = total, size, delay
        self.fetched: list[int] = []
        self.cancelled: set[int] = set()
        self.in_flight = self.max_in_flight = 0
        self.skip_at: dict[int, int] = {}  # start -> next_start_index the "server" says
        self.fail_at: set[int] = set()
        self.slow_from: int | None = None

    async def fetch(self, start: int) -> Page[int]:
        self.fetched.append(start)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.slow_from is not None and start >= self.slow_from:
                await anyio.sleep(30)
            await anyio.sleep(random.uniform(0, self.delay))
        except anyio.get_cancelled_exc_class():
            self.cancelled.add(start)
            raise
        finally:
            self.in_flight -= 1
        if start in self.fail_at:
            raise RuntimeError(f"page {start} failed")
        items = tuple(range(start, min(start + self.size, self.total)))
        following = self.skip_at.get(start, start + len(items))
        more = following < self.total
        return Page(
            items=items, start_index=start, next_start_index=following, more=more, total=None
        )


async def collect(listing: Listing, prefetch: int) -> list[int]:
    pager = AsyncPaginator(listing.fetch, start_index=0, prefetch=prefetch)
    return [item async for item in pager]


async def test_same_items_in_order_as_sequential() -> None:
    """prefetch=4 yields exactly the sequential items, in order, despite random delays."""
    expected = await collect(Listing(), prefetch=0)
    assert expected == list(range(95))
    for _ in range(5):
        assert await collect(Listing(), prefetch=4) == expected


async def test_fetches_ahead_but_at_most_prefetch_pages() -> None:
    """Several pages are in flight at once, never more than ``prefetch``; each page once
    (the fake sends no total, so a few speculative fetches past the end are expected)."""
    listing = Listing(total=200, delay=0.01)
    assert await collect(listing, prefetch=3) == list(range(200))
    assert 1 < listing.max_in_flight <= 3
    assert sorted(c for c in listing.fetched if c < 200) == list(range(0, 200, 10))
    assert len(listing.fetched) <= 20 + 3


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # trio wants aclosing(), below
async def test_early_break_cancels_outstanding_fetches() -> None:
    """Breaking out after the first item cancels every fetch still running."""
    listing = Listing(total=1000)
    listing.slow_from = 10  # every page after the first hangs
    pager = AsyncPaginator(listing.fetch, start_index=0, prefetch=3)
    async for item in pager:
        assert item == 0
        await anyio.sleep(0.01)  # the fetches ahead are running now
        break
    for _ in range(20):  # let the finalizer run
        await anyio.sleep(0.01)
    assert listing.cancelled == {10, 20, 30}
    assert listing.in_flight == 0


async def test_closing_pages_cancels_outstanding_fetches() -> None:
    """Closing pages() (``aclosing``, the way to stop early under trio) cancels the fetches."""
    listing = Listing(total=1000)
    listing.slow_from = 10
    pages = AsyncPaginator(listing.fetch, start_index=0, prefetch=2).pages()
    first = await pages.__anext__()
    assert first.start_index == 0
    await anyio.sleep(0.01)  # the fetches ahead are running now
    await pages.aclose()
    await anyio.sleep(0.01)
    assert listing.cancelled == {10, 20}


async def test_mispredicted_cursor_discards_speculation() -> None:
    """When the server's next_start_index is not the predicted one, speculative pages are
    dropped and paging continues from the real cursor, exactly as sequential paging."""
    sequential, ahead = Listing(), Listing()
    sequential.skip_at = ahead.skip_at = {10: 25, 45: 47}
    expected = await collect(sequential, prefetch=0)
    assert await collect(ahead, prefetch=3) == expected
    assert 25 in ahead.fetched
    assert 47 in ahead.fetched


async def test_error_of_a_needed_page_propagates_after_earlier_items() -> None:
    """A failing page raises after every earlier item was yielded."""
    listing = Listing()
    listing.fail_at = {30}
    seen: list[int] = []

    async def consume() -> None:
        async for item in AsyncPaginator(listing.fetch, start_index=0, prefetch=4):
            seen.append(item)

    with pytest.raises(RuntimeError, match="page 30 failed"):
        await consume()
    assert seen == list(range(30))


async def test_error_of_an_unneeded_speculative_page_is_ignored() -> None:
    """A speculative page past the end that fails is never raised."""
    listing = Listing(total=50)
    listing.fail_at = {50, 60, 70}
    assert await collect(listing, prefetch=4) == list(range(50))


async def test_cursor_that_does_not_advance_is_still_refused() -> None:
    """A repeating cursor raises PaginationError after its page, as without prefetch."""
    listing = Listing()
    listing.skip_at = {20: 20}
    seen: list[int] = []

    async def consume() -> None:
        async for item in AsyncPaginator(listing.fetch, start_index=0, prefetch=2):
            seen.append(item)

    with pytest.raises(PaginationError):
        await consume()
    assert seen == list(range(30))


def page_reply(request: httpx.Request) -> httpx.Response:
    start = int(request.url.params["start_index"])
    ids = list(range(start, min(start + 5, 23)))
    data: dict[str, Any] = {
        "transactions": [{"id": f"t{i}", "points": i} for i in ids],
        "total": 23,
        "next_start_index": start + len(ids),
        "more": start + len(ids) < 23,
    }
    return httpx.Response(200, content=json.dumps({"success": True, "data": data}))


async def test_listing_methods_accept_prefetch() -> None:
    """transactions.list(prefetch=3) pages through the client like prefetch=0."""
    transport = httpx.MockTransport(page_reply)
    day = date(2024, 1, 1)
    async with ShopSociallyClient("p", "k", transport=transport) as client:
        plain = [tx.id async for tx in client.transactions.list(from_date=day, to_date=day)]
        ahead = client.transactions.list(from_date=day, to_date=day, prefetch=3)
        fetched_ahead = [tx.id async for tx in ahead]
    assert plain == fetched_ahead == [f"t{i}" for i in range(23)]


@pytest.mark.parametrize("bad", [-1, 65, 1.5, True, "2"])
def test_prefetch_is_validated(bad: object) -> None:
    """prefetch must be a whole number from 0 to 64."""
    client = ShopSociallyClient("p", "k", transport=httpx.MockTransport(page_reply))
    with pytest.raises(InvalidArgumentError, match="prefetch"):
        client.users.list(
            from_date=date(2024, 1, 1),
            to_date=date(2024, 1, 2),
            prefetch=bad,  # type: ignore[arg-type]
        )


REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="unset")


async def test_prefetched_pages_keep_the_callers_context_variables() -> None:
    """Every page, fetched ahead in the background or not, runs with the caller's context
    variables (logging and tracing context survive), under asyncio and trio alike."""
    seen: list[tuple[int, str]] = []

    async def fetch(start: int) -> Page[int]:
        seen.append((start, REQUEST_ID.get()))
        more = start + 10 < 50
        return Page(items=tuple(range(start, start + 10)), start_index=start,
                    next_start_index=start + 10, more=more, total=50)  # fmt: skip

    REQUEST_ID.set("req-42")
    items = [i async for i in AsyncPaginator(fetch, start_index=0, prefetch=3)]
    assert items == list(range(50))
    assert {value for _, value in seen} == {"req-42"}
    assert sorted(start for start, _ in seen) == [0, 10, 20, 30, 40]


async def test_the_page_being_awaited_is_cancelled_with_its_consumer() -> None:
    """A consumer cancelled while it waits for the next prefetched page stops that fetch too
    (it was popped before being awaited, so nothing cancelled it)."""
    listing = Listing(total=1000)
    listing.slow_from = 10  # every page after the first hangs
    pages = AsyncPaginator(listing.fetch, start_index=0, prefetch=2).pages()
    await pages.__anext__()
    with anyio.move_on_after(0.05):
        await pages.__anext__()  # waits for page 10, which hangs
    await pages.aclose()
    with anyio.fail_after(5):
        while listing.in_flight:  # noqa: ASYNC110 - the fake's counter, no event to wait on
            await anyio.sleep(0.01)
    assert 10 in listing.cancelled
