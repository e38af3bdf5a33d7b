"""Benchmark 1: per-request overhead against raw httpx, raw aiohttp and ``requests``.

The same N GETs (one transaction) and N POSTs (an award) at concurrency 1, 16 and 64, against
a canned-response server in another process. Each client first opens its connections (one
warm-up round at the concurrency), then the N requests are timed. CPU is this process's CPU
time; the server's CPU share tells whether it could have been the bottleneck.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import aiohttp
import httpx
import requests

from shopsocially_async import ShopSociallyClient

from ._common import Sample, Section, Server, measure, median_sample, repeat, server, table

PARTNER, KEY = "partner-1", "k3y"
AUTH = {"partner-id": PARTNER, "api-key": KEY, "accept": "application/json"}
AWARD = {"user_email": "member123@example.com", "activity_id": "made_a_purchase"}
AWARD_BYTES = json.dumps(AWARD).encode()
Send = Callable[[], Awaitable[Any]]


async def _drive(send: Send, n: int, concurrency: int) -> None:
    per_worker, extra = divmod(n, concurrency)

    async def worker(count: int) -> None:
        for _ in range(count):
            await send()

    await asyncio.gather(*(worker(per_worker + (i < extra)) for i in range(concurrency)))


async def _timed(srv: Server, send: Send, n: int, concurrency: int) -> Sample:
    await _drive(send, concurrency, concurrency)  # warm-up: open the connections
    with measure(srv) as out:
        await _drive(send, n, concurrency)
    return out[0]


def _limits(concurrency: int) -> httpx.Limits:
    size = max(concurrency, 1)
    return httpx.Limits(max_connections=size, max_keepalive_connections=size, keepalive_expiry=4)


async def raw_httpx(srv: Server, method: str, n: int, concurrency: int) -> Sample:
    async with httpx.AsyncClient(base_url=srv.url, limits=_limits(concurrency)) as http:

        async def get() -> Any:
            return (await http.get("/transactions/t1", headers=AUTH)).json()

        async def post() -> Any:
            headers = {**AUTH, "content-type": "application/json"}
            return (await http.post("/award", content=AWARD_BYTES, headers=headers)).json()

        return await _timed(srv, get if method == "GET" else post, n, concurrency)


async def raw_aiohttp(srv: Server, method: str, n: int, concurrency: int) -> Sample:
    connector = aiohttp.TCPConnector(limit=concurrency, keepalive_timeout=4)
    async with aiohttp.ClientSession(srv.url, connector=connector) as http:

        async def get() -> Any:
            async with http.get("/transactions/t1", headers=AUTH) as response:
                return json.loads(await response.read())

        async def post() -> Any:
            headers = {**AUTH, "content-type": "application/json"}
            async with http.post("/award", data=AWARD_BYTES, headers=headers) as response:
                return json.loads(await response.read())

        return await _timed(srv, get if method == "GET" else post, n, concurrency)


def ours(transport: str) -> Callable[[Server, str, int, int], Awaitable[Sample]]:
    async def run(srv: Server, method: str, n: int, concurrency: int) -> Sample:
        async with ShopSociallyClient(
            PARTNER, KEY, base_url=srv.url, transport=transport,  # type: ignore[arg-type]
            max_connections=max(concurrency, 1),
        ) as client:  # fmt: skip

            async def get() -> Any:
                return await client.transactions.get("t1")

            async def post() -> Any:
                return await client.points.award(
                    user_email=AWARD["user_email"], activity_id=AWARD["activity_id"]
                )

            return await _timed(srv, get if method == "GET" else post, n, concurrency)

    return run


def sequential_requests(srv: Server, method: str, n: int) -> Sample:
    with requests.Session() as http:

        def once() -> Any:
            if method == "GET":
                return http.get(srv.url + "/transactions/t1", headers=AUTH).json()
            headers = {**AUTH, "content-type": "application/json"}
            return http.post(srv.url + "/award", data=AWARD_BYTES, headers=headers).json()

        once()
        with measure(srv) as out:
            for _ in range(n):
                once()
    return out[0]


CLIENTS: dict[str, Callable[[Server, str, int, int], Awaitable[Sample]]] = {
    "raw httpx": raw_httpx,
    "raw aiohttp": raw_aiohttp,
    "ours (httpx transport)": ours("httpx"),
    "ours (aiohttp transport)": ours("aiohttp"),
}


def _run_async(
    client: Callable[[Server, str, int, int], Awaitable[Sample]],
    srv: Server,
    method: str,
    n: int,
    concurrency: int,
) -> Sample:
    return asyncio.run(client(srv, method, n, concurrency))  # type: ignore[arg-type]


def run(*, quick: bool = False) -> Section:
    """Every client, method and concurrency; medians of several runs."""
    n, runs = (60, 1) if quick else (1000, 5)
    levels = (1, 16) if quick else (1, 16, 64)
    methods = ("GET",) if quick else ("GET", "POST")
    results: dict[tuple[str, str, int], Sample] = {}
    with server(mode="record", lifetime=900) as srv:
        for method in methods:
            for concurrency in levels:
                for name, sample in _interleaved(srv, method, n, concurrency, runs).items():
                    results[name, method, concurrency] = sample
            once = partial(sequential_requests, srv, method, n)
            results["requests (sequential)", method, 1] = repeat(runs, once)
    return _report(results, n, runs, levels, methods)


def _interleaved(
    srv: Server, method: str, n: int, concurrency: int, runs: int
) -> dict[str, Sample]:
    """Each client's median over ``runs`` rounds, every round running every client once: a
    busy spell on the shared machine then hits all clients alike instead of one of them."""
    samples: dict[str, list[Sample]] = {name: [] for name in CLIENTS}
    for _ in range(runs):
        for name, client in CLIENTS.items():
            samples[name].append(_run_async(client, srv, method, n, concurrency))
    return {name: median_sample(got) for name, got in samples.items()}


def _report(
    results: dict[tuple[str, str, int], Sample],
    n: int,
    runs: int,
    levels: tuple[int, ...],
    methods: tuple[str, ...],
) -> Section:
    section = Section("1. Per-request overhead")
    section.lines += [
        f"{n} requests per run, median of {runs} runs, against a canned-response asyncio "
        "server in its own process. *CPU ms/req* is this process's CPU time per request; "
        "ratios are against raw httpx in the same run; *server CPU* is the server's share of "
        "one core during the run (well below 100%: it is not the bottleneck).",
        "",
    ]
    rows = []
    for method in methods:
        for concurrency in levels:
            base = results["raw httpx", method, concurrency]
            aio = results["raw aiohttp", method, concurrency]
            for name in [*CLIENTS, "requests (sequential)"]:
                sample = results.get((name, method, concurrency))
                if sample is None:
                    continue
                rows.append(
                    [
                        method, str(concurrency), name, f"{n / sample.wall:,.0f}",
                        f"{sample.cpu / n * 1000:.3f}", f"{sample.cpu / base.cpu:.2f}x",
                        f"{(n / sample.wall) / (n / base.wall):.2f}x",
                        f"{(n / sample.wall) / (n / aio.wall):.0%}",
                        f"{sample.server_cpu / sample.wall:.0%}",
                    ]
                )  # fmt: skip
    section.lines += table(
        [
            "method", "conc.", "client", "req/s", "CPU ms/req", "CPU vs raw httpx",
            "req/s vs raw httpx", "req/s vs raw aiohttp", "server CPU",
        ],
        rows,
    )  # fmt: skip
    _targets(section, results, levels, methods)
    return section


def _targets(
    section: Section,
    results: dict[tuple[str, str, int], Sample],
    levels: tuple[int, ...],
    methods: tuple[str, ...],
) -> None:
    worst = max(
        results["ours (httpx transport)", m, c].cpu / results["raw httpx", m, c].cpu
        for m in methods
        for c in levels
    )
    section.target(
        "Overhead: full client stack <= 1.15x raw httpx CPU/request (default transport)",
        worst <= 1.15,
        f"worst case {worst:.2f}x",
    )
    top = max(levels)
    fast = [results["ours (aiohttp transport)", m, top] for m in methods]
    httpx_ = [results["raw httpx", m, top] for m in methods]
    aio = [results["raw aiohttp", m, top] for m in methods]
    vs_httpx = min(b.wall / f.wall for f, b in zip(fast, httpx_, strict=True))
    vs_aio = min(a.wall / f.wall for f, a in zip(fast, aio, strict=True))
    section.target(
        f"Fast transport: >= 5x raw httpx req/s at concurrency {top}",
        vs_httpx >= 5,
        f"{vs_httpx:.1f}x (worst of GET/POST)",
    )
    section.target(
        f"Fast transport: >= 70% of raw aiohttp req/s at concurrency {top}",
        vs_aio >= 0.7,
        f"{vs_aio:.0%} (worst of GET/POST)",
    )
