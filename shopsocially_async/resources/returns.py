"""``client.returns``: take back the points of a returned order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import _params as p
from ..models import Transaction
from ._base import Resource, decode_one, make_call

__all__ = ["Returns"]


class Returns(Resource):
    """Order returns (``POST /transaction/return``)."""

    async def create(
        self,
        *,
        order_id: str,
        returned_amount: p.Amount | None = None,
        extra_body: Mapping[str, Any] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Transaction:
        """Process a return of the order awarded with ``order_id``.

        Without ``returned_amount`` it is a full return; with it (a positive amount), a
        partial one: the points for the amount kept are awarded again. Returns-tracking
        fields such as ``returned_product_id`` and ``quantity`` go in ``extra_body``.
        Never retried once it may have reached the server.
        """
        body: dict[str, Any] = {"order_id": p.text("order_id", order_id)}
        if returned_amount is not None:
            body["returned_amount"] = p.positive_amount("returned_amount", returned_amount)
        call = make_call(
            "POST", "/transaction/return", "/transaction/return", body=body,
            extra_body=extra_body, extra_query=extra_query, extra_headers=extra_headers,
        )  # fmt: skip
        return await self._send(call, decode_one(Transaction))
