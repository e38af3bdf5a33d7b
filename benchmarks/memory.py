"""Benchmark 4: peak RSS streaming transactions through the paginator vs collecting them.

Each case runs in a fresh child process (peak RSS is per process): it reads the first page
(imports, pool and converter warmed up), notes its RSS, then streams (discarding) or
collects the whole listing, sampling RSS after every page, and reports the peak minus that
baseline.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import date

import psutil

from shopsocially_async import ShopSociallyClient

from ._common import ROOT, Section, server, table


async def _child(url: str, mode: str) -> dict[str, float]:
    async with ShopSociallyClient("partner-1", "k3y", base_url=url, transport="aiohttp") as client:
        day = date(2024, 1, 1)
        await client.transactions.list(from_date=day, to_date=day).first_page()
        process = psutil.Process()
        baseline = peak = process.memory_info().rss
        kept: list[object] = []
        count = 0
        async for tx in client.transactions.list(from_date=day, to_date=day):
            count += 1
            if mode == "collect":
                kept.append(tx)
            if count % 100 == 0:  # once a page: RSS peaks while a page is held
                peak = max(peak, process.memory_info().rss)
        peak = max(peak, process.memory_info().rss)
        return {"count": count, "growth": max(0, peak - baseline), "baseline": baseline}


def _case(url: str, mode: str) -> dict[str, float]:
    command = [sys.executable, "-m", "benchmarks.memory", url, mode]
    output = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(output.stdout)  # type: ignore[no-any-return]


def run(*, quick: bool = False) -> Section:
    sizes = (2_000, 8_000) if quick else (50_000, 200_000)
    rows, growth = [], {}
    for n in sizes:
        with server(mode="pages", total=n, lifetime=600) as srv:
            for mode in ("stream", "collect"):
                result = _case(srv.url, mode)
                assert result["count"] == n, result
                growth[mode, n] = result["growth"]
                rows.append(
                    [
                        f"{n:,}", mode, f"{result['growth'] / 2**20:.1f}",
                        f"{result['growth'] / n:,.0f}",
                    ]
                )  # fmt: skip
    section = Section("4. Streaming memory")
    section.lines += [
        "Peak RSS growth over the RSS after the first page, in a fresh process per case "
        "(pages of 100 transactions, aiohttp transport).",
        "",
        *table(["records", "mode", "peak RSS growth MiB", "bytes/record"], rows),
    ]
    small, large = sizes
    stream_small, stream_large = growth["stream", small], growth["stream", large]
    flat = stream_large < 20 * 2**20 and stream_large <= stream_small + 4 * 2**20
    section.target(
        "Memory: streaming growth < 20 MB and the same at both sizes",
        flat,
        f"{stream_small / 2**20:.1f} MiB at {small:,}, {stream_large / 2**20:.1f} MiB at {large:,}",
    )
    return section


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_child(sys.argv[1], sys.argv[2]))))
