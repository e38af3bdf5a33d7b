"""Frozen, slotted attrs models whose attribute names are the API's field names verbatim."""

from __future__ import annotations

from .activity import Activity
from .page import Page
from .redemption import Redemption
from .transaction import Transaction
from .user import ExpirationScheduleEntry, LastAwardTransaction, User

__all__ = [
    "Activity",
    "ExpirationScheduleEntry",
    "LastAwardTransaction",
    "Page",
    "Redemption",
    "Transaction",
    "User",
]
