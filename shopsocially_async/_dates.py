"""Every date format the API reads and writes: one parse/format pair each.

The platform works in UTC, so every parsed timestamp is timezone-aware UTC.

Read (response bodies), all handled by :func:`parse_datetime` / :func:`parse_date`:

- ``30-Mar-16 19:20:22``    transactions (two-digit year)
- ``07-Dec-2015 09:58:10``  users, activities, redemptions
- ``18-Jan-2020  11:17:12`` the same with two spaces, seen in the wild
- ``01-Jan-2018``           dates only (``coupon_expiry``)
- ISO 8601, as a last resort

Written (query strings and bodies):

- ``MM/DD/YYYY``  transactions listing (:func:`format_us_date`)
- ``DD-MM-YYYY``  users listing and user transactions (:func:`format_dmy_date`)
- ``DD-Mon-YYYY`` ``coupon_expiry`` (:func:`format_coupon_expiry`)

Month names are English whatever the process locale, so nothing here uses ``%b``.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

__all__ = [
    "format_coupon_expiry",
    "format_dmy_date",
    "format_us_date",
    "parse_date",
    "parse_datetime",
]

_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NUMBERS = {name.lower(): number for number, name in enumerate(_MONTH_NAMES, start=1)}
UTC = timezone.utc


def parse_datetime(text: str) -> datetime:
    """Parse any timestamp the API sends into an aware UTC ``datetime``.

    A date-only value becomes midnight UTC. Raises ``ValueError`` (and nothing else) for
    anything else: text longer than any timestamp, a day or hour of a hundred digits, a time
    that cannot be expressed in UTC (``9999-12-31T23:59:59-14:00``).

    >>> parse_datetime("30-Mar-16 19:20:22")
    datetime.datetime(2016, 3, 30, 19, 20, 22, tzinfo=datetime.timezone.utc)
    """
    fast = parse_fixed_width(text)
    if fast is not None:
        return fast
    if len(text) > _MAX_TIMESTAMP_TEXT:
        raise ValueError(f"not a timestamp: {len(text)} characters long")
    try:
        return _parse_general(text)
    except OverflowError:  # datetime() and astimezone() on values out of range
        raise ValueError(f"not a valid timestamp: {text!r}") from None


#: Longer text is no timestamp (ISO 8601 with microseconds and an offset is 32 characters).
_MAX_TIMESTAMP_TEXT = 40


def _parse_general(text: str) -> datetime:
    parts = _split_api_timestamp(text)
    if parts is None:
        return _parse_iso(text)
    year, month, day, clock = parts
    hour, minute, second = _parse_clock(clock, text) if clock else (0, 0, 0)
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        raise ValueError(f"not a valid timestamp: {text!r}") from None


# "-Mar-" -> "-03-": the fixed-width fast path rewrites the API's timestamps as ISO 8601.
_ISO_MONTHS = {f"-{name}-": f"-{number:02d}-" for number, name in enumerate(_MONTH_NAMES, 1)}
_from_iso = datetime.fromisoformat


def parse_fixed_width(text: str) -> datetime | None:
    """``DD-Mon-YY HH:MM:SS`` or ``DD-Mon-YYYY HH:MM:SS`` exactly, via the C ISO parser.

    Nearly every timestamp the API sends has one of these two shapes; this is about eight
    times faster than splitting. None means "not exactly that shape": the general parser
    then decides (and words the error).
    """
    size = len(text)
    if size == 18:
        year = "20" + text[7:9]
    elif size == 20:
        year = text[7:11]
    else:
        return None
    month = _ISO_MONTHS.get(text[2:7])
    if month is None or text[-9] != " ":
        return None
    try:
        # fromisoformat checks every digit and range (any separator: the space is checked
        # above); "+00:00" makes it aware UTC.
        return _from_iso(year + month + text[:2] + text[-9:] + "+00:00")
    except ValueError:
        return None


def parse_date(text: str) -> date:
    """Parse a date (``01-Jan-2018``; a timestamp's date part is accepted too)."""
    return parse_datetime(text).date()


def _split_api_timestamp(text: str) -> tuple[int, int, int, str] | None:
    """Split ``DD-Mon-YY[YY][ HH:MM:SS]`` into numbers, or None if it is not that shape."""
    pieces = text.split("-", 2)
    if len(pieces) != 3:
        return None
    day_text, month_text, rest = pieces
    month = _MONTH_NUMBERS.get(month_text.strip().lower())
    if month is None:
        return None
    year_text, _, clock = rest.strip().partition(" ")
    if not (day_text.strip().isdigit() and year_text.isdigit() and len(year_text) in (2, 4)):
        raise ValueError(f"not a valid timestamp: {text!r}")
    year = int(year_text)
    if len(year_text) == 2:
        year += 2000  # the API's two-digit years are all in this century
    return year, month, int(day_text), clock.strip()


def _parse_clock(clock: str, original: str) -> tuple[int, int, int]:
    fields = clock.split(":")
    if len(fields) not in (2, 3) or not all(f.isdigit() for f in fields):
        raise ValueError(f"not a valid timestamp: {original!r}")
    hour, minute = int(fields[0]), int(fields[1])
    second = int(fields[2]) if len(fields) == 3 else 0
    return hour, minute, second


def _parse_iso(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a recognised timestamp: {text!r}") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_us_date(value: date) -> str:
    """``MM/DD/YYYY``, as the transactions listing expects."""
    return f"{value.month:02d}/{value.day:02d}/{value.year:04d}"


def format_dmy_date(value: date) -> str:
    """``DD-MM-YYYY``, as the users listing and user transactions expect."""
    return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"


def format_coupon_expiry(value: date) -> str:
    """``DD-Mon-YYYY`` with an English month abbreviation, e.g. ``01-Jan-2018``."""
    return f"{value.day:02d}-{_MONTH_NAMES[value.month - 1]}-{value.year:04d}"
