"""Benchmark 6: the bulk commands' write-ahead journal, and what batching its fsyncs buys.

Each row is written to the journal as *sent*, durably, before its request leaves, and as
*done* after (as ``shopsocially-async deduct`` does, with the same ``JournalFile``). Four
ways, interleaved and each the median of several runs, against ``_server.py`` with a fixed
latency: no journal at all (the baseline), a journal never fsynced (what a killed process
keeps, not a power cut), the group commit the commands use (every sender of a batch waits
for one fsync), and an fsync of its own for every row (the naive write-ahead log).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio

from shopsocially_async import ShopSociallyClient, bulk
from shopsocially_async.cli.journal import JournalFile, now

from ._common import Sample, Section, Server, measure, median_sample, server, table

PARTNER, KEY = "partner-1", "k3y"
MODES = ("no journal", "journal, no fsync", "journal, group commit", "journal, fsync per row")


async def _rows(srv: Server, n: int, concurrency: int, mode: str, directory: Path) -> Sample:
    journal = JournalFile(directory / f"{mode}.journal", fsync=mode != "journal, no fsync")
    journal.open().start({"command": "deduct", "options": {}}, {"input": {}})
    async with ShopSociallyClient(
        PARTNER, KEY, base_url=srv.url, transport="aiohttp", max_connections=concurrency
    ) as client:
        send = _sender(client, journal, mode)
        with measure(srv) as out:
            async with bulk.run_many(send, range(n), concurrency=concurrency) as run:
                async for result in run:
                    assert result.ok, result.error
                    journal.record({"t": "done", "k": f"{result.input}:0", "at": now(),
                                    "outcome": "applied", "id": result.value})  # fmt: skip
            journal.sync()
    journal.close()
    return out[0]


def _sender(
    client: ShopSociallyClient, journal: JournalFile, mode: str
) -> Callable[[int], Awaitable[str | None]]:
    async def send(i: int) -> str | None:
        if mode != "no journal":
            record = {"t": "sent", "k": f"{i}:0", "line": i + 2, "at": now(),
                      "row": {"user_email": f"m{i}@example.com", "points_passed": "1",
                              "reason": f"refund #{i}"}}  # fmt: skip
            if mode == "journal, fsync per row":
                journal.record(record)
                await anyio.to_thread.run_sync(journal.sync)
            else:
                await journal.record_durably(record)
        txn = await client.points.deduct(
            user_email=f"m{i}@example.com", points_passed=1, reason=f"refund #{i}"
        )
        return txn.id

    return send


def run(*, quick: bool = False) -> Section:
    n, latency, concurrency, runs = (300, 0.02, 64, 1) if quick else (5_000, 0.02, 64, 3)
    samples: dict[str, list[Sample]] = {mode: [] for mode in MODES}
    with (
        server(mode="record", latency=latency, lifetime=900) as srv,
        tempfile.TemporaryDirectory(dir=Path.cwd(), prefix=".journal-bench-") as tmp,
    ):
        for _ in range(runs):  # interleaved, so every mode sees the same machine load
            for mode in MODES:
                samples[mode].append(asyncio.run(_rows(srv, n, concurrency, mode, Path(tmp))))
    results = {mode: median_sample(runs_) for mode, runs_ in samples.items()}
    base = results["no journal"].wall
    section = Section("6. Write-ahead journal of the bulk commands")
    section.lines += [
        f"{n:,} deducts, concurrency {concurrency}, server latency {latency * 1000:.0f} ms, "
        f"journal on the disk of the working directory; median of {runs} interleaved run(s).",
        "The client is CPU-bound here (2 cores, one serving): what the journal costs is "
        "mostly CPU (two records per row) and the wait for the batch's fsync.",
        "",
        *table(
            ["journal", "wall s", "rows/s", "vs no journal", "client CPU ms/row"],
            [
                [
                    mode,
                    f"{s.wall:.2f}",
                    f"{n / s.wall:,.0f}",
                    f"{s.wall / base:.2f}x",
                    f"{s.cpu / n * 1000:.3f}",
                ]
                for mode, s in results.items()
            ],
        ),
    ]
    group = results["journal, group commit"].wall / base
    section.target(
        "Journal: the group commit within 1.35x of no journal",
        group <= 1.35,
        f"{group:.2f}x (an fsync per row: {results['journal, fsync per row'].wall / base:.2f}x)",
    )
    return section
