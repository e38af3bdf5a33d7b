"""``client.activities``: what the shared endpoint table (``test_endpoints.py``) does not
cover: partial updates, create's defaults, a listing of several activities."""

from __future__ import annotations

import pytest

from shopsocially_async import Activity
from tests.unit import reference_examples as ref
from tests.unit.helpers import envelope, json_body, only_request, recording_client, typed

pytestmark = pytest.mark.anyio


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
