"""``check_exactly_once``: does the fake's record of applied writes agree with the client?

Tag each write with its own ``x-fake-op-id`` header (``extra_headers={"x-fake-op-id": op}``)
and the fake counts how often it changed the program (:meth:`FakeShopSocially.applied_count`).
Then say, for each op id, what the client reported (:class:`WriteOutcome`), and
:func:`check_exactly_once` holds the two against these rules (:class:`Rule`):

===========================================  ====================================
the client reported                          the fake must have applied the write
===========================================  ====================================
success                                      exactly once
``DuplicateOrderError(replay=True)``         exactly once (the retry met its own award)
any other error, ``outcome_unknown`` False   never
``outcome_unknown`` True                     at most once
===========================================  ====================================

and over the whole run: no write applied twice; every applied write was one the client
reported on (it carried a reported op id); every member's balance equals their ledger.
Writes made before the run (seeding, set-up calls) are not counted if the counters were reset
with :meth:`FakeShopSocially.reset_stats` first.

This module reads the client's exceptions; the fake itself never imports the client.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping

import attrs

from ..errors import DuplicateOrderError, ShopSociallyError
from ._fake import FakeShopSocially

__all__ = [
    "ExactlyOnceReport",
    "Reported",
    "Rule",
    "Violation",
    "WriteOutcome",
    "check_exactly_once",
]


class Reported(enum.Enum):
    """What the client said about one write."""

    #: The call succeeded.
    APPLIED = "applied"
    #: ``DuplicateOrderError(replay=True)``: a retry met the award its own first attempt made.
    REPLAYED = "replayed"
    #: Any other error whose ``outcome_unknown`` is False.
    NOT_APPLIED = "not_applied"
    #: An error whose ``outcome_unknown`` is True: the write may have been applied.
    OUTCOME_UNKNOWN = "outcome_unknown"


class Rule(enum.Enum):
    """One rule of the exactly-once contract; its value says it in words."""

    APPLIED_ONCE = "a write reported applied was applied exactly once"
    REPLAYED_ONCE = "a write reported replayed was applied exactly once"
    NOT_APPLIED = "a write refused with a clean error was not applied"
    AT_MOST_ONCE = "a write whose outcome is unknown was applied at most once"
    NEVER_TWICE = "no write was applied twice"
    ALL_REPORTED = "every applied write is one the client reported on"
    BALANCES = "every member's balance equals their ledger"


#: How many applications each report allows, and the rule that says so.
_ALLOWED: dict[Reported, tuple[frozenset[int], Rule]] = {
    Reported.APPLIED: (frozenset({1}), Rule.APPLIED_ONCE),
    Reported.REPLAYED: (frozenset({1}), Rule.REPLAYED_ONCE),
    Reported.NOT_APPLIED: (frozenset({0}), Rule.NOT_APPLIED),
    Reported.OUTCOME_UNKNOWN: (frozenset({0, 1}), Rule.AT_MOST_ONCE),
}


@attrs.frozen
class WriteOutcome:
    """What the client reported about the write sent with ``x-fake-op-id: op_id``.

    ``error`` (optional) is the exception the call raised; it names the outcome in
    :attr:`label` and in violation messages.
    """

    op_id: str
    reported: Reported
    error: ShopSociallyError | None = attrs.field(default=None, eq=False)

    @classmethod
    def of(cls, op_id: str, error: ShopSociallyError | None = None) -> WriteOutcome:
        """The outcome of a call that raised ``error`` (None: it succeeded)."""
        if error is None:
            return cls(op_id, Reported.APPLIED)
        if isinstance(error, DuplicateOrderError) and error.replay:
            return cls(op_id, Reported.REPLAYED, error)
        if error.outcome_unknown:
            return cls(op_id, Reported.OUTCOME_UNKNOWN, error)
        return cls(op_id, Reported.NOT_APPLIED, error)

    @property
    def label(self) -> str:
        """``applied``, ``replayed``, or the report and the error's class, e.g.
        ``outcome_unknown:APITimeoutError`` (for summaries)."""
        if self.error is None or self.reported is Reported.REPLAYED:
            return self.reported.value
        return f"{self.reported.value}:{type(self.error).__name__}"


@attrs.frozen
class Violation:
    """One broken rule: about the write ``op_id`` (None for the balances), which the client
    reported as ``reported`` (None when it reported nothing about it)."""

    rule: Rule
    op_id: str | None
    reported: Reported | None
    message: str


@attrs.frozen
class ExactlyOnceReport:
    """The result of :func:`check_exactly_once`."""

    #: How many writes the client reported each way.
    counts: Mapping[Reported, int]
    #: Of the writes whose outcome was unknown, how many the fake had applied.
    unknown_applied: int
    #: Every broken rule, in a stable order (per write, then over the run).
    violations: tuple[Violation, ...]

    @property
    def ok(self) -> bool:
        """True when every rule held."""
        return not self.violations

    @property
    def broken(self) -> frozenset[Rule]:
        """The rules at least one violation broke."""
        return frozenset(violation.rule for violation in self.violations)

    def assert_ok(self) -> None:
        """Raise ``AssertionError`` listing every violation, if there is one."""
        if self.violations:
            raise AssertionError(str(self))

    def __str__(self) -> str:
        counts = ", ".join(f"{self.counts.get(kind, 0)} {kind.value}" for kind in Reported)
        lines = [f"exactly-once: {counts}; {len(self.violations)} violations"]
        lines += [f"  {v.rule.name}: {v.message}" for v in self.violations]
        return "\n".join(lines)


def check_exactly_once(
    fake: FakeShopSocially, outcomes: Iterable[WriteOutcome]
) -> ExactlyOnceReport:
    """Hold what the client reported about each write against what ``fake`` applied.

    ``outcomes`` names each op id once (a repeated one is a ``ValueError``). Read it after
    the writes are done: a write still in flight may yet be applied.
    """
    reported = _by_op_id(outcomes)
    stats = fake.stats
    applied = stats.applied_ops
    untagged = stats.applied_writes - sum(applied.values())
    violations = [
        *_per_write(reported, applied),
        *_over_the_run(reported, applied, untagged),
        *(Violation(Rule.BALANCES, None, None, text) for text in fake.ledger_mismatches()),
    ]
    unknown = [op for op, o in reported.items() if o.reported is Reported.OUTCOME_UNKNOWN]
    return ExactlyOnceReport(
        counts=Counter(outcome.reported for outcome in reported.values()),
        unknown_applied=sum(applied[op] > 0 for op in unknown),
        violations=tuple(violations),
    )


def _by_op_id(outcomes: Iterable[WriteOutcome]) -> dict[str, WriteOutcome]:
    reported: dict[str, WriteOutcome] = {}
    for outcome in outcomes:
        if outcome.op_id in reported:
            raise ValueError(f"op id {outcome.op_id!r} is reported twice: one outcome per write")
        reported[outcome.op_id] = outcome
    return reported


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def _per_write(reported: Mapping[str, WriteOutcome], applied: Counter[str]) -> list[Violation]:
    """The rule for what each write was reported as."""
    violations = []
    for op_id, outcome in reported.items():
        allowed, rule = _ALLOWED[outcome.reported]
        if applied[op_id] not in allowed:
            text = f"{op_id} reported {outcome.label} but applied {_times(applied[op_id])}"
            violations.append(Violation(rule, op_id, outcome.reported, text))
    return violations


def _over_the_run(
    reported: Mapping[str, WriteOutcome], applied: Counter[str], untagged: int
) -> list[Violation]:
    """No write applied twice; none applied that the client did not report on."""
    violations = []
    for op_id, count in applied.items():
        outcome = reported.get(op_id)
        kind = outcome.reported if outcome else None
        if count > 1:
            text = f"{op_id} applied {_times(count)}"
            violations.append(Violation(Rule.NEVER_TWICE, op_id, kind, text))
        if outcome is None:
            text = f"{op_id} applied {_times(count)}, but no outcome names it"
            violations.append(Violation(Rule.ALL_REPORTED, op_id, None, text))
    if untagged:
        text = f"{untagged} applied writes carried no x-fake-op-id header"
        violations.append(Violation(Rule.ALL_REPORTED, None, None, text))
    return violations
