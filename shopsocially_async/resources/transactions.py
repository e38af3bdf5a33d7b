"""``client.transactions``: the merchant's whole ledger."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from .. import _params as p
from .._dates import format_us_date
from .._pagination import AsyncPaginator
from ..models import Transaction
from ._base import Extras, Listing, Resource, decode_one

__all__ = ["Transactions"]

_TRANSACTIONS = Listing("/transactions", Transaction, items_key="transactions", total_key="total")


class Transactions(Resource):
    """List and fetch loyalty transactions."""

    def list(
        self,
        *,
        from_date: date,
        to_date: date,
        points_status: p.PointsStatus | Iterable[p.PointsStatus] | None = None,
        start_index: int = 0,
        prefetch: int = 0,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> AsyncPaginator[Transaction]:
        """Every transaction between two dates (``GET /transactions``), lazily, page by page.

        ``prefetch=N`` fetches up to N pages ahead while you consume the current one (same
        order, same cursor checks): several times faster when each page waits on latency.

        >>> async for tx in client.transactions.list(  # doctest: +SKIP
        ...     from_date=date(2024, 1, 1), to_date=date(2024, 1, 31), points_status=["approved"]
        ... ):
        ...     print(tx.id, tx.points)
        """
        start, end = p.date_range(from_date, to_date)
        query = p.compact(
            {
                "from_date": format_us_date(start),
                "to_date": format_us_date(end),
                "points_status": p.points_status_filter(points_status),
            }
        )
        extras = Extras(query=extra_query, headers=extra_headers)
        return self._paginate(
            _TRANSACTIONS, query, extras, first_index=start_index, prefetch=prefetch
        )

    async def get(
        self,
        transaction_id: str,
        *,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Transaction:
        """One transaction by id (``GET /transactions/{transaction_id}``)."""
        extras = Extras(query=extra_query, headers=extra_headers)
        ids = {"transaction_id": transaction_id}
        call = self._call("GET", "/transactions/{transaction_id}", extras, ids=ids)
        return await self._send(call, decode_one(Transaction))
