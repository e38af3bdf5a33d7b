"""A bug in the decoder (a misconfigured hook, a cattrs API that is missing) surfaces as
itself: never disguised as a ResponseValidationError, which on a write would claim the
points may have moved (``outcome_unknown=True``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import cattrs
import pytest

from shopsocially_async import Transaction
from shopsocially_async import _convert as convert
from tests.unit.helpers import envelope, recording_client

pytestmark = pytest.mark.anyio


class MisconfiguredError(Exception):
    """Stands for any exception that is not about the data."""


def _broken_hook(value: Any, _: Any) -> Any:
    raise AttributeError("'NoneType' object has no attribute 'get'")


async def _deduct(data: object) -> Any:
    """points.deduct answered with ``data``: a write."""
    client, _ = recording_client(envelope(data))
    async with client:
        return await client.points.deduct(user_email="b@x.com", points_passed=5, reason="r")


async def test_a_hook_raising_a_bug_on_a_write_surfaces_as_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An AttributeError from the record's hook reaches the caller as an AttributeError."""
    monkeypatch.setitem(convert._FAST_HOOKS, Transaction, _broken_hook)
    with pytest.raises(AttributeError, match="has no attribute 'get'"):
        await _deduct({"id": "tx-1"})


async def test_a_hook_raising_a_bug_in_a_listing_surfaces_as_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The listing's fast path does not swallow it to re-decode row by row."""
    monkeypatch.setitem(convert._FAST_HOOKS, Transaction, _broken_hook)
    client, _ = recording_client(envelope({"transactions": [{"id": "tx-1"}], "more": False}))
    async with client:
        listing = client.transactions.list(from_date=date(2024, 1, 1), to_date=date(2024, 1, 31))
        with pytest.raises(AttributeError):
            await listing.first_page()


async def test_a_missing_cattrs_api_surfaces_as_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on cattrs 23.2, which has no Converter.get_structure_hook: AttributeError, not a
    ResponseValidationError with outcome_unknown=True on every write."""
    monkeypatch.setattr(convert, "_FAST_HOOKS", {})
    monkeypatch.delattr(cattrs.BaseConverter, "get_structure_hook")
    with pytest.raises(AttributeError, match="get_structure_hook"):
        await _deduct({"id": "tx-1"})


async def test_a_bug_met_only_while_naming_the_misfit_surfaces_as_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Bad data sends decoding to the detailed converter; a bug there is raised as itself,
    not reported as the field's misfit."""

    def broken_int(value: Any, _: Any) -> Any:
        raise MisconfiguredError("int hook misconfigured")

    detailed = convert.make_converter(detailed_validation=True)
    detailed.register_structure_hook(int, broken_int)
    monkeypatch.setattr(convert, "_DETAILED", detailed)
    with pytest.raises(MisconfiguredError, match="misconfigured"):
        await _deduct({"id": "tx-1", "points": "lots"})


async def test_a_bug_inside_a_nested_list_surfaces_as_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bug under an expiration schedule entry is raised as itself too."""

    def broken_datetime(value: Any, _: Any) -> Any:
        raise TypeError("datetime hook misconfigured")

    detailed = convert.make_converter(detailed_validation=True)
    detailed.register_structure_hook(datetime, broken_datetime)
    monkeypatch.setattr(convert, "_DETAILED", detailed)
    client, _ = recording_client(
        envelope({"expiration_schedule": [{"expiration_date": "x", "points": "soon"}]})
    )
    async with client:
        with pytest.raises(TypeError, match="misconfigured"):
            await client.users.get("b@x.com")
