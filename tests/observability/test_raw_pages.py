"""Raw listings: ``client.with_raw_response.users.list(...)`` pages with their responses.

Run against the fake in process (the plugin's fixtures): the raw pages are the plain pages,
in the same order, each with the response it came in.
"""

from __future__ import annotations

import json
from contextlib import aclosing
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from shopsocially_async import Page, RawPages, RawResponse, ShopSociallyClient, User, errors
from shopsocially_async.testing import FakeShopSocially, Fault
from tests.unit.scripted import Script, ok, scripted_client

pytestmark = pytest.mark.anyio

EVER = {"from_date": date(2000, 1, 1), "to_date": date(2100, 1, 1)}


def start_index_of(response: RawResponse[Page[User]]) -> int:
    """The ``start_index`` the page's request asked for."""
    return int(parse_qs(urlsplit(response.request.url).query)["start_index"][0])


@pytest.mark.parametrize("prefetch", [0, 2])
async def test_raw_pages_are_the_plain_pages_with_their_responses(
    shopsocially_seeded_fake: FakeShopSocially,
    shopsocially_client: ShopSociallyClient,
    prefetch: int,
) -> None:
    """Same pages in the same order (100 members, 30 a page); each with a 200, no retry,
    the request for its own start_index, and the body it was decoded from."""
    plain = [p async for p in shopsocially_client.users.list(**EVER, count=30).pages()]
    listing = shopsocially_client.with_raw_response.users.list(**EVER, count=30, prefetch=prefetch)
    assert isinstance(listing, RawPages)
    raw = [p async for p in listing.pages()]
    assert [p.parse() for p in raw] == plain
    assert [len(p.items) for p in plain] == [30, 30, 30, 10]
    for response, page in zip(raw, plain, strict=True):
        assert (response.status_code, response.retries) == (200, 0)
        assert start_index_of(response) == page.start_index
        members = json.loads(response.content)["data"]["loyalty_users"]
        assert [m["user_email"] for m in members] == [u.user_email for u in page.items]


async def test_a_page_that_was_retried_says_so(
    shopsocially_seeded_fake: FakeShopSocially, shopsocially_client: ShopSociallyClient
) -> None:
    """A 503 on the first page's first attempt: that page shows one retry, the others none."""
    shopsocially_seeded_fake.inject(Fault("unavailable", route="GET /users", times=1))
    raw = shopsocially_client.with_raw_response.users.list(**EVER, count=50)
    assert [p.retries async for p in raw.pages()] == [1, 0]


async def test_first_page_and_where_a_listing_starts(
    shopsocially_seeded_fake: FakeShopSocially, shopsocially_client: ShopSociallyClient
) -> None:
    """``first_page()`` fetches the page at ``start_index`` only; the listing keeps its
    ``start_index`` and ``prefetch``."""
    raw = shopsocially_client.with_raw_response.users.list(
        **EVER, count=10, start_index=40, prefetch=3
    )
    assert (raw.start_index, raw.prefetch) == (40, 3)
    first = await raw.first_page()
    assert (first.parse().start_index, start_index_of(first)) == (40, 40)
    assert len(first.parse().items) == 10


async def test_a_cursor_that_does_not_advance_is_refused() -> None:
    """The paginator's own checks: the page is yielded, then PaginationError."""
    stuck = {"transactions": [{"id": "a"}], "total": 5, "next_start_index": 0, "more": True}
    async with scripted_client(Script(ok(stuck))) as client:
        raw = client.with_raw_response.transactions.list(**EVER)
        seen: list[str | None] = []

        async def walk() -> None:
            async with aclosing(raw.pages()) as pages:
                async for page in pages:
                    seen.append(page.parse().items[0].id)

        with pytest.raises(errors.PaginationError):
            await walk()
    assert seen == ["a"]


async def test_stopping_early_leaves_nothing_running(
    shopsocially_seeded_fake: FakeShopSocially, shopsocially_client: ShopSociallyClient
) -> None:
    """Leaving after the first page of a prefetching listing: later pages were fetched ahead
    at most ``prefetch`` deep, and the client stays usable."""
    raw = shopsocially_client.with_raw_response.users.list(**EVER, count=10, prefetch=2)
    async with aclosing(raw.pages()) as pages:
        async for page in pages:
            assert page.parse().start_index == 0
            break
    assert shopsocially_seeded_fake.stats.requests["GET /users"] <= 3
    assert (
        await shopsocially_client.users.get(shopsocially_seeded_fake.members[0].email)
    ).user_email
