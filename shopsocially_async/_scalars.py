"""The tolerant readers behind the converter: one per kind of value a model field holds.

Each reader takes any value a JSON parser can produce and returns the field's value, or
raises :class:`BadValueError` and nothing else: NaN, Infinity, a 4,000-digit integer, a
megabyte of text or a value nested a thousand levels deep is refused, never a raw
``OverflowError``, ``RecursionError`` or ``ValueError`` from deeper down. The converter
(:mod:`._convert`) turns a ``BadValueError`` into a ``ResponseValidationError`` that names
the field's JSON path; any other exception is a bug and surfaces as itself.

The bounds, and why:

- integers (points, counts, indexes) fit a signed 64-bit column: ``|n| < 2**63``;
- amounts (money) are finite, below ``10**18`` and have at most 18 decimal places;
- numbers sent as text are at most :data:`MAX_NUMBER_TEXT` characters long, so a hostile
  string costs no parsing time;
- free-form values (``redemptions_list`` items) nest at most :data:`MAX_NESTING` levels.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeGuard, TypeVar

from ._dates import parse_date, parse_datetime

__all__ = [
    "MAX_AMOUNT_DIGITS",
    "MAX_INT",
    "MAX_NESTING",
    "MAX_NUMBER_TEXT",
    "SCALAR_HOOKS",
    "BadValueError",
    "describe",
    "to_bool",
    "to_date",
    "to_datetime",
    "to_decimal",
    "to_float",
    "to_int",
    "to_json_value",
    "to_str",
    "to_str_tuple",
]

T = TypeVar("T")

#: Integers decode within ``-MAX_INT < n < MAX_INT``: what a signed 64-bit column holds.
MAX_INT = 2**63
#: Amounts decode below ``10**MAX_AMOUNT_DIGITS`` with at most that many decimal places.
MAX_AMOUNT_DIGITS = 18
#: A number sent as text longer than this is refused unread.
MAX_NUMBER_TEXT = 64
#: Arrays and objects in a free-form value nest at most this many levels (``[[1]]`` is two).
MAX_NESTING = 32

_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f"})
_CURRENCY_SIGNS = "$€£¥"

_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = 60
_REPR.maxlevel = 3


def describe(value: object) -> str:
    """A short ``repr`` for messages: bounded whatever the value's size or depth."""
    return _REPR.repr(value)


class BadValueError(ValueError):
    """A value of the wrong kind; carries the value so the final error can show it."""

    def __init__(self, expected: str, value: object) -> None:
        super().__init__(f"expected {expected}, got {describe(value)}")
        self.value = value


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number_text(value: object) -> str | None:
    """``value`` stripped, if it is text short enough to be a number."""
    if isinstance(value, str) and len(value) <= MAX_NUMBER_TEXT:
        return value.strip()
    return None


def to_int(value: object, _: object = None) -> int:
    """JSON integers, integral floats and numeric strings (``"10"``, ``"10.0"``); not bools."""
    number: object = value
    text = _number_text(value)
    if text is not None:
        try:
            number = int(text)
        except ValueError:
            number = _float_or_none(text)
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    if type(number) is int and -MAX_INT < number < MAX_INT:
        return number
    raise BadValueError("an integer", value)


def _float_or_none(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def to_float(value: object, _: object = None) -> float:
    """Finite numbers and numeric strings."""
    text = _number_text(value)
    number = _float_or_none(text) if text is not None else value
    if _is_number(number):
        try:
            result = float(number)
        except OverflowError:  # an int beyond the float range
            pass
        else:
            if math.isfinite(result):
                return result
    raise BadValueError("a finite number", value)


def to_decimal(value: object, _: object = None) -> Decimal:
    """Money: numbers, and strings with a currency sign or thousands separators (``"$50"``,
    ``"1,250.00"``); floats go through ``repr`` so 26.95 stays 26.95. Never NaN/Infinity."""
    amount = None
    if isinstance(value, float):
        amount = Decimal(repr(value))
    elif _is_number(value):
        amount = Decimal(value)
    else:
        text = _number_text(value)
        if text is not None:
            amount = _decimal_or_none(text.lstrip(_CURRENCY_SIGNS).replace(",", "").strip())
    if amount is None or not _is_sane_amount(amount):
        raise BadValueError("an amount", value)
    return amount


def _decimal_or_none(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _is_sane_amount(amount: Decimal) -> bool:
    """Finite (the exponent of NaN and Infinity is a letter), not absurdly large or fine."""
    exponent = amount.as_tuple().exponent
    return (
        isinstance(exponent, int)
        and exponent >= -MAX_AMOUNT_DIGITS
        and amount.adjusted() < MAX_AMOUNT_DIGITS
    )


def to_bool(value: object, _: object = None) -> bool:
    """JSON booleans, 0/1 and ``"true"``/``"false"``/``"yes"``/``"no"``."""
    if isinstance(value, bool):
        return value
    if type(value) is int and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and len(value) <= MAX_NUMBER_TEXT:
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    raise BadValueError("a boolean", value)


def to_str(value: object, _: object = None) -> str:
    """Strings, and finite numbers as their text (an ``order_id`` may come as a number)."""
    if isinstance(value, str):
        return value
    if type(value) is int or (isinstance(value, float) and math.isfinite(value)):
        return str(value)
    raise BadValueError("a string", value)


def to_datetime(value: object, _: object = None) -> datetime:
    """Every format :mod:`._dates` reads, as aware UTC."""
    return _parsed_text(value, parse_datetime, "a timestamp")


def to_date(value: object, _: object = None) -> date:
    """A date (a timestamp's date part is accepted too)."""
    return _parsed_text(value, parse_date, "a date")


def _parsed_text(value: object, parse: Callable[[str], T], expected: str) -> T:
    if isinstance(value, str):
        try:
            return parse(value)
        except ValueError:  # the parsers raise nothing else, whatever the text
            pass
    raise BadValueError(expected, value)


def to_str_tuple(value: object, _: object = None) -> tuple[str, ...]:
    """A JSON array of strings, or a comma-separated string (coupon codes); null is empty."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list):
        return tuple(to_str(item) for item in value)
    if value is None:
        return ()
    raise BadValueError("a list of strings", value)


def to_json_value(value: object, _: object = None) -> Any:
    """A free-form value, kept as parsed: finite numbers only, arrays and objects nested at
    most MAX_NESTING levels deep. Checked level by level: no recursion, whatever the depth."""
    level = [value]
    for depth in range(MAX_NESTING + 1):
        children: list[object] = []
        for node in level:
            if isinstance(node, (dict, list)):
                if depth == MAX_NESTING:
                    raise BadValueError(f"a value nested at most {MAX_NESTING} levels", value)
                children.extend(node.values() if isinstance(node, dict) else node)
            elif isinstance(node, float) and not math.isfinite(node):
                raise BadValueError("a finite number", node)
        level = children
    return value


#: The reader for each scalar type a model field can hold.
SCALAR_HOOKS: dict[Any, Callable[[Any, Any], Any]] = {
    int: to_int,
    float: to_float,
    Decimal: to_decimal,
    bool: to_bool,
    str: to_str,
    datetime: to_datetime,
    date: to_date,
}
