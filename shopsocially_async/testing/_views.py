"""What each endpoint answers: the fields of its example response in the reference, no others.

Every endpoint sends exactly the keys its example response shows (``api-docs/001``; ``000``'s
examples have the same keys), in the example's order, plus any its "Response Body" table adds
(none does: where a table and its example disagree, the example wins; the package docstring
lists each disagreement). Values take the example's JSON types and timestamp formats (see
:mod:`._formats`), and a field with nothing to say is ``null`` where the example writes
``null`` (``""`` for ``auto_approval_date`` in a member's history, and for unset levels on
create, update and the users listing, as those examples do).

Our assumptions where no example covers the case:

* A return's ledger entry, listed in ``GET /users/{email}/transactions``, carries the returned
  order's id in ``order_id`` (that example has no ``returned_for_order_id``). It is a
  ``deduct`` with positive ``points``, like every deduction.
* A product return (one with ``returned_product_id``) answers in the returns-tracking shape
  (``api-docs/002``: ``first_name``/``last_name``, no ids); an order return in 001's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from . import _formats as fmt
from ._records import Activity, Member, Redemption, Transaction, balance_effect

JsonObject = dict[str, object]
Keys = tuple[str, ...]
ACTIVITY_IMG = "https://cdn.shopsocially.test/activity.png"
REDEMPTION_IMG = "https://cdn.shopsocially.test/redemption.png"
EXPIRY = timedelta(days=365)


def _keys(names: str) -> Keys:
    return tuple(names.split())


_PERSON = "user_id user_email user_last_name user_first_name"
AWARD_KEYS = _keys(
    f"{_PERSON} activity_id activity_name id transaction_type points points_status partner_id"
    " created_time"
)
REDEEM_KEYS = _keys(
    f"{_PERSON} redemption_id redemption_name redemption_value id transaction_type points"
    " points_status coupon_code partner_id created_time"
)
DEDUCT_KEYS = _keys(
    f"{_PERSON} id transaction_type points points_status available_points partner_id created_time"
)
RETURN_KEYS = _keys(
    f"{_PERSON} id transaction_type points points_status returned_for_order_id reason partner_id"
    " created_time approved_time updated_time auto_approval_date"
)
#: The returns-tracking example (002): the member without the ``user_`` prefix, no ids.
TRACKING_RETURN_KEYS = _keys(
    "user_email last_name first_name points points_status returned_for_order_id reason created_time"
)
_RECORD = (
    "activity_id activity_name user_id user_first_name user_last_name user_email redemption_id"
    " redemption_name id approved_time auto_approval_date points_status transaction_type"
    " coupon_code points approved_by created_time updated_time"
)
#: ``GET /transactions`` names the merchant ``merchant_id``, ``GET /transactions/{id}``
#: ``partner_id``, as their examples do.
LISTED_RECORD_KEYS = _keys(f"{_RECORD} merchant_id")
FETCHED_RECORD_KEYS = _keys(f"{_RECORD} partner_id")
HISTORY_KEYS = _keys(
    "points_status points_used available_points points_expired created_time updated_time id"
    " user_id points_expiration_date approved_by qualified_points redemption_value activity_id"
    " user_first_name order_id reason points_deducted merchant_id redemptions_list approved_time"
    " redemption_name auto_approval_date transaction_type user_last_name coupon_code points"
    " redemption_id activity_name user_email"
)

MEMBER_BRIEF_KEYS = _keys(
    "user_id user_email first_name last_name profile_image_url gender redeemed_points"
    " available_points loyalty_level_id loyalty_lifetime_level_id merchant_uid"
)
MEMBER_FETCHED_KEYS = (
    *MEMBER_BRIEF_KEYS[:-1],
    *_keys("user_language user_status expiration_schedule last_award_transaction"),
)
MEMBER_LISTED_KEYS = _keys(
    "loyalty_life_time_level_name loyalty_lifetime_level_id expiration_schedule last_name"
    " redeemed_points last_award_transaction gender dashboard_url first_name profile_image_url"
    " available_points loyalty_level_id loyalty_level_name user_id user_email"
)

_ACTIVITY_HEAD = "id activity_id activity_name activity_description activity_type approval_method"
_ACTIVITY_TAIL = (
    "max_award_frequency max_award_frequency_interval merchant_id points_earning_url"
    " points_per_activity qualified_points show_activity_in_user_dashboard"
)
#: The four activity examples show four different key sets.
ACTIVITY_KEYS: dict[str, Keys] = {
    "create": _keys(
        "id merchant_id activity_id activity_name activity_description activity_type"
        " approval_method bonus_multiplier created_time fixed_duration_period is_active"
        " is_sale_activity loyalty_activity_img max_award_frequency max_award_frequency_interval"
        " points_earning_url points_per_activity qualified_points"
        " show_activity_in_user_dashboard ss_internal updated_time"
    ),
    "update": _keys(
        f"{_ACTIVITY_HEAD} bonus_multiplier created_time fixed_duration_period is_active"
        f" is_sale_activity loyalty_activity_img {_ACTIVITY_TAIL} show_on_merchant_center"
        " ss_internal updated_time"
    ),
    "get": _keys(
        f"{_ACTIVITY_HEAD} bonus_multiplier created_time is_active is_sale_activity"
        f" loyalty_activity_img {_ACTIVITY_TAIL} show_on_merchant_center ss_internal updated_time"
    ),
    "list": _keys(
        f"{_ACTIVITY_HEAD} bonus_multiplier created_time is_active is_sale_activity"
        f" {_ACTIVITY_TAIL} ss_internal updated_time"
    ),
}


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else fmt.txn_time(moment)


def _txn_fields(txn: Transaction, partner_id: str) -> JsonObject:
    return {
        "user_id": txn.user_id,
        "user_email": txn.user_email,
        "user_first_name": txn.user_first_name,
        "user_last_name": txn.user_last_name,
        "first_name": txn.user_first_name,
        "last_name": txn.user_last_name,
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
        "order_id": txn.order_id if txn.order_id is not None else txn.returned_for_order_id,
        "reason": txn.reason,
        "returned_for_order_id": txn.returned_for_order_id,
        "available_points": txn.available_points_after,
        "partner_id": partner_id,
        "merchant_id": partner_id,
    }


def transaction_view(txn: Transaction, partner_id: str, keys: Keys) -> JsonObject:
    """The transaction with exactly ``keys`` (one of the ``*_KEYS`` tuples), in that order."""
    fields = _txn_fields(txn, partner_id)
    return {key: fields[key] for key in keys}


def tracking_return_view(txn: Transaction) -> JsonObject:
    """A product return's answer, shaped like the returns-tracking example (002)."""
    return transaction_view(txn, "", TRACKING_RETURN_KEYS)


def history_view(txn: Transaction, partner_id: str) -> JsonObject:
    """An item of ``GET /users/{email}/transactions``, shaped and timed like its example."""
    fields = _txn_fields(txn, partner_id)
    earned = balance_effect(txn) if txn.transaction_type == "award" else 0
    long = fmt.long_time
    fields.update(
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
    return {key: fields[key] for key in HISTORY_KEYS}


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
    fields = member_brief(member)
    if not listed:
        fields["loyalty_level_id"] = member.loyalty_level_id or None
        fields["loyalty_lifetime_level_id"] = member.loyalty_lifetime_level_id or None
    fields.update(
        loyalty_level_name="",
        loyalty_life_time_level_name="",
        user_language=member.user_language,
        user_status=member.user_status,
        expiration_schedule=_expiration_schedule(member, now),
        last_award_transaction=_last_award(last_award),
        dashboard_url=f"https://shopsocially.com/loyalty/{partner_id}/user/{member.user_id}/dashboard",
    )
    keys = MEMBER_LISTED_KEYS if listed else MEMBER_FETCHED_KEYS
    return {key: fields[key] for key in keys}


def _expiration_schedule(member: Member, now: datetime) -> list[JsonObject]:
    if member.available_points <= 0:
        return []
    expires = (max(member.last_activity_at, now) + EXPIRY).replace(hour=23, minute=59, second=59)
    return [{"expiration_date": fmt.long_time(expires), "points": member.available_points}]


def _last_award(txn: Transaction | None) -> JsonObject:
    if txn is None:
        return {}
    return {"date": fmt.long_time(txn.created_at), "points": txn.points, "name": txn.activity_name}


def activity_view(activity: Activity, partner_id: str, endpoint: str) -> JsonObject:
    """An activity as ``endpoint`` (``create``, ``update``, ``get`` or ``list``) answers it."""
    fields: JsonObject = {
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
    return {key: fields[key] for key in ACTIVITY_KEYS[endpoint]}


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
    """A redemption option as create, update, get and list answer it (one example shape)."""
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
