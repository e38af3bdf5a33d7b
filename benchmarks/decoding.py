"""Benchmark 2: a 100-record transactions page, bytes -> models, records per second.

Every decoder gets the same body and (where timestamps are parsed) the same timestamp
parser, :func:`shopsocially_async._dates.parse_datetime`, except the "straightforward"
baseline, which is a default cattrs converter with ``strptime``.

"ours, records built by calling the class" decodes into an undecorated subclass of
Transaction, about which attrs reports nothing: each record is then built by calling the
class, as every record is on attrs before 25.4 (no ``attrs.inspect``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal
from typing import Annotated, Any

import cattrs
import msgspec
import orjson
import pydantic

from shopsocially_async._convert import structure_many
from shopsocially_async._dates import parse_datetime
from shopsocially_async._envelope import decode_envelope
from shopsocially_async.models import Transaction
from shopsocially_async.resources._base import decode_page

from ._common import Section, table
from ._server import page_body

RECORDS = 100


def _strptime(value: Any, _: Any) -> datetime:
    for fmt in ("%d-%b-%y %H:%M:%S", "%d-%b-%Y %H:%M:%S", "%d-%b-%Y"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    raise ValueError(value)


def straightforward_converter() -> cattrs.Converter:
    """What one writes first: default cattrs (detailed validation) and strptime."""
    converter = cattrs.Converter()
    converter.register_structure_hook(datetime, _strptime)
    converter.register_structure_hook(Decimal, lambda v, _: Decimal(str(v)))
    return converter


def _ts(value: Any) -> Any:
    return None if value in (None, "") else parse_datetime(value)


Timestamp = Annotated[datetime | None, pydantic.BeforeValidator(_ts)]


class PydTransaction(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True)
    id: str | None = None
    transaction_type: str | None = None
    points: int | None = None
    points_status: str | None = None
    user_id: str | None = None
    user_email: str | None = None
    user_first_name: str | None = None
    user_last_name: str | None = None
    activity_id: str | None = None
    activity_name: str | None = None
    order_id: str | None = None
    redemption_id: str | None = None
    redemption_name: str | None = None
    redemption_value: Decimal | None = None
    coupon_code: str | None = None
    reason: str | None = None
    returned_for_order_id: str | None = None
    approved_by: str | None = None
    merchant_id: str | None = None
    created_time: Timestamp = None
    updated_time: Timestamp = None
    approved_time: Timestamp = None
    auto_approval_date: Timestamp = None
    # The rest of Transaction's 33 fields: the same shape as our model, as the issue asks.
    first_name: str | None = None
    last_name: str | None = None
    redemptions_list: list[Any] | None = None
    available_points: int | None = None
    points_used: int | None = None
    points_expired: int | None = None
    points_deducted: int | None = None
    points_expiration_date: Timestamp = None
    qualified_points: bool | None = None
    partner_id: str | None = None


class PydData(pydantic.BaseModel):
    transactions: list[PydTransaction]
    total: int | None = None
    next_start_index: int | None = None
    more: bool | None = None


class PydEnvelope(pydantic.BaseModel):
    success: bool
    data: PydData


class CalledTransaction(Transaction):
    """Transaction as a class attrs did not build: records are built by calling it."""

    __slots__ = ()


class MsgTransaction(msgspec.Struct):
    id: str | None = None
    transaction_type: str | None = None
    points: int | None = None
    points_status: str | None = None
    user_id: str | None = None
    user_email: str | None = None
    user_first_name: str | None = None
    user_last_name: str | None = None
    activity_id: str | None = None
    activity_name: str | None = None
    order_id: str | None = None
    redemption_id: str | None = None
    redemption_name: str | None = None
    redemption_value: Decimal | None = None
    coupon_code: str | None = None
    reason: str | None = None
    returned_for_order_id: str | None = None
    approved_by: str | None = None
    merchant_id: str | None = None
    created_time: Any = None
    updated_time: Any = None
    approved_time: Any = None
    auto_approval_date: Any = None
    # The rest of Transaction's 33 fields: the same shape as our model.
    first_name: str | None = None
    last_name: str | None = None
    redemptions_list: list[Any] | None = None
    available_points: int | None = None
    points_used: int | None = None
    points_expired: int | None = None
    points_deducted: int | None = None
    points_expiration_date: Any = None
    qualified_points: bool | None = None
    partner_id: str | None = None

    def __post_init__(self) -> None:
        self.created_time = _ts(self.created_time)
        self.updated_time = _ts(self.updated_time)
        self.approved_time = _ts(self.approved_time)
        self.auto_approval_date = _ts(self.auto_approval_date)
        self.points_expiration_date = _ts(self.points_expiration_date)


class MsgData(msgspec.Struct):
    transactions: list[MsgTransaction]
    total: int | None = None
    next_start_index: int | None = None
    more: bool | None = None


class MsgEnvelope(msgspec.Struct):
    success: bool
    data: MsgData


def decoders() -> dict[str, Callable[[bytes], Any]]:
    straightforward = straightforward_converter()
    msg_decoder = msgspec.json.Decoder(MsgEnvelope)
    ours_page = decode_page(Transaction, items_key="transactions", total_key="total", start_index=0)
    called_page = decode_page(
        CalledTransaction, items_key="transactions", total_key="total", start_index=0
    )

    def ours(body: bytes) -> Any:
        return ours_page(decode_envelope(200, None, body, None))  # type: ignore[arg-type]

    def ours_stdlib_json(body: bytes) -> Any:
        items = json.loads(body)["data"]["transactions"]
        return structure_many(items, Transaction, path="$.data.transactions")

    def ours_called(body: bytes) -> Any:
        return called_page(decode_envelope(200, None, body, None))  # type: ignore[arg-type]

    return {
        "json.loads alone (floor)": json.loads,
        "orjson.loads alone": orjson.loads,
        "straightforward cattrs + strptime": lambda body: straightforward.structure(
            json.loads(body)["data"]["transactions"], list[Transaction]
        ),
        "ours (orjson + fast converter)": ours,
        "ours with json.loads": ours_stdlib_json,
        "ours, records built by calling the class": ours_called,
        "pydantic v2 (model_validate_json)": PydEnvelope.model_validate_json,
        "msgspec Struct": msg_decoder.decode,
    }


def _rate(decode: Callable[[bytes], Any], body: bytes, seconds: float) -> float:
    """Records per second: best of repeated timed batches within ``seconds``."""
    decode(body)
    best = float("inf")
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.process_time()
        for _ in range(10):
            decode(body)
        best = min(best, (time.process_time() - started) / 10)
    return RECORDS / best if best > 0 else float("inf")


def run(*, quick: bool = False) -> Section:
    body = page_body(0, RECORDS, 10 * RECORDS)
    runs, seconds = (1, 0.05) if quick else (5, 1.0)
    rates: dict[str, list[float]] = {name: [] for name in decoders()}
    for _ in range(runs):  # interleaved, so drift hits every decoder alike
        for name, decode in decoders().items():
            rates[name].append(_rate(decode, body, seconds))
    median = {name: sorted(values)[len(values) // 2] for name, values in rates.items()}
    ours, pyd, msg = (
        median["ours (orjson + fast converter)"],
        median["pydantic v2 (model_validate_json)"],
        median["msgspec Struct"],
    )
    base = median["straightforward cattrs + strptime"]
    section = Section("2. Decoding a 100-record transactions page")
    section.lines += [
        f"{len(body):,} bytes, {RECORDS} records with three timestamps each; records/s from "
        f"the best 10-page batch per run, median of {runs} runs (CPU time). pydantic and "
        "msgspec parse timestamps with our parse_datetime, as our decoder does.",
        "",
        *table(
            ["decoder", "records/s", "vs ours", "vs straightforward"],
            [
                [name, f"{rate:,.0f}", f"{rate / ours:.2f}x", f"{rate / base:.2f}x"]
                for name, rate in median.items()
            ],
        ),
    ]
    called = median["ours, records built by calling the class"]
    section.target("Decoding: >= pydantic v2", ours >= pyd, f"{ours / pyd:.2f}x pydantic")
    section.target(
        "Decoding: >= 0.8x pydantic v2, public APIs only",
        ours >= 0.8 * pyd,
        f"{ours / pyd:.2f}x pydantic (records built by calling the class: {called / pyd:.2f}x)",
    )
    section.target("Decoding: >= 1/3 of msgspec", ours >= msg / 3, f"{ours / msg:.2f}x msgspec")
    section.target(
        "Decoding: >= 3.5x straightforward strptime converter",
        ours >= 3.5 * base,
        f"{ours / base:.1f}x",
    )
    return section
