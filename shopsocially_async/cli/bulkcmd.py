"""``award`` / ``redeem`` / ``deduct`` / ``returns`` from a CSV file, safe against any crash.

Every row is written to the journal as *sent*, durably, before its request leaves, and as
*done* with its outcome after (see :mod:`.journal`). A run first settles the rows an earlier
run left in doubt, by reading the ledger back: applied → done; never answered and not
applied → sent again; ambiguous → the failures file, never re-sent. Rows whose call ended
``outcome_unknown`` are settled the same way at the end of the run. Ctrl-C, SIGTERM and
SIGHUP stop taking rows and let the calls in flight finish; a second signal abandons them
(the next ``--resume`` settles them). After ``kill -9`` at any moment, ``--resume`` does the
same. The failures file is rewritten from the journal at the end of every run.

A row refused by the account's rate limit (HTTP 429: nothing applied) is no failure: it
waits out the ``Retry-After`` and goes again (journaled *sent* again first), for up to
:data:`THROTTLED_AT_MOST` seconds on end.
"""

from __future__ import annotations

import contextlib
import signal
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import attrs

from .. import bulk
from .._client import ShopSociallyClient
from ..bulk._results import MAX_UNSENT_ROUNDS, error_code, send_again, throttled
from ..errors import RateLimitError, ShopSociallyError
from ..models import Transaction
from ..ratelimit import DEFAULT_COOLDOWN, MAX_COOLDOWN, LocalRateLimiter
from . import _runtime as rt
from . import ignore_late_signals
from .csvinput import SPECS, InputFile, Row, RowReader, check_input, default_paths
from .journal import JournalFile, Pending, now
from .journaling import open_journal, say_failures, write_failures
from .outputs import plural
from .pacing import RowTurns
from .progress import progress
from .settling import Doubt, settle_rows, utc

Method = Callable[..., Awaitable[Transaction]]
#: How long a row refused by the account's rate limit (429) keeps waiting and going again
#: before it is reported failed (certainly not applied: safe to send again), in seconds.
THROTTLED_AT_MOST = 600.0
#: The least of its deadline a call is started with, in seconds (half a shorter deadline):
#: a row whose journal write took more is not sent, and goes again (see _Session._send).
LEAST_CALL_TIME = 1.0


class RowNotSent(ShopSociallyError):
    """A row that was not sent: a stop came while it waited for its turn at --rate, or the
    journal's disk left its call too little of its deadline."""


@attrs.frozen
class BulkJob:
    """One bulk command's files and switches."""

    kind: str
    csv_path: Path
    failures_path: Path
    journal_path: Path
    resume: bool = False
    encoding: str | None = None
    allow_changed_input: bool = False
    policy: bulk.SettlePolicy = attrs.field(factory=bulk.SettlePolicy)
    ignore_columns: tuple[str, ...] = ()
    force_new_run: bool = False


def _method(client: ShopSociallyClient, kind: str) -> Method:
    methods: dict[str, Method] = {
        "award": client.points.award,
        "redeem": client.points.redeem,
        "deduct": client.points.deduct,
        "returns": client.returns.create,
    }
    return methods[kind]


async def run_bulk(settings: rt.Settings, job: BulkJob) -> int:
    """Check the file, settle what an earlier run left in doubt, send the rest."""
    checked = await anyio.to_thread.run_sync(
        check_input, job.csv_path, job.kind, job.encoding, job.ignore_columns
    )
    if checked.repeated:
        rt.say(
            f"note: {checked.repeated} rows repeat an earlier row exactly; should one end in "
            "doubt, settling cannot tell the copies apart (in the next file you write, give "
            f"each a unique {SPECS[job.kind].identity or 'row'})"
        )
    turns = None if settings.rate is None else RowTurns(LocalRateLimiter(settings.rate))
    async with settings.client(rate_limiter=turns) as client:
        binding = {
            "base_url": client.base_url,
            "partner_id": settings.partner_id,
            "encoding": checked.encoding,
        }
        journal = await anyio.to_thread.run_sync(
            lambda: open_journal(job, binding, checked, deadline=client.deadline)
        )
        try:
            return await _Session(settings, client, job, checked, journal, turns).run()
        finally:
            journal.close()


class _Session:
    """One run over the file: settle leftovers, send, settle, write the failures file."""

    def __init__(
        self,
        settings: rt.Settings,
        client: ShopSociallyClient,
        job: BulkJob,
        checked: InputFile,
        journal: JournalFile,
        turns: RowTurns | None = None,
    ) -> None:
        self.settings, self.client, self.job, self.checked = settings, client, job, checked
        self.journal, self.turns = journal, turns
        self.counters = bulk.RunCounters()
        self.stopped_by: int | None = None
        self._waits: set[anyio.CancelScope] = set()  # what rows wait for: a stop ends them
        self.finished = False
        self.skipped = 0
        self._counting = bulk.counting_retries(client, self.counters)
        self._run: bulk.BulkRun[Row, Transaction] | None = None
        self._soft: anyio.CancelScope | None = None
        self._hard = anyio.CancelScope()

    async def run(self) -> int:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(self._watch_signals)  # until the very end, _finish included
            with self._hard:
                await rt.preflight(self.client)
                await self._phases()
            code = await anyio.to_thread.run_sync(self._finish)
            tasks.cancel_scope.cancel()
        ignore_late_signals()
        return code

    async def _phases(self) -> None:
        await self._settle_softly()  # what an earlier run left in doubt, before any sending
        if self.stopped_by is None:
            await self._send_rows()
        if self.stopped_by is None:
            await self._settle_softly()  # what this run's calls left in doubt
        self.finished = self.stopped_by is None

    async def _settle_softly(self) -> None:
        """Settle the pending rows; a first stop signal cancels this (it only reads)."""
        with anyio.CancelScope() as self._soft:
            await self._settle_pending()
        self._soft = None

    async def _settle_pending(self) -> None:
        state = self.journal.state
        pending = {**state.sending, **state.unknown}
        if not pending:
            return
        interrupted = set(state.sending)
        deadline = self.client.deadline or self.settings.deadline
        doubts = [
            Doubt(p.cells, utc(p.sent_at), utc(p.last_on_its_way(deadline)))
            for p in pending.values()
        ]
        settled = await settle_rows(
            self.client, self.job.kind, doubts, claimed=state.claimed, policy=self.job.policy,
            unidentified=state.unidentified,
        )  # fmt: skip
        tally: dict[str, int] = {}
        for (key, item), verdict in zip(pending.items(), settled, strict=True):
            word = self._record_settlement(key, item, verdict, key in interrupted)
            tally[word] = tally.get(word, 0) + 1
        rt.say("settled: " + ", ".join(f"{n} {word}" for word, n in sorted(tally.items())))

    def _record_settlement(
        self, key: str, item: Pending, verdict: bulk.Settlement | str, interrupted: bool
    ) -> str:
        record: dict[str, Any] = {"t": "done", "k": key, "at": now(), "code": item.code}
        if isinstance(verdict, str):
            record.update(outcome="ambiguous", msg=f"{item.message}; settling: {verdict}")
        elif verdict.verdict is bulk.Verdict.APPLIED:
            record.update(outcome="applied", id=verdict.transaction_id, settled=True)
        elif verdict.verdict is bulk.Verdict.NOT_APPLIED:
            record.update(outcome="resend" if interrupted else "failed")
            record["msg"] = f"{item.message}; settled: not applied, safe to send again"
        else:
            record.update(outcome="ambiguous", candidates=list(verdict.candidates))
            record["msg"] = f"{item.message}; settling: {verdict.reason}"
        self.journal.record(record)
        outcome: str = record["outcome"]
        return {"resend": "to send again", "failed": "not applied"}.get(outcome, outcome)

    async def _send_rows(self) -> None:
        state, job = self.journal.state, self.job
        todo = await anyio.to_thread.run_sync(self._count_open)
        self.skipped = self.checked.rows - todo
        if self.skipped:
            rows_done = plural(self.skipped, "row", "rows")
            rt.say(f"skipped {self.skipped} {rows_done} already done (from {job.journal_path})")
        # The clock starts now: the rate and time shown are the sending's, not the settling's.
        self.counters.total, self.counters.started_at = todo, time.monotonic()
        reader = self._reader()
        rows = (r for r in reader if state.is_open(r.key))
        async with (
            # --rate paces every request through the client's limiter (retries included)
            bulk.run_many(
                self._call, rows, concurrency=self.settings.workers(), counters=self.counters
            ) as run,
            progress(job.kind, self.counters),
        ):
            self._run = run
            try:
                async for result in run:
                    self._record(result)
            finally:
                reader.close()  # a stop leaves the rest of the file unread

    def _reader(self) -> RowReader:
        job = self.job
        return RowReader(job.csv_path, job.kind, self.checked.encoding, ignored=job.ignore_columns)

    def _count_open(self) -> int:
        return sum(self.journal.state.is_open(row.key) for row in self._reader())

    async def _call(self, row: Row) -> Transaction:
        """Send the row; while the account's limit refuses it (nothing applied), wait and
        send it again (journaled sent again first: its window starts at the new send)."""
        throttled_since: float | None = None
        for rounds in range(1, 1_000_000):
            try:
                return await self._send(row)
            except ShopSociallyError as exc:
                if throttled(exc) and throttled_since is None:
                    throttled_since = time.monotonic()
                if not self._goes_again(exc, rounds, throttled_since):
                    raise
                with self._until_stopped():
                    await anyio.sleep(_pause(exc, rounds))
                if self.stopped_by is not None:
                    raise  # stopped while it waited: --resume sends it (see _record)
                self.counters.record_retry()
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send(self, row: Row) -> Transaction:
        """Journal the row *sent*, durably, then send it. Its call must end within the run's
        deadline of the journaled time (what settling after a crash counts on), so the wait
        for the disk comes out of it; a wait for --rate comes before (see :mod:`.pacing`)."""
        if self.turns is not None:
            with self._until_stopped():
                await self.turns.take()
            if self.stopped_by is not None:
                raise RowNotSent("stopped while it waited for its turn at --rate: not sent")
        with self.turns.taken() if self.turns else contextlib.nullcontext():
            journaled = anyio.current_time()
            sent = {"t": "sent", "k": row.key, "line": row.line, "at": now(), "row": row.cells}
            await self.journal.record_durably(sent)  # on disk before the request leaves
            client = self._within_deadline(spent=anyio.current_time() - journaled)
            return await _method(client, self.job.kind)(**row.arguments)

    def _within_deadline(self, spent: float) -> ShopSociallyClient:
        deadline = self._counting.deadline
        if deadline is None or spent <= 0:
            return self._counting
        if deadline - spent < min(LEAST_CALL_TIME, deadline / 2):
            raise RowNotSent(
                f"not sent: writing the journal took {spent:.1f} s of the call's {deadline:g} s "
                "deadline"
            )
        return self._counting.with_options(deadline=deadline - spent)

    @contextlib.contextmanager
    def _until_stopped(self) -> Iterator[None]:
        """A wait that a stop signal ends (the caller checks ``stopped_by`` after it)."""
        with anyio.CancelScope() as scope:
            if self.stopped_by is not None:
                scope.cancel()
            self._waits.add(scope)
            try:
                yield
            finally:
                self._waits.discard(scope)

    def _goes_again(
        self, error: ShopSociallyError, rounds: int, throttled_since: float | None
    ) -> bool:
        if self.stopped_by is not None:
            return False
        if isinstance(error, RowNotSent):
            return rounds < MAX_UNSENT_ROUNDS
        if not send_again(error, rounds):
            return False
        waited = 0.0 if throttled_since is None else time.monotonic() - throttled_since
        return waited < THROTTLED_AT_MOST

    def _record(self, result: bulk.BulkResult[Row, Transaction]) -> None:
        record: dict[str, Any] = {"t": "done", "k": result.input.key, "at": now()}
        if result.ok or result.replayed:
            record.update(outcome="applied", id=result.value.id if result.value else None)
        else:
            assert result.error is not None
            outcome = "unknown" if result.outcome_unknown else "failed"
            if self.stopped_by is not None and _not_sent(result.error):
                outcome = "resend"  # it would have gone again but for the stop: --resume sends it
            record.update(outcome=outcome, code=error_code(result.error), msg=str(result.error))
        self.journal.record(record)

    async def _watch_signals(self) -> None:
        with anyio.open_signal_receiver(*rt.STOP_SIGNALS) as signals:
            async for signum in signals:
                if signum == getattr(signal, "SIGHUP", None):
                    rt.detach_terminal()
                if self.finished:
                    continue  # every row is done: only the report is left to write
                if self.stopped_by is not None:
                    self._hard.cancel()
                    return
                self._stop(signum)

    def _stop(self, signum: int) -> None:
        self.stopped_by = signum
        for wait in self._waits:
            wait.cancel()
        if self._run is not None:
            self._run.stop()
        if self._soft is not None:
            self._soft.cancel()
        rt.say(
            f"\nstopping ({rt.stop_message(signum)}): waiting for {self.counters.in_flight} "
            "calls in flight (a second signal abandons them; --resume settles abandoned calls)"
        )

    def _finish(self) -> int:
        """Failures file first, then the completion mark, then the report."""
        self.journal.sync()
        failures = write_failures(self.job, self.journal.state)
        if self.finished:
            self.journal.record({"t": "complete", "at": now(), "failed": len(failures)})
            self.journal.sync()
        return _report(self, failures)


def _not_sent(error: ShopSociallyError) -> bool:
    """Whether the row certainly did not apply and would simply go again."""
    return isinstance(error, RowNotSent) or send_again(error, rounds=1)


def _pause(error: ShopSociallyError, rounds: int) -> float:
    """How long a row waits before it goes again: a 429's Retry-After (the client's rate
    limiter, when --rate is given, holds every other row back as long), else a short
    backoff."""
    if not throttled(error):
        return min(0.5 * rounds, 5.0)
    hint = error.retry_after if isinstance(error, RateLimitError) else None
    return min(DEFAULT_COOLDOWN if hint is None else hint, MAX_COOLDOWN)


def _report(session: _Session, failures: list[Any]) -> int:
    say_failures(session.job.failures_path, failures)
    state = session.journal.state
    job, checked = session.job, session.checked
    rt.say(
        f"{job.csv_path} ({checked.size} bytes, {checked.rows} "
        f"{plural(checked.rows, 'row', 'rows')}), every run of {job.journal_path}: "
        f"{state.applied} applied, {len(failures)} failed"
    )
    if session.stopped_by is not None and not session.finished:
        rt.say(f"{rt.stop_message(session.stopped_by)}. To resume: {rt.resume_command()}")
        if rt.api_key_was_given():
            rt.say(rt.api_key_hint())
        return rt.exit_status(session.stopped_by)
    return rt.EXIT_ITEMS_FAILED if failures else rt.EXIT_OK


__all__ = ["SPECS", "BulkJob", "default_paths", "error_code", "run_bulk"]
