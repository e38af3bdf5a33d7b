"""Activities and redemption options: which fields they take, how values are read, defaults.

Create takes the required fields of the reference's tables (an empty string counts as absent)
and the documented defaults for the rest; ``is_active`` defaults to true for activities and to
false for redemption options, as the reference says. Update changes only the fields given; a
name its "Query Parameters" table does not list (a typo, a create-only field such as
``is_sale_activity``) is refused with INVALID_REQUEST_PARAMETER_VALUES naming it, and nothing
changes. A ``giftcard_coupon_codes`` string (comma separated, or a JSON list) replaces the
whole pool. ``redemption_value`` is kept as the plain decimal text the API
echoes (``"10"``); a leading ``$`` is accepted and dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from . import _formats as fmt
from ._errors import invalid_value, missing_parameters
from ._records import Activity, Redemption

Coercer = Callable[[object, str], object]

ACTIVITY_TYPES = ("fixed", "bonus_multiplier")
INTERVALS = ("day", "week", "month", "year", "lifetime")
APPROVAL_METHODS = ("immediate", "manual", "monthly")

ACTIVITY_FIELDS: dict[str, Coercer] = {
    "activity_name": fmt.text,
    "activity_description": fmt.text,
    "activity_type": partial(fmt.choice, allowed=ACTIVITY_TYPES),
    "max_award_frequency": partial(fmt.whole, minimum=1),
    "max_award_frequency_interval": partial(fmt.choice, allowed=INTERVALS),
    "bonus_multiplier": fmt.positive,
    "points_per_activity": partial(fmt.whole, minimum=0),
    "approval_method": partial(fmt.choice, allowed=APPROVAL_METHODS),
    "is_active": fmt.boolean,
    "is_sale_activity": fmt.boolean,
    "qualified_points": fmt.boolean,
    "show_activity_in_user_dashboard": fmt.boolean,
    "points_earning_url": fmt.text,
}
#: What Update Activity's table lists (create-only fields such as ``is_sale_activity`` are not).
ACTIVITY_UPDATE_FIELDS: dict[str, Coercer] = {
    name: ACTIVITY_FIELDS[name]
    for name in (
        "activity_name",
        "activity_description",
        "activity_type",
        "max_award_frequency",
        "max_award_frequency_interval",
        "bonus_multiplier",
        "points_per_activity",
        "approval_method",
        "is_active",
    )
}
ACTIVITY_REQUIRED = (
    "activity_id",
    "activity_name",
    "activity_description",
    "activity_type",
    "max_award_frequency",
    "max_award_frequency_interval",
    "approval_method",
)
ACTIVITY_DEFAULTS: dict[str, object] = {
    "bonus_multiplier": Decimal(1),
    "points_per_activity": 1,
    "is_active": True,
    "is_sale_activity": False,
    "qualified_points": True,
    "show_activity_in_user_dashboard": True,
    "points_earning_url": "",
}


def _redemption_value(value: object, name: str) -> str:
    raw = value.strip().lstrip("$") if isinstance(value, str) else value
    number = fmt.decimal(raw, name)
    if number < 0:
        raise invalid_value(f"Invalid value for {name}: must not be negative")
    return fmt.plain(number)


def _coupon_codes(value: object, name: str) -> list[str]:
    if isinstance(value, (list, tuple)):
        codes = [fmt.text(code, name) for code in value]
        return [code for code in codes if code]
    return [code.strip() for code in fmt.text(value, name).split(",") if code.strip()]


REDEMPTION_FIELDS: dict[str, Coercer] = {
    "redemption_name": fmt.text,
    "is_active": fmt.boolean,
    "allowed_redeem_points": partial(fmt.whole, minimum=0),
    "redemption_value": _redemption_value,
    "giftcard_description": fmt.text,
    "terms_and_conds_text": fmt.text,
    "redemption_instructions": fmt.text,
    "giftcard_coupon_codes": _coupon_codes,
    "coupon_expiry": fmt.coupon_expiry,
}
REDEMPTION_REQUIRED = (
    "redemption_id",
    "redemption_name",
    "allowed_redeem_points",
    "redemption_value",
    "giftcard_description",
    "terms_and_conds_text",
    "giftcard_coupon_codes",
    "coupon_expiry",
)
REDEMPTION_DEFAULTS: dict[str, object] = {"is_active": False, "redemption_instructions": ""}
_ATTRIBUTE = {"giftcard_coupon_codes": "coupon_codes"}


def is_blank(value: object) -> bool:
    """Absent for the purpose of required parameters: ``None`` or a blank string."""
    return value is None or (isinstance(value, str) and not value.strip())


def require(params: Mapping[str, object], names: tuple[str, ...]) -> None:
    """Raise the older-envelope 400 naming every required parameter that is blank."""
    missing = [name for name in names if is_blank(params.get(name))]
    if missing:
        raise missing_parameters(missing)


def refuse_undocumented(params: Mapping[str, object], documented: Iterable[str]) -> None:
    """An update naming a field its endpoint does not document is a 400 naming every such field
    (``repr`` shows a stray space, as in ``'activity_type '``)."""
    unknown = sorted(set(params) - set(documented))
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        raise invalid_value(
            f"Invalid value for request parameters: unknown field(s) {names}; "
            f"this update takes {', '.join(documented)}"
        )


def coerce(params: Mapping[str, object], fields: Mapping[str, Coercer]) -> dict[str, object]:
    """Read the known fields present in ``params``, keyed by record attribute name."""
    values: dict[str, object] = {}
    for name, reader in fields.items():
        if name in params and params[name] is not None:
            values[_ATTRIBUTE.get(name, name)] = reader(params[name], name)
    return values


def _loose_activity(params: Mapping[str, object], activity_id: str) -> dict[str, object]:
    given = params.get("activity_name")
    name = (
        given if isinstance(given, str) and given.strip() else activity_id.replace("_", " ").title()
    )
    return {
        "activity_name": name,
        "activity_description": f"Earn points: {name}.",
        "activity_type": "fixed",
        "max_award_frequency": 1000,
        "max_award_frequency_interval": "day",
        "approval_method": "immediate",
    }


def _loose_redemption(redemption_id: str, now: datetime) -> dict[str, object]:
    return {
        "redemption_name": redemption_id.replace("_", " ").title(),
        "is_active": True,
        "giftcard_description": "",
        "terms_and_conds_text": "",
        "coupon_codes": [],
        "coupon_expiry": (now + timedelta(days=365)).date(),
    }


def new_activity(
    params: Mapping[str, object], record_id: str, now: datetime, *, strict: bool = True
) -> Activity:
    """Build an activity from create parameters.

    ``strict`` (the API) requires the reference's mandatory fields; otherwise (Python helpers,
    seeding) only ``activity_id`` is needed and the rest defaults to a fixed, immediate activity
    awardable 1,000 times a day.
    """
    require(params, ACTIVITY_REQUIRED if strict else ("activity_id",))
    activity_id = fmt.text(params["activity_id"], "activity_id")
    loose = {} if strict else _loose_activity(params, activity_id)
    values = {**ACTIVITY_DEFAULTS, **loose, **coerce(params, ACTIVITY_FIELDS)}
    return Activity(
        id=record_id,
        activity_id=activity_id,
        created_at=now,
        updated_at=now,
        **values,  # type: ignore[arg-type]
    )


def new_redemption(
    params: Mapping[str, object], record_id: str, now: datetime, *, strict: bool = True
) -> Redemption:
    """Build a redemption option from create parameters.

    Not ``strict``, only the id, points and value are needed: the option is active, with an
    empty pool, expiring in a year.
    """
    loose_required = ("redemption_id", "allowed_redeem_points", "redemption_value")
    require(params, REDEMPTION_REQUIRED if strict else loose_required)
    redemption_id = fmt.text(params["redemption_id"], "redemption_id")
    loose = {} if strict else _loose_redemption(redemption_id, now)
    values = {**REDEMPTION_DEFAULTS, **loose, **coerce(params, REDEMPTION_FIELDS)}
    return Redemption(
        id=record_id,
        redemption_id=redemption_id,
        created_at=now,
        updated_at=now,
        **values,  # type: ignore[arg-type]
    )


def apply_update(
    record: Activity | Redemption, params: Mapping[str, object], fields: Mapping[str, Coercer]
) -> None:
    """Refuse undocumented names, validate every given field, then change them together."""
    refuse_undocumented(params, fields)
    for attribute, value in coerce(params, fields).items():
        setattr(record, attribute, value)
