"""``client.users``: create, update, get, the users listing and a member's transactions."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timezone

import pytest

from shopsocially_async import (
    ExpirationScheduleEntry,
    LastAwardTransaction,
    Page,
    Transaction,
    User,
)
from tests.unit import reference_examples as ref
from tests.unit.helpers import (
    BASE_PATH,
    Endpoint,
    assert_clash_refused,
    assert_extras_merged,
    assert_request_on_the_wire,
    envelope,
    invoke,
    json_body,
    only_request,
    path_of,
    query_of,
    recording_client,
)

pytestmark = pytest.mark.anyio

UTC = timezone.utc

# Create and Update User return the same body; "" level ids and merchant_uid become None.
CREATED = User(
    user_id="6176be2d5e",
    user_email="bob@shopsocially.com",
    first_name="Bob",
    last_name="Baker",
    profile_image_url="https://some_link_to_ss_logo",
    gender="Male",
    redeemed_points=0,
    available_points=0,
)
FETCHED = User(
    user_id="6176be2d5e",
    user_email="bob@shopsocially.com",
    first_name="Bob",
    last_name="Baker",
    profile_image_url="https://some_link_to_ss_logo",
    gender="Male",
    redeemed_points=0,
    available_points=0,
    user_language="English",
    user_status="Active?",
    expiration_schedule=(
        ExpirationScheduleEntry(
            expiration_date=datetime(2016, 1, 7, 23, 59, 59, tzinfo=UTC), points=34226
        ),
    ),
    last_award_transaction=LastAwardTransaction(
        date=datetime(2015, 12, 7, 13, 23, 35, tzinfo=UTC),
        points=300,
        name="Became a Twitter Follower",
    ),
)
# The listing's member: "last_award_transaction": {} is None, "user_id": "" is None.
LISTED = User(
    last_name="Baker",
    redeemed_points=0,
    gender="male",
    dashboard_url="https://shopsocially.com/loyalty/test_site/user/56d62cb9735f833785f95ef5/dashboard",
    first_name="Bob",
    profile_image_url="https://some_link_to_ss_logo",
    available_points=0,
    user_email="bob@shopsocially.com",
)
MEMBER_TRANSACTION = Transaction(
    points_status="approved",
    points_used=0,
    available_points=22,
    points_expired=0,
    created_time=datetime(2016, 1, 14, 6, 33, 22, tzinfo=UTC),
    updated_time=datetime(2016, 1, 14, 6, 33, 22, tzinfo=UTC),
    id="569741320daac146edac90c0",
    user_id="54b3b13e0daac1321e07ce1f",
    points_expiration_date=datetime(2016, 3, 14, 6, 33, 22, tzinfo=UTC),
    qualified_points=True,
    activity_id="shared_photo_via_desktop_or_mobile",
    user_first_name="Bob",
    order_id="1452749387649368175",
    points_deducted=0,
    merchant_id="9c62d683db96c7cabf8db0109be6bb",
    approved_time=datetime(2016, 1, 14, 6, 33, 22, tzinfo=UTC),
    transaction_type="award",
    user_last_name="Baker",
    points=22,
    activity_name="Shared Photo via Mobile or Desktop",
    user_email="bob@shopsocially.com",
)

ENDPOINTS = [
    Endpoint(
        name="users.create",
        call=lambda client, **extra: client.users.create(**ref.USER_CREATE_REQUEST, **extra),
        response=ref.USER_CREATE_RESPONSE,
        method="POST",
        path=b"/users",
        body=ref.USER_CREATE_REQUEST,
        expected=CREATED,
        named_field="email",
    ),
    Endpoint(
        name="users.update",
        call=lambda client, **extra: client.users.update(
            "merc", **ref.USER_UPDATE_REQUEST, **extra
        ),
        response=ref.USER_UPDATE_RESPONSE,
        method="PUT",
        path=b"/users/merc",
        body=ref.USER_UPDATE_REQUEST,
        expected=CREATED,
        named_field="loyalty_level_id",
    ),
    Endpoint(
        name="users.get",
        call=lambda client, **extra: client.users.get("bob@shopsocially.com", **extra),
        response=ref.USER_GET_RESPONSE,
        method="GET",
        path=b"/users/bob@shopsocially.com",
        expected=FETCHED,
    ),
    Endpoint(
        name="users.list",
        call=lambda client, **extra: client.users.list(
            from_date=date(2016, 1, 1), to_date=date(2016, 12, 31), count=10, **extra
        ),
        response=ref.USERS_LIST_RESPONSE,
        method="GET",
        path=b"/users",
        query=ref.USERS_LIST_QUERY,
        expected=Page(items=(LISTED,), start_index=0, next_start_index=2, more=False, total=1),
        named_field="count",
    ),
    Endpoint(
        name="users.transactions",
        call=lambda client, **extra: client.users.transactions(
            "bob@shopsocially.com",
            from_date=date(2016, 1, 1),
            to_date=date(2016, 12, 31),
            points_status=["approved"],
            **extra,
        ),
        response=ref.USER_TRANSACTIONS_RESPONSE,
        method="GET",
        path=b"/users/bob@shopsocially.com/transactions",
        query=ref.USER_TRANSACTIONS_QUERY,
        expected=Page(
            items=(MEMBER_TRANSACTION,), start_index=0, next_start_index=2, more=False, total=1
        ),
        named_field="points_status",
    ),
]
by_name = pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
with_named_field = pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if e.named_field], ids=str
)


@by_name
async def test_request_on_the_wire(endpoint: Endpoint) -> None:
    """Each call sends the reference's method, path, query (DD-MM-YYYY dates) and body."""
    await assert_request_on_the_wire(endpoint)


@by_name
async def test_decodes_reference_example(endpoint: Endpoint) -> None:
    """The reference's example decodes into exactly the expected User, page or Transaction."""
    client, _ = recording_client(endpoint.response)
    async with client:
        assert await invoke(endpoint, client) == endpoint.expected


@by_name
async def test_extras_are_merged(endpoint: Endpoint) -> None:
    """extra_query, extra_headers (and extra_body on writes) reach the wire."""
    await assert_extras_merged(endpoint)


@with_named_field
async def test_extras_may_not_repeat_a_named_argument(endpoint: Endpoint) -> None:
    """An extra field that shadows a named argument is refused before anything is sent."""
    await assert_clash_refused(endpoint)


@pytest.mark.parametrize("name", ["from_date", "to_date", "start_index"])
async def test_users_listing_refuses_every_named_query_clash(name: str) -> None:
    """extra_query may not repeat any of the users listing's own parameters."""
    await assert_clash_refused(dataclasses.replace(ENDPOINTS[3], named_field=name))


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


EMAIL_PATHS = [
    ("bob@shopsocially.com", b"bob@shopsocially.com"),
    ("bob+loyalty@shopsocially.com", b"bob+loyalty@shopsocially.com"),
    ("a/b@example.com", b"a%2Fb@example.com"),
    ("../activities", b"..%2Factivities"),
    ("?admin=1#x@example.com", b"%3Fadmin=1%23x@example.com"),
    ("jos\u00e9@example.com", b"jos%C3%A9@example.com"),
]


@pytest.mark.parametrize(("email", "segment"), EMAIL_PATHS)
async def test_user_email_is_one_path_segment(email: str, segment: bytes) -> None:
    """users.get keeps the email one segment: ``@``/``+`` as is, ``/``, ``?``, ``..`` escaped."""
    client, recorder = recording_client(ref.USER_GET_RESPONSE)
    async with client:
        await client.users.get(email)
    request = only_request(recorder)
    assert path_of(request) == BASE_PATH + b"/users/" + segment
    assert request.url.query == b""


@pytest.mark.parametrize(("email", "segment"), EMAIL_PATHS)
async def test_member_transactions_path_keeps_email_one_segment(email: str, segment: bytes) -> None:
    """users.transactions puts the encoded email between /users/ and /transactions."""
    client, recorder = recording_client(ref.USER_TRANSACTIONS_RESPONSE)
    async with client:
        await client.users.transactions(
            email, from_date=date(2016, 1, 1), to_date=date(2016, 1, 2)
        ).first_page()
    path = path_of(only_request(recorder))
    assert path == BASE_PATH + b"/users/" + segment + b"/transactions"


@pytest.mark.parametrize(("uid", "segment"), [("merc", b"merc"), ("../x/y", b"..%2Fx%2Fy")])
async def test_update_uid_is_one_path_segment(uid: str, segment: bytes) -> None:
    """users.update puts the uid in the path as a single encoded segment."""
    client, recorder = recording_client(ref.USER_UPDATE_RESPONSE)
    async with client:
        await client.users.update(uid, loyalty_level_id="gold")
    assert path_of(only_request(recorder)) == BASE_PATH + b"/users/" + segment
