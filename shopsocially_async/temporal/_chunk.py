"""One chunk of a bulk write run: settle what an earlier attempt left in doubt, send the
rest with the write-ahead rule, settle what this attempt's calls left in doubt.

A row is recorded *sent* (in Redis, fenced by the attempt's token) before its request
leaves, and its outcome as soon as it is known. So when an attempt dies at any moment, the
next one knows exactly which rows may have applied: those *sent* without an outcome, and
those answered "outcome unknown". It settles them by reading the members' ledgers back
(``bulk.settle``): applied → done; not applied and never answered → sent again; anything
it cannot tell → ``ambiguous``, reported and never sent again. Nothing here imports Temporal:
the activity (``_activities``) wraps it with heartbeats and the worker's shutdown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import anyio
import attrs

from .. import bulk
from .._client import ShopSociallyClient
from ..bulk._inputs import as_kwargs, coerce_input
from ..bulk._results import error_code, send_again
from ..errors import ShopSociallyError
from ..models import Transaction
from ..ratelimit import RateLimiterUnavailableError
from ._messages import Totals
from ._store import RowRecord, RunStore, StagedRow, now

__all__ = ["INPUTS", "ChunkWriter", "Drained", "error_code"]

INPUTS: dict[str, type[Any]] = {
    "award": bulk.AwardInput,
    "redeem": bulk.RedeemInput,
    "deduct": bulk.DeductInput,
    "returns": bulk.ReturnInput,
}
INTERRUPTED = ("INTERRUPTED", "interrupted in flight; may have been applied")
#: How long a call of a client without a deadline is taken to stay on its way (seconds).
_NO_DEADLINE = 300.0


class _NotSent(ShopSociallyError):
    """A row taken while the chunk was stopping: nothing was recorded or sent."""


class Drained(Exception):
    """The chunk stopped early (the worker is shutting down, or the rate limiter's Redis is
    unreachable): the rows it did not send are left for the next attempt."""


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


@attrs.define
class ChunkWriter:
    """Writes one chunk of a run (see the module doc). ``capacity`` bounds the calls in
    flight across every chunk of the worker; ``policy`` is how doubts are settled.
    ``resent`` counts the rows settled "not applied" and sent again."""

    store: RunStore
    client: ShopSociallyClient
    kind: str
    chunk: int
    policy: bulk.SettlePolicy
    capacity: anyio.CapacityLimiter
    token: int = 0
    sent: int = 0
    resent: int = 0
    stopping: bool = False
    _rounds: dict[int, int] = attrs.field(factory=dict)
    _rows: list[StagedRow] = attrs.field(factory=list)
    _run: bulk.BulkRun[int, Transaction] | None = None

    def stop(self) -> None:
        """Take no new rows; the calls in flight finish and are recorded."""
        self.stopping = True
        if self._run is not None:
            self._run.stop()

    async def run(self) -> Totals:
        """Write the chunk; its totals. :class:`Drained` when stopped before the end."""
        self.token = await self.store.claim(self.chunk)
        self._rows = await self.store.rows(self.chunk)
        await self._settle(await self.store.records(self.chunk))  # an earlier attempt's
        while not self.stopping:
            records = await self.store.records(self.chunk)
            todo = [p for p in range(len(self._rows)) if p not in records]
            if not todo:
                break
            await self._send(todo)
        if self.stopping:  # the next attempt settles what this one leaves in doubt
            raise Drained(f"chunk {self.chunk}: stopped with rows left to send")
        await self._settle(await self.store.records(self.chunk))  # this attempt's doubts
        totals = _totals((await self.store.records(self.chunk)).values())
        totals.settled += self.resent
        return totals

    # -- sending -------------------------------------------------------------------------------
    async def _send(self, positions: Sequence[int]) -> None:
        async with bulk.run_many(self._call, positions, concurrency=len(positions)) as run:
            self._run = run
            if self.stopping:
                run.stop()
            async for result in run:
                await self._record_result(result)
        self._run = None

    async def _call(self, position: int) -> Transaction:
        row = self._rows[position]
        item = coerce_input(INPUTS[self.kind], row.fields)
        async with self.capacity:
            if self.stopping:
                raise _NotSent("stopping")
            # Written (and fenced) before the request leaves: the write-ahead rule.
            await self.store.record(self.chunk, self.token, position, RowRecord("sent", now()))
            self.sent += 1
            txn: Transaction = await _method(self.client, self.kind)(**as_kwargs(item))
            return txn

    async def _record_result(self, result: bulk.BulkResult[int, Transaction]) -> None:
        if isinstance(result.error, _NotSent):
            return
        started = result.started_at.timestamp() if result.started_at else now()
        record: RowRecord | None
        claim = None
        if result.ok or result.replayed:
            txn = result.value.id if result.value is not None else None
            record = RowRecord("applied", started, transaction_id=txn)
            if not txn:  # e.g. a product return: it claims every transaction like it
                row = self._rows[result.input]
                claim = bulk.claim_without_id(coerce_input(INPUTS[self.kind], row.fields))
        else:
            assert result.error is not None
            rounds = self._rounds[result.input] = self._rounds.get(result.input, 0) + 1
            record = self._failure(result.error, started, rounds)
        await self.store.record(self.chunk, self.token, result.input, record, claim=claim)

    def _failure(self, error: ShopSociallyError, sent_at: float, rounds: int) -> RowRecord | None:
        if isinstance(error, RateLimiterUnavailableError):
            self.stop()  # our Redis is gone: hand the chunk back (Temporal retries it)
        if send_again(error, rounds):
            return None
        outcome = "unknown" if error.outcome_unknown else "failed"
        code, message = error_code(error), str(error)
        return RowRecord(outcome, sent_at, failed_at=now(), code=code, message=message)

    # -- settling ------------------------------------------------------------------------------
    async def _settle(self, records: Mapping[int, RowRecord]) -> None:
        doubts = {p: r for p, r in records.items() if r.in_doubt}
        if not doubts:
            return
        writes = [self._in_doubt(self._rows[p], r) for p, r in doubts.items()]
        claimed = bulk.ClaimedIds(await self.store.claimed())
        settled = await bulk.settle(self.client, writes, claimed=claimed, policy=self.policy)
        for (position, record), settlement in zip(doubts.items(), settled, strict=True):
            verdict = _verdict(record, settlement)
            self.resent += verdict is None
            await self.store.record(self.chunk, self.token, position, verdict)

    def _in_doubt(self, row: StagedRow, record: RowRecord) -> bulk.InDoubtWrite:
        sent = record.sent_at or now()
        # A row sent by an attempt that died (or lost Temporal) may still be on its way
        # until the client's deadline (however soon the attempt died): the ledger is read
        # only after that, plus the grace.
        last = record.failed_at or sent + (self.client.deadline or _NO_DEADLINE)
        return bulk.InDoubtWrite(
            input=coerce_input(INPUTS[self.kind], row.fields),
            sent_at=_utc(sent),
            failed_at=_utc(max(last, sent)),
        )


def _verdict(record: RowRecord, settlement: bulk.Settlement) -> RowRecord | None:
    """The row's record once settled (None: it never applied and was never answered, so it
    is sent again)."""
    code, message = (record.code, record.message) if record.code else INTERRUPTED
    settled = attrs.evolve(record, code=code, settled=True)
    if settlement.verdict is bulk.Verdict.APPLIED:
        return attrs.evolve(
            settled, outcome="applied", transaction_id=settlement.transaction_id, message=""
        )
    if settlement.verdict is bulk.Verdict.NOT_APPLIED:
        if record.outcome == "sent":
            return None
        text = f"{message}; settled: not applied, safe to send again"
        return attrs.evolve(settled, outcome="failed", message=text)
    text = f"{message}; settling: {settlement.reason}"
    return attrs.evolve(
        settled, outcome="ambiguous", message=text, candidates=settlement.candidates
    )


def _totals(records: Any) -> Totals:
    totals = Totals()
    for record in records:
        if record.outcome in ("applied", "failed", "ambiguous"):
            setattr(totals, record.outcome, getattr(totals, record.outcome) + 1)
        totals.settled += record.settled
    return totals


def _method(client: ShopSociallyClient, kind: str) -> Any:
    if kind == "returns":
        return client.returns.create
    return getattr(client.points, kind)
