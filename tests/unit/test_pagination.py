"""Pagination: the pure next-cursor step and the lazy, streaming AsyncPaginator."""

from __future__ import annotations

import gc
import weakref
from collections.abc import AsyncGenerator
from contextlib import aclosing
from datetime import date
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from shopsocially_async import AsyncPaginator, Page, ShopSociallyClient, errors
from shopsocially_async._pagination import ListingGuard, next_start_index
from tests.unit.scripted import Script, ok, scripted_client, status

JAN, FEB = date(2024, 1, 1), date(2024, 2, 1)


def page(
    start: int, n: int, nxt: int | None = None, more: bool | None = None, total: int | None = None
) -> Page[int]:
    """A page of ``n`` integer items fetched at ``start``."""
    return Page(
        items=tuple(range(start, start + n)),
        start_index=start,
        next_start_index=nxt,
        more=more,
        total=total,
    )


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        pytest.param(page(0, 2, nxt=2, more=True), 2, id="follows-next"),
        pytest.param(page(0, 2, nxt=50, more=True), 50, id="jumps-forward"),
        pytest.param(page(0, 2, nxt=2, more=False), None, id="more-false-stops"),
        pytest.param(page(0, 2, nxt=0, more=False), None, id="more-false-stops-before-checks"),
        pytest.param(page(0, 0, nxt=10, more=True), None, id="empty-page-stops-despite-more"),
        pytest.param(page(5, 0), None, id="empty-page-stops"),
        pytest.param(page(0, 3, more=True), 3, id="missing-next-advances-by-items"),
        pytest.param(page(10, 4, more=True), 14, id="missing-next-from-offset"),
        pytest.param(page(0, 3), 3, id="no-cursor-info-keeps-going"),
        pytest.param(page(0, 3, total=3), None, id="more-missing-total-reached"),
        pytest.param(page(0, 3, nxt=3, total=3), None, id="more-missing-next-at-total"),
        pytest.param(page(0, 3, total=10), 3, id="more-missing-total-not-reached"),
        pytest.param(page(0, 3, nxt=3, more=True, total=3), 3, id="more-true-beats-total"),
    ],
)
def test_next_start_index(current: Page[int], expected: int | None) -> None:
    """Where the next page starts, or None when the listing is done."""
    assert next_start_index(current) == expected


@pytest.mark.parametrize(
    "current",
    [
        pytest.param(page(0, 2, nxt=0, more=True), id="same-cursor"),
        pytest.param(page(10, 2, nxt=10, more=True), id="same-cursor-later"),
        pytest.param(page(10, 2, nxt=4, more=True), id="backwards"),
        pytest.param(page(10, 2, nxt=-1), id="negative"),
    ],
)
def test_cursor_that_does_not_advance_is_refused(current: Page[int]) -> None:
    """A non-advancing or backwards cursor raises PaginationError instead of looping."""
    with pytest.raises(errors.PaginationError, match="did not advance"):
        next_start_index(current)


def tx_page(ids: list[int], **cursor: Any) -> httpx.Response:
    """A transactions listing page whose records have the given ids."""
    records = [{"id": f"tx-{i}", "points": i} for i in ids]
    return ok({"transactions": records, **cursor})


def start_indexes(script: Script) -> list[int]:
    """The start_index each recorded request asked for."""
    return [int(parse_qs(r.url.query.decode())["start_index"][0]) for r in script.requests]


def listing(client: ShopSociallyClient, start_index: int = 0) -> Any:
    """The transactions listing for January."""
    return client.transactions.list(from_date=JAN, to_date=FEB, start_index=start_index)


THREE_PAGES = [
    lambda: tx_page([0, 1], next_start_index=2, more=True, total=5),
    lambda: tx_page([2, 3], next_start_index=4, more=True, total=5),
    lambda: tx_page([4], next_start_index=5, more=False, total=5),
]


@pytest.mark.anyio
async def test_listing_is_lazy() -> None:
    """Creating a paginator (or its pages() iterator) sends no request."""
    script = Script()
    async with scripted_client(script) as client:
        pager = listing(client)
        pages = pager.pages()
        await pages.aclose()
    assert script.count == 0


@pytest.mark.anyio
async def test_items_stream_across_pages() -> None:
    """``async for`` yields every item of every page, in order, following next_start_index."""
    script = Script(*(make() for make in THREE_PAGES))
    async with scripted_client(script) as client:
        ids = [tx.id async for tx in listing(client)]
    assert ids == ["tx-0", "tx-1", "tx-2", "tx-3", "tx-4"]
    assert start_indexes(script) == [0, 2, 4]


@pytest.mark.anyio
async def test_pages_expose_the_cursor_fields() -> None:
    """pages() yields Page objects with items, start_index, next_start_index, more, total."""
    script = Script(*(make() for make in THREE_PAGES))
    async with scripted_client(script) as client:
        pages = [p async for p in listing(client).pages()]
    assert [(p.start_index, p.next_start_index, p.more, p.total) for p in pages] == [
        (0, 2, True, 5),
        (2, 4, True, 5),
        (4, 5, False, 5),
    ]
    assert [len(p.items) for p in pages] == [2, 2, 1]


@pytest.mark.anyio
async def test_users_listing_reads_its_own_total_key() -> None:
    """The users listing pages ``loyalty_users`` and reads ``total_loyalty_users``."""
    body = {"loyalty_users": [{"user_email": "a@x.io"}], "total_loyalty_users": 1, "more": False}
    script = Script(ok(body))
    async with scripted_client(script) as client:
        pages = [p async for p in client.users.list(from_date=JAN, to_date=FEB).pages()]
    assert pages[0].total == 1
    assert pages[0].items[0].user_email == "a@x.io"


@pytest.mark.anyio
async def test_start_index_resumes_from_a_checkpoint() -> None:
    """start_index makes the first request start there, so a long sync can resume."""
    script = Script(tx_page([40, 41], next_start_index=42, more=False))
    async with scripted_client(script) as client:
        pager = listing(client, start_index=40)
        assert pager.start_index == 40
        ids = [tx.id async for tx in pager]
    assert ids == ["tx-40", "tx-41"]
    assert start_indexes(script) == [40]


@pytest.mark.anyio
async def test_each_iteration_starts_again_from_start_index() -> None:
    """Iterating the same paginator twice fetches from start_index both times."""
    script = Script(tx_page([7], more=False), tx_page([7], more=False))
    async with scripted_client(script) as client:
        pager = listing(client, start_index=7)
        first = [tx.id async for tx in pager]
        second = [tx.id async for tx in pager]
    assert first == second == ["tx-7"]
    assert start_indexes(script) == [7, 7]


@pytest.mark.anyio
async def test_empty_page_stops_even_when_more_is_true() -> None:
    """A page with no items ends the listing although ``more`` still says true."""
    script = Script(
        tx_page([0], next_start_index=1, more=True), tx_page([], next_start_index=2, more=True)
    )
    async with scripted_client(script) as client:
        ids = [tx.id async for tx in listing(client)]
    assert ids == ["tx-0"]
    assert script.count == 2


@pytest.mark.anyio
async def test_missing_next_start_index_advances_by_item_count() -> None:
    """Without next_start_index the next page starts after the items received."""
    script = Script(tx_page([0, 1, 2], more=True), tx_page([3], more=False))
    async with scripted_client(script) as client:
        ids = [tx.id async for tx in listing(client)]
    assert ids == ["tx-0", "tx-1", "tx-2", "tx-3"]
    assert start_indexes(script) == [0, 3]


@pytest.mark.anyio
async def test_repeating_cursor_raises_instead_of_looping() -> None:
    """A server that answers the same cursor forever gets PaginationError after one repeat."""
    script = Script(
        tx_page([0, 1], next_start_index=2, more=True),
        tx_page([0, 1], next_start_index=2, more=True),
        # Anything after this would be an unscripted request and fail the test.
    )
    seen: list[str | None] = []
    async with scripted_client(script) as client:
        with pytest.raises(errors.PaginationError):  # noqa: PT012 - raised mid-iteration
            async for tx in listing(client):
                seen.append(tx.id)
    assert script.count == 2
    assert seen == ["tx-0", "tx-1", "tx-0", "tx-1"]


@pytest.mark.anyio
async def test_error_on_a_later_page_propagates_after_earlier_items() -> None:
    """A failing page raises its API error after the items already streamed."""
    script = Script(tx_page([0], next_start_index=1, more=True), status(404, b"Not Found"))
    seen: list[str | None] = []
    async with scripted_client(script, max_retries=0) as client:
        with pytest.raises(errors.NotFoundError):  # noqa: PT012 - raised mid-iteration
            async for tx in listing(client):
                seen.append(tx.id)
    assert seen == ["tx-0"]


@pytest.mark.anyio
async def test_collect_with_limit_stops_fetching() -> None:
    """collect(limit=n) returns the first n items and fetches no page it does not need."""
    script = Script(*(make() for make in THREE_PAGES[:2]))
    async with scripted_client(script) as client:
        items = await listing(client).collect(limit=3)
    assert [tx.id for tx in items] == ["tx-0", "tx-1", "tx-2"]
    assert script.count == 2


@pytest.mark.anyio
async def test_first_page_fetches_one_page() -> None:
    """first_page() fetches only the page at start_index (e.g. to read the total)."""
    script = Script(THREE_PAGES[0]())
    async with scripted_client(script) as client:
        first = await listing(client).first_page()
    assert first.total == 5
    assert script.count == 1


class Record:
    """An item that can be weakly referenced, to watch when a page is freed."""


def record_pages(
    pages_alive: list[weakref.ref[Page[Record]]], count: int
) -> AsyncPaginator[Record]:
    """A paginator over ``count`` fresh pages of two records, noting a weakref to each page."""

    async def fetch(index: int) -> Page[Record]:
        fetched = Page(
            items=(Record(), Record()),
            start_index=index,
            next_start_index=index + 2,
            more=index + 2 < 2 * count,
        )
        pages_alive.append(weakref.ref(fetched))
        return fetched

    return AsyncPaginator(fetch, start_index=0)


@pytest.mark.anyio
async def test_only_the_current_page_is_held() -> None:
    """While streaming items, every page before the current one can be garbage collected."""
    pages_alive: list[weakref.ref[Page[Record]]] = []
    items_alive: list[weakref.ref[Record]] = []
    async for item in record_pages(pages_alive, count=5):
        items_alive.append(weakref.ref(item))
        del item
        gc.collect()
        current = len(pages_alive) - 1
        assert all(ref() is None for ref in pages_alive[:current])
        assert all(ref() is None for ref in items_alive[: 2 * current])
    assert len(pages_alive) == 5


@pytest.mark.anyio
async def test_pages_iteration_holds_no_past_pages() -> None:
    """pages() keeps no reference to pages already yielded."""
    pages_alive: list[weakref.ref[Page[Record]]] = []
    async for current_page in record_pages(pages_alive, count=4).pages():
        del current_page
        gc.collect()
        assert all(ref() is None for ref in pages_alive[:-1])
    assert len(pages_alive) == 4


@pytest.mark.anyio
async def test_closing_the_item_iterator_closes_the_page_iterator() -> None:
    """Closing ``async for`` early (aclosing / break) finalizes the inner page generator now,
    not whenever the garbage collector gets to it."""
    closed: list[bool] = []

    class Watched(AsyncPaginator[Record]):
        async def pages(self) -> AsyncGenerator[Page[Record], None]:
            try:
                for start in (0, 2, 4):
                    yield Page(items=(Record(), Record()), start_index=start, more=True)
            finally:
                closed.append(True)

    pager = Watched(record_pages([], count=3)._fetch_page, start_index=0)
    async with aclosing(pager.__aiter__()) as items:
        await items.__anext__()
    assert closed == [True]
    assert await pager.collect(limit=1)
    assert closed == [True, True]


# --- listings that would never end ------------------------------------------------------------


def same_page(start: int, *, total: int | None = None) -> Page[int]:
    """A page holding items 0..2 whatever its start_index (a server repeating itself)."""
    return Page(
        items=(0, 1, 2), start_index=start, next_start_index=start + 3, more=True, total=total
    )


def walk(guard: ListingGuard, pages: list[Page[int]]) -> list[int | None]:
    """The cursors ``guard`` gives for ``pages`` in turn."""
    return [guard.next_cursor(p) for p in pages]


def test_a_page_repeating_the_previous_page_is_refused() -> None:
    """``more: true`` forever with the same page (even with a total of 3) is refused at the
    second page, instead of 2,167 pages in 3 s."""
    guard = ListingGuard()
    assert walk(guard, [same_page(0, total=3)]) == [3]
    with pytest.raises(errors.PaginationError, match="repeats the previous page"):
        guard.next_cursor(same_page(3, total=3))


def test_items_far_past_the_announced_total_are_refused() -> None:
    """New items on every page, but far more than the total announced: refused once the
    excess is more than a page."""
    guard = ListingGuard()
    pages = [page(start, 3, nxt=start + 3, more=True, total=4) for start in range(0, 30, 3)]
    assert walk(guard, pages[:2]) == [3, 6]  # 6 items of 4: within a page of slack
    with pytest.raises(errors.PaginationError, match="announced 4 items but has sent 9"):
        guard.next_cursor(pages[2])


def test_a_listing_that_grows_by_less_than_a_page_is_read_whole() -> None:
    """Items created while the listing is read push it past its first total a little: fine."""
    pages = [page(0, 3, nxt=3, more=True, total=5), page(3, 3, nxt=6, more=False, total=6)]
    assert walk(ListingGuard(), pages) == [3, None]


def test_a_resumed_listing_counts_from_its_start_index() -> None:
    """Resuming at start_index 90 of 100 reads the last 10 items without complaint, and a
    server that then keeps going is still caught."""
    guard = ListingGuard()
    pages = [page(start, 5, nxt=start + 5, more=True, total=100) for start in (90, 95, 100)]
    assert walk(guard, pages) == [95, 100, 105]  # the last one within a page of slack
    with pytest.raises(errors.PaginationError, match="announced 100"):
        guard.next_cursor(page(105, 5, nxt=110, more=True, total=100))


@pytest.mark.anyio
@pytest.mark.parametrize("prefetch", [0, 3])
async def test_an_endless_listing_ends_with_pagination_error(prefetch: int) -> None:
    """Through the client: the same page answered forever stops ``collect()`` with
    PaginationError after two requests (a few more when prefetching), sequential or not."""
    endless = [tx_page([1, 2, 3], more=True, next_start_index=n + 3, total=3) for n in range(9)]
    script = Script(*endless)
    async with scripted_client(script) as client:
        pager = client.transactions.list(from_date=JAN, to_date=FEB, prefetch=prefetch)
        with pytest.raises(errors.PaginationError, match="repeats"):
            await pager.collect()
    assert 2 <= script.count <= 2 + prefetch


@pytest.mark.anyio
@pytest.mark.parametrize("limit", ["3", 2.5, True])
async def test_collect_refuses_a_limit_that_is_not_a_count(limit: Any) -> None:
    """``collect(limit=...)`` takes a whole number (or None); anything else is refused before
    any page is fetched."""
    script = Script()
    async with scripted_client(script) as client:
        with pytest.raises(errors.InvalidArgumentError, match="limit"):
            await client.transactions.list(from_date=JAN, to_date=FEB).collect(limit=limit)
    assert script.count == 0
