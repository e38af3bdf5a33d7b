"""``client.redemptions``: what members spend points on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, TypedDict

from .. import _params as p
from ..models import Redemption
from ._base import Extras, Resource, decode_list, decode_one, update_body

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["RedemptionChanges", "Redemptions"]


class RedemptionChanges(TypedDict, total=False):
    """What ``redemptions.update`` changes: the fields Update Redemption's table lists."""

    redemption_name: str | None
    is_active: bool | None
    allowed_redeem_points: int | None
    redemption_value: p.Amount | None
    giftcard_description: str | None
    terms_and_conds_text: str | None
    redemption_instructions: str | None
    giftcard_coupon_codes: Iterable[str] | None
    coupon_expiry: date | None


_CHECKS: dict[str, p.Validator] = {
    "redemption_id": p.text,
    "redemption_name": p.text,
    "is_active": p.boolean,
    "allowed_redeem_points": p.positive_points,
    "redemption_value": p.positive_amount,
    "giftcard_description": p.text,
    "terms_and_conds_text": p.text,
    "redemption_instructions": p.text,
    "giftcard_coupon_codes": lambda _, codes: p.coupon_codes(codes),
    "coupon_expiry": lambda _, expiry: p.coupon_expiry(expiry),
}
_UPDATABLE = tuple(RedemptionChanges.__annotations__)
_REQUIRED_ON_CREATE = (
    "redemption_id",
    "redemption_name",
    "allowed_redeem_points",
    "redemption_value",
    "giftcard_description",
    "terms_and_conds_text",
    "giftcard_coupon_codes",
    "coupon_expiry",
)


class Redemptions(Resource):
    """Configure redemption options (gift cards, coupons)."""

    async def list(
        self,
        *,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> list[Redemption]:
        """Every configured redemption option (``GET /redemptions``)."""
        extras = Extras(query=extra_query, headers=extra_headers)
        call = self._call("GET", "/redemptions", extras)
        return await self._send(call, decode_list(Redemption))

    async def get(
        self,
        redemption_id: str,
        *,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Redemption:
        """One redemption option (``GET /redemptions/{redemption_id}``)."""
        extras = Extras(query=extra_query, headers=extra_headers)
        ids = {"redemption_id": redemption_id}
        call = self._call("GET", "/redemptions/{redemption_id}", extras, ids=ids)
        return await self._send(call, decode_one(Redemption))

    async def create(
        self,
        *,
        redemption_id: str,
        redemption_name: str,
        allowed_redeem_points: int,
        redemption_value: p.Amount,
        giftcard_description: str,
        terms_and_conds_text: str,
        giftcard_coupon_codes: Iterable[str],
        coupon_expiry: date,
        is_active: bool | None = None,
        redemption_instructions: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Redemption:
        """Create a redemption option (``POST /redemptions``). ``giftcard_coupon_codes`` is a
        list of one-time codes; ``coupon_expiry`` a date (sent as ``DD-Mon-YYYY``).
        """
        body = p.validated(
            {
                "redemption_id": redemption_id,
                "redemption_name": redemption_name,
                "is_active": is_active,
                "allowed_redeem_points": allowed_redeem_points,
                "redemption_value": redemption_value,
                "giftcard_description": giftcard_description,
                "terms_and_conds_text": terms_and_conds_text,
                "redemption_instructions": redemption_instructions,
                "giftcard_coupon_codes": giftcard_coupon_codes,
                "coupon_expiry": coupon_expiry,
            },
            _CHECKS,
            required=_REQUIRED_ON_CREATE,
        )
        extras = Extras(query=extra_query, headers=extra_headers, body=extra_body)
        call = self._call("POST", "/redemptions", extras, body=body)
        return await self._send(call, decode_one(Redemption))

    async def update(
        self,
        redemption_id: str,
        *,
        extra_body: Mapping[str, Any] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        **changes: Unpack[RedemptionChanges],
    ) -> Redemption:
        """Change a redemption option (``PUT /redemptions/{redemption_id}``), e.g.
        ``update("$10_gift_card", giftcard_coupon_codes=["GIFT-C3"])``; only the fields given
        are sent (``giftcard_coupon_codes`` replaces the pool). A field the reference's table
        does not list (see :class:`RedemptionChanges`) is refused.
        """
        body = update_body("redemptions.update", changes, _UPDATABLE, _CHECKS, extra_body)
        extras = Extras(query=extra_query, headers=extra_headers, body=extra_body)
        ids = {"redemption_id": redemption_id}
        call = self._call("PUT", "/redemptions/{redemption_id}", extras, ids=ids, body=body)
        return await self._send(call, decode_one(Redemption))
