"""The loyalty program's state and the rules of every write: plain synchronous code, no I/O.

Every operation checks everything first and changes state only once nothing can fail, so a
refused write leaves no trace. Every change to a balance goes through the ledger, so
``available_points == opening balance + sum of the ledger's effects`` always holds
(:func:`~._records.balance_effect` says what each entry does to the balance).

Semantics chosen where the reference is vague:

* Emails are matched without regard to case; ``uid`` and email are each unique
  (``MEMBER_ID_ALREADY_IN_USE``). Members created without a uid cannot be updated by uid.
* ``points_passed`` rounds down to whole points; for a ``bonus_multiplier`` activity it is the
  order amount and the award is ``floor(amount * bonus_multiplier)``.
* ``max_award_frequency`` counts a member's awards of that activity (rejected ones excepted)
  in the current calendar window in UTC: the day, the ISO week (from Monday), the month, the
  year, or ever for ``lifetime``. Checked after ``DUPLICATE_ORDER_ID``.
* ``manual`` and ``monthly`` awards stay ``pending`` (not spendable) until
  :meth:`LoyaltyState.approve`; a monthly one shows the first day of next month as its
  ``auto_approval_date``. Nothing is approved by the passing of time.
* ``order_id`` is unique across the merchant, whatever the member or activity.
* Returns deduct the order's live award in a ``deduct`` entry with status ``pending_deduction``,
  which takes the points off the available balance at once (the balance never shows points the
  merchant is taking back); its ``auto_approval_date`` is 30 days later. A partial return then
  re-awards ``floor((amount left - returned_amount) * multiplier)`` points with the award's
  approval status; the next return works on what is left of the order. A returned amount equal
  to what is left is a full return. For a ``fixed`` activity the order amount is
  ``points_passed`` (or the points awarded) with a multiplier of 1. The balance check is on the
  net change. Returning an award still ``pending`` rejects it and deducts nothing (0 points).
  The deduction carries the order's id both as ``returned_for_order_id`` (as 002's response
  shows) and as ``order_id``, the field a member's transaction history shows (001).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

from . import _catalog as catalog
from . import _formats as fmt
from ._errors import business_error, invalid_value, missing_parameters, unknown_reference
from ._ledger import LedgerCore, Order, next_month, window_start
from ._records import Activity, Member, Redemption, Transaction, balance_effect


class LoyaltyState(LedgerCore):
    """One merchant's loyalty program in memory. Not thread-safe: callers hold a lock."""

    # -- award -----------------------------------------------------------------------------
    def award(
        self,
        user_email: str,
        activity_id: str,
        points_passed: object = None,
        order_id: object = None,
        at: datetime | None = None,
    ) -> Transaction:
        """Award points for an activity (see the module docstring for the rules)."""
        amount = (
            None
            if catalog.is_blank(points_passed)
            else fmt.positive(points_passed, "points_passed")
        )
        order_key = None if catalog.is_blank(order_id) else fmt.text(order_id, "order_id")
        now = at or self.clock()
        member = self.member(user_email)
        activity = self._awardable(activity_id, amount)
        self._check_award_allowed(member, activity, order_key, now)
        multiplier = (
            activity.bonus_multiplier
            if activity.activity_type == "bonus_multiplier"
            else Decimal(1)
        )
        points = activity.points_per_activity if amount is None else _floor(amount * multiplier)
        txn = self._award_entry(member, activity, points, now, order_key)
        self.record(txn)
        if order_key is not None:
            base = Decimal(points) if amount is None else amount
            self.orders[order_key] = Order(txn.member_key, base, multiplier, txn)
        return txn

    def _awardable(self, activity_id: str, amount: Decimal | None) -> Activity:
        activity = self.activities.get(activity_id)
        if activity is None:
            raise unknown_reference(f"Invalid value for activity_id: no activity {activity_id}.")
        if not activity.is_active:
            raise business_error("PAUSED_ACTIVITY", "Activity is in paused state.")
        if activity.activity_type == "bonus_multiplier" and amount is None:
            raise missing_parameters(["points_passed"])
        return activity

    def _check_award_allowed(
        self, member: Member, activity: Activity, order_key: str | None, now: datetime
    ) -> None:
        """Refuse an order already rewarded, then an award over the activity's frequency."""
        if order_key is not None and order_key in self.orders:
            raise business_error(
                "DUPLICATE_ORDER_ID", "Loyalty Points already awarded for the Order ID."
            )
        start = window_start(activity.max_award_frequency_interval, now)
        if (
            self.awards_between(member, activity.activity_id, start, now)
            >= activity.max_award_frequency
        ):
            raise business_error("MAX_AWARDS_EXCEEDED", "Maximum award limit exceeded.")

    def _award_entry(
        self,
        member: Member,
        activity: Activity,
        points: int,
        now: datetime,
        order_id: str | None,
        *,
        approved: bool | None = None,
    ) -> Transaction:
        immediate = activity.approval_method == "immediate" if approved is None else approved
        monthly = not immediate and activity.approval_method == "monthly"
        return self.entry(
            member,
            "award",
            points,
            "auto_approved" if immediate else "pending",
            now,
            approved_at=now if immediate else None,
            auto_approval_at=next_month(now) if monthly else None,
            activity_id=activity.activity_id,
            activity_name=activity.activity_name,
            order_id=order_id,
        )

    # -- redeem and deduct -----------------------------------------------------------------
    def redeem(
        self, user_email: str, redemption_id: str, at: datetime | None = None
    ) -> Transaction:
        """Spend a reward's points and hand out its next coupon code."""
        now = at or self.clock()
        member = self.member(user_email)
        reward = self._redeemable(redemption_id, member)
        txn = self.entry(
            member,
            "redeem",
            reward.allowed_redeem_points,
            "redeemed",
            now,
            redemption_id=reward.redemption_id,
            redemption_name=reward.redemption_name,
            redemption_value=f"${reward.redemption_value}",
            coupon_code=reward.coupon_codes.pop(0),
        )
        member.redeemed_points += txn.points
        self.record(txn)
        return txn

    def _redeemable(self, redemption_id: str, member: Member) -> Redemption:
        reward = self.redemptions.get(redemption_id)
        if reward is None:
            raise unknown_reference(
                f"Invalid value for redemption_id: no redemption {redemption_id}."
            )
        if not reward.is_active:
            raise business_error(
                "INACTIVE_REWARD", "This reward is inactive and cannot be redeemed."
            )
        if not reward.coupon_codes:
            raise business_error(
                "MAX_REWARDS_EXCEEDED", "Maximum redemption threshold for reward reached."
            )
        if member.available_points < reward.allowed_redeem_points:
            raise business_error(
                "INSUFFICIENT_REDEEMABLE_POINTS", "User points balance insufficient."
            )
        return reward

    def deduct(self, user_email: str, points_passed: object, reason: object) -> Transaction:
        """Take points off a member's balance; never below zero."""
        points = fmt.floor_int(points_passed, "points_passed", minimum=1)
        why = fmt.text(reason, "reason")
        now = self.clock()
        member = self.member(user_email)
        if points > member.available_points:
            raise business_error("INVALID_AMOUNT_TO_DEDUCT", "Not enough points to deduct.")
        txn = self.entry(member, "deduct", points, "deducted", now, reason=why, approved_at=now)
        self.record(txn)
        txn.available_points_after = member.available_points
        return txn

    # -- returns ---------------------------------------------------------------------------
    def process_return(self, order_id: object, returned_amount: object = None) -> Transaction:
        """Take back an order's points, wholly or for the part returned."""
        order_key = fmt.text(order_id, "order_id")
        amount = (
            None
            if catalog.is_blank(returned_amount)
            else fmt.decimal(returned_amount, "returned_amount")
        )
        if amount is not None and amount < 0:
            raise invalid_value("Invalid value for returned_amount: must not be negative")
        order = self._returnable(order_key, amount)
        full = not amount or amount == order.amount
        kept = Decimal(0) if full else order.amount - (amount or Decimal(0))
        live = order.live_award
        granted = live.points_status in ("approved", "auto_approved")
        again = 0 if full else _floor(kept * order.multiplier)
        member = self.members[order.member_key]
        taken = balance_effect(live)
        if member.available_points - taken + (again if granted else 0) < 0:
            raise business_error(
                "RETURN_VALUE_EXCEEDS_AVAILABLE_BALANCE",
                "Returned order value exceeds user's points balance.",
            )
        return self._apply_return(order, order_key, full, kept, again, granted)

    def _returnable(self, order_key: str, amount: Decimal | None) -> Order:
        order = self.orders.get(order_key)
        if order is None:
            raise business_error("ORDER_NOT_EXIST", "Order with this id does not exist.")
        if order.fully_returned:
            raise unknown_reference(f"Order {order_key} has already been fully returned.")
        if amount is not None and amount > order.amount:
            raise unknown_reference(f"Returned amount exceeds what is left of order {order_key}.")
        return order

    def _apply_return(
        self, order: Order, order_key: str, full: bool, kept: Decimal, again: int, granted: bool
    ) -> Transaction:
        now = self.clock()
        live = order.live_award
        member = self.members[order.member_key]
        if not granted:
            self.set_status(live, "rejected", now)
        reason = "Order Fully Returned" if full else "Order Partially Returned"
        deduction = self.entry(
            member,
            "deduct",
            live.points if granted else 0,
            "pending_deduction",
            now,
            reason=reason,
            order_id=order_key,
            returned_for_order_id=order_key,
            auto_approval_at=now + timedelta(days=30),
        )
        self.record(deduction)
        order.amount, order.fully_returned = kept, full
        if not full:
            activity = self.activities[live.activity_id or ""]
            order.live_award = self._award_entry(
                member, activity, again, now, order_key, approved=granted
            )
            self.record(order.live_award)
        return deduction


def _floor(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))
