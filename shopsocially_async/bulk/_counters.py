"""Counters for one bulk run: what is done, what failed, how fast."""

from __future__ import annotations

import time

import attrs

from .._config import RetryEvent

__all__ = ["RunCounters"]


@attrs.define
class RunCounters:
    """Live counters of a bulk write or export; read them any time (e.g. for a progress bar).

    ``succeeded`` + ``failed`` items are ``processed``; ``outcome_unknown`` counts the failed
    items that may have been applied anyway; ``retries`` counts retried requests (each item
    is one request plus its retries). ``total`` is the number of items expected, when known.
    ``settled`` counts the outcome-unknown items that reading the ledger back settled (an
    item settled as applied moves from ``failed`` to ``succeeded``).
    """

    total: int | None = None
    succeeded: int = 0
    failed: int = 0
    outcome_unknown: int = 0
    retries: int = 0
    settled: int = 0
    in_flight: int = 0
    started_at: float = attrs.field(factory=time.monotonic)
    finished_at: float | None = None

    @property
    def processed(self) -> int:
        """Items with a final result, successful or not."""
        return self.succeeded + self.failed

    @property
    def requests(self) -> int:
        """Requests sent: one per processed item plus every retry."""
        return self.processed + self.retries

    @property
    def elapsed(self) -> float:
        """Seconds since the run started (until it finished, once it has)."""
        end = time.monotonic() if self.finished_at is None else self.finished_at
        return max(end - self.started_at, 1e-9)

    @property
    def throughput(self) -> float:
        """Processed items per second."""
        return self.processed / self.elapsed

    def record_success(self) -> None:
        """One more item succeeded."""
        self.succeeded += 1

    def record_failure(self, *, outcome_unknown: bool) -> None:
        """One more item failed (and perhaps was applied anyway)."""
        self.failed += 1
        self.outcome_unknown += outcome_unknown

    def record_settlement(self, verdict: str) -> None:
        """An outcome-unknown failure was settled: ``"applied"``, ``"not_applied"`` or
        ``"ambiguous"`` (which leaves it unknown)."""
        if verdict == "ambiguous":
            return
        self.settled += 1
        self.outcome_unknown -= 1
        if verdict == "applied":
            self.failed -= 1
            self.succeeded += 1

    def record_retry(self, event: RetryEvent | None = None) -> None:
        """One more retry (usable as ``RetryPolicy(on_retry=counters.record_retry)``)."""
        self.retries += 1

    def finish(self) -> None:
        """Stop the clock."""
        if self.finished_at is None:
            self.finished_at = time.monotonic()
