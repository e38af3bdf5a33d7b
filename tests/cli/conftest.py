"""Fixtures for the CLI tests: a fake served over real sockets, running ``main``, and
reading or preparing journals."""

from __future__ import annotations

import contextlib
import csv
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import anyio.from_thread
import attrs
import httpx
import pytest

from shopsocially_async.cli import main
from shopsocially_async.cli.bulkcmd import BulkJob, default_paths
from shopsocially_async.cli.csvinput import RowReader, check_input
from shopsocially_async.cli.journal import decode, now
from shopsocially_async.cli.journaling import open_journal
from shopsocially_async.testing import FakeShopSocially


@attrs.frozen
class Served:
    """A fake being served, and the global options that point the CLI at it."""

    fake: FakeShopSocially
    base_url: str

    @property
    def options(self) -> list[str]:
        return ["--base-url", self.base_url, "--partner-id", self.fake.partner_id]


@attrs.frozen
class Outcome:
    """What one CLI run did."""

    code: int
    out: str
    err: str


@contextlib.contextmanager
def serving(fake: FakeShopSocially, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    """``fake`` on a loopback port (real sockets); the API key goes in the environment."""
    monkeypatch.setenv("SHOPSOCIALLY_API_KEY", fake.api_key)
    with (
        anyio.from_thread.start_blocking_portal() as portal,
        portal.wrap_async_context_manager(fake.serve()) as base_url,
    ):
        yield Served(fake, base_url)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    """A seeded fake on a loopback port (real sockets); the API key comes from the env."""
    with serving(FakeShopSocially().seed(members=30, transactions=300), monkeypatch) as found:
        yield found


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Outcome]:
    """Run ``main(argv)`` in process; return its exit code and output."""

    def run(*argv: str | Path) -> Outcome:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main([str(a) for a in argv])
        captured = capsys.readouterr()
        code = exit_info.value.code
        return Outcome(code if isinstance(code, int) else 1, captured.out, captured.err)

    return run


def read_journal(path: Path) -> list[dict[str, Any]]:
    """Every intact record of a journal, in order."""
    records = [decode(line) for line in path.read_bytes().splitlines(keepends=True)]
    return [record for record in records if record is not None]


def journal_rows(
    served: Served, path: Path, kind: str, *, done: Iterable[int] = (), sent: Iterable[int] = ()
) -> Path:
    """Write the journal an interrupted run would have left: the rows on lines ``done``
    applied, those on lines ``sent`` sent and never answered."""
    failures, journal_path = default_paths(path)
    job = BulkJob(kind, path, failures, journal_path)
    checked = check_input(path, kind, None)
    binding = {"base_url": served.base_url, "partner_id": served.fake.partner_id,
               "encoding": checked.encoding}  # fmt: skip
    journal = open_journal(job, binding, checked, deadline=0.0)
    done, sent = set(done), set(sent)
    for row in RowReader(path, kind, checked.encoding):
        if row.line in done | sent:
            journal.record({"t": "sent", "k": row.key, "line": row.line, "at": now(),
                            "row": row.cells})  # fmt: skip
        if row.line in done:
            journal.record({"t": "done", "k": row.key, "at": now(), "outcome": "applied"})
    journal.close()
    return journal_path


def deducts_csv(served: Served, tmp_path: Path, reasons: list[str], name: str = "d.csv") -> Path:
    """A deduct CSV: one point from a member with points, one row per (unique) reason."""
    emails = [m.email for m in served.fake.members if m.available_points >= 50]
    path = tmp_path / name
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_email", "points_passed", "reason"])
        writer.writerows([emails[i % len(emails)], 1, r] for i, r in enumerate(reasons))
    return path


def csv_rows(path: Path) -> list[dict[str, str]]:
    """A CSV file's rows."""
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def applied_reasons(served: Served, prefix: str) -> Counter[str]:
    """How often each reason starting with ``prefix`` is in the fake's ledger."""
    return Counter(t.reason for t in served.fake.ledger if (t.reason or "").startswith(prefix))


def deduct_directly(served: Served, row: dict[str, str]) -> str:
    """What a run killed after sending left in the ledger: the row applied, unanswered."""
    headers = {"partner-id": served.fake.partner_id, "api-key": served.fake.api_key}
    response = httpx.post(f"{served.base_url}/deduct", json=row, headers=headers)
    return str(response.json()["data"]["id"])
