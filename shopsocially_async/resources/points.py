"""``client.points``: award, redeem and deduct."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import _params as p
from .._protocol import RetrySafety
from ..models import Transaction
from ._base import Extras, Resource, decode_one

__all__ = ["Points"]

_AWARD_CHECKS: dict[str, p.Validator] = {
    "user_email": p.text,
    "activity_id": p.text,
    "points_passed": p.positive_amount,
    "order_id": p.text,
}


class Points(Resource):
    """Move points in and out of a member's account."""

    async def award(
        self,
        *,
        user_email: str,
        activity_id: str,
        points_passed: p.Amount | None = None,
        order_id: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Transaction:
        """Award points for ``activity_id`` (``POST /award``).

        ``points_passed`` overrides a fixed activity's points, or is the base amount (e.g. the
        order total) that a ``bonus_multiplier`` activity multiplies. Pass ``order_id`` for
        purchases: the API refuses a second award for it, so the call is retried safely and a
        retry that meets our own earlier award raises ``DuplicateOrderError(replay=True)``.
        Without ``order_id`` an ambiguous failure is not retried (``outcome_unknown=True``).
        """
        body = p.validated(
            {
                "user_email": user_email,
                "activity_id": activity_id,
                "points_passed": points_passed,
                "order_id": order_id,
            },
            _AWARD_CHECKS,
            required=("user_email", "activity_id"),
        )
        safety = RetrySafety.IDEMPOTENT if order_id is not None else RetrySafety.UNSAFE
        extras = Extras(query=extra_query, headers=extra_headers, body=extra_body)
        call = self._call("POST", "/award", extras, body=body, safety=safety)
        return await self._send(call, decode_one(Transaction))

    async def redeem(
        self,
        *,
        user_email: str,
        redemption_id: str,
        extra_body: Mapping[str, Any] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Transaction:
        """Redeem a redemption option for the member (``POST /redeem``); the transaction
        carries the issued ``coupon_code``. Never retried once it may have reached the server.
        """
        body = {
            "user_email": p.text("user_email", user_email),
            "redemption_id": p.text("redemption_id", redemption_id),
        }
        extras = Extras(query=extra_query, headers=extra_headers, body=extra_body)
        call = self._call("POST", "/redeem", extras, body=body)
        return await self._send(call, decode_one(Transaction))

    async def deduct(
        self,
        *,
        user_email: str,
        points_passed: int,
        reason: str,
        extra_body: Mapping[str, Any] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Transaction:
        """Deduct ``points_passed`` points (``POST /deduct``); ``available_points`` in the
        result is the balance afterwards. Never retried once it may have reached the server.
        """
        body = {
            "user_email": p.text("user_email", user_email),
            "points_passed": p.positive_points("points_passed", points_passed),
            "reason": p.text("reason", reason),
        }
        extras = Extras(query=extra_query, headers=extra_headers, body=extra_body)
        call = self._call("POST", "/deduct", extras, body=body)
        return await self._send(call, decode_one(Transaction))
