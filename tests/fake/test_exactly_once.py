"""``testing.check_exactly_once``: each rule holds on a truthful run and fails when broken."""

from __future__ import annotations

import httpx
import pytest

from shopsocially_async import errors
from shopsocially_async.testing import (
    FakeShopSocially,
    Reported,
    Rule,
    WriteOutcome,
    check_exactly_once,
)
from shopsocially_async.testing._state import LoyaltyState

BOB = "bob@shopsocially.com"
APPLIED, REPLAYED = Reported.APPLIED, Reported.REPLAYED
NOT_APPLIED, UNKNOWN = Reported.NOT_APPLIED, Reported.OUTCOME_UNKNOWN


async def award(api: httpx.AsyncClient, op_id: str | None, email: str = BOB) -> None:
    """One award of a point, tagged with ``op_id`` (untagged when None)."""
    headers = {} if op_id is None else {"x-fake-op-id": op_id}
    body = {"user_email": email, "activity_id": "made_a_purchase", "points_passed": 1}
    await api.post("/award", json=body, headers=headers)


@pytest.mark.anyio
async def test_a_truthful_run_keeps_every_rule(
    api: httpx.AsyncClient, fake: FakeShopSocially
) -> None:
    """Applied, replayed, refused and unknown writes reported as they went: no violation,
    the counts per report, and how many unknown writes had applied."""
    for op_id in ("applied", "replayed", "unknown-applied"):
        await award(api, op_id)
    await award(api, "refused", email="nobody@example.com")  # 404: nothing applied
    report = check_exactly_once(
        fake,
        [
            WriteOutcome("applied", APPLIED),
            WriteOutcome("replayed", REPLAYED),
            WriteOutcome("refused", NOT_APPLIED),
            WriteOutcome("unknown-applied", UNKNOWN),
            WriteOutcome("unknown-lost", UNKNOWN),
        ],
    )
    assert (report.ok, report.violations, report.broken) == (True, (), frozenset())
    assert report.counts == {APPLIED: 1, REPLAYED: 1, NOT_APPLIED: 1, UNKNOWN: 2}
    assert report.unknown_applied == 1
    report.assert_ok()


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("sent", "outcomes", "broken"),
    [
        pytest.param([], [("a", APPLIED)], [(Rule.APPLIED_ONCE, "a")], id="applied-never"),
        pytest.param([], [("r", REPLAYED)], [(Rule.REPLAYED_ONCE, "r")], id="replayed-never"),
        pytest.param(["n"], [("n", NOT_APPLIED)], [(Rule.NOT_APPLIED, "n")], id="refused-applied"),
        pytest.param(
            ["u", "u"],
            [("u", UNKNOWN)],
            [(Rule.AT_MOST_ONCE, "u"), (Rule.NEVER_TWICE, "u")],
            id="unknown-twice",
        ),
        pytest.param(
            ["a", "a"],
            [("a", APPLIED)],
            [(Rule.APPLIED_ONCE, "a"), (Rule.NEVER_TWICE, "a")],
            id="applied-twice",
        ),
        pytest.param(["x"], [], [(Rule.ALL_REPORTED, "x")], id="unreported-op-id"),
        pytest.param([None], [], [(Rule.ALL_REPORTED, None)], id="untagged-write"),
    ],
)
async def test_each_broken_rule_is_reported(
    api: httpx.AsyncClient,
    fake: FakeShopSocially,
    sent: list[str | None],
    outcomes: list[tuple[str, Reported]],
    broken: list[tuple[Rule, str | None]],
) -> None:
    """A ledger that disagrees with the reports breaks exactly the rules that say so, each
    naming the write; the report is not ok and assert_ok raises."""
    for op_id in sent:
        await award(api, op_id)
    report = check_exactly_once(fake, [WriteOutcome(*outcome) for outcome in outcomes])
    assert [(v.rule, v.op_id) for v in report.violations] == broken
    assert not report.ok
    assert report.broken == {rule for rule, _ in broken}
    with pytest.raises(AssertionError) as caught:
        report.assert_ok()
    assert all(v.message in str(caught.value) for v in report.violations)


def test_a_balance_that_disagrees_with_the_ledger_is_reported(
    fake: FakeShopSocially, state: LoyaltyState
) -> None:
    """A member whose balance is not the sum of their transactions breaks BALANCES."""
    state.member(BOB).available_points += 5
    report = check_exactly_once(fake, [])
    assert [(v.rule, v.op_id, v.reported) for v in report.violations] == [
        (Rule.BALANCES, None, None)
    ]
    assert report.violations[0].message == f"{BOB}: 1005 != ledger 1000"


def test_an_op_id_reported_twice_is_refused(fake: FakeShopSocially) -> None:
    """Two outcomes for one op id make the check meaningless: ValueError naming it."""
    with pytest.raises(ValueError, match="'w-1' is reported twice"):
        check_exactly_once(fake, [WriteOutcome("w-1", APPLIED), WriteOutcome("w-1", UNKNOWN)])


def _failed(error: errors.ShopSociallyError, **attributes: bool) -> errors.ShopSociallyError:
    for name, value in attributes.items():
        setattr(error, name, value)
    return error


@pytest.mark.parametrize(
    ("error", "reported", "label"),
    [
        (None, APPLIED, "applied"),
        (
            _failed(errors.DuplicateOrderError("dup", status_code=400), replay=True),
            REPLAYED,
            "replayed",
        ),
        (
            errors.DuplicateOrderError("dup", status_code=400),
            NOT_APPLIED,
            "not_applied:DuplicateOrderError",
        ),
        (
            _failed(errors.ServerError("oops", status_code=500), outcome_unknown=True),
            UNKNOWN,
            "outcome_unknown:ServerError",
        ),
        (
            errors.InsufficientPointsError("poor", status_code=400),
            NOT_APPLIED,
            "not_applied:InsufficientPointsError",
        ),
    ],
)
def test_outcome_of_a_call(
    error: errors.ShopSociallyError | None, reported: Reported, label: str
) -> None:
    """WriteOutcome.of reads the client's exception: none is applied, a replay is replayed,
    outcome_unknown is unknown, any other error is not applied."""
    outcome = WriteOutcome.of("w-1", error)
    assert (outcome.op_id, outcome.reported, outcome.error, outcome.label) == (
        "w-1",
        reported,
        error,
        label,
    )
