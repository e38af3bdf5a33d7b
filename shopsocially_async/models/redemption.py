"""Redemption options: what members spend points on."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import attrs

__all__ = ["Redemption"]


@attrs.frozen(kw_only=True)
class Redemption:
    """A redemption option. ``giftcard_coupon_codes`` arrives comma-separated and is split."""

    redemption_id: str | None = None
    id: str | None = None
    merchant_id: str | None = None
    redemption_name: str | None = None
    redemption_value: Decimal | None = None
    allowed_redeem_points: int | None = None
    is_active: bool | None = None
    giftcard_description: str | None = None
    terms_and_conds_text: str | None = None
    redemption_instructions: str | None = None
    giftcard_coupon_codes: tuple[str, ...] = ()
    coupon_expiry: date | None = None
    coupon_expiry_delta: int | None = None
    coupon_expiry_trigger: int | None = None
    associated_levels: tuple[str, ...] = ()
    send_redemption_email: bool | None = None
    enable_coupon_based_incentive: bool | None = None
    show_redemption_in_user_dashboard: bool | None = None
    show_on_merchant_center: bool | None = None
    redemption_email_subject: str | None = None
    redemption_email_html: str | None = None
    after_redemption_html: str | None = None
    loyalty_redemption_card_img: str | None = None
    created_time: datetime | None = None
    updated_time: datetime | None = None
