"""Bulk jobs: many writes with bounded concurrency and a rate limit; resumable exports.

Writes stream one :class:`BulkResult` per input as calls complete; a failure never stops
the batch, and memory stays bounded however many inputs there are::

    from shopsocially_async import ShopSociallyClient, bulk

    async with ShopSociallyClient(max_connections=32) as client:
        inputs = ({"user_email": e, "activity_id": "signup"} for e in emails)
        async with bulk.award_many(client, inputs, concurrency=32, rate=20) as run:
            async for result in run:
                if not result.ok:
                    print(result.input, result.error, result.outcome_unknown)
        print(run.counters.succeeded, run.counters.failed, run.counters.retries)

Writes whose answer was lost (``outcome_unknown``) can be settled by reading the ledger
back: ``settle=True`` on a run, or :func:`settle` on writes from anywhere::

    async with bulk.deduct_many(client, inputs, settle=True) as run:
        async for result in run:
            print(result.applied, result.settlement)   # True / False / None (ambiguous)

Exports write JSON lines or CSV and a checkpoint after every page, so an interrupted export
resumes where it stopped, neither duplicating nor skipping records::

    await bulk.export_transactions(client, "tx.jsonl", from_date=d1, to_date=d2, resume=True)

Keep the client's ``max_connections`` at least the ``concurrency`` (the default pool is 100).
"""

from __future__ import annotations

# RateLimiter: the process-local limiter ``rate=`` builds, under the name it had before it
# became ratelimit.LocalRateLimiter (``rate=`` also takes any ratelimit.RateLimiter).
from ..ratelimit import LocalRateLimiter as RateLimiter
from ._counters import RunCounters
from ._export import (
    Checkpoint,
    CheckpointMismatchError,
    ExportFormat,
    export_transactions,
    export_users,
)
from ._inputs import AwardInput, DeductInput, RedeemInput, ReturnInput
from ._matching import InDoubtWrite, Settlement, Verdict, claim_without_id
from ._results import BulkResult, BulkRun
from ._settle import ClaimedIds, SettlePolicy, settle
from ._writes import (
    DEFAULT_CONCURRENCY,
    award_many,
    counting_retries,
    deduct_many,
    redeem_many,
    returns_many,
    run_many,
)

__all__ = [
    "DEFAULT_CONCURRENCY",
    "AwardInput",
    "BulkResult",
    "BulkRun",
    "Checkpoint",
    "CheckpointMismatchError",
    "ClaimedIds",
    "DeductInput",
    "ExportFormat",
    "InDoubtWrite",
    "RateLimiter",
    "RedeemInput",
    "ReturnInput",
    "RunCounters",
    "SettlePolicy",
    "Settlement",
    "Verdict",
    "award_many",
    "claim_without_id",
    "counting_retries",
    "deduct_many",
    "export_transactions",
    "export_users",
    "redeem_many",
    "returns_many",
    "run_many",
    "settle",
]
