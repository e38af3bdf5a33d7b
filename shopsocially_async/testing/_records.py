"""The records the fake keeps: members, activities, redemption options and ledger entries.

What the endpoints answer about them (their JSON) is :mod:`._views`'s business.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import attrs


@attrs.define
class Member:
    """A loyalty member. ``opening_points`` is the balance given at creation (not in the ledger)."""

    user_id: str
    email: str
    first_name: str
    last_name: str
    merchant_uid: str
    enrolled_at: datetime
    last_activity_at: datetime
    gender: str = ""
    profile_image_url: str = ""
    loyalty_level_id: str = ""
    loyalty_lifetime_level_id: str = ""
    available_points: int = 0
    redeemed_points: int = 0
    opening_points: int = 0
    user_language: str = "English"
    user_status: str = "Active"


@attrs.define
class Activity:
    """A way to earn points."""

    id: str
    activity_id: str
    activity_name: str
    activity_description: str
    activity_type: str
    max_award_frequency: int
    max_award_frequency_interval: str
    bonus_multiplier: Decimal
    points_per_activity: int
    approval_method: str
    is_active: bool
    is_sale_activity: bool
    qualified_points: bool
    show_activity_in_user_dashboard: bool
    points_earning_url: str
    created_at: datetime
    updated_at: datetime


@attrs.define
class Redemption:
    """A reward: ``coupon_codes`` is the pool still to hand out, first code first."""

    id: str
    redemption_id: str
    redemption_name: str
    is_active: bool
    allowed_redeem_points: int
    redemption_value: str
    giftcard_description: str
    terms_and_conds_text: str
    redemption_instructions: str
    coupon_codes: list[str]
    coupon_expiry: date
    created_at: datetime
    updated_at: datetime


@attrs.define
class Transaction:
    """One ledger entry. Member fields are copied at creation, as the API reports them.

    A return's deduction names the order in ``returned_for_order_id`` (``order_id`` is the
    awarded order's, on awards); a product return also keeps the product and quantity taken
    back, which no response shows.
    """

    id: str
    transaction_type: str
    points: int
    points_status: str
    member_key: str
    user_id: str
    user_email: str
    user_first_name: str
    user_last_name: str
    created_at: datetime
    updated_at: datetime
    approved_at: datetime | None = None
    approved_by: str | None = None
    auto_approval_at: datetime | None = None
    activity_id: str | None = None
    activity_name: str | None = None
    redemption_id: str | None = None
    redemption_name: str | None = None
    redemption_value: str | None = None
    coupon_code: str | None = None
    order_id: str | None = None
    reason: str | None = None
    returned_for_order_id: str | None = None
    returned_product_id: str | None = None
    returned_quantity: int | None = None
    available_points_after: int | None = None


def balance_effect(txn: Transaction) -> int:
    """What a transaction does to the available balance, from its type and status alone."""
    if txn.transaction_type == "award":
        return txn.points if txn.points_status in ("approved", "auto_approved") else 0
    if txn.transaction_type == "redeem":
        return -txn.points
    return -txn.points if txn.points_status in ("deducted", "pending_deduction") else 0
