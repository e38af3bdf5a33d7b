"""Success bodies a hostile or broken server can send: each ends as ResponseValidationError
naming the failing path, never as a raw exception, a NaN amount or a record of Nones."""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from shopsocially_async import (
    Activity,
    ResponseValidationError,
    RetryPolicy,
    ShopSociallyClient,
    Transaction,
)
from shopsocially_async._scalars import SCALAR_HOOKS, BadValueError, to_json_value, to_str_tuple
from tests.unit.helpers import recording_client

pytestmark = pytest.mark.anyio

JAN_1, JAN_31 = date(2024, 1, 1), date(2024, 1, 31)
MEGABYTE = "x" * 1_000_000
#: The most a decoding error's message may hold, whatever the body (it quotes values short).
MESSAGE_LIMIT = 400


def _body(data_json: str) -> bytes:
    """A success envelope around ``data_json``, raw: JSON's NaN, Infinity and 1e999999 stay
    as the server wrote them."""
    return f'{{"success": true, "data": {data_json}}}'.encode()


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


async def _refused(body: bytes, call: Any) -> ResponseValidationError:
    """The ResponseValidationError ``call(client)`` raises for ``body``."""
    client, _ = recording_client(body)
    async with client:
        with pytest.raises(ResponseValidationError) as caught:
            await call(client)
    assert len(str(caught.value)) <= MESSAGE_LIMIT
    return caught.value


def get_transaction(client: ShopSociallyClient) -> Any:
    """transactions.get: one Transaction record."""
    return client.transactions.get("tx-1")


def get_activity(client: ShopSociallyClient) -> Any:
    """activities.get: one Activity record."""
    return client.activities.get("a")


def list_transactions(client: ShopSociallyClient) -> Any:
    """The first page of the transactions listing."""
    return client.transactions.list(from_date=JAN_1, to_date=JAN_31).first_page()


HOSTILE_FIELDS = [
    # Money: NaN and Infinity as JSON constants (the stdlib parser yields them), as numbers
    # out of the float range, as text; amounts no ledger holds.
    ("redemption_value", "NaN"),
    ("redemption_value", "Infinity"),
    ("redemption_value", "-Infinity"),
    ("redemption_value", "1e999999"),
    ("redemption_value", '"NaN"'),
    ("redemption_value", '"-Infinity"'),
    ("redemption_value", '"sNaN"'),
    ("redemption_value", '"1e999999"'),
    ("redemption_value", "100000000000000000000"),
    ("redemption_value", '"0.0000000000000000001"'),
    ("redemption_value", f'"{"9" * 5000}"'),
    # Counts: beyond a 64-bit integer, NaN, a float overflow, 5,000 digits of text.
    ("points", "NaN"),
    ("points", "1e999999"),
    ("points", "1e30"),
    ("points", "9223372036854775808"),
    ("points", "-9223372036854775808"),
    ("points", "9" * 4000),
    ("points", f'"{"9" * 5000}"'),
    ("points", f'"{MEGABYTE}"'),
    ("points", _nested(500)),
    ("order_id", "NaN"),
    ("order_id", "-Infinity"),
    ("id", _nested(500)),
    # Timestamps that cannot be expressed in UTC, or are no timestamp at all.
    ("created_time", '"9999-12-31T23:59:59-14:00"'),
    ("created_time", '"0001-01-01T00:00:00+01:00"'),
    ("created_time", '"99999999999999999999-Mar-2016 10:00:00"'),
    ("created_time", '"01-Mar-2016 99999999999999999999:00:00"'),
    ("created_time", f'"{MEGABYTE}"'),
    ("approved_time", "1e999999"),
]


@pytest.mark.parametrize(("field", "raw"), HOSTILE_FIELDS, ids=lambda v: str(v)[:30])
async def test_a_hostile_field_value_is_refused_at_its_path(field: str, raw: str) -> None:
    """NaN/Infinity money, huge numbers, absurd timestamps and megabyte values are refused
    with the field's path and a short message."""
    error = await _refused(_body(f'{{"id": "tx-1", "{field}": {raw}}}'), get_transaction)
    assert error.path == f"$.data.{field}"
    assert error.outcome_unknown is False


@pytest.mark.parametrize("raw", ["NaN", "Infinity", '"nan"', '"-inf"', "1e999999"])
async def test_a_float_field_refuses_nan_and_infinity(raw: str) -> None:
    """An activity's bonus multiplier must be a finite number."""
    error = await _refused(_body(f'{{"bonus_multiplier": {raw}}}'), get_activity)
    assert error.path == "$.data.bonus_multiplier"


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        (f"[{_nested(33)}]", "$.data.redemptions_list[0]"),
        ("[1, [NaN]]", "$.data.redemptions_list[1]"),
        ('[{"a": Infinity}]', "$.data.redemptions_list[0]"),
    ],
)
async def test_a_free_form_field_refuses_deep_nesting_and_nan(raw: str, path: str) -> None:
    """redemptions_list keeps items as parsed, but not 33 levels deep nor holding NaN."""
    error = await _refused(_body(f'{{"redemptions_list": {raw}}}'), get_transaction)
    assert error.path == path


@pytest.mark.parametrize(
    ("key", "raw"),
    [("total", "1e999999"), ("total", "NaN"), ("next_start_index", "9223372036854775808")],
)
async def test_listing_counts_refuse_huge_and_non_finite_numbers(key: str, raw: str) -> None:
    """A listing's total and cursor are bounded integers too."""
    error = await _refused(_body(f'{{"transactions": [], "{key}": {raw}}}'), list_transactions)
    assert error.path == f"$.data.{key}"


async def test_the_bounds_still_accept_what_a_ledger_holds() -> None:
    """The largest 64-bit count, an 18-digit amount, 32 levels of free-form nesting and a
    megabyte of text in a text field all decode unchanged."""
    record = (
        '{"points": 9223372036854775807, "redemption_value": "999999999999999999.99", '
        f'"redemptions_list": [{_nested(32)}], "reason": "{MEGABYTE}"}}'
    )
    client, _ = recording_client(_body(record))
    async with client:
        transaction = await get_transaction(client)
    assert transaction.points == 2**63 - 1
    assert transaction.redemption_value == Decimal("999999999999999999.99")
    assert transaction.reason == MEGABYTE
    assert transaction.redemptions_list is not None
    assert hash(transaction) == hash(transaction)


async def test_a_transaction_holding_objects_is_still_hashable() -> None:
    """redemptions_list may hold objects; the record still hashes (and compares) by value."""
    body = _body('{"id": "tx-1", "redemptions_list": [{"redemption_id": "r1"}]}')
    client, _ = recording_client(body, body)
    async with client:
        first, second = await get_transaction(client), await get_transaction(client)
    assert first == second
    assert len({first, second}) == 1


async def test_a_write_whose_success_body_holds_nan_money_is_outcome_unknown() -> None:
    """The deduct may have applied: its NaN answer is refused with outcome_unknown=True."""

    def deduct(client: ShopSociallyClient) -> Any:
        return client.points.deduct(user_email="b@x.com", points_passed=5, reason="r")

    error = await _refused(_body('{"id": "tx-1", "redemption_value": NaN}'), deduct)
    assert (error.path, error.outcome_unknown) == ("$.data.redemption_value", True)


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        (b"9" * 5000, "$"),  # beyond Python's int-from-text limit: no JSON we can read
        (_nested(100_000).encode(), "$"),
        (b'"' + b"\\ud800" * 3 + b'"', "$.data.points"),  # lone surrogates: text, no number
    ],
)
async def test_a_number_the_parser_cannot_hold_is_refused(raw: bytes, path: str) -> None:
    """A 5,000-digit integer or 100,000 levels of nesting make the body undecodable."""
    body = b'{"success": true, "data": {"points": ' + raw + b"}}"
    error = await _refused(body, get_transaction)
    assert error.path == path


FAILURE_ENVELOPES = [
    '{"success": false, "error_code": "INTERNAL_ERROR", "reason": "database down"}',
    '{"error": {"success": false, "error_code": "INTERNAL_ERROR", "reason": "database down"}}',
    '{"code": "INTERNAL_ERROR", "message": "database down"}',
]


@pytest.mark.parametrize("row", FAILURE_ENVELOPES)
async def test_a_failure_envelope_as_a_listing_row_is_an_error_at_its_index(row: str) -> None:
    """A row saying the server failed is not decoded as a Transaction of Nones."""
    body = _body(f'{{"transactions": [{{"id": "tx-1"}}, {row}], "more": false}}')
    error = await _refused(body, list_transactions)
    assert error.path == "$.data.transactions[1]"
    assert "INTERNAL_ERROR" in str(error)
    assert "database down" in str(error)


@pytest.mark.parametrize("row", FAILURE_ENVELOPES)
async def test_a_failure_envelope_in_a_plain_list_is_an_error_at_its_index(row: str) -> None:
    """The same in the activities list, whose data is a bare array."""
    error = await _refused(_body(f'[{{"activity_id": "a"}}, {row}]'), lambda c: c.activities.list())
    assert error.path == "$.data[1]"


@pytest.mark.parametrize(
    ("data", "call", "path"),
    [
        ('{"transactions": {}}', list_transactions, "$.data.transactions"),
        ("{}", lambda c: c.activities.list(), "$.data"),
        ("{}", lambda c: c.redemptions.list(), "$.data"),
        (
            '{"expiration_schedule": {}}',
            lambda c: c.users.get("b@x.com"),
            "$.data.expiration_schedule",
        ),
    ],
)
async def test_an_empty_object_where_a_list_should_be_is_an_error(
    data: str, call: Any, path: str
) -> None:
    """``{}`` is no list: never an empty listing, nor one record of Nones."""
    error = await _refused(_body(data), call)
    assert error.path == path


async def test_an_empty_object_as_a_single_record_still_decodes() -> None:
    """``{}`` where one record should be stays the record with every field unset."""
    client, _ = recording_client(_body("{}"))
    async with client:
        assert await get_activity(client) == Activity()


LONG_KEY = "k3y-" + "0123456789abcdef" * 6  # longer than any quoted value is shown


def _echoing_client(body: bytes) -> ShopSociallyClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body)

    return ShopSociallyClient(
        "partner",
        LONG_KEY,
        transport=httpx.MockTransport(answer),
        retry_policy=RetryPolicy(max_retries=0),
    )


@pytest.mark.parametrize(
    ("data", "call", "path"),
    [
        (f'{{"points": "{LONG_KEY}"}}', get_transaction, "$.data.points"),
        (f'{{"points": ["{LONG_KEY}", {{"k": "{LONG_KEY}"}}]}}', get_transaction, "$.data.points"),
        (f'{{"created_time": "{LONG_KEY}"}}', get_transaction, "$.data.created_time"),
        (
            f'{{"transactions": [{{"success": false, "reason": "bad key {LONG_KEY}"}}]}}',
            list_transactions,
            "$.data.transactions[0]",
        ),
    ],
)
async def test_a_key_echoed_into_a_misfit_value_is_unreachable(
    data: str, call: Any, path: str
) -> None:
    """The misfit value the error quotes and holds has the API key redacted, whole."""
    client = _echoing_client(_body(data))
    async with client:
        with pytest.raises(ResponseValidationError) as caught:
            await call(client)
    error = caught.value
    assert error.path == path
    shown = [str(error), repr(error), repr(error.value), *traceback.format_exception(error)]
    for text in shown:
        assert LONG_KEY not in text
        assert LONG_KEY[:20] not in text
        assert LONG_KEY[-20:] not in text
    assert "***" in str(error)


async def test_records_with_valid_fields_decode_as_before() -> None:
    """The hardening leaves an ordinary record untouched."""
    client, _ = recording_client(_body('{"id": "tx-1", "points": "7", "redemption_value": "$5"}'))
    async with client:
        transaction = await get_transaction(client)
    assert transaction == Transaction(id="tx-1", points=7, redemption_value=Decimal("5"))


#: Every kind of value a JSON parser hands the readers, at its most hostile.
PARSED_VALUES: list[object] = [
    float("nan"),
    float("inf"),
    -float("inf"),
    1e-320,
    10**4000,
    -(10**4000),
    True,
    None,
    "",
    "9" * 5000,
    "1e99999999999999999999",
    "\ud800",
    MEGABYTE,
    json.loads(_nested(900)),
    {"a": json.loads(_nested(900))},
    [1, "a", None],
    {},
]
READERS = [*SCALAR_HOOKS.values(), to_str_tuple, to_json_value]


@pytest.mark.parametrize("reader", READERS, ids=lambda reader: reader.__name__)
def test_every_reader_returns_or_raises_bad_value_error_only(
    reader: Callable[[Any, Any], Any],
) -> None:
    """Whatever a parser produces, each reader returns a value or raises BadValueError with a
    short message: never OverflowError, RecursionError or a megabyte-long text."""
    messages = []
    for value in PARSED_VALUES:
        try:
            reader(value, None)
        except BadValueError as exc:
            messages.append(str(exc))
    assert messages
    assert max(map(len, messages)) <= MESSAGE_LIMIT
