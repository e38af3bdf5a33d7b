"""The program's records and the primitives every write is built from.

``LedgerCore`` holds members, the catalog and the ledger with its indexes, and the only
three ways a balance changes: recording a transaction, changing a transaction's status, and
the opening balance given at enrolment. Hence ``available_points == opening balance + sum of
the ledger's effects`` (:func:`~._records.balance_effect`) by construction.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import TypeVar

from . import _catalog as catalog
from . import _formats as fmt
from ._errors import coded, invalid_value, transaction_not_found
from ._orders import Order
from ._records import Activity, Member, Redemption, Transaction, balance_effect

T = TypeVar("T")
Clock = Callable[[], datetime]
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
REJECTED = ("rejected", "auto_rejected")
MEMBER_FIELDS = ("first_name", "last_name", "gender", "profile_image_url", "loyalty_level_id")
#: What Update User's table lists: the level only (names and profile are set at creation).
MEMBER_UPDATE_FIELDS = ("loyalty_level_id",)


class IdFactory:
    """Deterministic identifiers: Mongo-like 24-hex ids ordered by time, 10-hex user ids."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self._machine = f"{rng.getrandbits(40):010x}"
        self._salt = rng.getrandbits(40)
        self._counter = 0
        self._users = 0

    def object_id(self, at: datetime) -> str:
        self._counter += 1
        seconds = int((at - EPOCH).total_seconds()) & 0xFFFFFFFF
        return f"{seconds:08x}{self._machine}{self._counter & 0xFFFFFF:06x}"

    def user_id(self) -> str:
        self._users += 1
        return f"{(self._users * 0x9E3779B97F4A7C15 + self._salt) % (1 << 40):010x}"


def _chronological(txn: Transaction) -> tuple[datetime, str]:
    return (txn.created_at, txn.id)


def _enrolment(member: Member) -> tuple[datetime, str]:
    return (member.enrolled_at, member.user_id)


def _insort(items: list[T], item: T, key: Callable[[T], tuple[datetime, str]]) -> None:
    """Keep ``items`` sorted; appending is the common case (things happen in time order)."""
    if not items or key(items[-1]) <= key(item):
        items.append(item)
    else:
        bisect.insort(items, item, key=key)


def window_start(interval: str, now: datetime) -> datetime:
    """Start of the calendar window (UTC) in which ``max_award_frequency`` is counted."""
    today = now.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    starts = {
        "day": today,
        "week": today - timedelta(days=today.weekday()),
        "month": today.replace(day=1),
        "year": today.replace(month=1, day=1),
    }
    return starts.get(interval, EPOCH)


def next_month(now: datetime) -> datetime:
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (first + timedelta(days=32)).replace(day=1)


class LedgerCore:
    """One merchant's loyalty program in memory. Not thread-safe: callers hold a lock."""

    def __init__(self, partner_id: str, clock: Clock, id_seed: int = 0) -> None:
        self.partner_id = partner_id
        self.clock = clock
        self.ids = IdFactory(id_seed)
        self.members: dict[str, Member] = {}
        self.members_by_uid: dict[str, Member] = {}
        self.member_order: list[Member] = []
        self.activities: dict[str, Activity] = {}
        self.redemptions: dict[str, Redemption] = {}
        self.ledger: list[Transaction] = []
        self.transactions: dict[str, Transaction] = {}
        self.chronological: list[Transaction] = []
        self.history: dict[str, list[Transaction]] = {}
        self.orders: dict[str, Order] = {}
        self.counted_awards: dict[tuple[str, str], list[Transaction]] = {}

    # -- members ---------------------------------------------------------------------------
    def member(self, email: str) -> Member:
        """The member with this email (any case), or the INVALID_MEMBER business error."""
        found = self.members.get(email.strip().lower())
        if found is None:
            raise coded("INVALID_MEMBER", "Member does not exist.")
        return found

    def create_member(
        self,
        params: Mapping[str, object],
        *,
        available_points: int = 0,
        redeemed_points: int = 0,
        enrolled_at: datetime | None = None,
    ) -> Member:
        """Enrol a member from ``email``, names and the optional profile fields."""
        fields = {name: fmt.text(params.get(name) or "", name) for name in (*MEMBER_FIELDS, "uid")}
        email = fmt.text(params.get("email") or "", "email")
        if "@" not in email:
            raise invalid_value("Invalid value for email: expected an email address")
        if email.lower() in self.members or (
            fields["uid"] and fields["uid"] in self.members_by_uid
        ):
            raise coded("MEMBER_ID_ALREADY_IN_USE", "Member ID already in use.")
        if min(available_points, redeemed_points) < 0:
            raise invalid_value("Invalid value for available_points: must not be negative")
        when = enrolled_at or self.clock()
        uid = fields.pop("uid")
        member = Member(
            user_id=self.ids.user_id(),
            email=email,
            merchant_uid=uid,
            enrolled_at=when,
            last_activity_at=when,
            available_points=available_points,
            redeemed_points=redeemed_points,
            opening_points=available_points,
            **fields,
        )
        self._enrol(member)
        return member

    def _enrol(self, member: Member) -> None:
        self.members[member.email.lower()] = member
        if member.merchant_uid:
            self.members_by_uid[member.merchant_uid] = member
        _insort(self.member_order, member, _enrolment)
        self.history[member.email.lower()] = []

    def update_member(self, uid: str, params: Mapping[str, object]) -> tuple[Member, bool]:
        """Change the documented fields of the member with this uid; says if anything changed."""
        member = self.members_by_uid.get(uid)
        if member is None:
            raise coded("INVALID_MEMBER", "Member does not exist.")
        catalog.refuse_undocumented(params, MEMBER_UPDATE_FIELDS)
        given = {
            name: fmt.text(params[name], name)
            for name in MEMBER_UPDATE_FIELDS
            if params.get(name) is not None
        }
        for name, value in given.items():
            setattr(member, name, value)
        return member, bool(given)

    def ledger_balance(self, email: str) -> int:
        """The balance recomputed from the opening balance and the ledger."""
        member = self.member(email)
        entries = self.history[member.email.lower()]
        return member.opening_points + sum(balance_effect(txn) for txn in entries)

    def last_award(self, member: Member) -> Transaction | None:
        """The member's latest award, whatever its status."""
        entries = self.history[member.email.lower()]
        return next((t for t in reversed(entries) if t.transaction_type == "award"), None)

    # -- catalog ---------------------------------------------------------------------------
    def create_activity(self, params: Mapping[str, object], *, strict: bool = True) -> Activity:
        """Add an activity; an ``activity_id`` already taken is refused."""
        now = self.clock()
        activity = catalog.new_activity(params, self.ids.object_id(now), now, strict=strict)
        if activity.activity_id in self.activities:
            raise invalid_value(
                f"Invalid value for activity_id: {activity.activity_id} already exists."
            )
        self.activities[activity.activity_id] = activity
        return activity

    def update_activity(self, activity: Activity, params: Mapping[str, object]) -> None:
        """Change the given fields of an activity."""
        catalog.apply_update(activity, params, catalog.ACTIVITY_UPDATE_FIELDS)
        activity.updated_at = self.clock()

    def create_redemption(self, params: Mapping[str, object], *, strict: bool = True) -> Redemption:
        """Add a redemption option; a ``redemption_id`` already taken is refused."""
        now = self.clock()
        redemption = catalog.new_redemption(params, self.ids.object_id(now), now, strict=strict)
        if redemption.redemption_id in self.redemptions:
            raise invalid_value(
                f"Invalid value for redemption_id: {redemption.redemption_id} already exists."
            )
        self.redemptions[redemption.redemption_id] = redemption
        return redemption

    def update_redemption(self, redemption: Redemption, params: Mapping[str, object]) -> None:
        """Change the given fields of a redemption option (codes replace the pool)."""
        catalog.apply_update(redemption, params, catalog.REDEMPTION_FIELDS)
        redemption.updated_at = self.clock()

    # -- the ledger ------------------------------------------------------------------------
    def entry(
        self, member: Member, kind: str, points: int, status: str, now: datetime, **fields: object
    ) -> Transaction:
        return Transaction(
            id=self.ids.object_id(now),
            transaction_type=kind,
            points=points,
            points_status=status,
            member_key=member.email.lower(),
            user_id=member.user_id,
            user_email=member.email,
            user_first_name=member.first_name,
            user_last_name=member.last_name,
            created_at=now,
            updated_at=now,
            **fields,  # type: ignore[arg-type]
        )

    def record(self, txn: Transaction) -> None:
        member = self.members[txn.member_key]
        self.ledger.append(txn)
        self.transactions[txn.id] = txn
        _insort(self.chronological, txn, _chronological)
        _insort(self.history[txn.member_key], txn, _chronological)
        if txn.transaction_type == "award":
            counted = self.counted_awards.setdefault((txn.member_key, txn.activity_id or ""), [])
            _insort(counted, txn, _chronological)
        member.available_points += balance_effect(txn)
        member.last_activity_at = max(member.last_activity_at, txn.created_at)

    def set_status(self, txn: Transaction, status: str, now: datetime) -> None:
        before = balance_effect(txn)
        txn.points_status = status
        txn.updated_at = now
        self.members[txn.member_key].available_points += balance_effect(txn) - before
        if txn.transaction_type == "award" and status in REJECTED:
            self.counted_awards[(txn.member_key, txn.activity_id or "")].remove(txn)

    def awards_between(
        self, member: Member, activity_id: str, start: datetime, end: datetime
    ) -> int:
        """How many of the member's awards for the activity, rejected ones aside, fall in
        ``[start, end]`` (what ``max_award_frequency`` counts)."""
        counted = self.counted_awards.get((member.email.lower(), activity_id), [])
        low = bisect.bisect_left(counted, (start, ""), key=_chronological)
        high = bisect.bisect_right(counted, (end, "~"), key=_chronological)
        return high - low

    def approve(self, transaction_id: str, approved_by: str = "admin") -> Transaction:
        """Approve a ``pending`` award (points become available) or a ``pending_deduction``."""
        txn = self.transaction(transaction_id)
        targets = {"pending": "approved", "pending_deduction": "deducted"}
        if txn.points_status not in targets:
            raise ValueError(f"transaction {transaction_id} is {txn.points_status}, not pending")
        now = self.clock()
        self.set_status(txn, targets[txn.points_status], now)
        txn.approved_at, txn.approved_by = now, approved_by
        return txn

    def transaction(self, transaction_id: str) -> Transaction:
        """A transaction by id, or the 404 TRANSACTION_DOES_NOT_EXIST error."""
        txn = self.transactions.get(transaction_id)
        if txn is None:
            raise transaction_not_found()
        return txn
