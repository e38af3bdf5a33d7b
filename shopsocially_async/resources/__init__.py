"""Resources: thin groups of endpoint methods, reached as attributes of the client."""

from __future__ import annotations

from .activities import Activities
from .points import Points
from .redemptions import Redemptions
from .returns import Returns
from .transactions import Transactions
from .users import Users

__all__ = ["Activities", "Points", "Redemptions", "Returns", "Transactions", "Users"]
