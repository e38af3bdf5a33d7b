"""The cattrs converter that turns API JSON into models, and its readable errors.

What the converter does, field by field (the readers are in :mod:`._scalars`):

- ``null`` and ``""`` for an optional field become ``None`` (the API sends both); an empty
  object for an optional nested record (``"last_award_transaction": {}``) becomes ``None``.
- ``int`` accepts JSON integers, integral floats and numeric strings (``"10"``); never
  booleans; never beyond a signed 64-bit integer.
- ``float`` accepts finite numbers and numeric strings.
- ``Decimal`` (money) accepts numbers and strings with a currency sign or thousands
  separators (``"$50"``, ``"1,250.00"``); floats go through ``repr`` so 26.95 stays 26.95.
  Never NaN or Infinity (the stdlib parser yields them from a JSON ``NaN``), nor amounts of
  ``10**18`` and more or with more than 18 decimal places.
- ``bool`` accepts JSON booleans, 0/1 and ``"true"``/``"false"``/``"yes"``/``"no"``.
- ``str`` accepts strings and finite numbers (an ``order_id`` may come as a number).
- ``datetime``/``date`` parse every format in :mod:`._dates` into aware UTC values; a time
  that cannot be expressed in UTC is refused.
- ``tuple[str, ...]`` accepts a JSON array or a comma-separated string (coupon codes);
  ``tuple[Any, ...]`` keeps its items as parsed, nested at most 32 levels.
- Unknown fields are ignored; enum-like fields are plain strings, so new values never fail.
- A record must be an object and not a failure envelope: a listing row
  ``{"success": false, ...}`` is an error at its index, not a record of Nones. A ``{}``
  where a list should be is an error too, never an empty listing.

Two converters are built: the fast one has no detailed validation and is used on every
response; when it fails, the body is decoded again with the detailed one only to name the
failing field (``$.data.transactions[3].points``) in the :class:`ResponseValidationError`.
Only a value that does not fit becomes that error: any other exception (a misconfigured hook,
a cattrs API that is missing) is a bug and surfaces as itself.
"""

from __future__ import annotations

from collections.abc import Callable
from types import NoneType, UnionType
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import ClassValidationError, IterableValidationError, IterableValidationNote

from ._envelope import failure_of
from ._scalars import SCALAR_HOOKS, BadValueError, describe, to_json_value, to_str_tuple
from ._specialize import record_hook
from .errors import ResponseValidationError

__all__ = ["structure", "structure_many", "structure_optional_scalar"]

T = TypeVar("T")

#: What a hook raises when the data does not fit: the readers' BadValueError, and the
#: KeyError cattrs raises for a missing required field. Anything else is a bug.
_DATA_ERRORS = (BadValueError, KeyError)


def _item_hook(converter: cattrs.Converter, tp: Any) -> Callable[[Any, Any], Any]:
    """The converter's hook for ``tp``; for a nested record, refusing anything but an object
    (cattrs' generated code would otherwise read a list or string as an empty record)."""
    if tp is Any:
        return to_json_value
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
            return to_str_tuple
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
    """The detailed converter's tuple: every item's misfit, each noted with its index."""
    results, errors = [], []
    for index, item in enumerate(items):
        try:
            results.append(hook(item, item_type))
        except (*_DATA_ERRORS, cattrs.BaseValidationError) as exc:
            note = IterableValidationNote(f"Structuring {tp} @ index {index}", index, item_type)
            exc.__notes__ = [*getattr(exc, "__notes__", []), note]  # type: ignore[union-attr]
            errors.append(exc)
    if errors:
        raise IterableValidationError(f"While structuring {tp!r}", errors, tp)
    return tuple(results)


def _is_homogeneous_tuple(tp: Any) -> bool:
    args = get_args(tp)
    return get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis


def make_converter(*, detailed_validation: bool) -> cattrs.Converter:
    """Build a converter configured as the module docstring lists."""
    converter = cattrs.Converter(detailed_validation=detailed_validation, forbid_extra_keys=False)
    for tp, hook in SCALAR_HOOKS.items():
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
        hook = record_hook(model, SCALAR_HOOKS, _FAST.get_structure_hook)
        hook = _FAST_HOOKS[model] = hook or _FAST.get_structure_hook(model)
    return hook


def structure(data: object, model: type[T], *, path: str = "$.data") -> T:
    """Decode one record into ``model``; a misfit raises ResponseValidationError at ``path``."""
    _refuse_non_record(data, model, path)
    try:
        return _fast_hook(model)(data, model)  # type: ignore[no-any-return]
    except _DATA_ERRORS:
        raise _explain(data, model, path) from None


def structure_many(items: object, model: type[T], *, path: str) -> tuple[T, ...]:
    """Decode a JSON array of records (``null`` counts as empty)."""
    if items is None:
        return ()
    if not isinstance(items, list):
        raise ResponseValidationError(
            f"expected a list @ {path}, got {describe(items)}", path=path, value=items
        )
    hook = _fast_hook(model)
    # cattrs' generated code reads a string or list row as an empty record (``"id" in
    # "tx-2"`` is a substring test), and a failure envelope as a record of Nones: only lists
    # of objects that claim no failure take the fast path.
    if all(isinstance(item, dict) for item in items) and not any(map(failure_of, items)):
        try:
            return tuple([hook(item, model) for item in items])
        except _DATA_ERRORS:
            pass  # the loop below names the failure
    for index, item in enumerate(items):
        structure(item, model, path=f"{path}[{index}]")
    raise ResponseValidationError(f"could not decode {path}", path=path)


def _not_a_record(data: object) -> str | None:
    """Why ``data`` cannot be a record (None: it can): a record is an object, and never a
    failure envelope (a record of Nones would hide the server's failure)."""
    if not isinstance(data, dict):
        return f"expected an object, got {describe(data)}"
    failure = failure_of(data)
    if failure is not None:
        code, message = failure
        return f"a failure envelope ({code or 'no error code'}: {message})"
    return None


def _refuse_non_record(data: object, model: type[Any], path: str) -> None:
    reason = _not_a_record(data)
    if reason is not None:
        raise ResponseValidationError(
            f"{reason} where {model.__name__} should be @ {path}", path=path, value=data
        )


def _explain(data: object, model: type[Any], path: str) -> ResponseValidationError:
    """Decode again, with detailed validation, only to name the failing field."""
    try:
        _DETAILED.structure(data, model)
    except (*_DATA_ERRORS, cattrs.BaseValidationError) as exc:
        where, leaf = _first_leaf(exc, path)
        if not isinstance(leaf, _DATA_ERRORS):
            raise leaf from None  # a bug, not the data: surface it as itself
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


def structure_optional_scalar(data: dict[str, Any], key: str, tp: type[T]) -> T | None:
    """A scalar member of a listing envelope (``total``, ``more``...); absent/null is None."""
    value = data.get(key)
    if value is None or value == "":
        return None
    try:
        return SCALAR_HOOKS[tp](value, tp)  # type: ignore[no-any-return]
    except BadValueError as exc:
        raise ResponseValidationError(
            f"{exc} @ $.data.{key}", path=f"$.data.{key}", value=value
        ) from None
