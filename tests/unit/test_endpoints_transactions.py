"""``client.transactions``: the ledger listing and one transaction, against the reference."""

from __future__ import annotations

import dataclasses
import json
from contextlib import aclosing
from datetime import date, datetime, timezone
from typing import Any

import pytest

from shopsocially_async import AsyncPaginator, InvalidArgumentError, Page, Transaction
from tests.unit import reference_examples as ref
from tests.unit.helpers import (
    BASE_PATH,
    Endpoint,
    assert_clash_refused,
    assert_extras_merged,
    assert_request_on_the_wire,
    envelope,
    invoke,
    only_request,
    path_of,
    query_of,
    recording_client,
)

pytestmark = pytest.mark.anyio

UTC = timezone.utc

LISTED = Transaction(
    activity_id="Made_a_Purchase",
    activity_name="Made a Purchase",
    user_id="6176be2d5e",
    user_first_name="Bob",
    user_last_name="Baker",
    user_email="bob@shopsocially.com",
    id="550ff099fa0eaa0767086968",
    approved_time=datetime(2015, 3, 20, 19, 20, 22, tzinfo=UTC),
    points_status="approved",
    transaction_type="award",
    points=100,
    approved_by="Jai",
    created_time=datetime(2015, 3, 20, 19, 20, 22, tzinfo=UTC),
    updated_time=datetime(2015, 3, 30, 19, 20, 22, tzinfo=UTC),
    merchant_id="9c62d683db96c7cabf8db0109be6bb",
)
# Get Transaction: the same record, with partner_id where the listing has merchant_id.
FETCHED = Transaction(
    activity_id="Made_a_Purchase",
    activity_name="Made a Purchase",
    user_id="6176be2d5e",
    user_first_name="Bob",
    user_last_name="Baker",
    user_email="bob@shopsocially.com",
    id="550ff099fa0eaa0767086968",
    approved_time=datetime(2015, 3, 20, 19, 20, 22, tzinfo=UTC),
    points_status="approved",
    transaction_type="award",
    points=100,
    approved_by="Jai",
    created_time=datetime(2015, 3, 20, 19, 20, 22, tzinfo=UTC),
    updated_time=datetime(2015, 3, 30, 19, 20, 22, tzinfo=UTC),
    partner_id="9c62d683db96c7cabf8db0109be6bb",
)

REFERENCE_LISTING = {
    "from_date": date(2015, 1, 1),
    "to_date": date(2015, 11, 23),
    "points_status": ["approved", "auto_approved"],
    "start_index": 7,
}

ENDPOINTS = [
    Endpoint(
        name="transactions.list",
        call=lambda client, **extra: client.transactions.list(**REFERENCE_LISTING, **extra),
        response=ref.TRANSACTIONS_LIST_RESPONSE,
        method="GET",
        path=b"/transactions",
        query=ref.TRANSACTIONS_LIST_QUERY,
        expected=Page(items=(LISTED,), start_index=7, next_start_index=100, more=True, total=250),
        named_field="to_date",
    ),
    Endpoint(
        name="transactions.get",
        call=lambda client, **extra: client.transactions.get(ref.TRANSACTION_ID, **extra),
        response=ref.TRANSACTION_GET_RESPONSE,
        method="GET",
        path=b"/transactions/550ff099fa0eaa0767086968",
        expected=FETCHED,
    ),
]
by_name = pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)


@by_name
async def test_request_on_the_wire(endpoint: Endpoint) -> None:
    """Each call GETs the reference's URL (listing dates MM/DD/YYYY) with the credentials."""
    await assert_request_on_the_wire(endpoint)


@by_name
async def test_decodes_reference_example(endpoint: Endpoint) -> None:
    """The reference's example decodes into exactly the expected Transaction (or page)."""
    client, _ = recording_client(endpoint.response)
    async with client:
        assert await invoke(endpoint, client) == endpoint.expected


@by_name
async def test_extras_are_merged(endpoint: Endpoint) -> None:
    """extra_query and extra_headers are sent beside the named arguments."""
    await assert_extras_merged(endpoint)


@pytest.mark.parametrize("name", ["from_date", "to_date", "points_status", "start_index"])
async def test_extra_query_may_not_repeat_a_named_argument(name: str) -> None:
    """extra_query repeating a listing parameter is refused, and nothing is sent."""
    await assert_clash_refused(dataclasses.replace(ENDPOINTS[0], named_field=name))


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


@pytest.mark.parametrize(
    ("transaction_id", "raw_path"),
    [
        ("550ff099fa0eaa0767086968", b"/transactions/550ff099fa0eaa0767086968"),
        ("../users", b"/transactions/..%2Fusers"),
        ("a/b?c#d", b"/transactions/a%2Fb%3Fc%23d"),
        ("tx 1%", b"/transactions/tx%201%25"),
    ],
)
async def test_transaction_id_is_one_path_segment(transaction_id: str, raw_path: bytes) -> None:
    """The id is percent-encoded into a single segment: it can never reach another route."""
    client, recorder = recording_client(ref.TRANSACTION_GET_RESPONSE)
    async with client:
        await client.transactions.get(transaction_id)
    request = only_request(recorder)
    assert path_of(request) == BASE_PATH + raw_path
    assert request.url.query == b""
