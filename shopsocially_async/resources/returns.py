"""``client.returns``: take back the points of a returned order, or of some of its products."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import _params as p
from ..errors import InvalidArgumentError
from ..models import Transaction
from ._base import Extras, Resource, decode_one

__all__ = ["Returns", "return_units"]

#: The most units one return may take back: far above any real order line, so a larger
#: number is a mistake (an id or an amount passed as a quantity).
MAX_QUANTITY = 1_000_000


def _quantity(name: str, value: object) -> int:
    """A whole number of units from 1 to :data:`MAX_QUANTITY`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_QUANTITY:
        raise InvalidArgumentError(
            f"{name} must be a whole number of units from 1 to {MAX_QUANTITY}, got {value!r}"
        )
    return value


_CHECKS: dict[str, p.Validator] = {
    "order_id": p.text,
    "returned_amount": p.positive_amount,
    "returned_product_id": p.text,
    "quantity": _quantity,
}


class Returns(Resource):
    """Order returns (``POST /transaction/return``)."""

    async def create(
        self,
        *,
        order_id: str,
        returned_amount: p.Amount | None = None,
        returned_product_id: str | None = None,
        quantity: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Transaction:
        """Process a return of the order awarded with ``order_id``, in one of three ways:

        * nothing else: a full return, every point of the order comes back;
        * ``returned_amount`` (a positive amount): a partial return, the points for the amount
          kept are awarded again;
        * ``returned_product_id`` and ``quantity`` (a whole number of units, default 1): a
          product return (returns tracking), the points of those units come back. The answer
          is then in the returns-tracking shape, which names the member ``first_name`` and
          ``last_name`` and carries no transaction id.

        ``returned_amount`` with a product is refused before sending (the API would answer
        PRODUCT_ID_AND_RETURN_AMOUNT_PASSED), as is a ``quantity`` without a product. Never
        retried once it may have reached the server.

        The units go on the wire as ``quantity``, the name the returns-tracking reference's
        example request uses; its table says ``returned_product_quantity``, but as an
        attribute of another request shape (``member_id``, ``transaction_attributes``).
        """
        body = p.validated(
            {
                "order_id": order_id,
                "returned_amount": returned_amount,
                "returned_product_id": returned_product_id,
                "quantity": return_units(returned_amount, returned_product_id, quantity),
            },
            _CHECKS,
            required=("order_id",),
        )
        extras = Extras(query=extra_query, headers=extra_headers, body=extra_body)
        call = self._call("POST", "/transaction/return", extras, body=body)
        return await self._send(call, decode_one(Transaction))


def return_units(
    returned_amount: object, returned_product_id: object, quantity: int | None
) -> int | None:
    """The quantity to send: 1 by default for a product return, none for an order return;
    refuses the combinations the API refuses."""
    if returned_product_id is None:
        if quantity is not None:
            raise InvalidArgumentError("quantity needs returned_product_id: which product?")
        return None
    if returned_amount is not None:
        raise InvalidArgumentError(
            "returned_amount and returned_product_id are exclusive: pass one (the API "
            "answers PRODUCT_ID_AND_RETURN_AMOUNT_PASSED)"
        )
    return 1 if quantity is None else quantity
