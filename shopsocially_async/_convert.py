"""The cattrs converter that turns API JSON into models, and its readable errors.

What the converter does, field by field:

- ``null`` and ``""`` for an optional field become ``None`` (the API sends both); an empty
  object for an optional nested record (``"last_award_transaction": {}``) becomes ``None``.
- ``int`` accepts JSON integers, integral floats and numeric strings (``"10"``); never booleans.
- ``float`` accepts numbers and numeric strings.
- ``Decimal`` (money) accepts numbers and strings with a currency sign or thousands
  separators (``"$50"``, ``"1,250.00"``); floats go through ``repr`` so 26.95 stays 26.95.
- ``bool`` accepts JSON booleans, 0/1 and ``"true"``/``"false"``/``"yes"``/``"no"``.
- ``str`` accepts strings and numbers (an ``order_id`` may come as a number).
- ``datetime``/``date`` parse every format in :mod:`._dates` into aware UTC values.
- ``tuple[str, ...]`` accepts a JSON array or a comma-separated string (coupon codes).
- Unknown fields are ignored; enum-like fields are plain strings, so new values never fail.

Two converters are built: the fast one has no detailed validation and is used on every
response; when it fails, the body is decoded again with the detailed one only to name the
failing field (``$.data.transactions[3].points``) in the :class:`ResponseValidationError`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from types import NoneType, UnionType
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import ClassValidationError, IterableValidationError, IterableValidationNote

from ._dates import parse_date, parse_datetime
from ._specialize import record_hook
from .errors import ResponseValidationError

__all__ = ["structure", "structure_many", "structure_optional_scalar"]

T = TypeVar("T")

_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f"})


class BadValueError(ValueError):
    """A value of the wrong kind; carries the value so the final error can show it."""

    def __init__(self, expected: str, value: object) -> None:
        super().__init__(f"expected {expected}, got {value!r}")
        self.value = value


def _to_int(value: object, _: object = None) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                number = float(value)
            except ValueError:
                pass
            else:
                if number.is_integer():
                    return int(number)
    raise BadValueError("an integer", value)


def _to_float(value: object, _: object = None) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    raise BadValueError("a number", value)


def _to_decimal(value: object, _: object = None) -> Decimal:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if isinstance(value, str):
        cleaned = value.strip().lstrip("$€£¥").replace(",", "").strip()
        try:
            result = Decimal(cleaned)
        except InvalidOperation:
            pass
        else:
            if result.is_finite():
                return result
    raise BadValueError("an amount", value)


def _to_bool(value: object, _: object = None) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    raise BadValueError("a boolean", value)


def _to_str(value: object, _: object = None) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise BadValueError("a string", value)


def _to_datetime(value: object, _: object = None) -> datetime:
    if isinstance(value, str):
        try:
            return parse_datetime(value)
        except ValueError:
            pass
    raise BadValueError("a timestamp", value)


def _to_date(value: object, _: object = None) -> date:
    if isinstance(value, str):
        try:
            return parse_date(value)
        except ValueError:
            pass
    raise BadValueError("a date", value)


def _to_str_tuple(value: object, _: object = None) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, (list, tuple)):
        return tuple(_to_str(item) for item in value)
    if value is None:
        return ()
    raise BadValueError("a list of strings", value)


def _item_hook(converter: cattrs.Converter, tp: Any) -> Callable[[Any, Any], Any]:
    """The converter's hook for ``tp``; for a nested record, refusing anything but an object
    (cattrs' generated code would otherwise read a list or string as an empty record)."""
    hook = converter.get_structure_hook(tp)
    if not attrs.has(tp):
        return hook

    def structure_record(value: Any, _: Any) -> Any:
        if not isinstance(value, dict):
            raise BadValueError("an object", value)
        return hook(value, tp)

    return structure_record


def _is_optional(tp: Any) -> bool:
    return get_origin(tp) in (Union, UnionType) and NoneType in get_args(tp)


def _optional_hook_factory(converter: cattrs.Converter) -> Callable[[Any], Any]:
    def factory(tp: Any) -> Callable[[Any, Any], Any]:
        (inner,) = [arg for arg in get_args(tp) if arg is not NoneType]
        inner_hook = _item_hook(converter, inner)
        nested_record = attrs.has(inner)

        def structure_optional(value: Any, _: Any) -> Any:
            if value is None or value == "" or (nested_record and value == {}):
                return None
            return inner_hook(value, inner)

        return structure_optional

    return factory


def _tuple_or_empty_factory(converter: cattrs.Converter, *, detailed: bool) -> Callable[[Any], Any]:
    """Homogeneous tuples: JSON ``null`` means empty; strings may come comma-separated."""

    def factory(tp: Any) -> Callable[[Any, Any], Any]:
        item_type = get_args(tp)[0]
        if item_type is str:
            return _to_str_tuple
        item_hook = _item_hook(converter, item_type)

        def structure_tuple(value: Any, _: Any) -> tuple[Any, ...]:
            if value is None or value == "":
                return ()
            if not isinstance(value, list):
                raise BadValueError("a list", value)
            if detailed:
                return _structure_items_noting_index(value, item_hook, item_type, tp)
            return tuple([item_hook(item, item_type) for item in value])

        return structure_tuple

    return factory


def _structure_items_noting_index(
    items: list[Any], hook: Callable[[Any, Any], Any], item_type: Any, tp: Any
) -> tuple[Any, ...]:
    results, errors = [], []
    for index, item in enumerate(items):
        try:
            results.append(hook(item, item_type))
        except Exception as exc:
            note = IterableValidationNote(f"Structuring {tp} @ index {index}", index, item_type)
            exc.__notes__ = [*getattr(exc, "__notes__", []), note]  # type: ignore[attr-defined]
            errors.append(exc)
    if errors:
        raise IterableValidationError(f"While structuring {tp!r}", errors, tp)
    return tuple(results)


def _is_homogeneous_tuple(tp: Any) -> bool:
    args = get_args(tp)
    return get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis and args[0] is not Any


_SCALAR_HOOKS: dict[Any, Callable[[Any, Any], Any]] = {
    int: _to_int,
    float: _to_float,
    Decimal: _to_decimal,
    bool: _to_bool,
    str: _to_str,
    datetime: _to_datetime,
    date: _to_date,
}


def make_converter(*, detailed_validation: bool) -> cattrs.Converter:
    """Build a converter configured as the module docstring lists."""
    converter = cattrs.Converter(detailed_validation=detailed_validation, forbid_extra_keys=False)
    for tp, hook in _SCALAR_HOOKS.items():
        converter.register_structure_hook(tp, hook)
    converter.register_structure_hook_factory(_is_optional, _optional_hook_factory(converter))
    converter.register_structure_hook_factory(
        _is_homogeneous_tuple, _tuple_or_empty_factory(converter, detailed=detailed_validation)
    )
    return converter


_FAST = make_converter(detailed_validation=False)
_DETAILED = make_converter(detailed_validation=True)


_FAST_HOOKS: dict[Any, Callable[[Any, Any], Any]] = {}


def _fast_hook(model: Any) -> Callable[[Any, Any], Any]:
    """The fast converter's structure function for ``model``, built once."""
    hook = _FAST_HOOKS.get(model)
    if hook is None:
        # A flat record gets one specialised function (same hooks, fewer calls); others
        # the converter's own.
        hook = record_hook(model, _SCALAR_HOOKS, _FAST.get_structure_hook)
        hook = _FAST_HOOKS[model] = hook or _FAST.get_structure_hook(model)
    return hook


def structure(data: object, model: type[T], *, path: str = "$.data") -> T:
    """Decode one record into ``model``; a misfit raises ResponseValidationError at ``path``."""
    if not isinstance(data, dict):
        raise ResponseValidationError(
            f"expected an object for {model.__name__} @ {path}, got {_short(data)}",
            path=path,
            value=data,
        )
    try:
        return _fast_hook(model)(data, model)  # type: ignore[no-any-return]
    except Exception:
        raise _explain(data, model, path) from None


def structure_many(items: object, model: type[T], *, path: str) -> tuple[T, ...]:
    """Decode a JSON array of records (``null`` counts as empty)."""
    if items is None:
        return ()
    if not isinstance(items, list):
        raise ResponseValidationError(
            f"expected a list @ {path}, got {_short(items)}", path=path, value=items
        )
    hook = _fast_hook(model)
    # cattrs' generated code reads a string or list row as an empty record (``"id" in
    # "tx-2"`` is a substring test), so only all-object lists take the fast path.
    if all(isinstance(item, dict) for item in items):
        with contextlib.suppress(Exception):  # the slow path below names the failure
            return tuple([hook(item, model) for item in items])
    for index, item in enumerate(items):
        structure(item, model, path=f"{path}[{index}]")
    raise ResponseValidationError(f"could not decode {path}", path=path)


def _explain(data: object, model: type[Any], path: str) -> ResponseValidationError:
    try:
        _DETAILED.structure(data, model)
    except Exception as exc:
        where, leaf = _first_leaf(exc, path)
        value = leaf.value if isinstance(leaf, BadValueError) else None
        return ResponseValidationError(
            f"response does not fit {model.__name__}: {leaf} @ {where}", path=where, value=value
        )
    return ResponseValidationError(f"response does not fit {model.__name__} @ {path}", path=path)


def _first_leaf(exc: BaseException, path: str) -> tuple[str, BaseException]:
    """Follow cattrs' validation notes down to the first real failure and its JSON path."""
    if isinstance(exc, IterableValidationError):
        indexed, _ = exc.group_exceptions()
        if indexed:
            inner, note = indexed[0]
            return _first_leaf(inner, f"{path}[{note.index!r}]")
    if isinstance(exc, ClassValidationError):
        named, _ = exc.group_exceptions()
        if named:
            inner, attribute = named[0]
            return _first_leaf(inner, f"{path}.{attribute.name}")
    if isinstance(exc, cattrs.BaseValidationError) and exc.exceptions:
        return _first_leaf(exc.exceptions[0], path)
    return path, exc


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def structure_optional_scalar(data: dict[str, Any], key: str, tp: type[T]) -> T | None:
    """A scalar member of a listing envelope (``total``, ``more``...); absent/null is None."""
    value = data.get(key)
    if value is None or value == "":
        return None
    try:
        return _FAST.get_structure_hook(tp)(value, tp)  # type: ignore[no-any-return]
    except BadValueError as exc:
        raise ResponseValidationError(
            f"{exc} @ $.data.{key}", path=f"$.data.{key}", value=value
        ) from None
