"""Activities: the things members earn points for."""

from __future__ import annotations

from datetime import datetime

import attrs

__all__ = ["Activity"]


@attrs.frozen(kw_only=True)
class Activity:
    """An activity's configuration (``activity_type`` is ``fixed`` or ``bonus_multiplier``)."""

    activity_id: str | None = None
    id: str | None = None
    merchant_id: str | None = None
    activity_name: str | None = None
    activity_description: str | None = None
    activity_type: str | None = None
    approval_method: str | None = None
    bonus_multiplier: float | None = None
    points_per_activity: int | None = None
    max_award_frequency: int | None = None
    max_award_frequency_interval: str | None = None
    fixed_duration_period: int | None = None
    is_active: bool | None = None
    is_sale_activity: bool | None = None
    qualified_points: bool | None = None
    show_activity_in_user_dashboard: bool | None = None
    show_on_merchant_center: bool | None = None
    ss_internal: bool | None = None
    loyalty_activity_img: str | None = None
    points_earning_url: str | None = None
    created_time: datetime | None = None
    updated_time: datetime | None = None
