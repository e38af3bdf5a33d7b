"""Every endpoint of the reference: its route label, and how its parameters become a state call.

Handlers are synchronous and run under the fake's lock. Each returns an :class:`Outcome` (the
``data`` of the success envelope, and whether the program's state changed) or raises an
:class:`~._errors.FakeApiError`. Required parameters are checked before anything else (one 400
naming all that are missing), then dates, then the other values, then the program's rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

import attrs

from . import _formats as fmt
from . import _listing as listing
from ._catalog import is_blank, require
from ._errors import FakeApiError, invalid_cursor, invalid_value, not_found
from ._records import Activity, Redemption
from ._state import LoyaltyState
from ._views import (
    AWARD_KEYS,
    DEDUCT_KEYS,
    FETCHED_RECORD_KEYS,
    REDEEM_KEYS,
    RETURN_KEYS,
    activity_view,
    member_brief,
    member_full,
    redemption_view,
    tracking_return_view,
    transaction_view,
)

Params = Mapping[str, object]
PathParams = Mapping[str, str]


@attrs.frozen
class Outcome:
    """A handled request: the success envelope's ``data`` and whether anything was written."""

    data: object
    applied: bool = False


Handler = Callable[[LoyaltyState, PathParams, Params], Outcome]


@attrs.frozen
class Route:
    """One endpoint: ``label`` is ``"METHOD /template"``, as fault routes and stats name it."""

    method: str
    template: tuple[str, ...]
    handler: Handler

    @property
    def label(self) -> str:
        """``"GET /users/{email}"``."""
        return f"{self.method} /{'/'.join(self.template)}"

    def match(self, method: str, segments: list[str]) -> dict[str, str] | None:
        """The path parameters if this route serves ``method`` on ``segments``."""
        if method != self.method or len(segments) != len(self.template):
            return None
        found: dict[str, str] = {}
        for part, segment in zip(self.template, segments, strict=True):
            if part.startswith("{"):
                found[part.strip("{}")] = segment
            elif part != segment:
                return None
        return found


def _text(params: Params, name: str) -> str:
    return fmt.text(params[name], name)


def _start_index(params: Params) -> int:
    """The listing cursor: absent means 0; anything but a whole number from 0 is INVALID_CURSOR."""
    raw = params.get("start_index")
    if is_blank(raw):
        return 0
    try:
        return fmt.whole(raw, "start_index")
    except FakeApiError:
        raise invalid_cursor() from None


def _window(params: Params, expected: str) -> tuple[date, date]:
    require(params, ("from_date", "to_date"))
    first = fmt.query_date(params["from_date"], "from_date", expected)
    return first, fmt.query_date(params["to_date"], "to_date", expected)


# -- points --------------------------------------------------------------------------------
def award(state: LoyaltyState, _: PathParams, params: Params) -> Outcome:
    """POST /award."""
    require(params, ("user_email", "activity_id"))
    txn = state.award(
        _text(params, "user_email"),
        _text(params, "activity_id"),
        params.get("points_passed"),
        params.get("order_id"),
        products=params.get("products"),
    )
    return Outcome(transaction_view(txn, state.partner_id, AWARD_KEYS), applied=True)


def redeem(state: LoyaltyState, _: PathParams, params: Params) -> Outcome:
    """POST /redeem."""
    require(params, ("user_email", "redemption_id"))
    txn = state.redeem(_text(params, "user_email"), _text(params, "redemption_id"))
    return Outcome(transaction_view(txn, state.partner_id, REDEEM_KEYS), applied=True)


def deduct(state: LoyaltyState, _: PathParams, params: Params) -> Outcome:
    """POST /deduct."""
    require(params, ("user_email", "reason", "points_passed"))
    txn = state.deduct(_text(params, "user_email"), params["points_passed"], params["reason"])
    return Outcome(transaction_view(txn, state.partner_id, DEDUCT_KEYS), applied=True)


def return_order(state: LoyaltyState, _: PathParams, params: Params) -> Outcome:
    """POST /transaction/return: an order return answers in 001's shape, a product return
    (``returned_product_id``) in the returns-tracking shape of 002."""
    require(params, ("order_id",))
    if "returned_product_quantity" in params:
        raise invalid_value(
            "Invalid value for returned_product_quantity: this endpoint reads the quantity "
            "returned from quantity"
        )
    txn = state.process_return(
        params["order_id"],
        params.get("returned_amount"),
        params.get("returned_product_id"),
        params.get("quantity"),
    )
    if txn.returned_product_id is not None:
        return Outcome(tracking_return_view(txn), applied=True)
    return Outcome(transaction_view(txn, state.partner_id, RETURN_KEYS), applied=True)


# -- transactions --------------------------------------------------------------------------
def list_transactions(state: LoyaltyState, _: PathParams, params: Params) -> Outcome:
    """GET /transactions: dates ``MM/DD/YYYY``."""
    first, last = _window(params, "MM/DD/YYYY")
    statuses = fmt.statuses(params.get("points_status"))
    page = listing.transactions_page(state, first, last, statuses, _start_index(params))
    return Outcome(page)


def get_transaction(state: LoyaltyState, path: PathParams, _: Params) -> Outcome:
    """GET /transactions/{transaction_id}."""
    txn = state.transaction(path["transaction_id"])
    return Outcome(transaction_view(txn, state.partner_id, FETCHED_RECORD_KEYS))


# -- users ---------------------------------------------------------------------------------
def create_user(state: LoyaltyState, _: PathParams, params: Params) -> Outcome:
    """POST /users."""
    require(params, ("first_name", "last_name", "email", "uid"))
    return Outcome(member_brief(state.create_member(params)), applied=True)


def update_user(state: LoyaltyState, path: PathParams, params: Params) -> Outcome:
    """PUT /users/{uid}: the loyalty level (the one field its table lists)."""
    member, changed = state.update_member(path["uid"], params)
    return Outcome(member_brief(member), applied=changed)


def list_users(state: LoyaltyState, _: PathParams, params: Params) -> Outcome:
    """GET /users: dates ``DD-MM-YYYY``, ``count`` 1..1000 (default 100)."""
    first, last = _window(params, "DD-MM-YYYY")
    raw_filter = params.get("filter_by")
    filter_by = (
        "enrollment_date"
        if is_blank(raw_filter)
        else fmt.choice(raw_filter, "filter_by", listing.FILTERS)
    )
    raw_count = params.get("count")
    count = 100 if is_blank(raw_count) else fmt.whole(raw_count, "count", minimum=1, maximum=1000)
    page = listing.members_page(state, first, last, filter_by, _start_index(params), count)
    return Outcome(page)


def get_user(state: LoyaltyState, path: PathParams, _: Params) -> Outcome:
    """GET /users/{email}."""
    member = state.member(path["email"])
    last = state.last_award(member)
    return Outcome(member_full(member, state.partner_id, last, listed=False, now=state.clock()))


def user_transactions(state: LoyaltyState, path: PathParams, params: Params) -> Outcome:
    """GET /users/{email}/transactions: dates ``DD-MM-YYYY``."""
    first, last = _window(params, "DD-MM-YYYY")
    statuses = fmt.statuses(params.get("points_status"))
    start_index = _start_index(params)
    member = state.member(path["email"])
    return Outcome(listing.history_page(state, member, first, last, statuses, start_index))


# -- activities and redemptions ------------------------------------------------------------
def _activity(state: LoyaltyState, activity_id: str) -> Activity:
    found = state.activities.get(activity_id)
    if found is None:
        raise not_found(f"Activity {activity_id} not found.")
    return found


def _redemption(state: LoyaltyState, redemption_id: str) -> Redemption:
    found = state.redemptions.get(redemption_id)
    if found is None:
        raise not_found(f"Redemption {redemption_id} not found.")
    return found


def list_activities(state: LoyaltyState, _: PathParams, __: Params) -> Outcome:
    """GET /activities: a JSON array."""
    return Outcome([activity_view(a, state.partner_id, "list") for a in state.activities.values()])


def create_activity(state: LoyaltyState, _: PathParams, params: Params) -> Outcome:
    """POST /activities."""
    activity = state.create_activity(params)
    return Outcome(activity_view(activity, state.partner_id, "create"), applied=True)


def get_activity(state: LoyaltyState, path: PathParams, _: Params) -> Outcome:
    """GET /activities/{activity_id}."""
    return Outcome(activity_view(_activity(state, path["activity_id"]), state.partner_id, "get"))


def update_activity(state: LoyaltyState, path: PathParams, params: Params) -> Outcome:
    """PUT /activities/{activity_id}."""
    activity = _activity(state, path["activity_id"])
    state.update_activity(activity, params)
    return Outcome(activity_view(activity, state.partner_id, "update"), applied=True)


def list_redemptions(state: LoyaltyState, _: PathParams, __: Params) -> Outcome:
    """GET /redemptions: a JSON array."""
    return Outcome([redemption_view(r, state.partner_id) for r in state.redemptions.values()])


def create_redemption(state: LoyaltyState, _: PathParams, params: Params) -> Outcome:
    """POST /redemptions."""
    return Outcome(redemption_view(state.create_redemption(params), state.partner_id), applied=True)


def get_redemption(state: LoyaltyState, path: PathParams, _: Params) -> Outcome:
    """GET /redemptions/{redemption_id}."""
    return Outcome(redemption_view(_redemption(state, path["redemption_id"]), state.partner_id))


def update_redemption(state: LoyaltyState, path: PathParams, params: Params) -> Outcome:
    """PUT /redemptions/{redemption_id}."""
    redemption = _redemption(state, path["redemption_id"])
    state.update_redemption(redemption, params)
    return Outcome(redemption_view(redemption, state.partner_id), applied=True)


def _route(spec: str, handler: Handler) -> Route:
    method, path = spec.split(" ", 1)
    return Route(method, tuple(path.strip("/").split("/")), handler)


ROUTES: tuple[Route, ...] = tuple(
    _route(spec, handler)
    for spec, handler in (
        ("POST /award", award),
        ("POST /redeem", redeem),
        ("POST /deduct", deduct),
        ("POST /transaction/return", return_order),
        ("GET /transactions", list_transactions),
        ("GET /transactions/{transaction_id}", get_transaction),
        ("POST /users", create_user),
        ("PUT /users/{uid}", update_user),
        ("GET /users", list_users),
        ("GET /users/{email}", get_user),
        ("GET /users/{email}/transactions", user_transactions),
        ("GET /activities", list_activities),
        ("POST /activities", create_activity),
        ("GET /activities/{activity_id}", get_activity),
        ("PUT /activities/{activity_id}", update_activity),
        ("GET /redemptions", list_redemptions),
        ("POST /redemptions", create_redemption),
        ("GET /redemptions/{redemption_id}", get_redemption),
        ("PUT /redemptions/{redemption_id}", update_redemption),
    )
)
LABELS = frozenset(route.label for route in ROUTES)


def match(method: str, segments: list[str]) -> tuple[Route, dict[str, str]] | None:
    """The route serving ``method`` on the path ``segments`` (below ``/v2/loyalty``)."""
    for route in ROUTES:
        found = route.match(method, segments)
        if found is not None:
            return route, found
    return None
