"""Wire formats: timestamps written, dates read, values coerced."""

from __future__ import annotations

import locale
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from shopsocially_async.testing import FakeApiError
from shopsocially_async.testing import _formats as fmt

MOMENT = datetime(2016, 3, 30, 19, 20, 22, tzinfo=timezone.utc)


def test_timestamps_are_written_like_the_reference() -> None:
    """Transactions, records and coupon expiry each have their own format."""
    assert fmt.txn_time(MOMENT) == "30-Mar-16 19:20:22"
    assert (
        fmt.long_time(datetime(2015, 12, 7, 9, 58, 10, tzinfo=timezone.utc))
        == "07-Dec-2015 09:58:10"
    )
    assert fmt.day(date(2018, 1, 1)) == "01-Jan-2018"


def test_month_names_are_english_whatever_the_locale() -> None:
    """All twelve abbreviations are English, under a foreign LC_TIME when one is installed."""
    previous = locale.setlocale(locale.LC_TIME)
    for name in ("de_DE.UTF-8", "fr_FR.UTF-8", "es_ES.UTF-8"):
        try:
            locale.setlocale(locale.LC_TIME, name)
            break
        except locale.Error:
            continue
    try:
        months = [fmt.day(date(2016, month, 1))[3:6] for month in range(1, 13)]
        assert " ".join(months) == "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"
    finally:
        locale.setlocale(locale.LC_TIME, previous)


@pytest.mark.parametrize(
    ("value", "expected", "parsed"),
    [
        ("11/23/2015", "MM/DD/YYYY", date(2015, 11, 23)),
        ("1/2/2015", "MM/DD/YYYY", date(2015, 1, 2)),
        ("31-12-2016", "DD-MM-YYYY", date(2016, 12, 31)),
    ],
)
def test_query_dates_parse(value: str, expected: str, parsed: date) -> None:
    """Each listing reads its own date format."""
    assert fmt.query_date(value, "from_date", expected) == parsed


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2015-11-23", "MM/DD/YYYY"),
        ("23/11/2015", "MM/DD/YYYY"),
        ("12/31/2016", "DD-MM-YYYY"),
        ("31-02-2016", "DD-MM-YYYY"),
        (20160101, "DD-MM-YYYY"),
    ],
)
def test_bad_query_dates_are_400_older_envelope(value: object, expected: str) -> None:
    """A wrong format or an impossible day is the older-envelope 400."""
    with pytest.raises(FakeApiError) as caught:
        fmt.query_date(value, "to_date", expected)
    reason = f"Unexpected date format for to_date: expected {expected}"
    assert caught.value.status == 400
    assert caught.value.body == {"error": {"success": False, "reason": reason}}


def test_coupon_expiry_reads_month_names() -> None:
    """``01-Jan-2018`` and ``01-jan-2018`` both parse."""
    assert fmt.coupon_expiry("01-jan-2018") == date(2018, 1, 1)


@pytest.mark.parametrize(
    ("raw", "statuses"),
    [
        ('["approved","auto_approved"]', {"approved", "auto_approved"}),
        ("['approved']", {"approved"}),
        ("pending", {"pending"}),
        ("approved, redeemed", {"approved", "redeemed"}),
        (["deducted"], {"deducted"}),
        ("", None),
    ],
)
def test_points_status_forms(raw: object, statuses: set[str] | None) -> None:
    """JSON arrays, Python-style lists, single words and comma lists are all accepted."""
    parsed = fmt.statuses(raw)
    assert (None if parsed is None else set(parsed)) == statuses


def test_unknown_points_status_is_a_400() -> None:
    """A status the API does not have is INVALID_REQUEST_PARAMETER_VALUES."""
    with pytest.raises(FakeApiError) as caught:
        fmt.statuses('["approved","sideways"]')
    assert caught.value.code == "INVALID_REQUEST_PARAMETER_VALUES"


def test_numbers_come_as_numbers_or_strings() -> None:
    """JSON numbers, decimals and numeric strings coerce; whole() refuses fractions."""
    assert fmt.decimal(" 26.95 ", "x") == Decimal("26.95")
    assert fmt.floor_int(Decimal("9.99"), "x") == 9
    assert fmt.whole("10.0", "x") == 10
    with pytest.raises(FakeApiError):
        fmt.whole("10.5", "x")
    assert fmt.boolean("False", "x") is False
    assert fmt.plain(Decimal("10.50")) == "10.5"
