"""The three listings over real sockets: many pages, totals, filters, resuming mid-way.

The module's program is seeded (fixed clock, ``rng_seed=0``): 3 members share 700 historical
writes (so each has well over 100 transactions, the API's page size), then 250 more members.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from shopsocially_async import ShopSociallyClient
from shopsocially_async.testing import FakeShopSocially
from shopsocially_async.testing import Transaction as Record

from .conftest import START, Served, fixed_clock, serving

pytestmark = pytest.mark.anyio

FIRST, LAST = date(2020, 1, 1), START.date()


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """A seeded program (overrides the catalog-only one of conftest), served once."""
    fake = FakeShopSocially(rng_seed=0, clock=fixed_clock)
    fake.seed(members=3, transactions=700, rng_seed=1)
    fake.seed(members=250, transactions=0, rng_seed=2)
    with serving(fake) as program:
        yield program


@pytest.fixture
def fake(served: Served) -> FakeShopSocially:
    """The seeded program (read-only in this module)."""
    return served.fake


def in_order(records: list[Record]) -> list[str]:
    """Transaction ids in the listings' order: creation time, then id."""
    return [r.id for r in sorted(records, key=lambda r: (r.created_at, r.id))]


async def test_transactions_stream_over_many_pages(
    client: ShopSociallyClient, fake: FakeShopSocially
) -> None:
    """Every transaction once, in order; pages of 100 with the total and cursor on each."""
    pages = [page async for page in client.transactions.list(from_date=FIRST, to_date=LAST).pages()]
    expected = in_order(fake.ledger)
    assert len(expected) > 600
    assert [tx.id for page in pages for tx in page.items] == expected
    assert len(pages) == -(-len(expected) // 100)
    assert {page.total for page in pages} == {len(expected)}
    assert [page.more for page in pages] == [True] * (len(pages) - 1) + [False]
    assert pages[0].next_start_index == 100
    assert pages[-1].next_start_index == len(expected)


async def test_transactions_resume_from_a_checkpoint(
    client: ShopSociallyClient, fake: FakeShopSocially
) -> None:
    """Starting at start_index=250 yields exactly the tail a crashed sync had left."""
    expected = in_order(fake.ledger)
    pager = client.transactions.list(from_date=FIRST, to_date=LAST, start_index=250)
    assert [tx.id async for tx in pager] == expected[250:]


async def test_transactions_filtered_by_status_and_date(
    client: ShopSociallyClient, fake: FakeShopSocially
) -> None:
    """points_status and the date window filter like the fake's own records say."""
    since = LAST - timedelta(days=90)
    pager = client.transactions.list(
        from_date=since, to_date=LAST, points_status=["pending", "auto_approved"]
    )
    got = [tx async for tx in pager]
    expected = in_order(
        [
            r
            for r in fake.ledger
            if r.points_status in ("pending", "auto_approved") and r.created_at.date() >= since
        ]
    )
    assert expected
    assert [tx.id for tx in got] == expected
    assert {tx.points_status for tx in got} <= {"pending", "auto_approved"}


async def test_member_history_over_pages(
    client: ShopSociallyClient, fake: FakeShopSocially
) -> None:
    """users.transactions pages through one member's 200-odd transactions, resumable."""
    busiest = Counter(r.user_email for r in fake.ledger).most_common(1)[0][0]
    member = fake.member(busiest)
    mine = in_order([r for r in fake.ledger if r.user_email == member.email])
    assert len(mine) > 200
    history = client.users.transactions(member.email, from_date=FIRST, to_date=LAST)
    pages = [page async for page in history.pages()]
    assert [tx.id for page in pages for tx in page.items] == mine
    assert (len(pages), pages[-1].total, pages[-1].more) == (-(-len(mine) // 100), len(mine), False)
    resumed = client.users.transactions(
        member.email, from_date=FIRST, to_date=LAST, start_index=len(mine) - 7
    )
    assert [tx.id async for tx in resumed] == mine[-7:]


async def test_users_listing_with_a_small_page_size(
    client: ShopSociallyClient, fake: FakeShopSocially
) -> None:
    """count=37 pages through every member once, in enrolment order, with the total."""
    pages = [
        page async for page in client.users.list(from_date=FIRST, to_date=LAST, count=37).pages()
    ]
    emails = [user.user_email for page in pages for user in page.items]
    assert emails == [
        m.email for m in sorted(fake.members, key=lambda m: (m.enrolled_at, m.user_id))
    ]
    assert len(emails) == 253
    assert (len(pages), {page.total for page in pages}) == (7, {253})
    resumed = client.users.list(from_date=FIRST, to_date=LAST, count=37, start_index=240)
    assert [user.user_email async for user in resumed] == emails[240:]


async def test_users_listing_by_last_activity(
    client: ShopSociallyClient, fake: FakeShopSocially
) -> None:
    """filter_by=last_activity_date selects members active in the window."""
    since = LAST - timedelta(days=30)
    pager = client.users.list(
        from_date=since, to_date=LAST, filter_by="last_activity_date", count=1000
    )
    got = {user.user_email async for user in pager}
    assert got == {m.email for m in fake.members if m.last_activity_at.date() >= since}


async def test_prefetching_gives_the_same_stream(
    client: ShopSociallyClient, fake: FakeShopSocially
) -> None:
    """prefetch=3 fetches pages ahead over several connections; the items are the same."""
    pager = client.transactions.list(from_date=FIRST, to_date=LAST, prefetch=3)
    assert [tx.id async for tx in pager] == in_order(fake.ledger)
