"""The three listings: all transactions, one member's transactions, and members.

Date bounds are whole days in UTC, both included. Items come in a stable order, by creation
time then id (members: enrolment time then ``user_id``, whichever ``filter_by`` is used), so
paging with ``start_index`` neither skips nor repeats while nothing is written inside the
window. ``total`` (``total_loyalty_users``) counts what matches the filters, so that
``next_start_index = start_index + len(items)`` and ``more = next_start_index < total`` agree.
A ``start_index`` past the end gives an empty page with ``next_start_index == start_index``.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import TypeVar

from ._records import Member, Transaction
from ._state import LoyaltyState
from ._views import LISTED_RECORD_KEYS, JsonObject, history_view, member_full, transaction_view

T = TypeVar("T")
PAGE_SIZE = 100
FILTERS = ("enrollment_date", "last_activity_date")


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """``[start of first, start of the day after last)`` in UTC."""
    start = datetime(first.year, first.month, first.day, tzinfo=timezone.utc)
    end = datetime(last.year, last.month, last.day, tzinfo=timezone.utc) + timedelta(days=1)
    return start, end


def _between(
    items: Sequence[T], key: Callable[[T], tuple[datetime, str]], first: date, last: date
) -> Sequence[T]:
    start, end = day_bounds(first, last)
    low = bisect.bisect_left(items, (start, ""), key=key)
    high = bisect.bisect_left(items, (end, ""), key=key)
    return items[low:high]


def _created(txn: Transaction) -> tuple[datetime, str]:
    return (txn.created_at, txn.id)


def _page(items: Sequence[T], start_index: int, size: int) -> tuple[Sequence[T], int, bool]:
    chunk = items[start_index : start_index + size]
    next_start = start_index + len(chunk)
    return chunk, next_start, next_start < len(items)


def _matching(
    state_txns: Sequence[Transaction], first: date, last: date, statuses: frozenset[str] | None
) -> Sequence[Transaction]:
    found = _between(state_txns, _created, first, last)
    if statuses is None:
        return found
    return [txn for txn in found if txn.points_status in statuses]


def transactions_page(
    state: LoyaltyState, first: date, last: date, statuses: frozenset[str] | None, start_index: int
) -> JsonObject:
    """``GET /transactions``: pages of 100 records."""
    found = _matching(state.chronological, first, last, statuses)
    chunk, next_start, more = _page(found, start_index, PAGE_SIZE)
    records = [transaction_view(txn, state.partner_id, LISTED_RECORD_KEYS) for txn in chunk]
    return {
        "total": len(found),
        "next_start_index": next_start,
        "transactions": records,
        "more": more,
    }


def history_page(
    state: LoyaltyState,
    member: Member,
    first: date,
    last: date,
    statuses: frozenset[str] | None,
    start_index: int,
) -> JsonObject:
    """``GET /users/{email}/transactions``: pages of 100 records."""
    found = _matching(state.history[member.email.lower()], first, last, statuses)
    chunk, next_start, more = _page(found, start_index, PAGE_SIZE)
    records = [history_view(txn, state.partner_id) for txn in chunk]
    return {
        "total": len(found),
        "next_start_index": next_start,
        "transactions": records,
        "more": more,
    }


def _enrolled(member: Member) -> tuple[datetime, str]:
    return (member.enrolled_at, member.user_id)


def members_page(
    state: LoyaltyState, first: date, last: date, filter_by: str, start_index: int, count: int
) -> JsonObject:
    """``GET /users``: members enrolled (or last active) in the window, ``count`` at a time."""
    if filter_by == "enrollment_date":
        found = _between(state.member_order, _enrolled, first, last)
    else:
        start, end = day_bounds(first, last)
        found = [m for m in state.member_order if start <= m.last_activity_at < end]
    chunk, next_start, more = _page(found, start_index, count)
    now = state.clock()
    users = [
        member_full(m, state.partner_id, state.last_award(m), listed=True, now=now) for m in chunk
    ]
    return {
        "next_start_index": next_start,
        "total_loyalty_users": len(found),
        "loyalty_users": users,
        "more": more,
    }
