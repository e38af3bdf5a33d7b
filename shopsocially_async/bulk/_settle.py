"""Settling in-doubt writes: read the members' ledgers back and decide what applied.

The API has no idempotency key, so a write whose answer was lost can only be settled by
looking for its transaction. :func:`settle` waits until such a write can no longer land
(``grace`` after its caller stopped waiting), reads each member's transactions once over the
window from the first send (less the clock skew) to now, and hands them to the pure matcher
(:mod:`._matching`, where the rules are)::

    writes = [bulk.InDoubtWrite(input=bulk.DeductInput(user_email=e, points_passed=5,
                                                        reason="refund #1234"),
                                sent_at=sent, failed_at=failed, error=exc)]
    for s in await bulk.settle(client, writes):
        print(s.verdict, s.transaction_id, s.candidates, s.reason)

``award_many`` and its siblings do this themselves with ``settle=True``.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
from array import array
from collections import deque
from collections.abc import Callable, Container, Iterable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

import anyio
import attrs

from .._client import ShopSociallyClient
from ..errors import MemberNotFoundError, ShopSociallyError
from ..models import Activity, Transaction
from ._inputs import AwardInput
from ._matching import (
    DEFAULT_CLOCK_SKEW,
    InDoubtWrite,
    LedgerRead,
    Settlement,
    WriteInput,
    claim_without_id,
    match,
    member_key,
)
from ._results import BulkResult, BulkRun

__all__ = ["ClaimedIds", "SettlePolicy", "SettlingRun", "settle"]

I = TypeVar("I")  # noqa: E741 - the conventional name for "input"
DEFAULT_GRACE = timedelta(seconds=10)
#: The codes that say a member does not exist (never did): its ledger is empty, read in
#: full. MEMBER_DELETED is not one: a deleted member's writes may have applied before.
NO_SUCH_MEMBER = frozenset({"INVALID_MEMBER", "INCORRECT_MEMBER_ID_PASSED"})


def _duration(value: timedelta | float) -> timedelta:
    duration = value if isinstance(value, timedelta) else timedelta(seconds=float(value))
    if not duration >= timedelta(0):
        raise ValueError(f"durations must not be negative, got {value!r}")
    return duration


def _positive(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{attribute.name} must be a whole number >= 1, got {value!r}")


@attrs.frozen(kw_only=True)
class SettlePolicy:
    """How in-doubt writes are settled.

    ``clock_skew`` widens the window searched on both sides, for the difference between this
    machine's clock and the API's (default 2 minutes). ``grace`` is how long after a write's
    caller stopped waiting the server may still apply it (a request keeps going on the server
    when its caller is gone); the ledger is read only once that has passed (default 10 s).
    Durations are timedeltas or seconds. ``concurrency`` bounds the ledgers read at once.
    """

    clock_skew: timedelta = attrs.field(default=DEFAULT_CLOCK_SKEW, converter=_duration)
    grace: timedelta = attrs.field(default=DEFAULT_GRACE, converter=_duration)
    concurrency: int = attrs.field(default=8, validator=_positive)

    def ready_at(self, writes: Iterable[InDoubtWrite]) -> datetime | None:
        """When the last of ``writes`` can no longer land, so the ledger may be read."""
        latest = max((w.last_seen_at for w in writes), default=None)
        return None if latest is None else latest + self.grace


class ClaimedIds(Container[str]):
    """Ids of transactions known to be other writes' (writes that succeeded), kept small:
    8 bytes each (a 64-bit BLAKE2 digest), so a long run can remember all of them."""

    def __init__(self, ids: Iterable[str] = ()) -> None:
        self._digests = array("Q")
        self._sorted = True
        for txn_id in ids:
            self.add(txn_id)

    def __len__(self) -> int:
        return len(self._digests)

    def add(self, txn_id: str) -> None:
        """Remember one id."""
        self._digests.append(_digest(txn_id))
        self._sorted = False

    def add_unidentified(self, item: WriteInput) -> None:
        """Remember a write that applied and whose answer named no transaction (a product
        return's): it claims every transaction with its trace (see :func:`.match`)."""
        claim = claim_without_id(item)
        if claim is not None:
            self.add(claim)

    def add_result(
        self, result: BulkResult[Any, Transaction], item: Callable[[], WriteInput]
    ) -> None:
        """Remember what a bulk result claims: its transaction, or, when it applied without
        naming one, every transaction like its write (``item()``, built only then)."""
        if result.value is not None and result.value.id:
            self.add(result.value.id)
        elif result.applied:
            self.add_unidentified(item())

    def __contains__(self, txn_id: object) -> bool:
        if not isinstance(txn_id, str):
            return False
        if not self._sorted:
            self._digests = array("Q", sorted(self._digests))
            self._sorted = True
        wanted = _digest(txn_id)
        at = bisect.bisect_left(self._digests, wanted)
        return at < len(self._digests) and self._digests[at] == wanted


def _digest(txn_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(txn_id.encode(), digest_size=8).digest(), "big")


async def settle(
    client: ShopSociallyClient,
    writes: Iterable[InDoubtWrite],
    *,
    claimed: Container[str] = frozenset(),
    policy: SettlePolicy | None = None,
) -> list[Settlement]:
    """Settle each write by reading its member's ledger back: one :class:`Settlement` each,
    in order (applied with its transaction, not applied, or ambiguous with the candidates).

    ``claimed`` holds ids of transactions already accounted for by other writes of the same
    run (those that succeeded), so that none is matched twice. A ledger that cannot be read
    in full leaves its writes ambiguous: never a guess. Waits out ``policy.grace`` first.
    """
    pending = list(writes)
    policy = policy or SettlePolicy()
    if not pending:
        return []
    await _wait_until(policy.ready_at(pending))
    activities = await _activities(client, pending)
    ledgers = await _ledgers(client, pending, policy)
    return match(
        pending,
        ledgers,
        claimed=claimed,
        clock_skew=policy.clock_skew,
        activities=activities,
    )


def utc_now() -> datetime:
    """Now, in UTC (what the windows are measured in)."""
    return datetime.now(timezone.utc)


async def _wait_until(moment: datetime | None) -> None:
    if moment is not None:
        delay = (moment - utc_now()).total_seconds()
        if delay > 0:
            await anyio.sleep(delay)


async def _activities(
    client: ShopSociallyClient, writes: Sequence[InDoubtWrite]
) -> dict[str, Activity]:
    """The activities of awards without order id (their points depend on the activity)."""
    wanted = {
        w.input.activity_id
        for w in writes
        if isinstance(w.input, AwardInput) and w.input.order_id is None
    }
    found: dict[str, Activity] = {}
    for activity_id in sorted(wanted):
        try:
            found[activity_id] = await client.activities.get(activity_id)
        except ShopSociallyError:
            continue  # its awards stay ambiguous: their points cannot be worked out
    return found


async def _ledgers(
    client: ShopSociallyClient, writes: Sequence[InDoubtWrite], policy: SettlePolicy
) -> dict[str, LedgerRead]:
    """Each member's transactions since the earliest send among its writes (less the skew)."""
    earliest: dict[str, tuple[str, datetime]] = {}
    for write in writes:
        if write.user_email is not None:
            key = member_key(write.user_email)
            first = earliest.get(key, (write.user_email, write.sent_at))[1]
            earliest[key] = (write.user_email, min(first, write.sent_at))
    ledgers: dict[str, LedgerRead] = {}
    limiter = anyio.CapacityLimiter(policy.concurrency)

    async def read(key: str, email: str, since: datetime) -> None:
        async with limiter:
            ledgers[key] = await _read_ledger(client, email, since - policy.clock_skew, policy)

    async with anyio.create_task_group() as tasks:
        for key, (email, since) in earliest.items():
            tasks.start_soon(read, key, email, since)
    return ledgers


async def _read_ledger(
    client: ShopSociallyClient, email: str, since: datetime, policy: SettlePolicy
) -> LedgerRead:
    """Every transaction of the member from ``since``'s day to the day of now plus the skew
    (the listing takes whole UTC days; the matcher filters by ``created_time``)."""
    end = utc_now() + policy.clock_skew
    start_day, end_day = since.astimezone(timezone.utc).date(), end.date()
    found: list[Transaction] = []
    try:
        async for txn in client.users.transactions(email, from_date=start_day, to_date=end_day):
            found.append(txn)
    except MemberNotFoundError as exc:
        if exc.error_code in NO_SUCH_MEMBER:
            return LedgerRead(read_at=utc_now(), no_such_member=True)
        return LedgerRead(read_at=utc_now(), error=f"{type(exc).__name__}: {exc}")
    except ShopSociallyError as exc:
        return LedgerRead(read_at=utc_now(), error=f"{type(exc).__name__}: {exc}")
    return LedgerRead(read_at=utc_now(), transactions=tuple(found))


class SettlingRun(BulkRun[I, Transaction]):
    """A bulk write run that holds back its outcome-unknown results, settles them once the
    other inputs are done, and then yields them with their :class:`Settlement`."""

    def __init__(
        self,
        inner: BulkRun[I, Transaction],
        client: ShopSociallyClient,
        coerce: Callable[[I], WriteInput],
        policy: SettlePolicy,
    ) -> None:
        super().__init__(inner._results, inner.counters)
        self._inner, self._client, self._coerce, self._policy = inner, client, coerce, policy
        self._held: list[BulkResult[I, Transaction]] = []
        self._claimed = ClaimedIds()
        self._settled: deque[BulkResult[I, Transaction]] | None = None

    def stop(self) -> None:
        """Take no new inputs; the calls in flight finish, then the held results are settled."""
        super().stop()
        self._inner.stop()

    async def __anext__(self) -> BulkResult[I, Transaction]:
        while self._settled is None:
            try:
                result = await self._inner.__anext__()
            except StopAsyncIteration:
                self._settled = deque(await self._settle_held())
                break
            if result.outcome_unknown:
                self._held.append(result)
                continue
            self._claimed.add_result(result, functools.partial(self._coerce, result.input))
            return result
        if self._settled:
            return self._settled.popleft()
        raise StopAsyncIteration

    async def _settle_held(self) -> list[BulkResult[I, Transaction]]:
        writes = [self._in_doubt(result) for result in self._held]
        settlements = await settle(self._client, writes, claimed=self._claimed, policy=self._policy)
        for settlement in settlements:
            self.counters.record_settlement(settlement.verdict.value)
        return [
            attrs.evolve(result, settlement=settlement)
            for result, settlement in zip(self._held, settlements, strict=True)
        ]

    def _in_doubt(self, result: BulkResult[I, Any]) -> InDoubtWrite:
        now = utc_now()
        return InDoubtWrite(
            input=self._coerce(result.input),
            sent_at=result.started_at or now,
            failed_at=result.finished_at or now,
            error=result.error,
        )
