"""``client.users``: what the shared endpoint table (``test_endpoints.py``) does not cover:
partial updates, optional fields, the listings' queries, cursors and resuming."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from tests.unit import reference_examples as ref
from tests.unit.helpers import (
    BASE_PATH,
    envelope,
    json_body,
    only_request,
    path_of,
    query_of,
    recording_client,
)

pytestmark = pytest.mark.anyio

UTC = timezone.utc


async def test_update_sends_only_given_fields() -> None:
    """An update with only extra_body sends just that field, no nulls for the rest."""
    client, recorder = recording_client(ref.USER_UPDATE_RESPONSE)
    async with client:
        await client.users.update("merc", extra_body={"gender": "female"})
    assert json_body(only_request(recorder)) == {"gender": "female"}


async def test_create_without_optional_fields() -> None:
    """Optional member fields that were not given are left out of the body."""
    client, recorder = recording_client(ref.USER_CREATE_RESPONSE)
    async with client:
        await client.users.create(
            first_name="Bob", last_name="Baker", email="bob@shopsocially.com", uid="merc"
        )
    assert json_body(only_request(recorder)) == {
        "first_name": "Bob",
        "last_name": "Baker",
        "email": "bob@shopsocially.com",
        "uid": "merc",
    }


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"from_date": date(2024, 2, 29), "to_date": date(2024, 3, 1)},
            {"from_date": "29-02-2024", "to_date": "01-03-2024", "count": "100"},
        ),
        (
            {
                "from_date": datetime(2023, 12, 31, 23, 0, tzinfo=UTC),
                "to_date": date(2024, 1, 9),
                "filter_by": "last_activity_date",
                "count": 1000,
                "start_index": 40,
            },
            {
                "from_date": "31-12-2023",
                "to_date": "09-01-2024",
                "filter_by": "last_activity_date",
                "count": "1000",
            },
        ),
    ],
)
async def test_users_listing_query(kwargs: dict[str, object], expected: dict[str, str]) -> None:
    """Dates go as DD-MM-YYYY, count defaults to 100, filter_by is sent when given."""
    client, recorder = recording_client(envelope({"loyalty_users": [], "more": False}))
    async with client:
        await client.users.list(**kwargs).first_page()  # type: ignore[arg-type]
    start = str(kwargs.get("start_index", 0))
    assert query_of(only_request(recorder)) == {**expected, "start_index": start}


async def test_users_listing_follows_the_cursor() -> None:
    """Members from every page are yielded; each request asks at the server's cursor."""
    pages = [
        envelope(
            {
                "loyalty_users": [{"user_email": "a@x.com"}, {"user_email": "b@x.com"}],
                "next_start_index": 2,
                "total_loyalty_users": 3,
                "more": True,
            }
        ),
        envelope(
            {
                "loyalty_users": [{"user_email": "c@x.com"}],
                "next_start_index": 3,
                "total_loyalty_users": 3,
                "more": False,
            }
        ),
    ]
    client, recorder = recording_client(*pages)
    async with client:
        listing = client.users.list(from_date=date(2024, 1, 1), to_date=date(2024, 1, 2), count=2)
        assert recorder.requests == []
        emails = [user.user_email async for user in listing]
    assert emails == ["a@x.com", "b@x.com", "c@x.com"]
    assert [query_of(r)["start_index"] for r in recorder.requests] == ["0", "2"]
    assert {query_of(r)["count"] for r in recorder.requests} == {"2"}


async def test_member_transactions_resume_from_start_index() -> None:
    """users.transactions(start_index=250) starts there, with the member in the path."""
    client, recorder = recording_client(ref.USER_TRANSACTIONS_RESPONSE)
    async with client:
        listing = client.users.transactions(
            "bob@shopsocially.com",
            from_date=date(2016, 1, 1),
            to_date=date(2016, 12, 31),
            start_index=250,
        )
        page = await listing.first_page()
    request = only_request(recorder)
    assert path_of(request) == BASE_PATH + b"/users/bob@shopsocially.com/transactions"
    assert query_of(request) == {
        "from_date": "01-01-2016",
        "to_date": "31-12-2016",
        "start_index": "250",
    }
    assert page.start_index == 250
