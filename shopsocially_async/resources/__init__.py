"""Resources: thin groups of endpoint methods, reached as attributes of the client."""

from __future__ import annotations

from ._raw import (
    RawActivities,
    RawPoints,
    RawRedemptions,
    RawResources,
    RawReturns,
    RawTransactions,
    RawUsers,
)
from .activities import Activities, ActivityChanges
from .points import Points
from .redemptions import RedemptionChanges, Redemptions
from .returns import Returns
from .transactions import Transactions
from .users import UserChanges, Users

__all__ = [
    "Activities",
    "ActivityChanges",
    "Points",
    "RawActivities",
    "RawPoints",
    "RawRedemptions",
    "RawResources",
    "RawReturns",
    "RawTransactions",
    "RawUsers",
    "RedemptionChanges",
    "Redemptions",
    "Returns",
    "Transactions",
    "UserChanges",
    "Users",
]
