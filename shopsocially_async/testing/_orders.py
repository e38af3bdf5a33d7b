"""Orders the fake takes returns for: what is left of each, its lines, and the points they carry.

An award with an ``order_id`` opens an order. Its *base* is what the award's points were
computed from, following the activity's rules: for a ``bonus_multiplier`` activity the order
amount (``points_passed``) and the activity's multiplier; for a ``fixed`` activity
``points_passed`` (or the points awarded) with a multiplier of 1. The points standing for an
order are always ``floor(left x multiplier)``, ``left`` being the part of the base not returned
yet, so returns taken one after another deduct, in all, exactly what was awarded.

Lines (our assumption: the reference does not say how an award describes its products). An
award may carry ``products``, a JSON array (a JSON string in a form body) of objects
``{"product_id": str, "quantity": int, "amount": number}``, ``amount`` being what the whole
line cost (all its units). It is read only with an ``order_id``; a malformed list is a 400
naming ``products``. ``FakeShopSocially.add_order`` gives the same lines from Python. A line's
part of the base is its share of the lines' amounts, so ``q`` of a line's ``n`` units are worth
``base x amount x q / (n x sum of the lines' amounts)``.

A return's parameters (002): ``returned_product_id`` and ``quantity`` (default 1) return units
of one line; ``returned_amount`` (001) a part of the base; neither, the whole order. The
product id with an amount is PRODUCT_ID_AND_RETURN_AMOUNT_PASSED, ``quantity`` without a product
id a 400. The quantity is read from ``quantity``, as 002's example request sends it; its table
names ``returned_product_quantity`` among the attributes of a differently shaped request
(``member_id``, ``transaction_attributes``), which the fake refuses with a 400 rather than
ignore.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

import attrs

from . import _catalog as catalog
from . import _formats as fmt
from ._errors import coded, invalid_value
from ._records import Transaction

#: The most units one order line (and so one return) may hold.
MAX_QUANTITY = 1_000_000


@attrs.define
class Line:
    """One product of an order: its units, what they cost together, and how many came back."""

    quantity: int
    amount: Fraction
    returned: int = 0


@attrs.frozen
class ReturnRequest:
    """A return's parameters, read and checked (see the module docstring)."""

    order_key: str
    amount: Fraction | None = None
    product_id: str | None = None
    quantity: int = 1


@attrs.define
class Order:
    """What an ``order_id`` award left to return, and the award standing for it."""

    member_key: str
    base: Fraction
    multiplier: Fraction
    live_award: Transaction
    lines: dict[str, Line] = attrs.field(factory=dict)
    left: Fraction = attrs.field()
    fully_returned: bool = False

    @left.default
    def _all_of_it(self) -> Fraction:
        return self.base

    def points_for(self, amount: Fraction) -> int:
        """The points standing for ``amount`` of the base, under the award's rules."""
        return math.floor(amount * self.multiplier)

    def returned_value(self, request: ReturnRequest) -> Fraction:
        """The part of the base ``request`` takes back: the units' worth, the amount, or all
        that is left; refused if the order does not have it."""
        if request.product_id is not None:
            value, name = self._units_value(request.product_id, request.quantity), "quantity"
        elif request.amount:
            value, name = request.amount, "returned_amount"
        else:
            return self.left
        if value > self.left:
            raise invalid_value(
                f"Invalid value for {name}: worth more than what is left of order "
                f"{request.order_key}"
            )
        return value

    def _units_value(self, product_id: str, quantity: int) -> Fraction:
        line = self.lines.get(product_id)
        if line is None:
            raise coded("INVALID_PRODUCT_ID", "Incorrect product id passed.")
        if quantity > line.quantity - line.returned:
            raise coded(
                "PRODUCT_QUANTITY_EXCEEDED", "Returned product quantity exceeds order quantity."
            )
        total = sum((each.amount for each in self.lines.values()), Fraction(0))
        return self.base * line.amount * quantity / (line.quantity * total)

    def take_back(self, request: ReturnRequest, value: Fraction) -> None:
        """Record the return: less is left, the units are back, a full return closes it."""
        self.left -= value
        self.fully_returned = self.left == 0
        if request.product_id is not None:
            self.lines[request.product_id].returned += request.quantity
        if self.fully_returned:
            for line in self.lines.values():
                line.returned = line.quantity


def read_return(
    order_id: object, returned_amount: object, returned_product_id: object, quantity: object
) -> ReturnRequest:
    """Check a return's parameters: values first (400s), then the combination."""
    order_key = fmt.text(order_id, "order_id")
    amount = None if catalog.is_blank(returned_amount) else _amount(returned_amount)
    product_id = (
        None
        if catalog.is_blank(returned_product_id)
        else fmt.text(returned_product_id, "returned_product_id")
    )
    count = None if catalog.is_blank(quantity) else _quantity(quantity, "quantity")
    if count is not None and product_id is None:
        raise invalid_value("Invalid value for quantity: it needs a returned_product_id")
    if product_id is not None and amount is not None:
        raise coded(
            "PRODUCT_ID_AND_RETURN_AMOUNT_PASSED",
            "Please pass either returned product id or returned amount.",
        )
    return ReturnRequest(order_key, amount, product_id, count or 1)


def _amount(value: object) -> Fraction:
    amount = fmt.decimal(value, "returned_amount")
    if amount < 0:
        raise invalid_value("Invalid value for returned_amount: must not be negative")
    return Fraction(amount)


def _quantity(value: object, name: str) -> int:
    return fmt.whole(value, name, minimum=1, maximum=MAX_QUANTITY)


def read_lines(value: object) -> dict[str, Line]:
    """An award's ``products`` (see the module docstring), keyed by product id."""
    items = _json_list(value)
    lines: dict[str, Line] = {}
    for item in items:
        product_id, line = _line(item)
        if product_id in lines:
            raise invalid_value(f"Invalid value for products: {product_id!r} listed twice")
        lines[product_id] = line
    if not lines or sum(line.amount for line in lines.values()) <= 0:
        raise invalid_value("Invalid value for products: needs lines whose amounts are not all 0")
    return lines


def _json_list(value: object) -> list[object]:
    if isinstance(value, str):
        try:
            value = json.loads(value, parse_float=Decimal)
        except (ValueError, RecursionError):
            raise invalid_value("Invalid value for products: not a JSON array") from None
    if not isinstance(value, list):
        raise invalid_value("Invalid value for products: expected an array of objects")
    return value


def _line(item: object) -> tuple[str, Line]:
    if not isinstance(item, Mapping):
        raise invalid_value("Invalid value for products: each item must be an object")
    product_id = fmt.text(item.get("product_id"), "products.product_id")
    if not product_id:
        raise invalid_value("Invalid value for products.product_id: must not be empty")
    quantity = _quantity(item.get("quantity"), "products.quantity")
    amount = fmt.decimal(item.get("amount"), "products.amount")
    if amount < 0:
        raise invalid_value("Invalid value for products.amount: must not be negative")
    return product_id, Line(quantity, Fraction(amount))
