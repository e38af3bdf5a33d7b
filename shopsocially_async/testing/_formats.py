"""Wire formats of the fake: timestamps it writes, dates it reads, and tolerant value coercion.

Timestamps are UTC and written the way the reference's examples write them. Month
abbreviations are English whatever the process locale (``strftime("%b")`` is not used):

* transactions: ``30-Mar-16 19:20:22`` (two-digit year), see :func:`txn_time`;
* users, activities, redemptions and the items of a member's transaction history:
  ``07-Dec-2015 09:58:10``, see :func:`long_time`;
* ``coupon_expiry``: ``01-Jan-2018``, see :func:`day`.

Values arrive as JSON numbers, JSON strings or form strings; the coercers accept any of them
(``100``, ``"100"``, ``"26.95"``) and raise a 400 INVALID_REQUEST_PARAMETER_VALUES otherwise.
Booleans are never numbers (``true`` is refused as a point amount).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from ._errors import bad_date_format, invalid_value

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
POINTS_STATUSES = frozenset(
    {
        "pending",
        "approved",
        "auto_approved",
        "auto_rejected",
        "rejected",
        "exhausted",
        "expired",
        "redeemed",
        "deducted",
        "pending_deduction",
    }
)
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DASH_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
_MONTH_DATE = re.compile(r"^(\d{1,2})-([A-Za-z]{3})-(\d{4})$")


def txn_time(moment: datetime) -> str:
    """``30-Mar-16 19:20:22``: how transactions carry their times."""
    return f"{moment.day:02d}-{MONTHS[moment.month - 1]}-{moment.year % 100:02d} {moment:%H:%M:%S}"


def long_time(moment: datetime) -> str:
    """``07-Dec-2015 09:58:10``: how users, activities and redemptions carry their times."""
    return f"{day(moment)} {moment:%H:%M:%S}"


def day(value: date) -> str:
    """``01-Jan-2018``: how ``coupon_expiry`` is written."""
    return f"{value.day:02d}-{MONTHS[value.month - 1]}-{value.year:04d}"


def query_date(value: object, name: str, expected: str) -> date:
    """Parse a listing bound written ``MM/DD/YYYY`` or ``DD-MM-YYYY`` (``expected`` says which)."""
    pattern = _SLASH_DATE if "/" in expected else _DASH_DATE
    match = pattern.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise bad_date_format(name, expected)
    first, second, year = (int(part) for part in match.groups())
    month, day_ = (first, second) if expected.startswith("MM") else (second, first)
    try:
        return date(year, month, day_)
    except ValueError:
        raise bad_date_format(name, expected) from None


def coupon_expiry(value: object, name: str = "coupon_expiry") -> date:
    """Parse ``01-Jan-2018`` (``DD-MMM-YYYY``); a :class:`datetime.date` passes through."""
    if isinstance(value, date):
        return value
    match = _MONTH_DATE.match(value.strip()) if isinstance(value, str) else None
    month = (
        MONTHS.index(match.group(2).title()) + 1
        if match and match.group(2).title() in MONTHS
        else 0
    )
    if match is None or month == 0:
        raise bad_date_format(name, "DD-MMM-YYYY")
    try:
        return date(int(match.group(3)), month, int(match.group(1)))
    except ValueError:
        raise bad_date_format(name, "DD-MMM-YYYY") from None


def decimal(value: object, name: str) -> Decimal:
    """A finite number from a JSON number or a numeric string."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise invalid_value(f"Invalid value for {name}: expected a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise invalid_value(f"Invalid value for {name}: expected a number") from None
    if not number.is_finite():
        raise invalid_value(f"Invalid value for {name}: expected a finite number")
    return number


def floor_int(value: object, name: str, minimum: int = 0) -> int:
    """A number rounded down to an integer, refused below ``minimum``."""
    number = int(decimal(value, name).to_integral_value(rounding=ROUND_FLOOR))
    if number < minimum:
        raise invalid_value(f"Invalid value for {name}: must be at least {minimum}")
    return number


def whole(value: object, name: str, minimum: int = 0, maximum: int | None = None) -> int:
    """A whole number (``"10"``, ``10``, ``10.0``) within bounds; ``10.5`` is refused."""
    number = decimal(value, name)
    if number != number.to_integral_value():
        raise invalid_value(f"Invalid value for {name}: expected a whole number")
    if number < minimum or (maximum is not None and number > maximum):
        upper = "" if maximum is None else f" and at most {maximum}"
        raise invalid_value(f"Invalid value for {name}: must be at least {minimum}{upper}")
    return int(number)


def positive(value: object, name: str) -> Decimal:
    """A number strictly above zero (an order amount, a multiplier)."""
    number = decimal(value, name)
    if number <= 0:
        raise invalid_value(f"Invalid value for {name}: must be greater than zero")
    return number


def boolean(value: object, name: str) -> bool:
    """``true``/``false`` as JSON booleans, ``0``/``1`` or words (``"true"``, ``"no"``...)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, (str, int)) else ""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise invalid_value(f"Invalid value for {name}: expected true or false")


def text(value: object, name: str) -> str:
    """A string parameter; JSON numbers are accepted and written in decimal (order ids)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    raise invalid_value(f"Invalid value for {name}: expected a string")


def choice(value: object, name: str, allowed: tuple[str, ...]) -> str:
    """One of a fixed set of words, compared without regard to case."""
    word = text(value, name).lower()
    if word not in allowed:
        raise invalid_value(f"Invalid value for {name}: expected one of {', '.join(allowed)}")
    return word


def number_out(value: Decimal) -> int | float:
    """A stored decimal as JSON writes it: ``1`` stays an integer, ``1.5`` a float."""
    return int(value) if value == value.to_integral_value() else float(value)


def plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: ``Decimal("10.50")`` -> ``"10.5"``."""
    text_ = format(value.normalize(), "f")
    return text_ if "." not in text_ else text_.rstrip("0").rstrip(".")


def statuses(value: object) -> frozenset[str] | None:
    """Parse ``points_status``: a JSON array string, ``['a']``, one word, or ``a,b``."""
    if value is None or value == "":
        return None
    items = value if isinstance(value, list) else _status_words(text(value, "points_status"))
    words = frozenset(str(item).strip().lower() for item in items if str(item).strip())
    unknown = sorted(words - POINTS_STATUSES)
    if unknown:
        raise invalid_value(f"Invalid value for points_status: unknown status {', '.join(unknown)}")
    return words or None


def _status_words(raw: str) -> list[str]:
    if raw.startswith("["):
        try:
            parsed = json.loads(raw.replace("'", '"'))
        except ValueError:
            raise invalid_value("Invalid value for points_status: malformed list") from None
        if not isinstance(parsed, list):
            raise invalid_value("Invalid value for points_status: malformed list")
        return [str(item) for item in parsed]
    return [part.strip().strip("'\"") for part in raw.split(",")]
