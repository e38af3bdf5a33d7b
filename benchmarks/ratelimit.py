"""Benchmark 6: one account limit shared by several worker processes through Redis.

Four worker processes, each awarding through ``bulk.award_many(concurrency=50)``, against the
embedded fake limited to 20 requests/s and served in its own process (see
``_ratelimit_processes``). The fake logs every arrival on ``time.monotonic``; the workers log
when each acquire returned and each 429 was reported, on the same clock.

- **Shared**: every worker paced by a RedisRateLimiter on one account, at 85% of 20/s.
- **Local only** (the comparison): each worker paced by its own LocalRateLimiter at the full
  20/s, which is what a single process would rightly do.
- **Forced 429**: the shared run again, with one award answered 429 ``Retry-After: 2``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from shopsocially_async.testing import RedisServer, busiest_window

from ._common import ROOT, Section, table

LIMIT, HEADROOM, WORKERS, CONCURRENCY, RETRY_AFTER = 20, 0.85, 4, 50, 2.0
PACED = LIMIT * HEADROOM
TIMEOUT = 600.0
HEADERS = ["limiter", "requests", "busiest 1 s", "429s", "req/s", "succeeded", "failed", "retries"]
#: How soon after the 429 a request already sent may still arrive (generous: a loaded loop).
IN_FLIGHT = 0.25


@dataclass
class Observed:
    """What one run saw: the server's arrival log and each worker's report."""

    arrivals: list[float]
    throttled: list[float]
    workers: list[dict[str, Any]] = field(default_factory=list)

    def total(self, key: str) -> int:
        return sum(int(worker[key]) for worker in self.workers)

    @property
    def busiest_window(self) -> int:
        """The most arrivals in any 1-second window."""
        return busiest_window(self.arrivals)

    @property
    def throughput(self) -> float:
        """Requests per second at the server, first arrival to last."""
        span = self.arrivals[-1] - self.arrivals[0] if len(self.arrivals) > 1 else 0.0
        return (len(self.arrivals) - 1) / span if span > 0 else 0.0


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "benchmarks._ratelimit_processes", *args]


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        _command(*args), cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def _last_json(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = process.communicate(timeout=TIMEOUT)
    if process.returncode != 0:
        raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


@contextmanager
def _stopping(processes: list[subprocess.Popen[str]]) -> Iterator[None]:
    """Kill (by pid) whatever is still running when the run ends, however it ends."""
    try:
        yield
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def _scenario(limiter: str, calls: int, redis_url: str, force_429_at: int = 0) -> Observed:
    """Serve the limited fake, run the workers together, and collect what everyone saw."""
    fake = _spawn("fake", "--rate-limit", str(LIMIT), "--force-429-at", str(force_429_at),
                  "--retry-after", str(RETRY_AFTER))  # fmt: skip
    processes = [fake]
    with _stopping(processes):
        assert fake.stdout is not None
        base_url = fake.stdout.readline().strip()
        account = f"bench-{uuid.uuid4().hex[:8]}"
        rate = str(LIMIT)
        for number in range(WORKERS):
            processes.append(_spawn(
                "worker", "--base-url", base_url, "--limiter", limiter, "--redis", redis_url,
                "--account", account, "--rate", rate, "--headroom", str(HEADROOM),
                "--calls", str(calls), "--concurrency", str(CONCURRENCY), "--worker", str(number),
            ))  # fmt: skip
        workers = processes[1:]
        for worker in workers:  # every worker built its client: start them together
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "ready"
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        reports = [_last_json(worker) for worker in workers]
        log = _last_json(fake)  # closing its stdin makes it print its log
    return Observed(sorted(log["arrivals"]), log["throttled"], reports)


@dataclass
class Cooldown:
    """What happened around the forced 429 (times in seconds after its arrival)."""

    in_window: list[float]  # arrivals within RETRY_AFTER after it
    sent_during: int  # acquires that returned after the cooldown was recorded, inside it
    resumed_after: float  # the first arrival after those in flight
    busiest_after: int  # the busiest 1 s window once the cooldown was over
    recorded_after: float  # when the worker's limiter had recorded the cooldown


def analyse_cooldown(observed: Observed) -> Cooldown:
    """Measure the forced 429's cooldown from the logs (pure: tested on made-up logs)."""
    forced = observed.throttled[0]
    recorded = min(
        done for w in observed.workers for reported, done in w["cooldowns"] if reported >= forced
    )
    ends = forced + RETRY_AFTER
    in_window = [a - forced for a in observed.arrivals if forced < a < ends]
    sent_during = sum(1 for w in observed.workers for t in w["acquired"] if recorded < t < ends)
    in_flight_end = forced + max(in_window, default=0.0)
    later = [a for a in observed.arrivals if a > in_flight_end]
    return Cooldown(
        in_window=in_window,
        sent_during=sent_during,
        resumed_after=(later[0] - forced) if later else float("nan"),
        busiest_after=busiest_window([a for a in observed.arrivals if a >= ends]),
        recorded_after=recorded - forced,
    )


def _share(observed: Observed) -> str:
    return f"{len(observed.throttled) / max(1, len(observed.arrivals)):.0%}"


def _row(name: str, observed: Observed) -> list[str]:
    return [
        name,
        f"{len(observed.arrivals):,}",
        str(observed.busiest_window),
        f"{len(observed.throttled):,}",
        f"{observed.throughput:.1f}",
        f"{observed.total('succeeded'):,}",
        f"{observed.total('failed'):,}",
        f"{observed.total('retries'):,}",
    ]


def run(*, quick: bool = False) -> Section:
    calls = 15 if quick else 85  # per worker: 60 or 340 awards in all
    with RedisServer() as redis:
        shared = _scenario("redis", calls, redis.url)
        local = _scenario("local", calls, redis.url)
        forced = _scenario("redis", calls, redis.url, force_429_at=WORKERS * calls // 3)
    cooldown = analyse_cooldown(forced)
    section = Section("6. One account limit shared by worker processes (Redis)")
    _describe(section, calls, shared, local, forced, cooldown)
    _judge(section, shared, local, cooldown, forced)
    return section


def _describe(
    section: Section,
    calls: int,
    shared: Observed,
    local: Observed,
    forced: Observed,
    cooldown: Cooldown,
) -> None:
    n = WORKERS * calls
    section.lines += [
        f"{WORKERS} worker processes x {calls} awards each ({n:,} in all), "
        f"`bulk.award_many(concurrency={CONCURRENCY})` in each, against the embedded fake "
        f"limited to {LIMIT} requests/s (a sliding 1 s window), served in its own process. "
        "*busiest 1 s* is the most requests the server received in any 1-second window "
        "(429s included), from its arrival log; *req/s* is at the server, first arrival to "
        "last. Default retry policy (2 retries, Retry-After honoured).",
        "",
        *table(
            HEADERS,
            [
                _row(f"shared RedisRateLimiter at {HEADROOM:.0%} ({PACED:g}/s)", shared),
                _row(f"local LocalRateLimiter({LIMIT}) per process", local),
            ],
        ),
        "",
        f"Local limiters each keep their own process at {LIMIT}/s, so together they offer up "
        f"to {WORKERS * LIMIT}/s to a {LIMIT}/s account; only the cooldown each process takes "
        f"after a 429 holds them back. The server received up to {local.busiest_window} "
        f"requests in one second and refused {len(local.throttled)} "
        f"({_share(local)} of what it received), each refusal a retry after Retry-After. The "
        f"shared schedule keeps all four workers at {PACED:g}/s together: no 429 at all.",
        "",
        f"**Forced 429.** The shared run again, with award number {WORKERS * calls // 3} "
        f"answered 429 `Retry-After: {RETRY_AFTER:g}`. The worker's limiter had recorded the "
        f"cooldown in Redis {cooldown.recorded_after * 1000:.1f} ms after the 429 arrived at "
        f"the server. In the {RETRY_AFTER:g} s after it the server received "
        f"{len(cooldown.in_window)} request(s)"
        + (
            f", all within {max(cooldown.in_window) * 1000:.1f} ms of it (already in flight)"
            if cooldown.in_window
            else ""
        )
        + f"; {cooldown.sent_during} acquire(s) returned after the cooldown was recorded and "
        f"before it ended. Sending resumed {cooldown.resumed_after:.3f} s after the 429; the "
        f"busiest 1 s window after the cooldown held {cooldown.busiest_after} "
        f"(limit {LIMIT}). Other 429s in that run: {len(forced.throttled) - 1}.",
    ]


def _judge(
    section: Section, shared: Observed, local: Observed, cooldown: Cooldown, forced: Observed
) -> None:
    busiest, throttled = shared.busiest_window, len(shared.throttled)
    section.target(
        f"Shared limit: busiest 1 s window <= {LIMIT}",
        busiest <= LIMIT,
        f"{busiest} (local limiters alone: {local.busiest_window})",
    )
    section.target(
        "Shared limit: zero 429s",
        throttled == 0,
        f"{throttled} (local limiters alone: {len(local.throttled)})",
    )
    section.target(
        f"Shared limit: throughput >= 0.9 x {PACED:g}/s",
        shared.throughput >= 0.9 * PACED,
        f"{shared.throughput:.2f} req/s",
    )
    in_flight = max(cooldown.in_window, default=0.0)
    quiet = (
        cooldown.sent_during == 0
        and in_flight <= IN_FLIGHT
        and cooldown.resumed_after >= RETRY_AFTER
    )
    section.target(
        f"Forced 429: no request for {RETRY_AFTER:g} s after it (but those in flight)",
        quiet,
        f"{len(cooldown.in_window)} in flight (<= {in_flight * 1000:.0f} ms), sending resumed "
        f"after {cooldown.resumed_after:.3f} s",
    )
    section.target(
        f"Forced 429: no burst above {LIMIT} after it",
        cooldown.busiest_after <= LIMIT and len(forced.throttled) == 1,
        f"busiest 1 s after: {cooldown.busiest_after}; other 429s: {len(forced.throttled) - 1}",
    )
