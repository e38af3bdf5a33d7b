"""kill -9 and SIGHUP at random moments, then --resume: no row applied twice, none lost.

Each trial drives the real command line (``python -m shopsocially_async deduct``) in a
subprocess against one embedded server, with 30 ms of latency on ``POST /deduct`` (so that
calls are in flight when the signal lands) and 1 % of deducts dropped before they are
handled (answers lost, nothing applied: settled at the end of a run). Every row has a unique
reason, so the server's ledger says exactly how often each row applied. A trial runs 1 to 64
calls at once, interrupts 1 or 2 runs (SIGKILL; SIGHUP; two SIGHUPs, the hard stop;
SIGTERM), mostly while rows are being sent, else at any moment from start-up to the end,
then resumes to the end; a third of the trials pace their rows with ``--rate``.
``SHOPSOCIALLY_CRASH_TRIALS`` sets the number of trials (default 8, about 3 s each); a
trial's seed is its number, so a failure replays alone.
"""
# ruff: noqa: S603 - these tests start our own command line with sys.executable

from __future__ import annotations

import csv
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import anyio.from_thread
import pytest

from shopsocially_async.testing import FakeShopSocially, Fault

from .conftest import Served, read_journal

TRIALS = int(os.environ.get("SHOPSOCIALLY_CRASH_TRIALS", "8"))
WRITE_LATENCY = 0.03
MEMBERS = 40


@pytest.fixture(scope="module")
def crash_server() -> Iterator[Served]:
    """One server for every trial: rich members, and latency on the deduct route."""
    fake = FakeShopSocially(rng_seed=3)
    fake.add_activity("made_a_purchase")
    for i in range(MEMBERS):
        fake.add_member(f"crash{i}@example.com", available_points=1_000_000)
    fake.inject(Fault("latency", route="POST /deduct", latency=WRITE_LATENCY))
    fake.inject(
        Fault("drop_before", route="POST /deduct", probability=0.01)
    )  # unknown, not applied
    with (
        anyio.from_thread.start_blocking_portal() as portal,
        portal.wrap_async_context_manager(fake.serve()) as base_url,
    ):
        yield Served(fake, base_url)


def _rows(path: Path, trial: int, count: int) -> list[str]:
    reasons = [f"crash-{trial}-{i}" for i in range(count)]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_email", "points_passed", "reason"])
        writer.writerows([f"crash{i % MEMBERS}@example.com", 1, r] for i, r in enumerate(reasons))
    return reasons


class _Runner:
    """Starts runs of one trial's command and interrupts them as its dice say."""

    def __init__(
        self,
        served: Served,
        tmp_path: Path,
        rng: random.Random,
        concurrency: int,
        rate: int | None = None,
    ):
        self.served, self.tmp_path, self.rng = served, tmp_path, rng
        self.concurrency, self.rate, self.runs = concurrency, rate, 0
        self.size_at_start = self.sending_from = 0
        self.log: list[str] = []

    def start(self, resume: bool) -> subprocess.Popen[bytes]:
        self.runs += 1
        self.size_at_start = self._journal_size()
        self.sending_from = self.size_at_start + 600
        args = [
            sys.executable,
            "-m",
            "shopsocially_async",
            *self.served.options,
            *(["--rate", str(self.rate)] if self.rate else []),
            "deduct",
            "rows.csv",
            "--concurrency",
            str(self.concurrency),
            "--settle-grace",
            "0.3",
            "--timeout",  # with --max-retries 2, a call's deadline of 3 s: the settle wait
            "1",
        ]
        env = {**os.environ, "SHOPSOCIALLY_API_KEY": self.served.fake.api_key}
        stderr = (self.tmp_path / f"run{self.runs}.err").open("wb")
        resume = resume and (self.tmp_path / "rows.journal").exists()  # else nothing to resume
        with stderr:
            return subprocess.Popen(
                [*args, *(["--resume"] if resume else [])],
                cwd=self.tmp_path,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )

    def interrupt(self, resume: bool) -> None:
        process = self.start(resume)
        if self.rng.random() < 0.6:  # while sending, mostly
            self._wait_for_sending(process)
            time.sleep(self.rng.uniform(0, 0.5))
        else:  # or at any moment: starting, settling, sending, finishing, done
            time.sleep(self.rng.uniform(0.1, 2.0))
        how = self.rng.choice(["kill", "kill", "hup", "hup-twice", "term"])
        signals = {"kill": signal.SIGKILL, "term": signal.SIGTERM}
        if process.poll() is None:
            process.send_signal(signals.get(how, signal.SIGHUP))
            if how == "hup-twice":
                time.sleep(self.rng.uniform(0, 0.1))
                process.send_signal(signal.SIGHUP)
        code = process.wait(timeout=60)
        self.log.append(f"run {self.runs}: {how} -> {code}")
        if code in (-signal.SIGHUP, -signal.SIGTERM):  # only while Python itself starts
            assert self._journal_size() == self.size_at_start, self.story()
        else:
            assert code in (0, 1, 129, 143, -signal.SIGKILL), self.story()

    def _journal_size(self) -> int:
        journal = self.tmp_path / "rows.journal"
        return journal.stat().st_size if journal.exists() else 0

    def _wait_for_sending(self, process: subprocess.Popen[bytes]) -> None:
        journal, deadline = self.tmp_path / "rows.journal", time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            if journal.exists() and journal.stat().st_size > self.sending_from:
                return
            time.sleep(0.01)

    def finish(self) -> int:
        process = self.start(resume=True)
        code = process.wait(timeout=120)
        self.log.append(f"run {self.runs}: to the end -> {code}")
        return code

    def story(self) -> str:
        errors = [(self.tmp_path / f"run{i}.err").read_text() for i in range(1, self.runs + 1)]
        return "\n".join([*self.log, *errors])


def _failures(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    with path.open(newline="") as handle:
        return {row["reason"]: row for row in csv.DictReader(handle)}


@pytest.mark.parametrize("trial", range(TRIALS))
def test_interrupted_runs_resume_to_every_row_at_most_once(
    crash_server: Served, tmp_path: Path, trial: int
) -> None:
    """Whatever the moment and the signal, after --resume every row applied at most once,
    every row not applied is in the failures file, and a row reported certainly failed
    (outcome_unknown=false) did not apply."""
    rng = random.Random(trial)
    concurrency = rng.choice([1, 8, 32, 64])
    rows = {1: (30, 60), 8: (150, 300)}.get(concurrency, (300, 600))  # about a second each
    reasons = _rows(tmp_path / "rows.csv", trial, rng.randrange(*rows))
    rate = rng.choice([None, None, 2 * rows[1]])  # rows taking their turns at --rate too
    runner = _Runner(crash_server, tmp_path, rng, concurrency, rate)
    for run in range(rng.randint(1, 2)):
        runner.interrupt(resume=run > 0)
    code = runner.finish()
    story = runner.story()
    assert code in (0, 1), story
    applied = Counter(
        t.reason for t in crash_server.fake.ledger if (t.reason or "").startswith(f"crash-{trial}-")
    )
    failures = _failures(tmp_path / "rows.failures.csv")
    assert [r for r, n in applied.items() if n > 1] == [], story
    assert [r for r in reasons if not applied[r] and r not in failures] == [], story
    wrongly_failed = [r for r, row in failures.items()
                      if row["outcome_unknown"] == "false" and applied[r]]  # fmt: skip
    assert wrongly_failed == [], story
    assert read_journal(tmp_path / "rows.journal")[-1]["t"] == "complete", story
