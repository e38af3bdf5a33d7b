"""The transaction model: award, redeem, deduct and return results and listing rows share it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

__all__ = ["Transaction"]


@attrs.frozen(kw_only=True)
class Transaction:
    """One ledger entry. Field names are the API's; every field is optional because the
    endpoints return different subsets (an award carries ``activity_id``, a redeem
    ``coupon_code``, a deduct ``available_points``, a return ``returned_for_order_id``).
    """

    id: str | None = None
    transaction_type: str | None = None
    points: int | None = None
    points_status: str | None = None
    user_id: str | None = None
    user_email: str | None = None
    user_first_name: str | None = None
    user_last_name: str | None = None
    # The returns-tracking response names the member fields without the ``user_`` prefix.
    first_name: str | None = None
    last_name: str | None = None
    activity_id: str | None = None
    activity_name: str | None = None
    order_id: str | None = None
    redemption_id: str | None = None
    redemption_name: str | None = None
    redemption_value: Decimal | None = None
    # Free-form JSON (objects, as lists, are unhashable): compared, but left out of the hash,
    # so every Transaction stays usable in sets and as a key.
    redemptions_list: tuple[Any, ...] | None = attrs.field(default=None, hash=False)
    coupon_code: str | None = None
    reason: str | None = None
    returned_for_order_id: str | None = None
    available_points: int | None = None
    points_used: int | None = None
    points_expired: int | None = None
    points_deducted: int | None = None
    points_expiration_date: datetime | None = None
    qualified_points: bool | None = None
    approved_by: str | None = None
    partner_id: str | None = None
    merchant_id: str | None = None
    created_time: datetime | None = None
    updated_time: datetime | None = None
    approved_time: datetime | None = None
    auto_approval_date: datetime | None = None
