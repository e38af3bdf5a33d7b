"""Decoding responses into models, through the public client: tolerance and its limits."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest

from shopsocially_async import (
    Activity,
    ExpirationScheduleEntry,
    LastAwardTransaction,
    Page,
    Redemption,
    ResponseValidationError,
    Transaction,
    User,
)
from tests.unit import reference_examples as ref
from tests.unit.helpers import envelope, recording_client

pytestmark = pytest.mark.anyio

UTC = timezone.utc
JAN_1, JAN_31 = date(2024, 1, 1), date(2024, 1, 31)


async def _transaction(record: dict[str, Any]) -> Transaction:
    """Decode ``record`` as the ``data`` of a Get Transaction response."""
    client, _ = recording_client(envelope(record))
    async with client:
        return await client.transactions.get("tx-1")


async def _user(record: dict[str, Any]) -> User:
    """Decode ``record`` as the ``data`` of a Get User response."""
    client, _ = recording_client(envelope(record))
    async with client:
        return await client.users.get("bob@x.com")


async def _redemption(record: dict[str, Any]) -> Redemption:
    """Decode ``record`` as the ``data`` of a Get Redemption response."""
    client, _ = recording_client(envelope(record))
    async with client:
        return await client.redemptions.get("r1")


async def _transactions_page(data: dict[str, Any]) -> Page[Transaction]:
    """Decode ``data`` as the first page of the transactions listing."""
    client, _ = recording_client(envelope(data))
    async with client:
        return await client.transactions.list(from_date=JAN_1, to_date=JAN_31).first_page()


@pytest.mark.parametrize("name", sorted(ref.ALL_RESPONSES))
async def test_every_reference_example_decodes(name: str) -> None:
    """Every example response in the reference decodes through its endpoint method."""
    calls = {
        "points.award": lambda c: c.points.award(user_email="b@x.com", activity_id="a"),
        "points.redeem": lambda c: c.points.redeem(user_email="b@x.com", redemption_id="r"),
        "points.deduct": lambda c: c.points.deduct(
            user_email="b@x.com", points_passed=1, reason="r"
        ),
        "transactions.list": lambda c: c.transactions.list(
            from_date=JAN_1, to_date=JAN_31
        ).first_page(),
        "transactions.get": lambda c: c.transactions.get("t"),
        "users.create": lambda c: c.users.create(
            first_name="B", last_name="B", email="b@x.com", uid="u"
        ),
        "users.update": lambda c: c.users.update("u", loyalty_level_id="l"),
        "users.list": lambda c: c.users.list(from_date=JAN_1, to_date=JAN_31).first_page(),
        "users.get": lambda c: c.users.get("b@x.com"),
        "users.transactions": lambda c: c.users.transactions(
            "b@x.com", from_date=JAN_1, to_date=JAN_31
        ).first_page(),
        "activities.create": lambda c: c.activities.create(
            activity_id="a",
            activity_name="A",
            activity_description="d",
            activity_type="fixed",
            max_award_frequency=1,
            max_award_frequency_interval="day",
            approval_method="immediate",
        ),
        "activities.update": lambda c: c.activities.update("a", is_active=True),
        "activities.get": lambda c: c.activities.get("a"),
        "activities.list": lambda c: c.activities.list(),
        "redemptions.create": lambda c: c.redemptions.create(
            redemption_id="r",
            redemption_name="R",
            allowed_redeem_points=1,
            redemption_value=1,
            giftcard_description="g",
            terms_and_conds_text="t",
            giftcard_coupon_codes=["c"],
            coupon_expiry=JAN_31,
        ),
        "redemptions.update": lambda c: c.redemptions.update("r", is_active=True),
        "redemptions.get": lambda c: c.redemptions.get("r"),
        "redemptions.list": lambda c: c.redemptions.list(),
        "returns.create": lambda c: c.returns.create(order_id="o"),
        "returns.create (returns tracking)": lambda c: c.returns.create(order_id="o"),
    }
    client, _ = recording_client(ref.ALL_RESPONSES[name])
    async with client:
        result = await calls[name](client)
    records = result.items if isinstance(result, Page) else result
    records = records if isinstance(records, (list, tuple)) else [records]
    assert records
    assert all(attrs.has(type(record)) for record in records)


@pytest.mark.parametrize(
    ("field", "sent", "decoded"),
    [
        ("points", 100, 100),
        ("points", "100", 100),
        ("points", 100.0, 100),
        ("points", "100.0", 100),
        ("points", " 42 ", 42),
        ("available_points", "1500", 1500),
        ("redemption_value", "$50", Decimal("50")),
        ("redemption_value", "10", Decimal("10")),
        ("redemption_value", 26.95, Decimal("26.95")),
        ("redemption_value", "1,250.00", Decimal("1250.00")),
        ("qualified_points", "true", True),
        ("qualified_points", 0, False),
        ("order_id", 1452749387649368175, "1452749387649368175"),
        ("coupon_code", "", None),
        ("coupon_code", None, None),
        ("auto_approval_date", "", None),
        ("points_status", "pending_deduction", "pending_deduction"),
        ("transaction_type", "adjustment_v2", "adjustment_v2"),
    ],
)
async def test_tolerant_scalars(field: str, sent: object, decoded: object) -> None:
    """Numbers as strings, money with a currency sign, "" and null for nothing, and enum-like
    strings the client does not know are all accepted as the API sends them."""
    transaction = await _transaction({"id": "tx-1", field: sent})
    assert transaction == Transaction(id="tx-1", **{field: decoded})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30-Mar-16 19:20:22", datetime(2016, 3, 30, 19, 20, 22, tzinfo=UTC)),
        ("07-Dec-2015 09:58:10", datetime(2015, 12, 7, 9, 58, 10, tzinfo=UTC)),
        ("18-Jan-2020  11:17:12", datetime(2020, 1, 18, 11, 17, 12, tzinfo=UTC)),
        ("01-Jan-2018", datetime(2018, 1, 1, tzinfo=UTC)),
        ("2024-05-06T07:08:09Z", datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)),
        ("2024-05-06T09:08:09+02:00", datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)),
    ],
)
async def test_timestamps_decode_to_aware_utc(text: str, expected: datetime) -> None:
    """Every timestamp format the API uses, the double-space one included, is aware UTC."""
    transaction = await _transaction({"created_time": text})
    assert transaction.created_time == expected
    assert transaction.created_time is not None
    assert transaction.created_time.utcoffset() is not None


async def test_unknown_fields_are_ignored() -> None:
    """Fields the model does not know are dropped, not refused."""
    record = {"id": "tx-1", "points": 5, "brand_new_field": {"nested": [1, 2]}, "tier": "gold"}
    assert await _transaction(record) == Transaction(id="tx-1", points=5)


async def test_user_nested_records() -> None:
    """The expiration schedule becomes a tuple of entries; an empty last award is None."""
    user = await _user(
        {
            "user_email": "bob@x.com",
            "expiration_schedule": [
                {"expiration_date": "07-Jan-2016 23:59:59", "points": "34226"},
                {"expiration_date": "", "points": None},
            ],
            "last_award_transaction": {},
            "loyalty_level_id": "",
        }
    )
    assert user == User(
        user_email="bob@x.com",
        expiration_schedule=(
            ExpirationScheduleEntry(
                expiration_date=datetime(2016, 1, 7, 23, 59, 59, tzinfo=UTC), points=34226
            ),
            ExpirationScheduleEntry(),
        ),
        last_award_transaction=None,
    )


async def test_user_null_schedule_is_empty() -> None:
    """A null expiration schedule is an empty tuple; a real last award is decoded."""
    user = await _user(
        {
            "expiration_schedule": None,
            "last_award_transaction": {"date": "07-Dec-2015 13:23:35", "points": "300"},
        }
    )
    assert user.expiration_schedule == ()
    assert user.last_award_transaction == LastAwardTransaction(
        date=datetime(2015, 12, 7, 13, 23, 35, tzinfo=UTC), points=300
    )


@pytest.mark.parametrize(
    ("sent", "codes"),
    [
        ("a,b,c,d,e,f,g,h,i", ("a", "b", "c", "d", "e", "f", "g", "h", "i")),
        ("ONE", ("ONE",)),
        ("X1, X2 ,", ("X1", "X2")),
        ("", ()),
        (None, ()),
        (["P", "Q"], ("P", "Q")),
    ],
)
async def test_coupon_codes_split(sent: object, codes: tuple[str, ...]) -> None:
    """giftcard_coupon_codes arrives comma-separated (or as a list) and becomes a tuple."""
    redemption = await _redemption({"giftcard_coupon_codes": sent, "coupon_expiry": "01-Jan-2018"})
    assert redemption == Redemption(giftcard_coupon_codes=codes, coupon_expiry=date(2018, 1, 1))


BAD_TRANSACTION_ROW = {"id": "tx-2", "points": "lots"}


@pytest.mark.parametrize(
    ("data", "path", "value"),
    [
        (
            {"transactions": [{"id": "tx-1", "points": 1}, BAD_TRANSACTION_ROW], "more": False},
            "$.data.transactions[1].points",
            "lots",
        ),
        (
            {"transactions": [{"id": "tx-1", "created_time": "31-Foo-2020 10:00:00"}]},
            "$.data.transactions[0].created_time",
            "31-Foo-2020 10:00:00",
        ),
        (
            {"transactions": [{"id": "tx-1", "points": True}]},
            "$.data.transactions[0].points",
            True,
        ),
        (
            {"transactions": [{"id": "tx-1", "redemption_value": "fifty"}]},
            "$.data.transactions[0].redemption_value",
            "fifty",
        ),
        ({"transactions": [{"id": "tx-1"}], "total": "many"}, "$.data.total", "many"),
        (
            {"transactions": [{"id": "tx-1"}], "next_start_index": [2]},
            "$.data.next_start_index",
            [2],
        ),
    ],
)
async def test_listing_misfit_names_its_path_and_value(
    data: dict[str, Any], path: str, value: object
) -> None:
    """A value of the wrong kind raises ResponseValidationError with its JSON path and value."""
    with pytest.raises(ResponseValidationError) as caught:
        await _transactions_page(data)
    assert caught.value.path == path
    assert caught.value.value == value
    assert path in str(caught.value)


@pytest.mark.parametrize("row", ["tx-2", ["id", "tx-2"], 7, None])
async def test_listing_row_that_is_not_an_object(row: object) -> None:
    """A listing row that is not an object is an error at its index, not an empty record."""
    with pytest.raises(ResponseValidationError) as caught:
        await _transactions_page({"transactions": [{"id": "tx-1"}, row]})
    assert caught.value.path == "$.data.transactions[1]"
    assert caught.value.value == row


@pytest.mark.parametrize("row", ["shared_via_email", ["activity_id"]])
async def test_activities_row_that_is_not_an_object(row: object) -> None:
    """An activities list holding a non-object fails at ``$.data[i]`` instead of decoding
    it as an empty Activity."""
    client, _ = recording_client(envelope([{"activity_id": "a"}, row]))
    async with client:
        with pytest.raises(ResponseValidationError) as caught:
            await client.activities.list()
    assert (caught.value.path, caught.value.value) == ("$.data[1]", row)


@pytest.mark.parametrize(
    ("record", "path", "value"),
    [
        ({"points": "lots"}, "$.data.points", "lots"),
        ({"points": {"value": 1}}, "$.data.points", {"value": 1}),
        ({"approved_time": 1458501622}, "$.data.approved_time", 1458501622),
        ({"qualified_points": "maybe"}, "$.data.qualified_points", "maybe"),
    ],
)
async def test_single_record_misfit_names_its_path(
    record: dict[str, Any], path: str, value: object
) -> None:
    """A bad field of a single record is reported at ``$.data.<field>``."""
    with pytest.raises(ResponseValidationError) as caught:
        await _transaction(record)
    assert (caught.value.path, caught.value.value) == (path, value)


async def test_nested_misfit_names_its_path() -> None:
    """A bad field inside a nested list of records is reported with the index."""
    with pytest.raises(ResponseValidationError) as caught:
        await _user({"expiration_schedule": [{"points": 1}, {"points": "soon"}]})
    assert caught.value.path == "$.data.expiration_schedule[1].points"
    assert caught.value.value == "soon"


async def test_data_that_is_not_an_object() -> None:
    """A single-record endpoint whose data is a list fails at ``$.data``."""
    with pytest.raises(ResponseValidationError) as caught:
        await _transaction([{"id": "tx-1"}])  # type: ignore[arg-type]
    assert caught.value.path == "$.data"


async def test_raw_control_character_in_a_string_is_tolerated() -> None:
    """A raw newline or tab inside a JSON string (as in Create Activity) decodes as is."""
    body = (
        b'{"data": {"activity_id": "a", "activity_name": "Line one\nline\ttwo"}, "success": true}'
    )
    client, _ = recording_client(body)
    async with client:
        activity = await client.activities.get("a")
    assert activity == Activity(activity_id="a", activity_name="Line one\nline\ttwo")


MODELS = [
    Transaction(id="tx-1", points=1),
    User(user_email="bob@x.com"),
    ExpirationScheduleEntry(points=1),
    LastAwardTransaction(points=1),
    Activity(activity_id="a"),
    Redemption(redemption_id="r"),
    Page(items=(), start_index=0),
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
def test_models_are_frozen_and_slotted(model: object) -> None:
    """Assigning to a model raises FrozenInstanceError; models are slotted (no __dict__)."""
    first_field = attrs.fields(type(model))[0].name
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(model, first_field, None)
    assert not hasattr(model, "__dict__")
    assert "__slots__" in type(model).__dict__
    with pytest.raises((AttributeError, attrs.exceptions.FrozenInstanceError)):
        model.undeclared = 1  # type: ignore[attr-defined]


def test_models_compare_and_hash_by_value() -> None:
    """Equal field values make equal, hashable models (usable in sets and as keys)."""
    a = Transaction(id="tx-1", points=5, created_time=datetime(2020, 1, 1, tzinfo=UTC))
    b = Transaction(id="tx-1", points=5, created_time=datetime(2020, 1, 1, tzinfo=UTC))
    assert a == b
    assert len({a, b}) == 1
    assert a != attrs.evolve(a, points=6)


async def test_decoded_listing_round_trips_through_json() -> None:
    """The users listing example decodes the same from its bytes and from re-encoded JSON."""
    client, _ = recording_client(
        ref.USERS_LIST_RESPONSE, json.dumps(json.loads(ref.USERS_LIST_RESPONSE)).encode()
    )
    async with client:
        listing = client.users.list(from_date=JAN_1, to_date=JAN_31)
        first, second = await listing.first_page(), await listing.first_page()
    assert first == second
