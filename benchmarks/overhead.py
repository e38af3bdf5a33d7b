"""Benchmark 1: what a request costs on every engine and event loop, against raw aiohttp (a
tuned session), raw httpx, raw pyqwest and a floor.

The same N GETs (one transaction) and N POSTs (an award) against a canned-response server in
another process. At concurrency 64 every contender runs in every round (interleaved, so a busy
spell on the shared machine hits them alike): our client on each installed engine under
asyncio, and under trio on each engine that runs there; the libraries used directly; and the
*floor*, a minimal client of our own over ``asyncio.Protocol`` (raw HTTP/1.1 keep-alive, one
connection per worker, ``json.loads`` of each body), the most this machine allows a Python
client. At concurrency 1 and 16 the default engine is measured against raw httpx (its
overhead target). Each contender first opens its connections (one warm-up round, untimed).
CPU is this process's CPU time, every thread included (pyqwest works on Rust threads).
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import aiohttp
import anyio
import httpx
import pyqwest
import requests

from shopsocially_async import ShopSociallyClient
from shopsocially_async.engines import installed_engines, runs_on
from shopsocially_async.engines._auto import preferred_engine

from ._common import Sample, Section, Server, measure, median_sample, repeat, server, table

PARTNER, KEY = "partner-1", "k3y"
AUTH = {"partner-id": PARTNER, "api-key": KEY, "accept": "application/json"}
POST_HEADERS = {**AUTH, "content-type": "application/json"}
AWARD = {"user_email": "member123@example.com", "activity_id": "made_a_purchase"}
AWARD_BYTES = json.dumps(AWARD).encode()
GET_PATH, POST_PATH = "/transactions/t1", "/award"
TOP = 64
Send = Callable[[], Awaitable[Any]]
Run = Callable[[Server, str, int, int], Awaitable[Sample]]


async def _drive(send: Send, n: int, concurrency: int) -> None:
    per_worker, extra = divmod(n, concurrency)

    async def worker(count: int) -> None:
        for _ in range(count):
            await send()

    async with anyio.create_task_group() as tg:
        for i in range(concurrency):
            tg.start_soon(worker, per_worker + (i < extra))


async def _timed(srv: Server, send: Send, n: int, concurrency: int) -> Sample:
    await _drive(send, concurrency, concurrency)  # warm-up: open the connections
    with measure(srv) as out:
        await _drive(send, n, concurrency)
    return out[0]


# -- the libraries used directly ------------------------------------------------------------


async def raw_httpx(srv: Server, method: str, n: int, concurrency: int) -> Sample:
    limits = httpx.Limits(
        max_connections=concurrency, max_keepalive_connections=concurrency, keepalive_expiry=4
    )
    async with httpx.AsyncClient(base_url=srv.url, limits=limits) as http:

        async def get() -> Any:
            return (await http.get(GET_PATH, headers=AUTH)).json()

        async def post() -> Any:
            return (await http.post(POST_PATH, content=AWARD_BYTES, headers=POST_HEADERS)).json()

        return await _timed(srv, get if method == "GET" else post, n, concurrency)


async def raw_aiohttp(srv: Server, method: str, n: int, concurrency: int) -> Sample:
    """aiohttp tuned: a pool the size of the concurrency, no cookie jar, no decompression."""
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=0, keepalive_timeout=4)
    async with aiohttp.ClientSession(
        srv.url, connector=connector, cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=False
    ) as http:

        async def get() -> Any:
            async with http.get(GET_PATH, headers=AUTH) as response:
                return json.loads(await response.read())

        async def post() -> Any:
            async with http.post(POST_PATH, data=AWARD_BYTES, headers=POST_HEADERS) as response:
                return json.loads(await response.read())

        return await _timed(srv, get if method == "GET" else post, n, concurrency)


async def raw_pyqwest(srv: Server, method: str, n: int, concurrency: int) -> Sample:
    """pyqwest's buffered client (the whole body read in Rust, no size limit)."""
    transport = pyqwest.HTTPTransport(
        http_version=pyqwest.HTTPVersion.HTTP1, pool_max_idle_per_host=concurrency,
        enable_gzip=False, enable_brotli=False, enable_zstd=False, follow_redirects=False,
        enable_otel=False,
    )  # fmt: skip
    async with transport:
        http = pyqwest.Client(transport)

        async def get() -> Any:
            return json.loads((await http.get(srv.url + GET_PATH, AUTH)).content)

        async def post() -> Any:
            response = await http.post(srv.url + POST_PATH, POST_HEADERS, AWARD_BYTES)
            return json.loads(response.content)

        return await _timed(srv, get if method == "GET" else post, n, concurrency)


# -- the floor: raw HTTP/1.1 over asyncio.Protocol -------------------------------------------


class _Connection(asyncio.Protocol):
    """One keep-alive connection: write a request, wait for a Content-Length response."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.waiter: asyncio.Future[bytes] | None = None
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0 or self.waiter is None:
            return
        head = bytes(self.buffer[:end]).lower()
        start = head.index(b"content-length:") + 15
        stop = head.find(b"\r\n", start)
        total = end + 4 + int(head[start : stop if stop >= 0 else None])
        if len(self.buffer) >= total:
            body = bytes(self.buffer[end + 4 : total])
            del self.buffer[:total]
            self.waiter.set_result(body)
            self.waiter = None

    async def exchange(self, request: bytes) -> bytes:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await self.waiter


def _raw_request(srv: Server, method: str) -> bytes:
    host = f"127.0.0.1:{srv.port}"
    if method == "GET":
        head = f"GET {GET_PATH} HTTP/1.1\r\nhost: {host}\r\n"
        body = b""
        headers = AUTH
    else:
        head = (
            f"POST {POST_PATH} HTTP/1.1\r\nhost: {host}\r\ncontent-length: {len(AWARD_BYTES)}\r\n"
        )
        body = AWARD_BYTES
        headers = POST_HEADERS
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return (head + "\r\n").encode() + body


async def floor(srv: Server, method: str, n: int, concurrency: int) -> Sample:
    loop = asyncio.get_running_loop()
    idle: deque[_Connection] = deque()
    for _ in range(concurrency):
        _, protocol = await loop.create_connection(_Connection, "127.0.0.1", srv.port)
        idle.append(protocol)
    request = _raw_request(srv, method)

    async def send() -> Any:
        connection = idle.pop()  # as many connections as workers: one is always idle
        try:
            return json.loads(await connection.exchange(request))
        finally:
            idle.append(connection)

    try:
        return await _timed(srv, send, n, concurrency)
    finally:
        for connection in idle:
            assert connection.transport is not None
            connection.transport.close()


# -- our client ------------------------------------------------------------------------------


def ours(engine: str) -> Run:
    async def run(srv: Server, method: str, n: int, concurrency: int) -> Sample:
        async with ShopSociallyClient(
            PARTNER, KEY, base_url=srv.url, transport=engine,  # type: ignore[arg-type]
            max_connections=concurrency,
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
                return http.get(srv.url + GET_PATH, headers=AUTH).json()
            return http.post(srv.url + POST_PATH, data=AWARD_BYTES, headers=POST_HEADERS).json()

        once()
        with measure(srv) as out:
            for _ in range(n):
                once()
    return out[0]


@dataclass(frozen=True)
class Contender:
    name: str
    loop: str  # "asyncio" or "trio"
    run: Run


def contenders() -> list[Contender]:
    """Every row at concurrency 64: the floor, the libraries, our client on each engine and
    event loop it runs on (installed engines only)."""
    rows = [
        Contender("floor (asyncio.Protocol)", "asyncio", floor),
        Contender("raw aiohttp (tuned)", "asyncio", raw_aiohttp),
        Contender("raw httpx", "asyncio", raw_httpx),
        Contender("raw pyqwest (buffered)", "asyncio", raw_pyqwest),
        Contender("raw pyqwest (buffered)", "trio", raw_pyqwest),
    ]
    for loop in ("asyncio", "trio"):
        rows += [
            Contender(f"ours on {name}", loop, ours(name))
            for name in installed_engines()
            if runs_on(name, loop)
        ]
    return rows


def _run(contender: Contender, srv: Server, method: str, n: int, concurrency: int) -> Sample:
    return anyio.run(partial(contender.run, srv, method, n, concurrency), backend=contender.loop)


def _interleaved(
    rows: list[Contender], srv: Server, method: str, n: int, concurrency: int, runs: int
) -> dict[tuple[str, str], Sample]:
    """Each contender's median over ``runs`` rounds, every round running every one once."""
    samples: dict[tuple[str, str], list[Sample]] = {(c.name, c.loop): [] for c in rows}
    for _ in range(runs):
        for contender in rows:
            samples[contender.name, contender.loop].append(
                _run(contender, srv, method, n, concurrency)
            )
    return {key: median_sample(got) for key, got in samples.items()}


Results = dict[tuple[str, str, str, int], Sample]  # (name, loop, method, concurrency)
DEFAULT_PAIR = [
    Contender("raw httpx", "asyncio", raw_httpx),
    Contender("ours on httpx", "asyncio", ours("httpx")),
]


def run(*, quick: bool = False) -> Section:
    """Every contender at concurrency 64; the default engine's overhead at 1 and 16 too."""
    n, runs = (64, 1) if quick else (1000, 5)
    low_levels = (1,) if quick else (1, 16)
    methods = ("GET",) if quick else ("GET", "POST")
    results: Results = {}
    rows = contenders()
    with server(mode="record", lifetime=1800) as srv:
        for method in methods:
            for (name, loop), sample in _interleaved(rows, srv, method, n, TOP, runs).items():
                results[name, loop, method, TOP] = sample
            for level in low_levels:
                for (name, loop), sample in _interleaved(
                    DEFAULT_PAIR, srv, method, n, level, runs
                ).items():
                    results[name, loop, method, level] = sample
            once = partial(sequential_requests, srv, method, n)
            results["requests (sequential)", "-", method, 1] = repeat(runs, once)
    section = Section("1. Per-request cost on every engine")
    _engines_table(section, results, rows, n, runs, methods)
    _overhead_table(section, results, n, (*low_levels, TOP), methods)
    _targets(section, results, methods, (*low_levels, TOP))
    return section


def _engines_table(
    section: Section,
    results: Results,
    rows: list[Contender],
    n: int,
    runs: int,
    methods: tuple[str, ...],
) -> None:
    section.lines += [
        f"{n} requests per run at concurrency {TOP}, median of {runs} interleaved rounds, "
        "against a canned-response asyncio server in its own process. *CPU ms/req* is this "
        "process's CPU time per request (all threads); *server CPU* is the server's share of "
        "one core during the run (well below 100%: it is not the bottleneck). The floor is a "
        "minimal asyncio.Protocol client (raw HTTP/1.1 keep-alive, json.loads): the most this "
        "machine allows a Python client.",
        "",
    ]
    lines = []
    for method in methods:
        base = results["raw aiohttp (tuned)", "asyncio", method, TOP]
        for row in rows:
            sample = results[row.name, row.loop, method, TOP]
            lines.append(
                [
                    method, row.name, row.loop, f"{n / sample.wall:,.0f}",
                    f"{base.wall / sample.wall:.2f}x", f"{sample.cpu / n * 1000:.3f}",
                    f"{sample.server_cpu / sample.wall:.0%}",
                ]
            )  # fmt: skip
    section.lines += table(
        ["method", "client", "loop", "req/s", "req/s vs raw aiohttp", "CPU ms/req", "server CPU"],
        lines,
    )
    section.lines += [
        "",
        "Our client adds, on every engine, the same work per call: arguments checked, the "
        "request built, a deadline scope and a pool slot, the envelope checked, the model "
        "decoded with real datetimes (raw rows only `json.loads`). The pyqwest engine reads "
        "the body in chunks so that `max_response_bytes` bounds memory: one more hand-off "
        "between Python and pyqwest's Rust threads per response than raw pyqwest's buffered "
        "read (which has no size limit), and on 2 cores shared with the server the Rust "
        "threads' CPU is throughput lost.",
    ]


def _overhead_table(
    section: Section, results: Results, n: int, levels: tuple[int, ...], methods: tuple[str, ...]
) -> None:
    section.lines += [
        "",
        "The default engine (httpx) against raw httpx at each concurrency (asyncio; the same "
        "interleaved rounds), and `requests` one call after another for reference:",
        "",
    ]
    lines = []
    for method in methods:
        for level in levels:
            base = results["raw httpx", "asyncio", method, level]
            names = [("raw httpx", "asyncio"), ("ours on httpx", "asyncio")]
            if level == 1:
                names.append(("requests (sequential)", "-"))
            for name, loop in names:
                sample = results[name, loop, method, level]
                lines.append(
                    [
                        method, str(level), name, f"{n / sample.wall:,.0f}",
                        f"{sample.cpu / n * 1000:.3f}", f"{sample.cpu / base.cpu:.2f}x",
                    ]
                )  # fmt: skip
    section.lines += table(
        ["method", "conc.", "client", "req/s", "CPU ms/req", "CPU vs raw httpx"], lines
    )


def _vs_aiohttp(results: Results, engine: str, loop: str, methods: tuple[str, ...]) -> float:
    """The worst (over methods) req/s ratio of ``engine`` on ``loop`` to raw aiohttp."""
    return min(
        results["raw aiohttp (tuned)", "asyncio", m, TOP].wall
        / results[f"ours on {engine}", loop, m, TOP].wall
        for m in methods
    )


def _targets(
    section: Section, results: Results, methods: tuple[str, ...], levels: tuple[int, ...]
) -> None:
    worst = max(
        results["ours on httpx", "asyncio", m, c].cpu / results["raw httpx", "asyncio", m, c].cpu
        for m in methods
        for c in levels
    )
    section.target(
        "Default engine (httpx): <= 1.15x raw httpx CPU/request",
        worst <= 1.15,
        f"worst case {worst:.2f}x (concurrency {', '.join(map(str, levels))})",
    )
    fast = preferred_engine("asyncio")
    ratio = _vs_aiohttp(results, fast, "asyncio", methods)
    section.target(
        f"Fast engine under asyncio (auto's choice, {fast}): >= 0.90x raw aiohttp req/s at "
        f"concurrency {TOP}",
        ratio >= 0.9,
        f"{ratio:.2f}x (worst of {'/'.join(methods)})",
    )
    trio = {name: _vs_aiohttp(results, name, "trio", methods) for name in _engines_on("trio")}
    best = max(trio, key=trio.__getitem__)
    section.target(
        f"Best trio engine ({best}): >= 0.75x raw aiohttp req/s at concurrency {TOP}",
        trio[best] >= 0.75,
        f"{trio[best]:.2f}x (worst of {'/'.join(methods)})",
    )
    vs_httpx = min(
        results["raw httpx", "asyncio", m, TOP].wall
        / results[f"ours on {fast}", "asyncio", m, TOP].wall
        for m in methods
    )
    section.target(
        f"Fast engine under asyncio ({fast}): >= 5x raw httpx req/s at concurrency {TOP}",
        vs_httpx >= 5,
        f"{vs_httpx:.1f}x (worst of {'/'.join(methods)})",
    )


def _engines_on(loop: str) -> list[str]:
    return [name for name in installed_engines() if runs_on(name, loop)]
