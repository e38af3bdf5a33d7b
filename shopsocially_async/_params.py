"""Checks and wire formats for endpoint arguments: pure, run before anything is sent.

Every refusal is an :class:`~shopsocially_async.errors.InvalidArgumentError` (a
``ValueError``) whose message starts with the argument's name.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, TypeAlias

from ._dates import format_coupon_expiry
from .errors import InvalidArgumentError

__all__ = [
    "FILTER_BY_VALUES",
    "POINTS_STATUS_VALUES",
    "Amount",
    "boolean",
    "compact",
    "coupon_codes",
    "coupon_expiry",
    "date_range",
    "exact_json_number",
    "identifier",
    "one_of",
    "page_size",
    "points_status_filter",
    "positive_amount",
    "positive_points",
    "start_index",
    "text",
    "unicode_text",
    "validated",
]

#: Money and order amounts: int, float or Decimal (never bool).
Amount: TypeAlias = "int | float | Decimal"
PointsStatus: TypeAlias = Literal[
    "pending", "approved", "auto_approved", "auto_rejected", "rejected", "exhausted", "expired"
]
FilterBy: TypeAlias = Literal["enrollment_date", "last_activity_date"]
Validator: TypeAlias = "Callable[[str, Any], Any]"

POINTS_STATUS_VALUES = frozenset(
    {"pending", "approved", "auto_approved", "auto_rejected", "rejected", "exhausted", "expired"}
)
FILTER_BY_VALUES = frozenset({"enrollment_date", "last_activity_date"})
MAX_PAGE_SIZE = 1000
#: The largest number of points (and the largest amount) a call may carry: far above any
#: real balance or order, far below where a JSON number stops being exact.
MAX_POINTS = 1_000_000_000
MAX_AMOUNT = 1_000_000_000
_MAX_EXACT_INTEGER = 2**53


_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def unicode_text(name: str, value: object) -> str:
    """Any string that can go on the wire: no lone surrogates (UTF-8 cannot encode them)."""
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name} must be a string, got {type(value).__name__}")
    if _LONE_SURROGATE.search(value):
        raise InvalidArgumentError(f"{name} is not valid Unicode (a lone surrogate): {value!r}")
    return value


def text(name: str, value: object) -> str:
    """A non-empty string (emails, ids, names). Surrounding spaces are an error, not trimmed."""
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name} must be a string, got {type(value).__name__}")
    if not value.strip():
        raise InvalidArgumentError(f"{name} must not be empty")
    if value != value.strip() or _CONTROL_CHARACTER.search(value):
        raise InvalidArgumentError(
            f"{name} must not have surrounding spaces or control characters: {value!r}"
        )
    return unicode_text(name, value)


def identifier(name: str, value: object) -> str:
    """A :func:`text` that goes in the URL path as one segment: ``.`` and ``..`` are refused,
    because HTTP stacks resolve them as "this" and "parent" even when percent-encoded."""
    checked = text(name, value)
    if checked in (".", ".."):
        raise InvalidArgumentError(f"{name} {checked!r} cannot be a path segment")
    return checked


def positive_points(name: str, value: object) -> int:
    """A whole number of points, from 1 to :data:`MAX_POINTS`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError(f"{name} must be a whole number of points, got {value!r}")
    if not 0 < value <= MAX_POINTS:
        raise InvalidArgumentError(f"{name} must be from 1 to {MAX_POINTS:,}, got {value}")
    return value


def positive_amount(name: str, value: object) -> int | float | Decimal:
    """A positive amount up to :data:`MAX_AMOUNT` (int, float or Decimal: order totals,
    returned amounts) that a JSON number carries exactly. An amount that would reach the wire
    as zero (``Decimal("1e-400")``) is not positive."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise InvalidArgumentError(f"{name} must be a number, got {value!r}")
    if not 0 < exact_json_number(name, value) <= MAX_AMOUNT:
        raise InvalidArgumentError(
            f"{name} must be a positive number up to {MAX_AMOUNT:,}, got {value}"
        )
    return value


def exact_json_number(name: str, value: int | float | Decimal) -> int | float:
    """The JSON number for ``value``: finite, and exact (an integer within +-2**53, a float,
    or a Decimal that a float carries digit for digit); anything else is refused."""
    if isinstance(value, int):
        if abs(value) > _MAX_EXACT_INTEGER:
            raise InvalidArgumentError(
                f"{name} is too large for a JSON number to carry exactly "
                f"({value.bit_length()} bits; the limit is 2**53)"
            )
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidArgumentError(f"{name} must be a finite number, got {value!r}")
        return value
    return _decimal_number(name, value)


def _decimal_number(name: str, value: Decimal) -> int | float:
    if not value.is_finite():
        raise InvalidArgumentError(f"{name} must be a finite number, got {value!r}")
    if value == value.to_integral_value() and abs(value) <= _MAX_EXACT_INTEGER:
        return int(value)
    number = float(value)
    if not math.isfinite(number) or Decimal(repr(number)) != value:
        raise InvalidArgumentError(
            f"{name} has more digits than a JSON number carries exactly: {value}"
        )
    return number


def date_range(from_date: object, to_date: object) -> tuple[date, date]:
    """Two ``datetime.date`` values in order (a ``datetime`` counts as its date)."""
    start, end = _as_date("from_date", from_date), _as_date("to_date", to_date)
    if start > end:
        raise InvalidArgumentError(f"from_date ({start}) is after to_date ({end})")
    return start, end


def _as_date(name: str, value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise InvalidArgumentError(f"{name} must be a datetime.date, got {value!r}")


def points_status_filter(value: str | Iterable[str] | None) -> str | None:
    """Validate statuses and format them the way the API reads them: ``["a","b"]``."""
    if value is None:
        return None
    if not isinstance(value, (str, Iterable)):
        raise InvalidArgumentError(
            f"points_status must be a status or a list of statuses, got {type(value).__name__}"
        )
    statuses = [value] if isinstance(value, str) else list(value)
    unknown = [s for s in statuses if not isinstance(s, str) or s not in POINTS_STATUS_VALUES]
    if unknown or not statuses:
        allowed = ", ".join(sorted(POINTS_STATUS_VALUES))
        raise InvalidArgumentError(
            f"points_status has unknown value(s) {unknown or statuses!r}; allowed: {allowed}"
        )
    return json.dumps(statuses, separators=(",", ":"))


def filter_by(value: str | None) -> str | None:
    if value is not None and value not in FILTER_BY_VALUES:
        raise InvalidArgumentError(
            f"filter_by must be one of {sorted(FILTER_BY_VALUES)}, got {value!r}"
        )
    return value


def page_size(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE_SIZE:
        raise InvalidArgumentError(f"{name} must be a whole number from 1 to 1000, got {value!r}")
    return value


def start_index(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgumentError(f"start_index must be a whole number >= 0, got {value!r}")
    return value


def prefetch(value: object) -> int:
    """Pages to fetch ahead of the caller: 0 (sequential) up to 64."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 64:
        raise InvalidArgumentError(f"prefetch must be a whole number from 0 to 64, got {value!r}")
    return value


def coupon_codes(value: object) -> str:
    """A list of one-time codes, sent comma-separated (so a code may not contain a comma)."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidArgumentError(
            f"giftcard_coupon_codes must be a list of codes, got {type(value).__name__}"
        )
    codes = [text("giftcard_coupon_codes item", code) for code in value]
    if not codes:
        raise InvalidArgumentError("giftcard_coupon_codes must hold at least one code")
    with_comma = [code for code in codes if "," in code]
    if with_comma:
        raise InvalidArgumentError(
            f"giftcard_coupon_codes are sent comma-separated; these contain a comma: {with_comma!r}"
        )
    return ",".join(codes)


def coupon_expiry(value: object) -> str:
    return format_coupon_expiry(_as_date("coupon_expiry", value))


def compact(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Drop the arguments that were not given (None), so only given fields are sent."""
    return {key: value for key, value in fields.items() if value is not None}


def boolean(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgumentError(f"{name} must be True or False, got {value!r}")
    return value


def one_of(*allowed: str) -> Callable[[str, object], str]:
    """A validator accepting exactly the given strings."""

    def check(name: str, value: object) -> str:
        if value not in allowed:
            raise InvalidArgumentError(f"{name} must be one of {list(allowed)}, got {value!r}")
        return str(value)

    return check


def validated(
    fields: Mapping[str, object], checks: Mapping[str, Validator], *, required: Iterable[str] = ()
) -> dict[str, Any]:
    """Run each given (non-None) field through its check; drop the optional ones not given.

    A ``required`` field that is None is refused, never silently left out of the body.
    """
    missing = [name for name in required if fields[name] is None]
    if missing:
        raise InvalidArgumentError(f"{', '.join(missing)} is required, got None")
    return {name: checks[name](name, value) for name, value in fields.items() if value is not None}
