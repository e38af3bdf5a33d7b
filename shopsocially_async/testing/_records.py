"""The records the fake keeps (members, activities, redemptions, transactions) and their JSON views.

Each endpoint answers with the keys of the reference's example for that endpoint, in that order:
the point operations (award, redeem, deduct, return) exactly those keys; transaction records
(``GET /transactions``, ``GET /transactions/{id}``) the example's keys plus ``redemption_value``,
``order_id``, ``reason`` and ``returned_for_order_id`` (``null`` when they do not apply). The
listing names the merchant ``merchant_id``, the single fetch ``partner_id``, as the examples do.
Where the examples of one record disagree (activities, users), the union of their keys is sent.
A member's transaction history uses the four-digit-year timestamps of its example.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import attrs

from . import _formats as fmt

JsonObject = dict[str, object]
ACTIVITY_IMG = "https://cdn.shopsocially.test/activity.png"
REDEMPTION_IMG = "https://cdn.shopsocially.test/redemption.png"
EXPIRY = timedelta(days=365)


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
    """One ledger entry. Member fields are copied at creation, as the API reports them."""

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
    available_points_after: int | None = None


def balance_effect(txn: Transaction) -> int:
    """What a transaction does to the available balance, from its type and status alone."""
    if txn.transaction_type == "award":
        return txn.points if txn.points_status in ("approved", "auto_approved") else 0
    if txn.transaction_type == "redeem":
        return -txn.points
    return -txn.points if txn.points_status in ("deducted", "pending_deduction") else 0


AWARD_KEYS = (
    "user_id",
    "user_email",
    "user_last_name",
    "user_first_name",
    "activity_id",
    "activity_name",
    "id",
    "transaction_type",
    "points",
    "points_status",
    "partner_id",
    "created_time",
)
REDEEM_KEYS = (
    "user_id",
    "user_email",
    "user_last_name",
    "user_first_name",
    "redemption_id",
    "redemption_name",
    "redemption_value",
    "id",
    "transaction_type",
    "points",
    "points_status",
    "coupon_code",
    "partner_id",
    "created_time",
)
DEDUCT_KEYS = (
    "user_id",
    "user_email",
    "user_last_name",
    "user_first_name",
    "id",
    "transaction_type",
    "points",
    "points_status",
    "available_points",
    "partner_id",
    "created_time",
)
RETURN_KEYS = (
    "user_id",
    "user_email",
    "user_last_name",
    "user_first_name",
    "id",
    "transaction_type",
    "points",
    "points_status",
    "returned_for_order_id",
    "reason",
    "partner_id",
    "created_time",
    "approved_time",
    "updated_time",
    "auto_approval_date",
)
_RECORD_KEYS = (
    "activity_id",
    "activity_name",
    "user_id",
    "user_first_name",
    "user_last_name",
    "user_email",
    "redemption_id",
    "redemption_name",
    "redemption_value",
    "id",
    "approved_time",
    "auto_approval_date",
    "points_status",
    "transaction_type",
    "coupon_code",
    "points",
    "approved_by",
    "created_time",
    "updated_time",
    "order_id",
    "reason",
    "returned_for_order_id",
)
LISTED_RECORD_KEYS = (*_RECORD_KEYS, "merchant_id")
FETCHED_RECORD_KEYS = (*_RECORD_KEYS, "partner_id")


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else fmt.txn_time(moment)


def _txn_fields(txn: Transaction, partner_id: str) -> JsonObject:
    return {
        "user_id": txn.user_id,
        "user_email": txn.user_email,
        "user_first_name": txn.user_first_name,
        "user_last_name": txn.user_last_name,
        "activity_id": txn.activity_id,
        "activity_name": txn.activity_name,
        "redemption_id": txn.redemption_id,
        "redemption_name": txn.redemption_name,
        "redemption_value": txn.redemption_value,
        "id": txn.id,
        "transaction_type": txn.transaction_type,
        "points": txn.points,
        "points_status": txn.points_status,
        "coupon_code": txn.coupon_code,
        "approved_time": _when(txn.approved_at),
        "auto_approval_date": _when(txn.auto_approval_at),
        "approved_by": txn.approved_by,
        "created_time": fmt.txn_time(txn.created_at),
        "updated_time": fmt.txn_time(txn.updated_at),
        "order_id": txn.order_id,
        "reason": txn.reason,
        "returned_for_order_id": txn.returned_for_order_id,
        "available_points": txn.available_points_after,
        "partner_id": partner_id,
        "merchant_id": partner_id,
    }


def transaction_view(txn: Transaction, partner_id: str, keys: tuple[str, ...]) -> JsonObject:
    """The transaction with exactly ``keys`` (one of the ``*_KEYS`` tuples), in that order."""
    fields = _txn_fields(txn, partner_id)
    return {key: fields[key] for key in keys}


def history_view(txn: Transaction, partner_id: str) -> JsonObject:
    """An item of ``GET /users/{email}/transactions``, shaped and timed like its example."""
    view = transaction_view(txn, partner_id, LISTED_RECORD_KEYS)
    earned = balance_effect(txn) if txn.transaction_type == "award" else 0
    long = fmt.long_time
    view.update(
        created_time=long(txn.created_at),
        updated_time=long(txn.updated_at),
        approved_time=None if txn.approved_at is None else long(txn.approved_at),
        auto_approval_date="" if txn.auto_approval_at is None else long(txn.auto_approval_at),
        points_used=0,
        available_points=earned,
        points_expired=0,
        points_deducted=0,
        points_expiration_date=long(txn.created_at + EXPIRY) if earned else None,
        qualified_points=txn.transaction_type == "award",
        redemptions_list=None,
    )
    return view


def member_brief(member: Member) -> JsonObject:
    """The member as create and update answer it."""
    return {
        "user_id": member.user_id,
        "user_email": member.email,
        "first_name": member.first_name,
        "last_name": member.last_name,
        "profile_image_url": member.profile_image_url,
        "gender": member.gender,
        "redeemed_points": member.redeemed_points,
        "available_points": member.available_points,
        "loyalty_level_id": member.loyalty_level_id,
        "loyalty_lifetime_level_id": member.loyalty_lifetime_level_id,
        "merchant_uid": member.merchant_uid,
    }


def member_full(
    member: Member, partner_id: str, last_award: Transaction | None, *, listed: bool, now: datetime
) -> JsonObject:
    """The member as ``GET /users/{email}`` (``listed=False``) or the users listing answer it.

    The single fetch writes an unset level as ``null``, the listing as ``""``, like the examples.
    The whole balance expires twelve months after the last activity (never shown in the past).
    """
    view = member_brief(member)
    if not listed:
        view["loyalty_level_id"] = member.loyalty_level_id or None
        view["loyalty_lifetime_level_id"] = member.loyalty_lifetime_level_id or None
    view.update(
        loyalty_level_name="",
        loyalty_life_time_level_name="",
        user_language=member.user_language,
        user_status=member.user_status,
        expiration_schedule=_expiration_schedule(member, now),
        last_award_transaction=_last_award(last_award),
        dashboard_url=f"https://shopsocially.com/loyalty/{partner_id}/user/{member.user_id}/dashboard",
    )
    return view


def _expiration_schedule(member: Member, now: datetime) -> list[JsonObject]:
    if member.available_points <= 0:
        return []
    expires = (max(member.last_activity_at, now) + EXPIRY).replace(hour=23, minute=59, second=59)
    return [{"expiration_date": fmt.long_time(expires), "points": member.available_points}]


def _last_award(txn: Transaction | None) -> JsonObject:
    if txn is None:
        return {}
    return {"date": fmt.long_time(txn.created_at), "points": txn.points, "name": txn.activity_name}


def activity_view(activity: Activity, partner_id: str) -> JsonObject:
    """An activity as create, update, get and list answer it."""
    return {
        "id": activity.id,
        "merchant_id": partner_id,
        "activity_id": activity.activity_id,
        "activity_name": activity.activity_name,
        "activity_description": activity.activity_description,
        "activity_type": activity.activity_type,
        "approval_method": activity.approval_method,
        "bonus_multiplier": fmt.number_out(activity.bonus_multiplier),
        "created_time": fmt.long_time(activity.created_at),
        "fixed_duration_period": 30,
        "is_active": activity.is_active,
        "is_sale_activity": activity.is_sale_activity,
        "loyalty_activity_img": ACTIVITY_IMG,
        "max_award_frequency": activity.max_award_frequency,
        "max_award_frequency_interval": activity.max_award_frequency_interval,
        "points_earning_url": activity.points_earning_url,
        "points_per_activity": activity.points_per_activity,
        "qualified_points": activity.qualified_points,
        "show_activity_in_user_dashboard": activity.show_activity_in_user_dashboard,
        "show_on_merchant_center": True,
        "ss_internal": True,
        "updated_time": fmt.long_time(activity.updated_at),
    }


_EMAIL_HTML = (
    "<div>Hi,<br>You have redeemed _POINTS_REDEEMED_ loyalty points from your account at "
    '<a href="_MERCHANT_WEB_URL_">_MERCHANT_NAME_</a>.</div>'
)
_EMAIL_SUBJECT = "Redemption Confirmation Receipt - _MERCHANT_NAME_ Loyalty Program"
_AFTER_HTML = (
    '<div class="coupon_code_div">_COUPON_CODE_</div><div style="margin-top: 15px;"> '
    "A copy of the code has been emailed to _USER_EMAIL_.</div>"
)


def redemption_view(redemption: Redemption, partner_id: str) -> JsonObject:
    """A redemption option as create, update, get and list answer it."""
    return {
        "redemption_email_html": _EMAIL_HTML,
        "loyalty_redemption_card_img": REDEMPTION_IMG,
        "created_time": fmt.long_time(redemption.created_at),
        "giftcard_coupon_codes": ",".join(redemption.coupon_codes),
        "id": redemption.id,
        "giftcard_description": redemption.giftcard_description,
        "terms_and_conds_text": redemption.terms_and_conds_text,
        "after_redemption_html": _AFTER_HTML,
        "associated_levels": ["all"],
        "send_redemption_email": True,
        "redemption_value": redemption.redemption_value,
        "coupon_expiry_trigger": 0,
        "is_active": redemption.is_active,
        "enable_coupon_based_incentive": True,
        "redemption_instructions": redemption.redemption_instructions,
        "redemption_email_subject": _EMAIL_SUBJECT,
        "coupon_expiry": fmt.day(redemption.coupon_expiry),
        "merchant_id": partner_id,
        "show_redemption_in_user_dashboard": True,
        "show_on_merchant_center": True,
        "redemption_name": redemption.redemption_name,
        "coupon_expiry_delta": 7,
        "allowed_redeem_points": redemption.allowed_redeem_points,
        "updated_time": fmt.long_time(redemption.updated_at),
        "redemption_id": redemption.redemption_id,
    }
