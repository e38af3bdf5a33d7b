"""Settling in-doubt writes, the pure part: which ledger transaction (if any) is a write's.

A write whose answer was lost (``outcome_unknown``) left either one transaction in its
member's ledger or none. :func:`match` decides which, from the member's transactions read
over a window of time, without any I/O, so every rule is table-tested:

* A transaction is a **candidate** for a write when its *trace* equals the write's (below),
  it was created no earlier than the first send less the clock skew (``created_time`` has
  whole seconds, so the start is rounded down) and no later than the ledger was read plus
  the clock skew, and no other write of the run has claimed it (``claimed``).
* Traces use only fields that the reference's example of ``GET /users/{email}/transactions``
  shows, and ignore the sign of ``points``:

  ==========================  ==============================================================
  write                       its transaction
  ==========================  ==============================================================
  award with ``order_id``     an ``award`` with that ``order_id``
  award without               an ``award`` without ``order_id``, same ``activity_id`` and
                              the points the activity gives (``points_passed``, times the
                              multiplier of a ``bonus_multiplier`` activity, rounded down)
  deduct                      not an award or redeem, no order id, same points and ``reason``
  redeem                      a ``redeem`` of that ``redemption_id``
  return                      not an award, for that order (``order_id``, or
                              ``returned_for_order_id`` when the listing has it)
  ==========================  ==============================================================

* Verdicts, per group of writes of one member with one trace: no candidate at all → **not
  applied**; candidates while a write of the run with that trace applied and its answer
  named no transaction (a product return's answer has no id; it claims
  :func:`claim_without_id`) → **ambiguous**, since any of them may be that write's; a
  single write with exactly one candidate → **applied**; identical writes (same
  input, same candidates) with no more candidates than writes → the earliest sent are
  applied, one transaction each, the rest not applied; anything else → **ambiguous**, with
  the candidates' ids. A member whose ledger could not be read in full makes every write of
  that member ambiguous: "not applied" is only ever said after a complete read. (A member
  the API says does not exist, ``INVALID_MEMBER``, has no ledger: read in full, empty, for
  the writes sent to that member. A return names no member on the wire, so its
  ``user_email`` may simply be wrong: its member missing leaves it ambiguous.)
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Container, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import attrs

from ..errors import ShopSociallyError
from ..models import Activity, Transaction
from ._inputs import AwardInput, DeductInput, RedeemInput, ReturnInput

__all__ = [
    "InDoubtWrite",
    "LedgerRead",
    "Settlement",
    "Verdict",
    "WriteInput",
    "claim_without_id",
    "match",
]

WriteInput = AwardInput | RedeemInput | DeductInput | ReturnInput
Trace = tuple[Any, ...]
DEFAULT_CLOCK_SKEW = timedelta(minutes=2)


def _aware(_: object, attribute: attrs.Attribute[Any], value: datetime | None) -> None:
    if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
        raise ValueError(f"{attribute.name} must be a timezone-aware datetime, got {value!r}")


@attrs.frozen(kw_only=True)
class InDoubtWrite:
    """A write that may or may not have applied.

    ``sent_at`` is when it was first sent (the ledger is searched from then, less the clock
    skew); ``failed_at`` when its caller stopped waiting for it (default: ``sent_at``): the
    server may still apply a request it received after that, so the ledger is read only a
    grace period later. A return names no member, so give its ``ReturnInput(user_email=...)``
    to settle it. ``error`` is the error the write ended with, kept for the caller.
    """

    input: WriteInput
    sent_at: datetime = attrs.field(validator=_aware)
    failed_at: datetime | None = attrs.field(default=None, validator=_aware)
    error: ShopSociallyError | None = attrs.field(default=None, eq=False)

    @property
    def user_email(self) -> str | None:
        """The member whose ledger holds the write's transaction, if known."""
        return self.input.user_email

    @property
    def last_seen_at(self) -> datetime:
        """When the write was last known to be on its way (``failed_at`` or ``sent_at``)."""
        return self.failed_at or self.sent_at


class Verdict(enum.Enum):
    """What reading the ledger back says about a write."""

    APPLIED = "applied"
    NOT_APPLIED = "not_applied"
    AMBIGUOUS = "ambiguous"


@attrs.frozen(kw_only=True)
class Settlement:
    """The verdict on one in-doubt write.

    ``transaction`` is the write's transaction when it applied; ``candidates`` the ids of the
    transactions that may be its when the verdict is ambiguous; ``reason`` says why, in words.
    """

    write: InDoubtWrite
    verdict: Verdict
    transaction: Transaction | None = None
    candidates: tuple[str, ...] = ()
    reason: str = ""

    @property
    def transaction_id(self) -> str | None:
        """The id of the write's transaction, when it applied."""
        return None if self.transaction is None else self.transaction.id


@attrs.frozen(kw_only=True)
class LedgerRead:
    """One member's transactions, read completely at ``read_at``; or why they could not be."""

    read_at: datetime
    transactions: tuple[Transaction, ...] = ()
    error: str | None = None
    #: The API said this member does not exist: no write sent to it applied.
    no_such_member: bool = False


def member_key(email: str) -> str:
    """Members are the same whatever the case of their email."""
    return email.strip().lower()


def _text(value: object) -> str | None:
    return None if value is None else str(value).strip()


def _whole_points(value: object) -> int | None:
    """``abs(points)`` as a whole number (the sign convention of deductions varies)."""
    if value is None or isinstance(value, bool):
        return None
    number = Decimal(str(value))
    return abs(int(number.to_integral_value(rounding=ROUND_FLOOR))) if number.is_finite() else None


def transaction_trace(txn: Transaction) -> Trace:
    """What a transaction looks like to :func:`write_trace` (see the module docstring)."""
    kind = (txn.transaction_type or "").strip().lower()
    order = _text(txn.order_id) or _text(txn.returned_for_order_id)
    if kind == "award":
        if order:
            return ("award", "order", order)
        return ("award", _text(txn.activity_id), _whole_points(txn.points))
    if kind == "redeem":
        return ("redeem", _text(txn.redemption_id))
    if order:
        return ("return", order)
    return ("deduct", _whole_points(txn.points), _text(txn.reason))


def award_points(award: AwardInput, activity: Activity) -> int | None:
    """The points an award without ``order_id`` gives, by its activity's rules."""
    if award.points_passed is None:
        return activity.points_per_activity
    multiplier = Decimal(1)
    if activity.activity_type == "bonus_multiplier":
        if activity.bonus_multiplier is None or not math.isfinite(activity.bonus_multiplier):
            return None
        multiplier = Decimal(str(activity.bonus_multiplier))
    amount = Decimal(str(award.points_passed)) * multiplier
    return int(amount.to_integral_value(rounding=ROUND_FLOOR))


def write_trace(item: WriteInput, activities: Mapping[str, Activity]) -> Trace | str:
    """The trace the write's transaction has, or why it cannot be told (a sentence)."""
    if isinstance(item, AwardInput):
        if item.order_id is not None:
            return ("award", "order", _text(item.order_id))
        activity = activities.get(item.activity_id)
        points = None if activity is None else award_points(item, activity)
        if points is None:
            return f"the points of activity {item.activity_id!r} could not be worked out"
        return ("award", _text(item.activity_id), points)
    if isinstance(item, RedeemInput):
        return ("redeem", _text(item.redemption_id))
    if isinstance(item, DeductInput):
        return ("deduct", _whole_points(item.points_passed), _text(item.reason))
    return ("return", _text(item.order_id))


def claim_without_id(item: WriteInput) -> str | None:
    """What a write that applied claims when its answer named no transaction: every
    transaction of its member with its trace, as one entry for ``claimed`` (None when the
    write names no member, or its trace needs the activities)."""
    if item.user_email is None:
        return None
    trace = write_trace(item, {})
    return None if isinstance(trace, str) else _trace_claim(member_key(item.user_email), trace)


def _trace_claim(member: str, trace: Trace) -> str:
    # NUL-led: never a transaction id.
    return "\0" + json.dumps([member, list(trace)])


def _in_window(txn: Transaction, start: datetime, end: datetime) -> bool:
    # A transaction without a time cannot be placed outside the window: it stays a candidate.
    return txn.created_time is None or start <= txn.created_time <= end


def window(
    write: InDoubtWrite, ledger: LedgerRead, clock_skew: timedelta
) -> tuple[datetime, datetime]:
    """When the write's transaction can have been created, as the ledger's clock shows it."""
    start = (write.sent_at - clock_skew).replace(microsecond=0)
    return start, ledger.read_at + clock_skew


def _time_order(txn: Transaction) -> tuple[bool, datetime, str]:
    """Oldest first; transactions without a time last."""
    when = txn.created_time
    return (when is None, when or _EPOCH, txn.id or "")


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def candidates(
    write: InDoubtWrite,
    trace: Trace,
    ledger: LedgerRead,
    claimed: Container[str],
    clock_skew: timedelta,
) -> list[Transaction]:
    """The unclaimed transactions of the ledger with the write's trace, inside its window."""
    start, end = window(write, ledger, clock_skew)
    found = [
        txn
        for txn in ledger.transactions
        if txn.id
        and txn.id not in claimed
        and transaction_trace(txn) == trace
        and _in_window(txn, start, end)
    ]
    return sorted(found, key=_time_order)


def match(
    writes: Sequence[InDoubtWrite],
    ledgers: Mapping[str, LedgerRead],
    *,
    claimed: Container[str] = frozenset(),
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
    activities: Mapping[str, Activity] | None = None,
) -> list[Settlement]:
    """One settlement per write, in order (see the module docstring for the rules).

    ``ledgers`` maps each member (:func:`member_key` of the email) to what was read of its
    ledger; ``claimed`` holds the ids of transactions known to be other writes' (writes of
    the same run that succeeded); ``activities`` the activities of awards without order id.
    """
    settled: dict[int, Settlement] = {}
    groups: dict[tuple[str, Trace], list[int]] = {}
    for index, write in enumerate(writes):
        placed = _place(write, ledgers, activities or {})
        if isinstance(placed, str):
            settled[index] = _ambiguous(write, (), placed)
        else:
            groups.setdefault(placed, []).append(index)
    for (member, trace), indexes in groups.items():
        ledger = ledgers[member]
        found = {i: candidates(writes[i], trace, ledger, claimed, clock_skew) for i in indexes}
        if _trace_claim(member, trace) in claimed:
            settled.update(_unidentified_twin(writes, found))
        else:
            settled.update(_decide(writes, found))
    return [settled[index] for index in range(len(writes))]


def _place(
    write: InDoubtWrite, ledgers: Mapping[str, LedgerRead], activities: Mapping[str, Activity]
) -> tuple[str, Trace] | str:
    """The write's member and trace, or why its transaction cannot be looked for."""
    if write.user_email is None:
        return "the member is unknown (a return settles only with its user_email)"
    member = member_key(write.user_email)
    ledger = ledgers.get(member)
    if ledger is None:
        return "the member's ledger was not read"
    if ledger.error is not None:
        return f"the member's ledger could not be read: {ledger.error}"
    if ledger.no_such_member and isinstance(write.input, ReturnInput):
        # A return is sent by order id alone: the order's member may be another one.
        return (
            "no member has this user_email: the return's order may be another member's "
            "(or the email is mistyped)"
        )
    trace = write_trace(write.input, activities)
    return trace if isinstance(trace, str) else (member, trace)


def _unidentified_twin(
    writes: Sequence[InDoubtWrite], found: Mapping[int, list[Transaction]]
) -> dict[int, Settlement]:
    """A write of the run with this trace applied without naming its transaction."""
    union = sorted({t.id: t for ts in found.values() for t in ts}.values(), key=_time_order)
    if not union:
        return {i: _not_applied(writes[i]) for i in found}
    reason = (
        "a write of this run like this one applied and its answer named no transaction: "
        f"any of these {len(union)} may be that one's"
    )
    return {i: _ambiguous(writes[i], union, reason) for i in found}


def _decide(
    writes: Sequence[InDoubtWrite], found: Mapping[int, list[Transaction]]
) -> dict[int, Settlement]:
    """The verdicts of one group: writes of one member whose transactions look alike."""
    union = sorted({t.id: t for ts in found.values() for t in ts}.values(), key=_time_order)
    if not union:
        return {i: _not_applied(writes[i]) for i in found}
    if len(found) == 1:
        ((index, only),) = found.items()
        if len(only) == 1:
            return {index: _applied(writes[index], only[0])}
        return {index: _ambiguous(writes[index], only, f"{len(only)} transactions match")}
    if _interchangeable(writes, found) and len(union) <= len(found):
        return _share_out(writes, sorted(found, key=lambda i: (writes[i].sent_at, i)), union)
    reason = f"{len(found)} writes of this run could each be any of {len(union)} transactions"
    return {i: _ambiguous(writes[i], union, reason) for i in found}


def _interchangeable(
    writes: Sequence[InDoubtWrite], found: Mapping[int, list[Transaction]]
) -> bool:
    """Identical writes seeing the same candidates: which of them applied does not matter."""
    first = next(iter(found))
    ids = [t.id for t in found[first]]
    return all(
        writes[i].input == writes[first].input and [t.id for t in ts] == ids
        for i, ts in found.items()
    )


def _share_out(
    writes: Sequence[InDoubtWrite], in_send_order: list[int], union: list[Transaction]
) -> dict[int, Settlement]:
    """As many identical writes applied as there are transactions; the others did not."""
    applied = in_send_order[: len(union)]
    verdicts = {i: _applied(writes[i], txn) for i, txn in zip(applied, union, strict=True)}
    for index in in_send_order[len(union) :]:
        verdicts[index] = _not_applied(writes[index])
    return verdicts


def _applied(write: InDoubtWrite, txn: Transaction) -> Settlement:
    return Settlement(
        write=write, verdict=Verdict.APPLIED, transaction=txn, reason=f"transaction {txn.id}"
    )


def _not_applied(write: InDoubtWrite) -> Settlement:
    return Settlement(
        write=write, verdict=Verdict.NOT_APPLIED, reason="no matching transaction in the ledger"
    )


def _ambiguous(write: InDoubtWrite, found: Sequence[Transaction], reason: str) -> Settlement:
    ids = tuple(t.id for t in found if t.id)
    return Settlement(write=write, verdict=Verdict.AMBIGUOUS, candidates=ids, reason=reason)
