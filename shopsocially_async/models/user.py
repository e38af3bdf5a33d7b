"""Loyalty members and their small nested records."""

from __future__ import annotations

from datetime import datetime

import attrs

__all__ = ["ExpirationScheduleEntry", "LastAwardTransaction", "User"]


@attrs.frozen(kw_only=True)
class ExpirationScheduleEntry:
    """Points that expire together on ``expiration_date``."""

    expiration_date: datetime | None = None
    points: int | None = None


@attrs.frozen(kw_only=True)
class LastAwardTransaction:
    """The member's most recent award (an empty object in the API becomes ``None``)."""

    date: datetime | None = None
    points: int | None = None
    name: str | None = None


@attrs.frozen(kw_only=True)
class User:
    """A loyalty member, as returned by get, create, update and the users listing."""

    user_id: str | None = None
    user_email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    profile_image_url: str | None = None
    gender: str | None = None
    redeemed_points: int | None = None
    available_points: int | None = None
    loyalty_level_id: str | None = None
    loyalty_level_name: str | None = None
    loyalty_lifetime_level_id: str | None = None
    loyalty_life_time_level_name: str | None = None
    user_language: str | None = None
    user_status: str | None = None
    merchant_uid: str | None = None
    dashboard_url: str | None = None
    expiration_schedule: tuple[ExpirationScheduleEntry, ...] = ()
    last_award_transaction: LastAwardTransaction | None = None
