"""Every endpoint method as a row: the reference's example call, its request and its result.

:data:`ENDPOINTS` holds one :class:`~tests.unit.helpers.Endpoint` per example (two for
``returns.create``: an order return and a product return), run through the same tests by
``test_endpoints.py``. :data:`IN_PATH` lists every method that puts a caller's identifier in
the URL path, and :data:`IDENTIFIERS` the identifiers each must keep to one path segment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from shopsocially_async import Page, ShopSociallyClient
from tests.unit import expected_models as m
from tests.unit import reference_examples as ref
from tests.unit.helpers import Endpoint

__all__ = [
    "ENDPOINTS",
    "IDENTIFIERS",
    "IN_PATH",
    "InPath",
]

# -- client.points ---------------------------------------------------------------------------
POINTS = [
    Endpoint(
        name="points.award",
        call=lambda client, **extra: client.points.award(**ref.AWARD_REQUEST, **extra),
        response=ref.AWARD_RESPONSE,
        method="POST",
        path=b"/award",
        body=ref.AWARD_REQUEST,
        expected=m.AWARDED,
        named_fields=("points_passed",),
    ),
    Endpoint(
        name="points.redeem",
        call=lambda client, **extra: client.points.redeem(**ref.REDEEM_REQUEST, **extra),
        response=ref.REDEEM_RESPONSE,
        method="POST",
        path=b"/redeem",
        body=ref.REDEEM_REQUEST,
        expected=m.REDEEMED,
        named_fields=("redemption_id",),
    ),
    Endpoint(
        name="points.deduct",
        call=lambda client, **extra: client.points.deduct(**ref.DEDUCT_REQUEST, **extra),
        response=ref.DEDUCT_RESPONSE,
        method="POST",
        path=b"/deduct",
        body=ref.DEDUCT_REQUEST,
        expected=m.DEDUCTED,
        named_fields=("reason",),
    ),
]

# -- client.activities -----------------------------------------------------------------------
ACTIVITIES = [
    Endpoint(
        name="activities.create",
        call=lambda client, **extra: client.activities.create(
            **ref.ACTIVITY_CREATE_REQUEST, **extra
        ),
        response=ref.ACTIVITY_CREATE_RESPONSE,
        method="POST",
        path=b"/activities",
        body=ref.ACTIVITY_CREATE_REQUEST,
        expected=m.ACTIVITY_CREATED,
        named_fields=("activity_type",),
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
        expected=m.ACTIVITY_UPDATED,
        named_fields=("is_active",),
    ),
    Endpoint(
        name="activities.get",
        call=lambda client, **extra: client.activities.get("shared_via_email", **extra),
        response=ref.ACTIVITY_GET_RESPONSE,
        method="GET",
        path=b"/activities/shared_via_email",
        expected=m.ACTIVITY_FETCHED,
    ),
    Endpoint(
        name="activities.list",
        call=lambda client, **extra: client.activities.list(**extra),
        response=ref.ACTIVITIES_LIST_RESPONSE,
        method="GET",
        path=b"/activities",
        expected=[m.ACTIVITY_LISTED],
    ),
]

# -- client.users ----------------------------------------------------------------------------
USERS = [
    Endpoint(
        name="users.create",
        call=lambda client, **extra: client.users.create(**ref.USER_CREATE_REQUEST, **extra),
        response=ref.USER_CREATE_RESPONSE,
        method="POST",
        path=b"/users",
        body=ref.USER_CREATE_REQUEST,
        expected=m.USER_CREATED,
        named_fields=("email",),
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
        expected=m.USER_CREATED,
        named_fields=("loyalty_level_id",),
    ),
    Endpoint(
        name="users.get",
        call=lambda client, **extra: client.users.get("bob@shopsocially.com", **extra),
        response=ref.USER_GET_RESPONSE,
        method="GET",
        path=b"/users/bob@shopsocially.com",
        expected=m.USER_FETCHED,
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
        expected=Page(
            items=(m.USER_LISTED,), start_index=0, next_start_index=2, more=False, total=1
        ),
        named_fields=("count", "from_date", "to_date", "start_index"),
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
            items=(m.MEMBER_TRANSACTION,), start_index=0, next_start_index=2, more=False, total=1
        ),
        named_fields=("points_status", "from_date", "to_date", "start_index"),
    ),
]

# -- client.transactions ---------------------------------------------------------------------
TRANSACTIONS = [
    Endpoint(
        name="transactions.list",
        call=lambda client, **extra: client.transactions.list(
            from_date=date(2015, 1, 1),
            to_date=date(2015, 11, 23),
            points_status=["approved", "auto_approved"],
            start_index=7,
            **extra,
        ),
        response=ref.TRANSACTIONS_LIST_RESPONSE,
        method="GET",
        path=b"/transactions",
        query=ref.TRANSACTIONS_LIST_QUERY,
        expected=Page(
            items=(m.TRANSACTION_LISTED,), start_index=7, next_start_index=100, more=True, total=250
        ),
        named_fields=("from_date", "to_date", "points_status", "start_index"),
    ),
    Endpoint(
        name="transactions.get",
        call=lambda client, **extra: client.transactions.get(ref.TRANSACTION_ID, **extra),
        response=ref.TRANSACTION_GET_RESPONSE,
        method="GET",
        path=b"/transactions/550ff099fa0eaa0767086968",
        expected=m.TRANSACTION_FETCHED,
    ),
]

# -- client.redemptions ----------------------------------------------------------------------
REDEMPTION_ARGUMENTS: dict[str, object] = {
    "redemption_id": "test_redemption",
    "redemption_name": "redemption_name",
    "is_active": False,
    "allowed_redeem_points": 100,
    "redemption_value": Decimal("10"),
    "giftcard_description": "giftcard_description",
    "terms_and_conds_text": "terms_and_conds_text",
    "redemption_instructions": "redemption_instructions",
    "giftcard_coupon_codes": ["a", "b", "c", "d", "e", "f", "g", "h", "i"],
    "coupon_expiry": date(2018, 1, 1),
}
# On the wire: the codes comma-joined, the expiry DD-Mon-YYYY, the value a JSON number.
REDEMPTION_BODY: dict[str, object] = {
    **REDEMPTION_ARGUMENTS,
    "redemption_value": 10,
    "giftcard_coupon_codes": "a,b,c,d,e,f,g,h,i",
    "coupon_expiry": "01-Jan-2018",
}
REDEMPTION_CHANGES = {k: v for k, v in REDEMPTION_ARGUMENTS.items() if k != "redemption_id"}
REDEMPTION_CHANGES_BODY = {k: v for k, v in REDEMPTION_BODY.items() if k != "redemption_id"}
REDEMPTIONS = [
    Endpoint(
        name="redemptions.create",
        call=lambda client, **extra: client.redemptions.create(**REDEMPTION_ARGUMENTS, **extra),
        response=ref.REDEMPTION_CREATE_RESPONSE,
        method="POST",
        path=b"/redemptions",
        body=REDEMPTION_BODY,
        expected=m.REDEMPTION_OPTION,
        named_fields=("giftcard_coupon_codes",),
    ),
    Endpoint(
        name="redemptions.update",
        call=lambda client, **extra: client.redemptions.update(
            "test_redemption", **REDEMPTION_CHANGES, **extra
        ),
        response=ref.REDEMPTION_UPDATE_RESPONSE,
        method="PUT",
        path=b"/redemptions/test_redemption",
        body=REDEMPTION_CHANGES_BODY,
        expected=m.REDEMPTION_OPTION,
        named_fields=("coupon_expiry",),
    ),
    Endpoint(
        name="redemptions.get",
        call=lambda client, **extra: client.redemptions.get("test_redemption", **extra),
        response=ref.REDEMPTION_GET_RESPONSE,
        method="GET",
        path=b"/redemptions/test_redemption",
        expected=m.REDEMPTION_OPTION,
    ),
    Endpoint(
        name="redemptions.list",
        call=lambda client, **extra: client.redemptions.list(**extra),
        response=ref.REDEMPTIONS_LIST_RESPONSE,
        method="GET",
        path=b"/redemptions",
        expected=[m.REDEMPTION_OPTION],
    ),
]

# -- client.returns --------------------------------------------------------------------------
RETURNS = [
    Endpoint(
        name="returns.create",
        call=lambda client, **extra: client.returns.create(
            order_id="1254aeb7b4f", returned_amount=26, **extra
        ),
        response=ref.RETURN_RESPONSE,
        method="POST",
        path=b"/transaction/return",
        body={"order_id": "1254aeb7b4f", "returned_amount": 26},
        expected=m.RETURNED,
        named_fields=("returned_amount",),
    ),
    Endpoint(
        name="returns.create:product",
        call=lambda client, **extra: client.returns.create(
            order_id="75a2726d13artibb10", returned_product_id="1234df", quantity=2, **extra
        ),
        response=ref.RETURNS_TRACKING_RESPONSE,
        method="POST",
        path=b"/transaction/return",
        body={"order_id": "75a2726d13artibb10", "returned_product_id": "1234df", "quantity": 2},
        expected=m.RETURNED_TRACKING,
        named_fields=("returned_product_id",),
    ),
]

ENDPOINTS: list[Endpoint] = [
    *POINTS,
    *RETURNS,
    *TRANSACTIONS,
    *USERS,
    *ACTIVITIES,
    *REDEMPTIONS,
]


@dataclass(frozen=True)
class InPath:
    """An endpoint method that puts a caller's identifier in the URL path.

    ``call(client, identifier)`` makes a valid call about ``identifier``; ``target`` is the
    raw request target after the base path (path and query), with ``%s`` where the encoded
    identifier goes.
    """

    name: str
    call: Callable[[ShopSociallyClient, str], Any]
    response: bytes
    target: bytes

    def __str__(self) -> str:
        return self.name


IN_PATH = [
    InPath(
        "transactions.get",
        lambda client, identifier: client.transactions.get(identifier),
        ref.TRANSACTION_GET_RESPONSE,
        b"/transactions/%s",
    ),
    InPath(
        "users.update",
        lambda client, identifier: client.users.update(identifier, loyalty_level_id="gold"),
        ref.USER_UPDATE_RESPONSE,
        b"/users/%s",
    ),
    InPath(
        "users.get",
        lambda client, identifier: client.users.get(identifier),
        ref.USER_GET_RESPONSE,
        b"/users/%s",
    ),
    InPath(
        "users.transactions",
        lambda client, identifier: client.users.transactions(
            identifier, from_date=date(2016, 1, 1), to_date=date(2016, 1, 2)
        ),
        ref.USER_TRANSACTIONS_RESPONSE,
        b"/users/%s/transactions?from_date=01-01-2016&to_date=02-01-2016&start_index=0",
    ),
    InPath(
        "activities.update",
        lambda client, identifier: client.activities.update(identifier, is_active=False),
        ref.ACTIVITY_UPDATE_RESPONSE,
        b"/activities/%s",
    ),
    InPath(
        "activities.get",
        lambda client, identifier: client.activities.get(identifier),
        ref.ACTIVITY_GET_RESPONSE,
        b"/activities/%s",
    ),
    InPath(
        "redemptions.update",
        lambda client, identifier: client.redemptions.update(identifier, is_active=True),
        ref.REDEMPTION_UPDATE_RESPONSE,
        b"/redemptions/%s",
    ),
    InPath(
        "redemptions.get",
        lambda client, identifier: client.redemptions.get(identifier),
        ref.REDEMPTION_GET_RESPONSE,
        b"/redemptions/%s",
    ),
]

#: Identifiers a caller may pass, and the one path segment each becomes. ``@``, ``+``, ``$``
#: and ``=`` stay as they are (an email reads as itself); ``/``, ``?``, ``#``, ``%``, spaces
#: and non-ASCII (as UTF-8) are percent-encoded, so no identifier reaches another route.
IDENTIFIERS: list[tuple[str, bytes]] = [
    ("shared_via_email", b"shared_via_email"),
    ("$50_gift_card", b"$50_gift_card"),
    ("bob@shopsocially.com", b"bob@shopsocially.com"),
    ("bob+loyalty@shopsocially.com", b"bob+loyalty@shopsocially.com"),
    ("a/b@example.com", b"a%2Fb@example.com"),
    ("a/b?c#d", b"a%2Fb%3Fc%23d"),
    ("?admin=1#x@example.com", b"%3Fadmin=1%23x@example.com"),
    ("tx 1%", b"tx%201%25"),
    ("jos\u00e9@example.com", b"jos%C3%A9@example.com"),
    ("../activities", b"..%2Factivities"),
    ("../x/y", b"..%2Fx%2Fy"),
]
