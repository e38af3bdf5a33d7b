"""The settling matcher: which ledger transaction, if any, is an in-doubt write's (tables)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from shopsocially_async.bulk import (
    AwardInput,
    DeductInput,
    InDoubtWrite,
    RedeemInput,
    ReturnInput,
    Verdict,
    claim_without_id,
)
from shopsocially_async.bulk._matching import LedgerRead, match
from shopsocially_async.models import Activity, Transaction

BOB = "bob@example.com"
SENT = datetime(2024, 5, 1, 12, 0, 0, 500_000, tzinfo=timezone.utc)
READ = SENT + timedelta(seconds=30)
SKEW = timedelta(seconds=60)
ACTIVITIES = {
    "signup": Activity(activity_id="signup", activity_type="fixed", points_per_activity=50),
    "purchase": Activity(
        activity_id="purchase",
        activity_type="bonus_multiplier",
        bonus_multiplier=2.5,
        points_per_activity=1,
    ),
}


def _txn(txn_id: str, at: datetime | None = SENT, **fields: Any) -> Transaction:
    return Transaction(id=txn_id, created_time=at, user_email=BOB, **fields)


def _deduct(txn_id: str, points: int = 5, reason: str = "refund #1", **kw: Any) -> Transaction:
    return _txn(txn_id, transaction_type="deduct", points=points, reason=reason, **kw)


def _write(item: Any, sent: datetime = SENT) -> InDoubtWrite:
    return InDoubtWrite(input=item, sent_at=sent)


DEDUCT = DeductInput(user_email=BOB, points_passed=5, reason="refund #1")


def _verdicts(
    writes: list[InDoubtWrite],
    ledger: list[Transaction],
    claimed: frozenset[str] = frozenset(),
    error: str | None = None,
) -> list[tuple[str, str | None, tuple[str, ...]]]:
    read = LedgerRead(read_at=READ, transactions=tuple(ledger), error=error)
    settled = match(writes, {BOB: read}, claimed=claimed, clock_skew=SKEW, activities=ACTIVITIES)
    return [(s.verdict.value, s.transaction_id, s.candidates) for s in settled]


APPLIED_1 = [("applied", "t1", ())]
NOT_APPLIED = [("not_applied", None, ())]


@pytest.mark.parametrize(
    ("item", "ledger", "expected"),
    [
        pytest.param(DEDUCT, [_deduct("t1")], APPLIED_1, id="one-candidate"),
        pytest.param(DEDUCT, [], NOT_APPLIED, id="no-transaction"),
        pytest.param(DEDUCT, [_deduct("t1", reason="refund #2")], NOT_APPLIED, id="other-reason"),
        pytest.param(DEDUCT, [_deduct("t1", points=6)], NOT_APPLIED, id="other-points"),
        pytest.param(
            DEDUCT,
            [_deduct("t1"), _deduct("t2", at=SENT + timedelta(seconds=1))],
            [("ambiguous", None, ("t1", "t2"))],
            id="two-candidates",
        ),
        pytest.param(DEDUCT, [_deduct("t1", points=-5)], APPLIED_1, id="negative-points"),
        pytest.param(DEDUCT, [_deduct("t1", at=None)], APPLIED_1, id="no-time-is-a-candidate"),
        pytest.param(
            DEDUCT,
            [_deduct("t1", order_id="o-1", reason="refund #1")],
            NOT_APPLIED,
            id="a-return-is-not-a-deduct",
        ),
        pytest.param(
            AwardInput(user_email=BOB, activity_id="signup", order_id="o-9"),
            [
                _txn("t0", transaction_type="award", activity_id="signup", points=50),
                _txn(
                    "t1", transaction_type="award", activity_id="signup", points=50, order_id="o-9"
                ),
            ],
            APPLIED_1,
            id="award-by-order-id",
        ),
        pytest.param(
            AwardInput(user_email=BOB, activity_id="signup"),
            [
                _txn(
                    "t0", transaction_type="award", activity_id="signup", points=50, order_id="o-9"
                ),
                _txn("t1", transaction_type="award", activity_id="signup", points=50),
            ],
            APPLIED_1,
            id="award-without-order-by-activity-points",
        ),
        pytest.param(
            AwardInput(user_email=BOB, activity_id="purchase", points_passed=41),
            [
                _txn("t0", transaction_type="award", activity_id="purchase", points=41),
                _txn("t1", transaction_type="award", activity_id="purchase", points=102),
            ],
            APPLIED_1,
            id="award-bonus-multiplier-points",
        ),
        pytest.param(
            AwardInput(user_email=BOB, activity_id="missing"),
            [_txn("t1", transaction_type="award", activity_id="missing", points=1)],
            [("ambiguous", None, ())],
            id="award-activity-unknown",
        ),
        pytest.param(
            RedeemInput(user_email=BOB, redemption_id="gift-5"),
            [
                _txn("t0", transaction_type="redeem", redemption_id="gift-10", points=100),
                _txn("t1", transaction_type="redeem", redemption_id="gift-5", points=50),
            ],
            APPLIED_1,
            id="redeem-by-redemption-id",
        ),
        pytest.param(
            ReturnInput(order_id="o-1", user_email=BOB),
            [
                _txn("t0", transaction_type="award", order_id="o-1", points=10),
                _deduct("t1", points=10, reason="Order Fully Returned", order_id="o-1"),
            ],
            APPLIED_1,
            id="return-by-order-id-not-the-re-award",
        ),
        pytest.param(
            ReturnInput(order_id="o-1", user_email=BOB),
            [_deduct("t1", points=10, reason="x", returned_for_order_id="o-1")],
            APPLIED_1,
            id="return-by-returned-for-order-id",
        ),
        pytest.param(
            ReturnInput(order_id="o-1"),
            [_deduct("t1", points=10, reason="x", order_id="o-1")],
            [("ambiguous", None, ())],
            id="return-without-member",
        ),
    ],
)
def test_one_write(item: Any, ledger: list[Transaction], expected: list[Any]) -> None:
    """A single in-doubt write against its member's ledger."""
    assert _verdicts([_write(item)], ledger) == expected


WINDOW_START = (SENT - SKEW).replace(microsecond=0)
WINDOW_END = READ + SKEW


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        pytest.param(WINDOW_START, APPLIED_1, id="at-start-rounded-down"),
        pytest.param(WINDOW_START - timedelta(seconds=1), NOT_APPLIED, id="before-start"),
        pytest.param(WINDOW_END, APPLIED_1, id="at-end"),
        pytest.param(WINDOW_END + timedelta(seconds=1), NOT_APPLIED, id="after-end"),
    ],
)
def test_clock_skew_at_the_window_edges(at: datetime, expected: list[Any]) -> None:
    """The window is [first send - skew (whole seconds), ledger read + skew], both included."""
    assert _verdicts([_write(DEDUCT)], [_deduct("t1", at=at)]) == expected


def test_a_transaction_claimed_by_a_successful_write_is_not_matched() -> None:
    """The twin that succeeded owns t1: the in-doubt one did not apply."""
    assert _verdicts([_write(DEDUCT)], [_deduct("t1")], claimed=frozenset({"t1"})) == NOT_APPLIED


def test_identical_writes_share_out_the_transactions_in_send_order() -> None:
    """Two identical in-doubt writes, one transaction: the first sent applied, not the other."""
    later = _write(DEDUCT, SENT + timedelta(seconds=2))
    assert _verdicts([later, _write(DEDUCT)], [_deduct("t1")]) == [
        ("not_applied", None, ()),
        ("applied", "t1", ()),
    ]


def test_identical_writes_with_as_many_transactions_all_applied_once() -> None:
    """Two identical writes, two transactions: each applied, each with its own transaction."""
    ledger = [_deduct("t1"), _deduct("t2", at=SENT + timedelta(seconds=1))]
    assert _verdicts([_write(DEDUCT), _write(DEDUCT)], ledger) == [
        ("applied", "t1", ()),
        ("applied", "t2", ()),
    ]


def test_identical_writes_with_more_transactions_than_writes_are_ambiguous() -> None:
    """Three transactions for two identical writes: one is someone else's, which is unknown."""
    ledger = [_deduct(f"t{i}", at=SENT + timedelta(seconds=i)) for i in range(3)]
    verdicts = _verdicts([_write(DEDUCT), _write(DEDUCT)], ledger)
    assert verdicts == [("ambiguous", None, ("t0", "t1", "t2"))] * 2


def test_different_writes_with_one_trace_are_ambiguous() -> None:
    """Two partial returns of one order and one deduction: which one applied is unknown."""
    writes = [_write(ReturnInput(order_id="o-1", returned_amount=a, user_email=BOB))
              for a in (5, 7)]  # fmt: skip
    ledger = [_deduct("t1", points=10, reason="Order Partially Returned", order_id="o-1")]
    assert _verdicts(writes, ledger) == [("ambiguous", None, ("t1",))] * 2
    assert _verdicts(writes, []) == NOT_APPLIED * 2


def test_a_twin_that_applied_without_naming_its_transaction_leaves_the_write_ambiguous() -> None:
    """A product return of the order applied, its answer naming no transaction, so it
    claims every return of the order: the one in the ledger may be its, not the in-doubt
    one's (ambiguous, never applied); with none in the ledger, not applied."""
    lamp = ReturnInput(order_id="o-1", returned_product_id="lamp", user_email=BOB)
    mug = ReturnInput(order_id="o-1", returned_product_id="mug", user_email="Bob@Example.com")
    claim = claim_without_id(mug)
    assert claim is not None
    returned = _deduct("t1", points=100, reason="Order Partially Returned", order_id="o-1")
    assert _verdicts([_write(lamp)], [returned]) == APPLIED_1  # nothing claims it: lamp's
    verdicts = _verdicts([_write(lamp)], [returned], claimed=frozenset({claim}))
    assert verdicts == [("ambiguous", None, ("t1",))]
    assert _verdicts([_write(lamp)], [], claimed=frozenset({claim})) == NOT_APPLIED
    assert claim_without_id(ReturnInput(order_id="o-1")) is None  # no member, no claim
    assert claim_without_id(AwardInput(user_email=BOB, activity_id="signup")) is None


def test_an_unreadable_ledger_is_never_a_not_applied() -> None:
    """A ledger that could not be read in full leaves the write ambiguous, saying why."""
    read = LedgerRead(read_at=READ, error="ServerError: boom")
    (settled,) = match([_write(DEDUCT)], {BOB: read})
    assert settled.verdict is Verdict.AMBIGUOUS
    assert settled.reason == "the member's ledger could not be read: ServerError: boom"


def test_members_are_matched_whatever_the_case_of_the_email() -> None:
    """The ledger of Bob@Example.com is bob@example.com's."""
    item = DeductInput(user_email="Bob@Example.COM", points_passed=5, reason="refund #1")
    assert _verdicts([_write(item)], [_deduct("t1")]) == APPLIED_1


def test_in_doubt_write_needs_aware_times() -> None:
    """A naive datetime is refused: the window would be off by the local UTC offset."""
    with pytest.raises(ValueError, match="timezone-aware"):
        InDoubtWrite(input=DEDUCT, sent_at=datetime(2024, 5, 1, 12))
