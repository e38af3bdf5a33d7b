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
* Returns (see :mod:`._orders` for orders, their lines and a return's parameters) take back
  points in a ``deduct`` entry with status ``pending_deduction``, which takes them off the
  available balance at once (the balance never shows points the merchant is taking back); its
  ``auto_approval_date`` is 30 days later. A full return deducts the points standing for the
  order. A partial return by ``returned_amount`` deducts them too, then re-awards the points
  for what is kept, ``floor((left - returned_amount) x multiplier)``, with the award's approval
  status (as 001 says: "the amount will be subtracted ... and remaining points will be
  awarded"). A product return deducts only the points of the units returned, the difference
  between the points standing before and after, and re-awards nothing. A return of all that is
  left is a full return, after which the order takes no more returns (400). The balance check
  (RETURN_VALUE_EXCEEDS_AVAILABLE_BALANCE) is on the net change. Returning an award still
  ``pending`` rejects it and deducts nothing (0 points); a partial or product return then
  re-awards the rest, pending.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction

from . import _catalog as catalog
from . import _formats as fmt
from ._errors import coded, invalid_value, missing_parameters
from ._ledger import LedgerCore, next_month, window_start
from ._orders import Order, ReturnRequest, read_lines, read_return
from ._records import Activity, Member, Redemption, Transaction

GRANTED = ("approved", "auto_approved")


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
        *,
        products: object = None,
    ) -> Transaction:
        """Award points for an activity (see the module docstring for the rules); with an
        ``order_id``, ``products`` are the order's lines (see :mod:`._orders`)."""
        amount = (
            None
            if catalog.is_blank(points_passed)
            else fmt.positive(points_passed, "points_passed")
        )
        order_key = None if catalog.is_blank(order_id) else fmt.text(order_id, "order_id")
        lines = None if order_key is None or products is None else read_lines(products)
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
            base = Fraction(points if amount is None else amount)
            order = Order(txn.member_key, base, Fraction(multiplier), txn, lines or {})
            self.orders[order_key] = order
        return txn

    def _awardable(self, activity_id: str, amount: Decimal | None) -> Activity:
        activity = self.activities.get(activity_id)
        if activity is None:
            raise invalid_value(f"Invalid value for activity_id: no activity {activity_id}.")
        if not activity.is_active:
            raise coded("PAUSED_ACTIVITY", "Activity is in paused state.")
        if activity.activity_type == "bonus_multiplier" and amount is None:
            raise missing_parameters(["points_passed"])
        return activity

    def _check_award_allowed(
        self, member: Member, activity: Activity, order_key: str | None, now: datetime
    ) -> None:
        """Refuse an order already rewarded, then an award over the activity's frequency."""
        if order_key is not None and order_key in self.orders:
            raise coded("DUPLICATE_ORDER_ID", "Loyalty Points already awarded for the Order ID.")
        start = window_start(activity.max_award_frequency_interval, now)
        if (
            self.awards_between(member, activity.activity_id, start, now)
            >= activity.max_award_frequency
        ):
            raise coded("MAX_AWARDS_EXCEEDED", "Maximum award limit exceeded.")

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
            raise invalid_value(f"Invalid value for redemption_id: no redemption {redemption_id}.")
        if not reward.is_active:
            raise coded("INACTIVE_REWARD", "This reward is inactive and cannot be redeemed.")
        if not reward.coupon_codes:
            raise coded("MAX_REWARDS_EXCEEDED", "Maximum redemption threshold for reward reached.")
        if member.available_points < reward.allowed_redeem_points:
            raise coded("INSUFFICIENT_REDEEMABLE_POINTS", "User points balance insufficient.")
        return reward

    def deduct(self, user_email: str, points_passed: object, reason: object) -> Transaction:
        """Take points off a member's balance; never below zero."""
        points = fmt.floor_int(points_passed, "points_passed", minimum=1)
        why = fmt.text(reason, "reason")
        now = self.clock()
        member = self.member(user_email)
        if points > member.available_points:
            raise coded("INVALID_AMOUNT_TO_DEDUCT", "Not enough points to deduct.")
        txn = self.entry(member, "deduct", points, "deducted", now, reason=why, approved_at=now)
        self.record(txn)
        txn.available_points_after = member.available_points
        return txn

    # -- returns ---------------------------------------------------------------------------
    def process_return(
        self,
        order_id: object,
        returned_amount: object = None,
        returned_product_id: object = None,
        quantity: object = None,
    ) -> Transaction:
        """Take back an order's points: wholly, for an amount, or for units of one product.

        Whichever way, the balance changes by ``points_for(left after) - points_for(left)``
        when the award is granted, and not at all while it is pending.
        """
        request = read_return(order_id, returned_amount, returned_product_id, quantity)
        order = self._returnable(request.order_key)
        value = order.returned_value(request)
        granted = order.live_award.points_status in GRANTED
        standing = order.points_for(order.left) if granted else 0
        kept = order.points_for(order.left - value)
        in_place = granted and request.product_id is not None  # the award stays, less its units
        if granted and self.members[order.member_key].available_points + kept < standing:
            raise coded(
                "RETURN_VALUE_EXCEEDS_AVAILABLE_BALANCE",
                "Returned order value exceeds user's points balance.",
            )
        taken = standing - kept if in_place else standing
        reaward = value < order.left and not in_place
        return self._apply_return(order, request, value, taken, reaward=reaward)

    def _returnable(self, order_key: str) -> Order:
        order = self.orders.get(order_key)
        if order is None:
            raise coded("ORDER_NOT_EXIST", "Order with this id does not exist.")
        if order.fully_returned:
            raise invalid_value(f"Invalid value for order_id: {order_key} is fully returned")
        return order

    def _apply_return(
        self, order: Order, request: ReturnRequest, value: Fraction, taken: int, *, reaward: bool
    ) -> Transaction:
        now = self.clock()
        live = order.live_award
        member = self.members[order.member_key]
        granted = live.points_status in GRANTED
        if not granted:
            self.set_status(live, "rejected", now)
        order.take_back(request, value)
        by_product = request.product_id is not None
        deduction = self.entry(
            member,
            "deduct",
            taken,
            "pending_deduction",
            now,
            reason="Order Fully Returned" if order.fully_returned else "Order Partially Returned",
            returned_for_order_id=request.order_key,
            returned_product_id=request.product_id,
            returned_quantity=request.quantity if by_product else None,
            auto_approval_at=now + timedelta(days=30),
        )
        self.record(deduction)
        if reaward:
            activity = self.activities[live.activity_id or ""]
            points = order.points_for(order.left)
            order.live_award = self._award_entry(
                member, activity, points, now, request.order_key, approved=granted
            )
            self.record(order.live_award)
        return deduction


def _floor(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))
