"""The specialised record builders: slot stores only where attrs reports (``attrs.inspect``,
public since attrs 25.4) that ``__init__`` does nothing more; on older attrs, every record is
built by calling its class."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import attrs
import pytest

from shopsocially_async._convert import _FAST, structure
from shopsocially_async._scalars import SCALAR_HOOKS
from shopsocially_async._specialize import record_hook
from shopsocially_async.errors import ResponseValidationError
from shopsocially_async.models import Transaction


def _hook(model: type[Any]) -> Any:
    hook = record_hook(model, SCALAR_HOOKS, _FAST.get_structure_hook)
    assert hook is not None
    return hook


def _stores_slots(model: type[Any]) -> bool:
    return "s0" in _hook(model).__globals__


#: Whether this attrs reports how it built a class (attrs >= 25.4).
ATTRS_REPORTS_ITS_BUILD = hasattr(attrs, "inspect")


@attrs.frozen
class Plain:
    a: str | None = None
    b: int | None = None


@attrs.frozen
class Checked:
    a: str | None = attrs.field(default=None, validator=attrs.validators.instance_of(str))


def _same(value: str | None) -> str | None:
    return value


@attrs.frozen
class Converted:
    a: str | None = attrs.field(default=None, converter=_same)


@attrs.frozen
class PostInit:
    a: str | None = None

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "a", "set by post-init")


@attrs.frozen(cache_hash=True)
class CachedHash:
    a: str | None = None


@attrs.frozen(slots=False)
class NotSlotted:
    a: str | None = None


@attrs.frozen(init=False)
class OwnInit:
    a: str | None = None

    def __init__(self, a: str | None = None) -> None:
        self.__attrs_init__(a=a)


@attrs.frozen
class Child(Plain):
    c: str | None = None


class Undecorated(Plain):
    """A plain subclass: attrs did not build it, so it reports nothing about it."""

    __slots__ = ()

    def __init__(self, a: str | None = None, b: int | None = None) -> None:
        super().__init__(a=a, b=f"{b}!")  # type: ignore[arg-type]


@attrs.define(slots=True)
class Failure(Exception):
    a: str | None = None


def test_plain_slotted_records_store_slots_where_attrs_reports_its_build() -> None:
    """Records whose __init__ only stores arguments are built by slot stores, inherited too
    (on an attrs that cannot report it, by calling the class)."""
    assert _stores_slots(Plain) is ATTRS_REPORTS_ITS_BUILD
    assert _stores_slots(Child) is ATTRS_REPORTS_ITS_BUILD  # slots found on the base class
    assert _stores_slots(Transaction) is ATTRS_REPORTS_ITS_BUILD


@pytest.mark.parametrize(
    "model",
    [Checked, Converted, PostInit, CachedHash, NotSlotted, OwnInit, Undecorated, Failure],
)
def test_anything_init_does_more_for_is_built_by_calling_it(model: type[Any]) -> None:
    """Validators, converters, hooks, hash caches, no slots, an own __init__, a subclass attrs
    did not build, an exception: call the class."""
    assert not _stores_slots(model)


def test_records_built_by_calling_run_their_init() -> None:
    """An undecorated subclass's own __init__ runs; a cached hash is the class's own."""
    assert _hook(Undecorated)({"a": "x", "b": 1}) == Undecorated(a="x", b=1)
    assert _hook(Undecorated)({"b": 1}).b == "1!"
    built = _hook(CachedHash)({"a": "x"})
    assert (built, hash(built)) == (CachedHash(a="x"), hash(CachedHash(a="x")))


@pytest.mark.parametrize(
    "data",
    [{}, {"a": "x"}, {"a": "", "b": 3}, {"a": None, "b": "4", "c": "z"}, {"b": 5, "extra": 1}],
)
def test_built_records_equal_those_of_init(data: dict[str, Any]) -> None:
    """A record built by slot stores equals, hashes and reprs as one from __init__, still frozen."""
    built = _hook(Child)(data)
    expected = Child(
        a=data.get("a") or None,
        b=None if data.get("b") is None else int(data["b"]),
        c=data.get("c") or None,
    )
    assert built == expected
    assert hash(built) == hash(expected)
    assert repr(built) == repr(expected)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.a = "y"


def test_post_init_still_runs() -> None:
    """__attrs_post_init__ runs for a record the hook builds."""
    assert _hook(PostInit)({"a": "x"}).a == "set by post-init"


def test_transaction_fields_absent_keep_defaults() -> None:
    """Fields a Transaction payload leaves out keep their defaults."""
    tx = structure({"id": "t1", "points": "7", "created_time": "30-Mar-16 19:20:22"}, Transaction)
    assert tx == attrs.evolve(Transaction(id="t1", points=7), created_time=tx.created_time)
    assert tx.created_time is not None
    assert all(
        getattr(tx, f.name) is None
        for f in attrs.fields(Transaction)
        if f.name not in ("id", "points", "created_time")
    )


def test_repeated_and_varied_timestamps_in_one_record_each_decode_to_their_own_value() -> None:
    """A record's repeated timestamp text reuses one parse; different texts never do."""
    record = {
        "created_time": "30-Mar-16 19:20:22",
        "approved_time": "30-Mar-16 19:20:22",
        "updated_time": "18-Jan-2020  11:17:12",
        "auto_approval_date": "01-Apr-2016",
        "points_expiration_date": "30-Mar-16 19:20:22",
    }
    tx = structure(record, Transaction)
    utc = timezone.utc
    assert tx.created_time == tx.approved_time == datetime(2016, 3, 30, 19, 20, 22, tzinfo=utc)
    assert tx.updated_time == datetime(2020, 1, 18, 11, 17, 12, tzinfo=utc)
    assert tx.auto_approval_date == datetime(2016, 4, 1, tzinfo=utc)
    assert tx.points_expiration_date == datetime(2016, 3, 30, 19, 20, 22, tzinfo=utc)


def test_a_bad_timestamp_after_a_good_one_is_still_refused_with_its_path() -> None:
    """The per-record reuse never hides a malformed timestamp."""
    record = {"created_time": "30-Mar-16 19:20:22", "approved_time": "30-Mar-16 25:61:00"}
    with pytest.raises(ResponseValidationError) as caught:
        structure(record, Transaction)
    assert caught.value.path == "$.data.approved_time"
    assert caught.value.value == "30-Mar-16 25:61:00"
