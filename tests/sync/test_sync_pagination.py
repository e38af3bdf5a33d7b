"""``SyncPaginator``: lazy, resumable listings for blocking code, that never leak a fetch."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date

import anyio
import httpx
import pytest

from shopsocially_async import errors
from shopsocially_async.sync import SyncShopSociallyClient, SyncUsageError
from shopsocially_async.testing import FakeShopSocially, Fault

from .conftest import in_process

ROUTE = "GET /transactions"
WINDOW = {"from_date": date(2000, 1, 1), "to_date": date(2100, 1, 1)}


class SlowCountingTransport(httpx.AsyncBaseTransport):
    """The fake in process, each request held ``delay`` seconds; counts requests in flight."""

    def __init__(self, fake: FakeShopSocially, delay: float) -> None:
        self._inner = fake.asgi_transport()
        self._delay = delay
        self.in_flight = 0
        self.cancelled = 0
        self.idle = threading.Event()  # set whenever nothing is in flight

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.idle.clear()
        try:
            await anyio.sleep(self._delay)
            return await self._inner.handle_async_request(request)
        except anyio.get_cancelled_exc_class():
            self.cancelled += 1
            raise
        finally:
            self.in_flight -= 1
            if not self.in_flight:
                self.idle.set()


@pytest.fixture
def seeded(shopsocially_seeded_fake: FakeShopSocially) -> FakeShopSocially:
    """100 members and 200 transactions: the transactions listing has three pages."""
    return shopsocially_seeded_fake


@pytest.fixture
def slow(
    seeded: FakeShopSocially,
) -> Iterator[tuple[SyncShopSociallyClient, SlowCountingTransport]]:
    """A client whose every request takes a fifth of a second, and its counting transport."""
    transport = SlowCountingTransport(seeded, delay=0.2)
    with in_process(seeded, transport=transport) as client:
        yield client, transport


def requests(fake: FakeShopSocially) -> int:
    """How many transactions pages the fake has served."""
    return fake.stats.requests[ROUTE]


def test_items_come_in_order_and_pages_only_when_needed(
    seeded: FakeShopSocially, shopsocially_sync_client: SyncShopSociallyClient
) -> None:
    """No request until the first item; the next page only for the item after the last."""
    pager = shopsocially_sync_client.transactions.list(**WINDOW)
    items = iter(pager)
    assert requests(seeded) == 0
    first_page = [next(items) for _ in range(100)]
    assert requests(seeded) == 1
    rest = [first_page[-1], next(items)]
    assert requests(seeded) == 2
    rest += list(items)
    every = [tx.id for tx in first_page[:-1] + rest]
    expected = [tx.id for tx in shopsocially_sync_client.transactions.list(**WINDOW).collect()]
    assert every == expected
    assert len(every) > 200 - 30  # the seeded history, as far as the window reaches


def test_pages_carry_totals_and_resume_from_a_cursor(
    seeded: FakeShopSocially, shopsocially_sync_client: SyncShopSociallyClient
) -> None:
    """``pages()`` yields pages with ``total`` and cursors; a new call resumes from one."""
    pager = shopsocially_sync_client.transactions.list(**WINDOW)
    pages = list(pager.pages())
    assert [len(p.items) for p in pages[:-1]] == [100] * (len(pages) - 1)
    assert pages[0].total == sum(len(p.items) for p in pages)
    cursor = pages[0].next_start_index
    assert cursor == 100
    resumed = shopsocially_sync_client.transactions.list(**WINDOW, start_index=cursor)
    assert resumed.start_index == 100
    assert [tx.id for tx in resumed] == [tx.id for p in pages[1:] for tx in p.items]


def test_first_page_collect_and_prefetch(
    seeded: FakeShopSocially, shopsocially_sync_client: SyncShopSociallyClient
) -> None:
    """``first_page`` is one request, ``collect(limit=)`` stops early, ``prefetch`` changes
    nothing in what comes out."""
    pager = shopsocially_sync_client.transactions.list(**WINDOW)
    assert len(pager.first_page().items) == 100
    assert requests(seeded) == 1
    assert len(pager.collect(limit=150)) == 150
    assert requests(seeded) == 3
    ahead = shopsocially_sync_client.transactions.list(**WINDOW, prefetch=3)
    assert ahead.prefetch == 3
    assert [tx.id for tx in ahead] == [tx.id for tx in pager.collect()]


def test_member_listings(
    seeded: FakeShopSocially, shopsocially_sync_client: SyncShopSociallyClient
) -> None:
    """``users.list`` and ``users.transactions`` iterate the same way."""
    window = {"from_date": date(2000, 1, 1), "to_date": date(2100, 1, 1)}
    emails = [u.user_email for u in shopsocially_sync_client.users.list(**window, count=30)]
    assert sorted(emails) == sorted(m.email for m in seeded.members)
    member = seeded.members[0]
    history = shopsocially_sync_client.users.transactions(member.email, **window).collect()
    assert sorted(t.id for t in history) == sorted(
        t.id for t in seeded.ledger if t.user_email == member.email
    )


@pytest.mark.parametrize("how", ["break", "with", "close", "drop"])
def test_an_iterator_stopped_early_leaves_no_fetch_running(
    slow: tuple[SyncShopSociallyClient, SlowCountingTransport], how: str
) -> None:
    """However iteration stops early, the page fetches it had in flight are cancelled before
    control comes back."""
    client, transport = slow
    pager = client.transactions.list(**WINDOW, prefetch=4)
    if how == "break":
        for _ in pager:
            break
    elif how == "with":
        with pager.pages() as pages:
            next(pages)
    elif how == "close":
        items = iter(pager)
        next(items)
        items.close()
    else:
        next(iter(pager))  # the iterator is dropped at once
    assert transport.in_flight == 0
    assert transport.cancelled >= 1  # prefetching had started the next pages
    assert client.activities.list()  # the client is fine


def test_an_error_mid_listing_is_raised_as_is(
    seeded: FakeShopSocially, shopsocially_sync_client: SyncShopSociallyClient
) -> None:
    """A failed page raises its typed error from ``next()``; the iterator is then finished."""
    seeded.inject(Fault("server_error", route=ROUTE, every_nth=2))
    items = iter(shopsocially_sync_client.with_options(max_retries=0).transactions.list(**WINDOW))
    assert len([next(items) for _ in range(100)]) == 100
    with pytest.raises(errors.ServerError):
        next(items)
    assert list(items) == []


def test_one_iterator_cannot_be_advanced_by_two_threads_at_once(
    seeded: FakeShopSocially, shopsocially_sync_client: SyncShopSociallyClient
) -> None:
    """While one thread waits for a page, another's ``next()`` raises ``SyncUsageError``."""
    seeded.inject(Fault("latency", route=ROUTE, latency=3, times=1))
    items = iter(shopsocially_sync_client.transactions.list(**WINDOW))
    got: list[object] = []
    waiting = threading.Thread(target=lambda: got.append(next(items)))
    waiting.start()
    while requests(seeded) == 0 and waiting.is_alive():
        threading.Event().wait(0.01)
    with pytest.raises(SyncUsageError, match="another thread"):
        next(items)
    waiting.join(30)
    assert len(got) == 1
    assert next(items) is not got[0]  # the iterator still works from either thread


def test_close_stops_open_iterators(seeded: FakeShopSocially) -> None:
    """Closing the client cancels an iterator left open; asking it for another page then
    raises ``ClientClosedError``."""
    client = in_process(seeded)
    pages = client.transactions.list(**WINDOW).pages()
    next(pages)
    client.close()
    with pytest.raises(errors.ClientClosedError):
        next(pages)


@pytest.mark.anyio
async def test_an_iterator_dropped_inside_async_code_is_stopped_without_waiting(
    slow: tuple[SyncShopSociallyClient, SlowCountingTransport],
) -> None:
    """Advanced from a worker thread, dropped on the event loop's thread: its fetches are
    cancelled without blocking that loop, and nothing is reported as unraisable."""
    client, transport = slow
    items = iter(client.transactions.list(**WINDOW, prefetch=4))
    await anyio.to_thread.run_sync(next, items)
    del items
    assert await anyio.to_thread.run_sync(transport.idle.wait, 10)
    assert transport.cancelled >= 1
