"""The account's rate limit on a run here: a 429 is never a row's failure."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import anyio
import pytest

from shopsocially_async.testing import FakeShopSocially, Fault

from .conftest import (
    Outcome,
    Served,
    applied_reasons,
    csv_rows,
    deducts_csv,
    read_journal,
    serving,
)

Cli = Callable[..., Outcome]
ROWS = 20


@pytest.fixture
def limited(monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    """The fake holding the account to 10 requests per second (429 beyond, Retry-After)."""
    fake = FakeShopSocially(rate_limit=10)
    for i in range(5):
        fake.add_member(f"busy{i}@example.com", available_points=1000)
    with serving(fake, monkeypatch) as served:
        yield served


def test_429s_wait_and_go_again_instead_of_failing_rows(
    limited: Served, cli: Cli, tmp_path: Path
) -> None:
    """16 rows at once against 10/s, with no client retries at all: the server refuses
    many, yet every row applies exactly once and none is reported failed."""
    path = deducts_csv(limited, tmp_path, [f"busy-{i}" for i in range(ROWS)])
    result = cli(*limited.options, "--max-retries", "0", "--concurrency", "16", "deduct", path)
    assert result.code == 0, result.err
    assert limited.fake.throttled  # the limit was met
    assert applied_reasons(limited, "busy-") == {f"busy-{i}": 1 for i in range(ROWS)}
    assert not (tmp_path / "d.failures.csv").exists()


def test_rate_paces_every_request_below_the_limit(
    limited: Served, cli: Cli, tmp_path: Path
) -> None:
    """--rate 8 paces the client's every request (the preflight included): no 429 at all."""
    path = deducts_csv(limited, tmp_path, [f"paced-{i}" for i in range(ROWS)])
    result = cli(*limited.options, "--rate", "8", "--concurrency", "16", "deduct", path)
    assert result.code == 0, result.err
    assert limited.fake.throttled == []
    assert applied_reasons(limited, "paced-") == {f"paced-{i}": 1 for i in range(ROWS)}


def test_rows_queued_behind_a_low_rate_keep_their_whole_deadline(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """30 rows at once, 6 turns a second (5 s of queue), each call bounded by 1 s: a row
    waits for its turn before its call starts, so every row is sent once, on time, and
    applies once; none runs out of time queued or is left an unknown outcome."""
    reasons = [f"queued-{i}" for i in range(30)]
    path = deducts_csv(served, tmp_path, reasons)
    options = ["--rate", "6", "--concurrency", "30", "--timeout", "1", "--max-retries", "0"]
    result = cli(*served.options, *options, "deduct", path)
    assert result.code == 0, result.err
    assert applied_reasons(served, "queued-") == dict.fromkeys(reasons, 1)
    sent = [r for r in read_journal(tmp_path / "d.journal") if r["t"] == "sent"]
    assert len(sent) == len(reasons)  # no row went round again
    assert not (tmp_path / "d.failures.csv").exists()


def _slow_disk(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Every durable journal write takes ``seconds`` more."""
    from shopsocially_async.cli.journal import JournalFile

    durable = JournalFile.record_durably

    async def slow(self: JournalFile, record: dict[str, object]) -> None:
        await durable(self, record)
        await anyio.sleep(seconds)

    monkeypatch.setattr(JournalFile, "record_durably", slow)


def test_a_slow_disk_comes_out_of_the_call_deadline(
    served: Served, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The journal's *sent* record takes 0.3 s to reach the disk, and the server applies the
    row at once but answers 0.8 s later, while the run's calls are bounded by 1 s: the call
    gets what the disk left of the deadline, so it gives up before the recorded time plus
    the deadline (on which a resume after a crash counts); the row ends in doubt and is
    settled applied."""
    _slow_disk(monkeypatch, 0.3)
    served.fake.inject(Fault("timeout_after", route="POST /deduct", latency=0.8, times=1))
    path = deducts_csv(served, tmp_path, ["slow-disk-0"])
    options = ["--timeout", "1", "--max-retries", "0"]
    result = cli(*served.options, *options, "deduct", path, "--settle-grace", "0")
    assert result.code == 0, result.err
    assert "settled: 1 applied" in result.err
    assert applied_reasons(served, "slow-disk-") == {"slow-disk-0": 1}


def test_a_disk_that_takes_the_whole_deadline_sends_nothing(
    served: Served, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writing the journal takes 1.2 s of a 1 s deadline: the row is not sent (a request
    leaving then would outlive its journaled time plus the deadline). It goes again, and
    after three rounds is a failure that certainly did not apply; nothing reached the API."""
    _slow_disk(monkeypatch, 1.2)
    path = deducts_csv(served, tmp_path, ["no-time-0"])
    options = ["--timeout", "1", "--max-retries", "0"]
    result = cli(*served.options, *options, "deduct", path, "--settle-grace", "0")
    assert result.code == 1, result.err
    assert served.fake.stats.requests["POST /deduct"] == 0
    (failed,) = csv_rows(tmp_path / "d.failures.csv")
    assert (failed["error_code"], failed["outcome_unknown"]) == ("RowNotSent", "false")
    assert failed["message"].startswith("not sent: writing the journal took ")
    assert failed["message"].endswith(" s of the call's 1 s deadline")


def test_a_stop_ends_the_wait_of_rows_queued_for_their_turn(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """SIGTERM right after the first of 10 rows queued behind --rate 2 is sent: the rows
    still waiting for their turn are not sent (exit 143, at most the one whose turn had come
    goes too); --resume sends the rest, and each row applies once."""
    reasons = [f"turn-{i}" for i in range(10)]
    path = deducts_csv(served, tmp_path, reasons)
    stopper = threading.Thread(target=_stop_after_first, args=(served, "POST /deduct"))
    stopper.start()
    stopped = cli(*served.options, "--rate", "2", "--concurrency", "10", "deduct", path)
    stopper.join()
    assert stopped.code == 143, stopped.err
    assert served.fake.stats.requests["POST /deduct"] <= 2
    resumed = cli(*served.options, "deduct", path, "--resume")
    assert resumed.code == 0, resumed.err
    assert applied_reasons(served, "turn-") == dict.fromkeys(reasons, 1)


def _stop_after_first(served: Served, route: str) -> None:
    """SIGTERM to this process once the fake has seen one request on ``route``."""
    deadline = time.monotonic() + 30
    while served.fake.stats.requests[route] < 1 and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(os.getpid(), signal.SIGTERM)


def test_a_stop_while_a_row_waits_out_a_429_keeps_it_for_resume(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """SIGTERM while the only row waits out a 429's Retry-After of a minute: the wait ends
    at once, the row is not sent again (exit 143, one request), it stays to send on
    --resume, and applies once there."""
    served.fake.inject(Fault("rate_limit", route="POST /deduct", retry_after=60.0, times=1))
    path = deducts_csv(served, tmp_path, ["waiting-0"])

    stopper = threading.Thread(target=_stop_after_first, args=(served, "POST /deduct"))
    stopper.start()
    started = time.monotonic()
    stopped = cli(*served.options, "--max-retries", "0", "deduct", path)
    stopper.join()
    assert stopped.code == 143, stopped.err
    assert time.monotonic() - started < 30  # not a speed: waiting the minute out is the bug
    assert served.fake.stats.requests["POST /deduct"] == 1
    assert read_journal(tmp_path / "d.journal")[-1]["outcome"] == "resend"
    resumed = cli(*served.options, "deduct", path, "--resume")
    assert resumed.code == 0, resumed.err
    assert applied_reasons(served, "waiting-") == {"waiting-0": 1}
