"""ExportWorkflow end to end: windows planned (large ones halved), written by activities,
merged in order, with the bookmark for the next incremental export."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import anyio
import pytest
from temporalio.client import Client

from shopsocially_async import temporal

from .conftest import Env, member

pytestmark = pytest.mark.anyio
FIRST = date(2024, 3, 1)


def history(env: Env, days: int, per_day: int) -> list[str]:
    """``per_day`` purchases on each of ``days`` days from FIRST; their ids, oldest first."""
    env.fake.add_activity("made_a_purchase", points_per_activity=5, max_award_frequency=10**6)
    ids = []
    for day in range(days):
        for n in range(per_day):
            at = datetime.combine(FIRST + timedelta(days=day), time(12, n), timezone.utc)
            award = env.fake.add_order(f"o-{day}-{n}", member(n), [("sku", 1, 10)], at=at)
            ids.append(award.id)
    return ids


async def export(env: Env, tmp_path: Path, **options: object) -> temporal.ExportSummary:
    client = await Client.connect(env.target)
    job = temporal.ExportInput(
        run_id=env.run_id(), kind="transactions", start=FIRST.isoformat(),
        end=(FIRST + timedelta(days=10)).isoformat(), out=str(tmp_path / "tx.jsonl"),
        out_dir=str(tmp_path / "windows"), **options,  # type: ignore[arg-type]
    )  # fmt: skip
    submitted = await temporal.submit_export(client, job, task_queue=env.task_queue)
    with anyio.fail_after(60):
        return await temporal.export_result(submitted)


async def test_windows_are_halved_exported_and_merged_in_order(env: Env, tmp_path: Path) -> None:
    """Ten days of 6 purchases each, windows of 4 days holding at most 10 records: the
    4-day windows are halved down to 1 day, every record is in the merged file once,
    oldest first, and the bookmark is the end of the range."""
    ids = history(env, days=10, per_day=6)
    summary = await export(env, tmp_path, window_days=4, max_window_records=10)
    assert [w.start for w in summary.windows] == [
        (FIRST + timedelta(days=d)).isoformat() for d in range(10)
    ]
    assert summary.failed == []
    assert summary.records == 60
    assert summary.bookmark == (FIRST + timedelta(days=10)).isoformat()
    lines = (tmp_path / "tx.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(ids)
    days = [json.loads(line)["created_time"][:10] for line in lines]
    assert days == sorted(days)
    manifest = json.loads((tmp_path / "tx.jsonl.manifest.json").read_text())
    assert [w["records"] for w in manifest["windows"]] == [6] * 10


async def test_a_window_that_fails_stops_the_bookmark_there(env: Env, tmp_path: Path) -> None:
    """When one window cannot be written, the others are, nothing is merged, and the
    bookmark is the end of the contiguous completed prefix."""
    history(env, days=4, per_day=2)
    (tmp_path / "windows").mkdir()
    blocker = tmp_path / "windows" / "00002_2024-03-05_2024-03-07.jsonl"
    blocker.mkdir()  # a directory where window 2's file goes: it can never be written
    timing = temporal.Timing(max_attempts=1)
    summary = await export(env, tmp_path, window_days=2, timing=timing)
    assert [w.start for w in summary.failed] == ["2024-03-05"]
    assert summary.bookmark == "2024-03-05"
    assert summary.out is None
    assert not (tmp_path / "tx.jsonl").exists()


async def test_the_bookmark_never_passes_the_day_the_export_read(env: Env, tmp_path: Path) -> None:
    """An export up to today (its range ends tomorrow): the bookmark is today, not tomorrow,
    so a transaction made later today is in the next export rather than in neither."""
    client = await Client.connect(env.target)
    today = datetime.now(timezone.utc).date()
    job = temporal.ExportInput(
        run_id=env.run_id(), kind="transactions", start=(today - timedelta(days=3)).isoformat(),
        end=(today + timedelta(days=1)).isoformat(), out=str(tmp_path / "tx.jsonl"),
        out_dir=str(tmp_path / "windows"), window_days=2,
    )  # fmt: skip
    submitted = await temporal.submit_export(client, job, task_queue=env.task_queue)
    with anyio.fail_after(60):
        summary = await temporal.export_result(submitted)
    assert summary.failed == []
    assert summary.bookmark == today.isoformat()
