"""``client.activities``: what members earn points for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from .. import _params as p
from ..models import Activity
from ._base import Extras, Resource, decode_list, decode_one, update_body

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["Activities", "ActivityChanges"]

ActivityType = Literal["fixed", "bonus_multiplier"]
ApprovalMethod = Literal["immediate", "manual", "monthly"]
FrequencyInterval = Literal["day", "week", "month", "year", "lifetime"]


class ActivityChanges(TypedDict, total=False):
    """What ``activities.update`` changes: the fields Update Activity's table lists."""

    activity_name: str | None
    activity_description: str | None
    activity_type: ActivityType | None
    max_award_frequency: int | None
    max_award_frequency_interval: FrequencyInterval | None
    bonus_multiplier: p.Amount | None
    points_per_activity: int | None
    approval_method: ApprovalMethod | None
    is_active: bool | None


_CHECKS: dict[str, p.Validator] = {
    "activity_id": p.text,
    "activity_name": p.text,
    "activity_description": p.text,
    "activity_type": p.one_of("fixed", "bonus_multiplier"),
    "max_award_frequency": p.positive_points,
    "max_award_frequency_interval": p.one_of("day", "week", "month", "year", "lifetime"),
    "approval_method": p.one_of("immediate", "manual", "monthly"),
    "is_active": p.boolean,
    "bonus_multiplier": p.positive_amount,
    "points_per_activity": p.positive_points,
    "points_earning_url": p.text,
    "is_sale_activity": p.boolean,
    "qualified_points": p.boolean,
    "show_activity_in_user_dashboard": p.boolean,
}
_UPDATABLE = tuple(ActivityChanges.__annotations__)
_REQUIRED_ON_CREATE = (
    "activity_id",
    "activity_name",
    "activity_description",
    "activity_type",
    "max_award_frequency",
    "max_award_frequency_interval",
    "approval_method",
    "is_active",
)


class Activities(Resource):
    """Configure activities."""

    async def list(
        self,
        *,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> list[Activity]:
        """Every configured activity (``GET /activities``)."""
        extras = Extras(query=extra_query, headers=extra_headers)
        call = self._call("GET", "/activities", extras)
        return await self._send(call, decode_list(Activity))

    async def get(
        self,
        activity_id: str,
        *,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Activity:
        """One activity (``GET /activities/{activity_id}``)."""
        extras = Extras(query=extra_query, headers=extra_headers)
        ids = {"activity_id": activity_id}
        call = self._call("GET", "/activities/{activity_id}", extras, ids=ids)
        return await self._send(call, decode_one(Activity))

    async def create(
        self,
        *,
        activity_id: str,
        activity_name: str,
        activity_description: str,
        activity_type: ActivityType,
        max_award_frequency: int,
        max_award_frequency_interval: FrequencyInterval,
        approval_method: ApprovalMethod,
        is_active: bool = True,
        bonus_multiplier: p.Amount | None = None,
        points_per_activity: int | None = None,
        points_earning_url: str | None = None,
        is_sale_activity: bool | None = None,
        qualified_points: bool | None = None,
        show_activity_in_user_dashboard: bool | None = None,
        extra_body: Mapping[str, Any] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Activity:
        """Create an activity (``POST /activities``); fields as in the reference."""
        body = p.validated(
            {
                "activity_id": activity_id,
                "activity_name": activity_name,
                "activity_description": activity_description,
                "activity_type": activity_type,
                "max_award_frequency": max_award_frequency,
                "max_award_frequency_interval": max_award_frequency_interval,
                "approval_method": approval_method,
                "is_active": is_active,
                "bonus_multiplier": bonus_multiplier,
                "points_per_activity": points_per_activity,
                "points_earning_url": points_earning_url,
                "is_sale_activity": is_sale_activity,
                "qualified_points": qualified_points,
                "show_activity_in_user_dashboard": show_activity_in_user_dashboard,
            },
            _CHECKS,
            required=_REQUIRED_ON_CREATE,
        )
        extras = Extras(query=extra_query, headers=extra_headers, body=extra_body)
        call = self._call("POST", "/activities", extras, body=body)
        return await self._send(call, decode_one(Activity))

    async def update(
        self,
        activity_id: str,
        *,
        extra_body: Mapping[str, Any] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        **changes: Unpack[ActivityChanges],
    ) -> Activity:
        """Change an activity (``PUT /activities/{activity_id}``), e.g.
        ``update("review", is_active=False)``; only the fields given are sent. A field the
        reference's table does not list (see :class:`ActivityChanges`) is refused.
        """
        body = update_body("activities.update", changes, _UPDATABLE, _CHECKS, extra_body)
        extras = Extras(query=extra_query, headers=extra_headers, body=extra_body)
        ids = {"activity_id": activity_id}
        call = self._call("PUT", "/activities/{activity_id}", extras, ids=ids, body=body)
        return await self._send(call, decode_one(Activity))
