"""``client.redemptions``: what members spend points on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, TypedDict

from .. import _params as p
from .._protocol import path_segment
from ..models import Redemption
from ._base import Resource, decode_list, decode_one, make_call, update_body

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
        call = make_call(
            "GET", "/redemptions", "/redemptions", extra_query=extra_query,
            extra_headers=extra_headers,
        )  # fmt: skip
        return await self._send(call, decode_list(Redemption))

    async def get(
        self,
        redemption_id: str,
        *,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Redemption:
        """One redemption option (``GET /redemptions/{redemption_id}``)."""
        call = make_call(
            "GET", "/redemptions/{redemption_id}", _path(redemption_id),
            extra_query=extra_query, extra_headers=extra_headers,
        )  # fmt: skip
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
        call = make_call(
            "POST", "/redemptions", "/redemptions", body=body, extra_body=extra_body,
            extra_query=extra_query, extra_headers=extra_headers,
        )  # fmt: skip
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
        call = make_call(
            "PUT", "/redemptions/{redemption_id}", _path(redemption_id), body=body,
            extra_body=extra_body, extra_query=extra_query, extra_headers=extra_headers,
        )  # fmt: skip
        return await self._send(call, decode_one(Redemption))


def _path(redemption_id: str) -> str:
    return "/redemptions/" + path_segment(p.identifier("redemption_id", redemption_id))
