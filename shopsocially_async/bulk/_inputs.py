"""The inputs of each bulk write: one frozen record per call, fields named as the API's."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from ..errors import InvalidArgumentError

__all__ = ["AwardInput", "DeductInput", "RedeemInput", "ReturnInput", "coerce_input"]

Amount = int | float | Decimal
NOT_SENT = "shopsocially_async.not_sent"  # field metadata: known to the input, not to the API
InputT = TypeVar("InputT", "AwardInput", "RedeemInput", "DeductInput", "ReturnInput")


@attrs.frozen(kw_only=True)
class AwardInput:
    """Arguments of ``client.points.award`` (pass ``order_id`` for purchases: safe retries)."""

    user_email: str
    activity_id: str
    points_passed: Amount | None = None
    order_id: str | None = None


@attrs.frozen(kw_only=True)
class RedeemInput:
    """Arguments of ``client.points.redeem``."""

    user_email: str
    redemption_id: str


@attrs.frozen(kw_only=True)
class DeductInput:
    """Arguments of ``client.points.deduct``."""

    user_email: str
    points_passed: int
    reason: str


@attrs.frozen(kw_only=True)
class ReturnInput:
    """Arguments of ``client.returns.create``: a whole order, a ``returned_amount`` of it, or
    a ``quantity`` of one of its products (``returned_product_id``).

    ``user_email``, the member the order belongs to, is not sent (the API finds the member
    from the order): it lets a return whose answer was lost be settled against the ledger.
    """

    order_id: str
    returned_amount: Amount | None = None
    returned_product_id: str | None = None
    quantity: int | None = None
    extra_body: Mapping[str, Any] | None = None
    user_email: str | None = attrs.field(default=None, metadata={NOT_SENT: True})


def coerce_input(kind: type[InputT], item: InputT | Mapping[str, Any]) -> InputT:
    """``item`` itself, or the input record built from a mapping of its fields."""
    if isinstance(item, kind):
        return item
    if not isinstance(item, Mapping):
        raise InvalidArgumentError(
            f"expected a {kind.__name__} or a mapping of its fields, got {type(item).__name__}"
        )
    try:
        return kind(**item)
    except TypeError as exc:
        raise InvalidArgumentError(f"{kind.__name__}: {exc}") from None


def as_kwargs(item: AwardInput | RedeemInput | DeductInput | ReturnInput) -> dict[str, Any]:
    """The keyword arguments of the client call, leaving out unset optional fields."""
    names = _FIELD_NAMES.get(type(item))
    if names is None:
        names = _FIELD_NAMES[type(item)] = tuple(
            a.name for a in attrs.fields(type(item)) if not a.metadata.get(NOT_SENT)
        )
    kwargs = {}
    for name in names:
        value = getattr(item, name)
        if value is not None:
            kwargs[name] = value
    return kwargs


# Field names per input class (attrs.asdict walks the fields' metadata on every call).
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
