"""``client.activities``: create, update, get and list, against the reference's examples."""

from __future__ import annotations

from datetime import datetime, timezone

import attrs
import pytest

from shopsocially_async import Activity
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
    recording_client,
    typed,
)

pytestmark = pytest.mark.anyio

UTC = timezone.utc

# Get Activity's example; the other examples differ from it in a few fields only.
FETCHED = Activity(
    id="56655832418a580281c2c41c",
    activity_id="shared_via_email",
    activity_name="Share via Email",
    activity_description="Earn points when you share our website with your friends via email.",
    activity_type="fixed",
    approval_method="immediate",
    bonus_multiplier=1,
    created_time=datetime(2015, 12, 7, 9, 58, 10, tzinfo=UTC),
    is_active=True,
    is_sale_activity=False,
    loyalty_activity_img="https://d1qbqkkh49kht1.cloudfront.net/dc79fd08611160b9176d0d4b5c3f506f.png",
    max_award_frequency=100,
    max_award_frequency_interval="day",
    merchant_id="c75d9a44221ac904ddadb81766786b34",
    points_earning_url=None,  # "" in the example
    points_per_activity=100,
    qualified_points=True,
    show_activity_in_user_dashboard=True,
    show_on_merchant_center=True,
    ss_internal=True,
    updated_time=datetime(2016, 8, 31, 5, 10, 21, tzinfo=UTC),
)
# Create Activity: a raw newline inside the description, no show_on_merchant_center.
CREATED = attrs.evolve(
    FETCHED,
    activity_description=(
        "Earn points when you share our website \n          with your friends via email."
    ),
    fixed_duration_period=30,
    show_on_merchant_center=None,
)
UPDATED = attrs.evolve(FETCHED, fixed_duration_period=30)
# Get All Activities: no image, no show_on_merchant_center.
LISTED = attrs.evolve(FETCHED, loyalty_activity_img=None, show_on_merchant_center=None)

ENDPOINTS = [
    Endpoint(
        name="activities.create",
        call=lambda client, **extra: client.activities.create(
            **ref.ACTIVITY_CREATE_REQUEST, **extra
        ),
        response=ref.ACTIVITY_CREATE_RESPONSE,
        method="POST",
        path=b"/activities",
        body=ref.ACTIVITY_CREATE_REQUEST,
        expected=CREATED,
        named_field="activity_type",
    ),
    Endpoint(
        name="activities.update",
        call=lambda client, **extra: client.activities.update(
            "shared_via_email", **ref.ACTIVITY_UPDATE_REQUEST, **extra
        ),
        response=ref.ACTIVITY_UPDATE_RESPONSE,
        method="PUT",
        path=b"/activities/shared_via_email",
        body=ref.ACTIVITY_UPDATE_REQUEST,
        expected=UPDATED,
        named_field="is_active",
    ),
    Endpoint(
        name="activities.get",
        call=lambda client, **extra: client.activities.get("shared_via_email", **extra),
        response=ref.ACTIVITY_GET_RESPONSE,
        method="GET",
        path=b"/activities/shared_via_email",
        expected=FETCHED,
    ),
    Endpoint(
        name="activities.list",
        call=lambda client, **extra: client.activities.list(**extra),
        response=ref.ACTIVITIES_LIST_RESPONSE,
        method="GET",
        path=b"/activities",
        expected=[LISTED],
    ),
]
by_name = pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)


@by_name
async def test_request_on_the_wire(endpoint: Endpoint) -> None:
    """Each call sends the reference's method, path and (type-exact) JSON body."""
    await assert_request_on_the_wire(endpoint)


@by_name
async def test_decodes_reference_example(endpoint: Endpoint) -> None:
    """The reference's example decodes into exactly the expected Activity (or list)."""
    client, _ = recording_client(endpoint.response)
    async with client:
        assert await invoke(endpoint, client) == endpoint.expected


@by_name
async def test_extras_are_merged(endpoint: Endpoint) -> None:
    """extra_query, extra_headers (and extra_body on writes) reach the wire."""
    await assert_extras_merged(endpoint)


@pytest.mark.parametrize("endpoint", ENDPOINTS[:2], ids=str)
async def test_extra_body_may_not_repeat_a_named_argument(endpoint: Endpoint) -> None:
    """An extra_body field that shadows a named argument is refused before sending."""
    await assert_clash_refused(endpoint)


@pytest.mark.parametrize(
    "changes",
    [
        {"is_active": False},
        {"points_per_activity": 250},
        {"bonus_multiplier": 1.5, "approval_method": "manual"},
        {"max_award_frequency_interval": "lifetime", "activity_type": "bonus_multiplier"},
    ],
)
async def test_update_sends_only_given_fields(changes: dict[str, object]) -> None:
    """An update sends exactly the fields passed: nothing else, no nulls."""
    client, recorder = recording_client(ref.ACTIVITY_UPDATE_RESPONSE)
    async with client:
        await client.activities.update("shared_via_email", **changes)  # type: ignore[arg-type]
    assert typed(json_body(only_request(recorder))) == typed(changes)


async def test_create_defaults_to_active_and_omits_unset_options() -> None:
    """Create sends is_active=true by default and leaves unset optional fields out."""
    client, recorder = recording_client(ref.ACTIVITY_CREATE_RESPONSE)
    async with client:
        await client.activities.create(
            activity_id="bought_twice",
            activity_name="Bought twice",
            activity_description="Second purchase",
            activity_type="bonus_multiplier",
            max_award_frequency=1,
            max_award_frequency_interval="lifetime",
            approval_method="monthly",
        )
    assert typed(json_body(only_request(recorder))) == typed(
        {
            "activity_id": "bought_twice",
            "activity_name": "Bought twice",
            "activity_description": "Second purchase",
            "activity_type": "bonus_multiplier",
            "max_award_frequency": 1,
            "max_award_frequency_interval": "lifetime",
            "approval_method": "monthly",
            "is_active": True,
        }
    )


async def test_list_of_several_activities() -> None:
    """A data array of several activities decodes to a list in the server's order."""
    rows = [{"activity_id": "a", "points_per_activity": "5"}, {"activity_id": "b"}]
    client, _ = recording_client(envelope(rows))
    async with client:
        activities = await client.activities.list()
    assert activities == [
        Activity(activity_id="a", points_per_activity=5),
        Activity(activity_id="b"),
    ]


@pytest.mark.parametrize(
    ("activity_id", "segment"),
    [("shared_via_email", b"shared_via_email"), ("../redemptions", b"..%2Fredemptions")],
)
async def test_activity_id_is_one_path_segment(activity_id: str, segment: bytes) -> None:
    """get and update put the activity id in the path as one encoded segment."""
    client, recorder = recording_client(ref.ACTIVITY_GET_RESPONSE, ref.ACTIVITY_UPDATE_RESPONSE)
    async with client:
        await client.activities.get(activity_id)
        await client.activities.update(activity_id, is_active=False)
    paths = [path_of(request) for request in recorder.requests]
    assert paths == [BASE_PATH + b"/activities/" + segment] * 2
