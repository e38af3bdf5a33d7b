"""A bulk run on Temporal across worker processes, one of them killed mid-run, checked
against the embedded server's ledger: what ``demo --workers N`` shows, the scale-out
benchmark measures and the kill test asserts.

It starts Redis and a Temporal dev server (their binaries must be installed), serves the
embedded API with an account rate limit, starts N ``shopsocially-async worker`` processes,
submits deducts (each row with its own ``reason``, so the ledger tells rows apart), kills
one worker with SIGKILL once a share of the rows is done, waits for the run to end, and
compares every row's reported outcome with the ledger.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import attrs

from ..distributed import DEFAULT_HEADROOM
from ..testing import FakeShopSocially, RedisServer, TemporalServer
from . import _runtime as rt

READY = "worker ready"
START_TIMEOUT = 60.0
REASON = "scale-out row {}"
MEMBERS = 200


@attrs.frozen
class ScalePlan:
    """The run: how many workers and rows, the account's limit, when to kill a worker
    (``kill_at``: the share of rows done), and the knobs that make recovery quick."""

    workers: int = 3
    rows: int = 300
    rate_limit: int = 20
    kill_at: float | None = 0.4
    concurrency: int = 8
    heartbeat_timeout: float = 2.0
    settle_grace: float = 1.0
    request_timeout: float = 2.0
    chunk_size: int = 50
    out_dir: Path | None = None


@attrs.frozen
class ScaleOutcome:
    """What the run did, checked against the server's ledger."""

    plan: ScalePlan
    applied: int
    failed: int
    ambiguous: int
    settled: int
    applied_twice: list[int]
    lost: list[int]
    busiest: int
    throttled: int
    elapsed: float
    killed_at: float | None

    @property
    def accounted(self) -> int:
        """Rows with a final outcome that the ledger agrees with."""
        return self.applied + self.failed + self.ambiguous - len(self.lost)

    @property
    def ideal(self) -> float:
        """Seconds the rows take at exactly the account's limit (n ÷ rate)."""
        return self.plan.rows / self.plan.rate_limit

    @property
    def throughput(self) -> float:
        """Rows per second, submission to the end of the run."""
        return self.plan.rows / self.elapsed if self.elapsed else 0.0

    def checks(self) -> list[tuple[bool, str]]:
        """Each check: (passed, what it says)."""
        limit = self.plan.rate_limit
        return [
            (not self.applied_twice, f"no row applied twice ({len(self.applied_twice)} were)"),
            (
                not self.lost and self.accounted == self.plan.rows,
                f"every row accounted for: {self.applied} applied, {self.failed} failed, "
                f"{self.ambiguous} ambiguous; the ledger agrees with each ({len(self.lost)} "
                "lost or wrong)",
            ),
            (
                self.busiest <= limit,
                f"busiest 1-second window at the server: {self.busiest} requests (limit "
                f"{limit}), {self.throttled} answered 429",
            ),
        ]


def missing_binaries() -> str | None:
    """Why the run cannot start here (a Python package or a binary is missing, and how to
    get it), or None."""
    for package in ("temporalio", "coredis"):
        if importlib.util.find_spec(package) is None:
            return (
                f"the Python package {package} is not installed: pip install "
                "'shopsocially-async[temporal,cli]'"
            )
    for server in (RedisServer, TemporalServer):
        try:
            server()
        except RuntimeError as exc:
            return str(exc)
    return None


async def run_scale(plan: ScalePlan, say: Callable[[str], None] = rt.say) -> ScaleOutcome:
    """Run the plan (see the module doc); the outcome, checked."""
    workdir = plan.out_dir or Path(tempfile.mkdtemp(prefix="shopsocially-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    fake = _fake(plan)
    with RedisServer() as redis, TemporalServer() as temporal:
        async with fake.serve() as base_url:
            say(f"Redis on {redis.url}, Temporal on {temporal.target}, API on {base_url} "
                f"(account limit {plan.rate_limit}/s)")  # fmt: skip
            env = _environment(fake, base_url)
            with _workers(plan, temporal.target, redis.url, env, workdir) as workers:
                say(f"{len(workers)} workers ready (pids {', '.join(str(w.pid) for w in workers)})")
                started = time.monotonic()
                records, settled, killed = await _submit(
                    plan, temporal.target, redis.url, workers, say
                )
                elapsed = time.monotonic() - started
    return _check(plan, fake, records, settled, elapsed, killed)


def _fake(plan: ScalePlan) -> FakeShopSocially:
    fake = FakeShopSocially(rate_limit=plan.rate_limit)
    for i in range(MEMBERS):
        fake.add_member(_member(i), available_points=10_000_000)
    return fake


def _member(i: int) -> str:
    return f"member{i}@example.com"


def _environment(fake: FakeShopSocially, base_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "SHOPSOCIALLY_BASE_URL": base_url,
        "SHOPSOCIALLY_PARTNER_ID": fake.partner_id,
        "SHOPSOCIALLY_API_KEY": fake.api_key,
    }


@contextlib.contextmanager
def _workers(
    plan: ScalePlan, target: str, redis: str, env: dict[str, str], workdir: Path
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """The worker processes, ready; drained (SIGTERM) and reaped at the end, by pid."""
    command = [
        sys.executable, "-m", "shopsocially_async", "worker", "--temporal", target,
        "--redis", redis, "--rate", str(plan.rate_limit), "--concurrency", str(plan.concurrency),
        "--timeout", str(plan.request_timeout), "--max-retries", "1", "--drain", "5",
    ]  # fmt: skip
    logs = [workdir / f"worker-{n}.log" for n in range(plan.workers)]
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for log in logs:
            with log.open("wb") as out:
                processes.append(
                    subprocess.Popen(command, env=env, stdout=out, stderr=out)  # noqa: S603
                )
        _wait_ready(processes, logs)
        yield processes
    finally:
        _stop(processes)


def _wait_ready(processes: list[subprocess.Popen[bytes]], logs: list[Path]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    for process, log in zip(processes, logs, strict=True):
        while READY not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                said = log.read_text(errors="replace").strip().splitlines()[-1:]
                raise RuntimeError(f"a worker did not start: {' '.join(said) or 'no output'}")
            time.sleep(0.05)


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _submit(
    plan: ScalePlan,
    target: str,
    redis: str,
    workers: list[subprocess.Popen[bytes]],
    say: Callable[[str], None],
) -> tuple[dict[int, Any], int, float | None]:
    """Stage and run the deducts, kill a worker on the way; every row's record, how many
    rows in doubt were settled, and when (seconds after submitting) the worker was killed."""
    from temporalio.client import Client

    from .. import temporal

    client = await Client.connect(target)
    run_id = f"scale-out-{os.getpid()}-{time.time_ns()}"
    async with temporal.RunStore(redis, run_id) as store:
        rows = (temporal.StagedRow(i + 2, {}, _deduct(i)) for i in range(plan.rows))
        meta = await temporal.stage_rows(
            store, "deduct", rows, identity=run_id, chunk_size=plan.chunk_size
        )
        run = temporal.BulkWriteInput(
            run_id=run_id, kind="deduct", chunks=meta.chunks, rows=meta.rows,
            settle_grace=plan.settle_grace,
            timing=temporal.Timing(heartbeat_timeout=plan.heartbeat_timeout),
        )  # fmt: skip
        started = time.monotonic()
        submitted = await temporal.submit_bulk_write(client, meta, run)
        say(f"submitted run {run_id}: {meta.rows} deducts in {meta.chunks} chunks")
        killed: list[float] = []
        async with anyio.create_task_group() as tasks:
            if plan.kill_at is not None and workers:
                kill = _Kill(store, plan, submitted.handle, workers, started, say)
                tasks.start_soon(kill.when_due, killed)
            summary = await temporal.bulk_result(submitted)
            tasks.cancel_scope.cancel()
        say(f"run ended: {summary.totals}")
        records = {}
        for chunk in range(meta.chunks):
            for position, record in (await store.records(chunk)).items():
                records[chunk * meta.chunk_size + position] = record
    return records, summary.totals.settled, killed[0] if killed else None


def _deduct(i: int) -> dict[str, Any]:
    return {"user_email": _member(i % MEMBERS), "points_passed": 1, "reason": REASON.format(i)}


@attrs.define
class _Kill:
    """Kills, with SIGKILL, the worker running the most chunks once ``plan.kill_at`` of the
    rows are done (Temporal names each activity's worker: ``pid@host``)."""

    store: Any
    plan: ScalePlan
    handle: Any
    workers: list[subprocess.Popen[bytes]]
    started: float
    say: Callable[[str], None]

    async def when_due(self, killed: list[float]) -> None:
        assert self.plan.kill_at is not None
        while True:
            counts = await self.store.counts()
            if counts["applied"] + counts["failed"] >= self.plan.kill_at * self.plan.rows:
                break
            await anyio.sleep(0.05)
        victim = await self._busiest()
        victim.send_signal(signal.SIGKILL)
        killed.append(time.monotonic() - self.started)
        self.say(
            f"killed worker {victim.pid} with SIGKILL after {killed[0]:.1f} s "
            f"({counts['applied']} rows applied so far)"
        )

    async def _busiest(self) -> subprocess.Popen[bytes]:
        described = await self.handle.describe()
        running = Counter(
            a.last_worker_identity.split("@")[0]
            for a in described.raw_description.pending_activities
        )
        return max(self.workers, key=lambda w: running[str(w.pid)])


def _check(
    plan: ScalePlan,
    fake: FakeShopSocially,
    records: dict[int, Any],
    settled: int,
    elapsed: float,
    killed: float | None,
) -> ScaleOutcome:
    in_ledger = Counter(t.reason for t in fake.ledger if t.reason)
    twice, lost = [], []
    outcomes: Counter[str] = Counter()
    for i in range(plan.rows):
        found, record = in_ledger[REASON.format(i)], records.get(i)
        outcome = record.outcome if record is not None else "missing"
        outcomes[outcome] += 1
        if found > 1:
            twice.append(i)
        expected = {"applied": 1, "failed": 0}.get(outcome)
        if outcome not in ("applied", "failed", "ambiguous") or (
            expected is not None and found != expected
        ):
            lost.append(i)
    return ScaleOutcome(
        plan, outcomes["applied"], outcomes["failed"], outcomes["ambiguous"],
        settled, twice, lost,
        fake.busiest_window(), len(fake.throttled), elapsed, killed,
    )  # fmt: skip


async def run_demo(plan: ScalePlan) -> int:
    """``demo --workers N``: the run, then what it proves; exit 0 when every check holds."""
    why = missing_binaries()
    if why is not None:
        raise rt.CliError(
            f"demo --workers needs the temporal extra, Redis and a Temporal dev server on this "
            f"machine: {why}"
        )
    outcome = await run_scale(plan)
    for ok, text in outcome.checks():
        rt.say(("✓ " if ok else "✗ ") + text)
    rt.say(
        f"{plan.rows} rows in {outcome.elapsed:.1f} s with a worker killed: "
        f"{outcome.throughput:.1f} rows/s, against {plan.rate_limit}/s for the account "
        f"(ideal {outcome.ideal:.1f} s; the workers pace at {DEFAULT_HEADROOM:.0%} of it); "
        f"{outcome.settled} rows in doubt settled by reading the ledger back"
    )
    return rt.EXIT_OK if all(ok for ok, _ in outcome.checks()) else rt.EXIT_ITEMS_FAILED
