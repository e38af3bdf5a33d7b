"""Exports: JSON lines and CSV, checkpoints, windows, and resuming after a crash."""

from __future__ import annotations

import csv
import json
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from shopsocially_async import ShopSociallyClient, bulk
from shopsocially_async.bulk import _checkpoint
from shopsocially_async.testing import FakeShopSocially

TODAY = date.today()  # noqa: DTZ011 - the fake's clock is the wall clock
FROM, TO = TODAY - timedelta(days=800), TODAY


def _ids(path: Path) -> list[str]:
    """The ids in a JSON-lines export, in file order."""
    return [json.loads(line)["id"] for line in path.read_text().splitlines()]


@pytest.mark.anyio
async def test_export_transactions_jsonl_has_every_record_once(
    fake: FakeShopSocially, client: ShopSociallyClient, tmp_path: Path
) -> None:
    """Every ledger entry appears once; dates are ISO 8601; the checkpoint says done."""
    out = tmp_path / "tx.jsonl"
    final = await bulk.export_transactions(client, out, from_date=FROM, to_date=TO)
    ids = _ids(out)
    assert sorted(ids) == sorted(t.id for t in fake.ledger)
    assert final.done
    assert final.records == len(ids) == len(fake.ledger)
    assert final.size == out.stat().st_size
    first = json.loads(out.read_text().splitlines()[0])
    assert first["created_time"].endswith("+00:00")
    saved = _checkpoint.Checkpoint.load(Path(f"{out}.checkpoint.json"))
    assert saved == final


@pytest.mark.anyio
async def test_export_users_csv_with_windows(
    fake: FakeShopSocially, client: ShopSociallyClient, tmp_path: Path
) -> None:
    """Members to CSV in 30-day windows: a header, then every member once."""
    out = tmp_path / "users.csv"
    counters = bulk.RunCounters()
    await bulk.export_users(client, out, from_date=FROM, to_date=TO, format="csv",
                            window_days=30, counters=counters)  # fmt: skip
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["user_email"] for r in rows) == sorted(m.email for m in fake.members)
    assert counters.succeeded == len(rows) == 50
    assert rows[0]["available_points"].isdigit()


@pytest.mark.anyio
async def test_export_one_members_transactions(
    fake: FakeShopSocially, client: ShopSociallyClient, tmp_path: Path
) -> None:
    """With user_email, only that member's history is exported."""
    email = max(fake.members, key=lambda m: sum(t.user_email == m.email for t in fake.ledger)).email
    out = tmp_path / "one.jsonl"
    await bulk.export_transactions(client, out, from_date=FROM, to_date=TO, user_email=email)
    expected = sorted(t.id for t in fake.ledger if t.user_email == email)
    assert expected
    assert sorted(_ids(out)) == expected


class _Crash(Exception):
    """Stands for the process dying."""


@pytest.mark.anyio
@pytest.mark.parametrize("window_days", [None, 45])
async def test_resume_after_crash_neither_duplicates_nor_skips(
    fake: FakeShopSocially,
    client: ShopSociallyClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    window_days: int | None,
) -> None:
    """A crash after a page is written but before its checkpoint: resume drops and refetches it."""
    out = tmp_path / "tx.jsonl"
    real_save, saves = _checkpoint.Checkpoint.save, []

    def crashing_save(self: Any, path: Path) -> None:
        saves.append(self.records)
        if len([n for n in saves if n > 0]) == 3:  # the third page that wrote records
            raise _Crash
        real_save(self, path)

    monkeypatch.setattr(_checkpoint.Checkpoint, "save", crashing_save)
    with pytest.raises(_Crash):
        await bulk.export_transactions(client, out, from_date=FROM, to_date=TO,
                                       window_days=window_days)  # fmt: skip
    partial = _ids(out)
    saved = _checkpoint.Checkpoint.load(Path(f"{out}.checkpoint.json"))
    assert saved is not None
    assert len(partial) > saved.records  # the third page is in the file, not in the checkpoint
    monkeypatch.setattr(_checkpoint.Checkpoint, "save", real_save)
    counters = bulk.RunCounters()
    await bulk.export_transactions(client, out, from_date=FROM, to_date=TO, resume=True,
                                   window_days=window_days, counters=counters)  # fmt: skip
    ids = _ids(out)
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(t.id for t in fake.ledger)
    assert counters.succeeded == len(ids) - saved.records


@pytest.mark.anyio
async def test_resume_of_a_finished_export_sends_nothing(
    fake: FakeShopSocially, client: ShopSociallyClient, tmp_path: Path
) -> None:
    """Resuming a completed export makes no request and leaves the output alone."""
    out = tmp_path / "tx.csv"
    await bulk.export_transactions(client, out, from_date=FROM, to_date=TO, format="csv")
    before, requests = out.read_bytes(), sum(fake.stats.requests.values())
    await bulk.export_transactions(client, out, from_date=FROM, to_date=TO, format="csv",
                                   resume=True)  # fmt: skip
    assert out.read_bytes() == before
    assert sum(fake.stats.requests.values()) == requests


@pytest.mark.anyio
async def test_resume_refuses_a_checkpoint_of_another_export(
    client: ShopSociallyClient, tmp_path: Path
) -> None:
    """Other dates than the checkpoint's: CheckpointMismatchError, output untouched."""
    out = tmp_path / "tx.jsonl"
    await bulk.export_transactions(client, out, from_date=FROM, to_date=TO)
    with pytest.raises(bulk.CheckpointMismatchError, match="another export"):
        await bulk.export_transactions(client, out, from_date=FROM + timedelta(days=1),
                                       to_date=TO, resume=True)  # fmt: skip


def test_date_windows_cover_the_range_without_overlap() -> None:
    """Windows are consecutive whole days, the last one shortened."""
    from shopsocially_async.bulk._export import date_windows

    windows = list(date_windows(date(2024, 1, 1), date(2024, 1, 10), 4))
    assert windows == [
        (date(2024, 1, 1), date(2024, 1, 4)),
        (date(2024, 1, 5), date(2024, 1, 8)),
        (date(2024, 1, 9), date(2024, 1, 10)),
    ]


@pytest.mark.anyio
async def test_every_page_is_on_disk_before_its_checkpoint(
    client: ShopSociallyClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The output is fsynced before each checkpoint that covers it is written: after a
    power cut the checkpoint never claims bytes the output lost."""
    out, events = tmp_path / "tx.jsonl", []
    real_fsync, real_save = os.fsync, _checkpoint.Checkpoint.save

    def fsync(fd: int) -> None:
        if out.exists() and os.path.samestat(os.fstat(fd), out.stat()):
            events.append(("fsync", os.fstat(fd).st_size))
        real_fsync(fd)

    def save(self: _checkpoint.Checkpoint, path: Path) -> None:
        events.append(("checkpoint", self.size))
        real_save(self, path)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(_checkpoint.Checkpoint, "save", save)
    await bulk.export_transactions(client, out, from_date=FROM, to_date=TO)
    synced = 0
    for kind, size in events:
        if kind == "fsync":
            synced = size
        elif size:
            assert size <= synced, events
    assert sum(kind == "checkpoint" for kind, _ in events) > 3


@pytest.mark.anyio
async def test_progress_shows_no_total_before_the_last_window(
    fake: FakeShopSocially, client: ShopSociallyClient, tmp_path: Path
) -> None:
    """Exporting in windows, the counters never claim "N/N done" part-way: the total stays
    unknown until the last window's first page, which says how many the export will hold."""
    counters = bulk.RunCounters()
    seen: list[tuple[int | None, int]] = []

    async def watch() -> None:
        while True:
            seen.append((counters.total, counters.succeeded))
            await anyio.lowlevel.checkpoint()

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(watch)
        final = await bulk.export_transactions(
            client, tmp_path / "tx.jsonl", from_date=FROM, to_date=TO, window_days=100,
            counters=counters,
        )  # fmt: skip
        tasks.cancel_scope.cancel()
    early = [(total, done) for total, done in seen if total is not None and done < final.records]
    assert all(total == final.records for total, _ in early), early[:3]
    assert counters.total == final.records
