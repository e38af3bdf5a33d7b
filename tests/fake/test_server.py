"""The fake served over real loopback sockets by uvicorn on its own thread."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import anyio
import httpx
import pytest

from shopsocially_async.testing import (
    FakeShopSocially,
    Fault,
    Reported,
    WriteOutcome,
    check_exactly_once,
)
from shopsocially_async.testing._server import _bind

from .conftest import AUTH

pytestmark = pytest.mark.anyio
BOB = "bob@shopsocially.com"
AWARD = {"user_email": BOB, "activity_id": "made_a_purchase", "points_passed": 1}


def port_of(base_url: str) -> int:
    """The port in a base URL."""
    port = urlsplit(base_url).port
    assert port is not None
    return port


def accepts_connections(port: int) -> bool:
    """Whether something listens on the loopback port."""
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


async def test_serves_requests_over_a_real_socket(fake: FakeShopSocially) -> None:
    """A request over TCP works, percent-encoded paths included, and the server stops after."""
    async with fake.serve() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/v2/loyalty")
        async with httpx.AsyncClient(base_url=base_url, headers=AUTH) as client:
            response = await client.get("/users/bob%40shopsocially.com")
            assert response.status_code == 200
            assert response.json()["data"]["available_points"] == 1000
            assert (await client.post("/award", data=AWARD)).json()["data"]["points"] == 2
    assert not accepts_connections(port_of(base_url))


async def test_drop_before_is_a_real_disconnect_and_not_applied(fake: FakeShopSocially) -> None:
    """The client sees the connection close with no response; nothing was written."""
    fake.inject(Fault("drop_before", route="POST /award", times=1))
    async with (
        fake.serve() as base_url,
        httpx.AsyncClient(base_url=base_url, headers=AUTH) as client,
    ):
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            await client.post("/award", json=AWARD, headers={"x-fake-op-id": "d1"})
        assert fake.applied_count("d1") == 0
        assert (await client.get("/activities")).status_code == 200  # the pool recovers
    assert fake.member(BOB).available_points == 1000


async def test_drop_after_is_a_real_disconnect_and_applied(fake: FakeShopSocially) -> None:
    """The write is committed, then the connection closes with no response."""
    fake.inject(Fault("drop_after", route="POST /award", times=1))
    async with (
        fake.serve() as base_url,
        httpx.AsyncClient(base_url=base_url, headers=AUTH) as client,
    ):
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post("/award", json=AWARD, headers={"x-fake-op-id": "d2"})
        assert fake.applied_count("d2") == 1
    assert fake.member(BOB).available_points == 1002
    fake.check_ledger()


async def test_timeout_after_times_out_the_client_but_applies(fake: FakeShopSocially) -> None:
    """The response is held past the client's timeout; the write is already in."""
    fake.inject(Fault("timeout_after", route="POST /award", latency=30, times=1))
    started = time.monotonic()
    async with fake.serve() as base_url:
        async with httpx.AsyncClient(base_url=base_url, headers=AUTH, timeout=0.3) as client:
            with pytest.raises(httpx.ReadTimeout):
                await client.post("/award", json=AWARD, headers={"x-fake-op-id": "t1"})
        assert fake.applied_count("t1") == 1
    assert time.monotonic() - started < 20  # not the 30 s the response is held for


async def serve_then_fail(fake: FakeShopSocially, ports: list[int]) -> None:
    """Start serving, note the port, and raise inside the block."""
    async with fake.serve() as base_url:
        ports.append(port_of(base_url))
        raise LookupError("boom")


async def test_server_stops_when_the_body_raises(fake: FakeShopSocially) -> None:
    """An exception inside ``serve()`` still shuts the server down and propagates."""
    ports: list[int] = []
    with pytest.raises(LookupError, match="boom"):
        await serve_then_fail(fake, ports)
    assert not accepts_connections(ports[0])


async def test_two_servers_get_different_ports() -> None:
    """Port 0 lets the OS pick, so fakes can run side by side."""
    first, second = FakeShopSocially(), FakeShopSocially(partner_id="other")
    async with first.serve() as one, second.serve() as two:
        assert port_of(one) != port_of(two)
        async with httpx.AsyncClient(
            headers={"partner-id": "other", "api-key": "test-api-key"}
        ) as client:
            assert (await client.get(f"{two}/activities")).status_code == 200
            assert (await client.get(f"{one}/activities")).status_code == 401


def test_the_listening_socket_says_tcp_so_asyncio_disables_nagle() -> None:
    """asyncio sets TCP_NODELAY only on sockets whose proto is TCP: without it every small
    response waits ~40 ms for a delayed ACK."""
    sock = _bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


def test_uvicorn_settings() -> None:
    """No lifespan, no access log, keep-alive beyond clients' 5 s, the abortable protocol."""
    from shopsocially_async.testing._server import AbortableH11Protocol, make_config

    config = make_config(FakeShopSocially().app, "127.0.0.1", 0, log_level="warning", quiet=True)
    assert (config.lifespan, config.access_log, config.http) == ("off", False, AbortableH11Protocol)
    assert config.timeout_keep_alive >= 5


async def test_concurrent_writes_under_chaos_keep_the_ledger(fake: FakeShopSocially) -> None:
    """80 concurrent awards through random faults: each op applied as reported (200 once,
    an error status never, a dropped connection at most once), the ledger whole."""
    for kind in ("rate_limit", "server_error", "drop_before", "drop_after"):
        fake.inject(Fault(kind, route="POST /award", probability=0.1, retry_after=0))  # type: ignore[arg-type]
    outcomes: dict[str, str] = {}

    async def one(client: httpx.AsyncClient, n: int) -> None:
        op = f"op-{n}"
        body = {**AWARD, "order_id": f"chaos-{n}"}
        try:
            response = await client.post("/award", json=body, headers={"x-fake-op-id": op})
        except httpx.RemoteProtocolError:
            outcomes[op] = "dropped"
        else:
            outcomes[op] = str(response.status_code)

    async with (
        fake.serve() as base_url,
        httpx.AsyncClient(base_url=base_url, headers=AUTH) as client,
    ):
        limiter = anyio.CapacityLimiter(8)

        async def limited(n: int) -> None:
            async with limiter:
                await one(client, n)

        async with anyio.create_task_group() as tasks:
            for n in range(80):
                tasks.start_soon(limited, n)
    reported = {"200": Reported.APPLIED, "dropped": Reported.OUTCOME_UNKNOWN}
    report = check_exactly_once(
        fake,
        [WriteOutcome(op, reported.get(got, Reported.NOT_APPLIED)) for op, got in outcomes.items()],
    )
    report.assert_ok()
    assert fake.stats.applied_writes == len(fake.ledger)
    assert {"200", "dropped"} <= set(outcomes.values())


def free_port() -> int:
    """A loopback port nobody listens on (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_run_forever_serves_until_interrupted() -> None:
    """The CLI's foreground runner answers requests and exits cleanly on Ctrl-C."""
    port = free_port()
    script = (
        "from shopsocially_async.testing import FakeShopSocially\n"
        f"FakeShopSocially().run_forever('127.0.0.1', {port}, log_level='warning')\n"
    )
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen([sys.executable, "-c", script], env=env)  # noqa: S603
    try:
        deadline = time.monotonic() + 15
        while not accepts_connections(port):
            assert process.poll() is None, "the server exited early"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        response = httpx.get(f"http://127.0.0.1:{port}/v2/loyalty/activities", headers=AUTH)
        assert response.json() == {"data": [], "success": True}
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
