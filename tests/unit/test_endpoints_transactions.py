"""``client.transactions``: what the shared endpoint table (``test_endpoints.py``) does not
cover: the listing's filters and dates, its clashes refused at call time, and paging."""

from __future__ import annotations

import json
from contextlib import aclosing
from datetime import date
from typing import Any

import pytest

from shopsocially_async import AsyncPaginator, InvalidArgumentError, Transaction
from tests.unit.helpers import (
    BASE_PATH,
    envelope,
    only_request,
    path_of,
    query_of,
    recording_client,
)

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("name", ["start_index", "to_date"])
async def test_listing_clash_is_refused_at_call_time(name: str) -> None:
    """A clash surfaces when the listing is created, not later in the middle of iterating."""
    client, recorder = recording_client()
    async with client:
        with pytest.raises(InvalidArgumentError, match=name):
            client.transactions.list(
                from_date=date(2024, 1, 1), to_date=date(2024, 1, 31), extra_query={name: "9"}
            )
    assert recorder.requests == []


@pytest.mark.parametrize(
    ("points_status", "wire"),
    [
        (None, None),
        ("approved", '["approved"]'),
        (["approved", "auto_approved"], '["approved","auto_approved"]'),
        (("pending", "expired"), '["pending","expired"]'),
    ],
)
async def test_points_status_is_a_json_array_string(points_status: Any, wire: str | None) -> None:
    """points_status goes out as the JSON array string the reference shows (or not at all)."""
    client, recorder = recording_client(envelope({"transactions": [], "more": False}))
    async with client:
        await client.transactions.list(
            from_date=date(2024, 2, 29), to_date=date(2024, 12, 31), points_status=points_status
        ).first_page()
    query = query_of(only_request(recorder))
    assert query.get("points_status") == wire
    assert (query["from_date"], query["to_date"]) == ("02/29/2024", "12/31/2024")


def _page(ids: range, *, next_start_index: int | None, more: bool, total: int) -> bytes:
    """A listing page in the API's shape holding transactions with the given ids."""
    items = [{"id": f"tx-{i}", "points": i, "created_time": "30-Mar-16 19:20:22"} for i in ids]
    data = {"total": total, "next_start_index": next_start_index, "transactions": items}
    return json.dumps(envelope({**data, "more": more})).encode()


THREE_PAGES = (
    _page(range(0, 2), next_start_index=2, more=True, total=5),
    _page(range(2, 4), next_start_index=4, more=True, total=5),
    _page(range(4, 5), next_start_index=5, more=False, total=5),
)


def _listing(client: Any, start_index: int = 0) -> AsyncPaginator[Transaction]:
    return client.transactions.list(
        from_date=date(2024, 1, 1), to_date=date(2024, 1, 31), start_index=start_index
    )


async def test_items_span_several_pages() -> None:
    """Iterating yields every item of every page, asking each page at the server's cursor."""
    client, recorder = recording_client(*THREE_PAGES)
    async with client:
        ids = [tx.id async for tx in _listing(client)]
    assert ids == ["tx-0", "tx-1", "tx-2", "tx-3", "tx-4"]
    assert [query_of(r)["start_index"] for r in recorder.requests] == ["0", "2", "4"]
    assert all(path_of(r) == BASE_PATH + b"/transactions" for r in recorder.requests)


async def test_pages_expose_cursor_and_total() -> None:
    """pages() yields Page objects carrying total, next_start_index and more as sent."""
    client, _ = recording_client(*THREE_PAGES)
    async with client:
        pages = [page async for page in _listing(client).pages()]
    assert [(p.start_index, p.next_start_index, p.more, p.total) for p in pages] == [
        (0, 2, True, 5),
        (2, 4, True, 5),
        (4, 5, False, 5),
    ]
    assert [len(p.items) for p in pages] == [2, 2, 1]


async def test_listing_resumes_from_start_index() -> None:
    """start_index=250 makes the first request start there (resume from a checkpoint)."""
    last = _page(range(250, 252), next_start_index=252, more=False, total=252)
    client, recorder = recording_client(last)
    async with client:
        ids = [tx.id async for tx in _listing(client, start_index=250)]
    assert ids == ["tx-250", "tx-251"]
    assert query_of(only_request(recorder))["start_index"] == "250"


async def test_listing_is_lazy() -> None:
    """Creating the listing sends nothing; the first request goes out on iteration."""
    client, recorder = recording_client(*THREE_PAGES)
    async with client:
        listing = _listing(client)
        assert recorder.requests == []
        async with aclosing(listing.__aiter__()) as items:
            first = await items.__anext__()
        assert first.id == "tx-0"
        assert len(recorder.requests) == 1


@pytest.mark.parametrize(("limit", "pages_fetched"), [(1, 1), (2, 1), (3, 2), (5, 3), (9, 3)])
async def test_collect_with_limit_fetches_only_the_pages_it_needs(
    limit: int, pages_fetched: int
) -> None:
    """collect(limit=n) stops at n items without asking for a page it will not use."""
    client, recorder = recording_client(*THREE_PAGES)
    async with client:
        items = await _listing(client).collect(limit=limit)
    assert [tx.id for tx in items] == [f"tx-{i}" for i in range(min(limit, 5))]
    assert len(recorder.requests) == pages_fetched
