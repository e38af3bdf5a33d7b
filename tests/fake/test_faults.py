"""Fault injection in process: each kind, when faults fire, and determinism under a seed."""

from __future__ import annotations

import time

import httpx
import pytest

from shopsocially_async.testing import FakeShopSocially, Fault

from .conftest import AUTH, build_program

pytestmark = pytest.mark.anyio
BOB = "bob@shopsocially.com"
AWARD = {"user_email": BOB, "activity_id": "made_a_purchase", "points_passed": 1}


async def award(api: httpx.AsyncClient, op_id: str = "op") -> httpx.Response:
    """One award tagged with an op id."""
    return await api.post("/award", json=AWARD, headers={"x-fake-op-id": op_id})


async def test_rate_limit_is_429_with_retry_after(
    api: httpx.AsyncClient, fake: FakeShopSocially
) -> None:
    """429 RATE_LIMIT_EXCEEDED with a Retry-After header; nothing applied."""
    fake.inject(Fault("rate_limit", route="POST /award", retry_after=2))
    response = await award(api)
    assert (response.status_code, response.headers["retry-after"]) == (429, "2")
    assert response.json() == {
        "success": False,
        "error_code": "RATE_LIMIT_EXCEEDED",
        "reason": "Rate limit exceeded. Retry after 2 seconds.",
    }
    assert (fake.applied_count("op"), fake.ledger) == (0, [])


async def test_fractional_retry_after_is_written_as_a_decimal(
    api: httpx.AsyncClient, fake: FakeShopSocially
) -> None:
    """A sub-second Retry-After keeps its fraction so tests can back off briefly."""
    fake.inject(Fault("rate_limit", retry_after=0.25))
    assert (await award(api)).headers["retry-after"] == "0.25"


@pytest.mark.parametrize(
    ("kind", "status", "body"),
    [
        (
            "server_error",
            500,
            {"code": "INTERNAL_SERVER_ERROR", "message": "Internal server error."},
        ),
        (
            "unavailable",
            503,
            {
                "code": "SERVICE_UNAVAILABLE",
                "message": "API Service is unavailable. Please contact support.",
            },
        ),
    ],
)
async def test_server_failures_use_the_code_message_envelope(
    api: httpx.AsyncClient, fake: FakeShopSocially, kind: str, status: int, body: dict[str, str]
) -> None:
    """500 and 503 answer in the third envelope and apply nothing."""
    fake.inject(Fault(kind))  # type: ignore[arg-type]
    response = await award(api)
    assert (response.status_code, response.json()) == (status, body)
    assert fake.ledger == []


async def test_drop_before_raises_and_applies_nothing(
    api: httpx.AsyncClient, fake: FakeShopSocially
) -> None:
    """In process a drop before handling is RemoteProtocolError, and the write is not applied."""
    fake.inject(Fault("drop_before", route="POST /award"))
    with pytest.raises(httpx.RemoteProtocolError, match="Server disconnected"):
        await award(api)
    assert fake.applied_count("op") == 0
    assert fake.member(BOB).available_points == 1000


async def test_drop_after_raises_but_applies(
    api: httpx.AsyncClient, fake: FakeShopSocially
) -> None:
    """A drop after handling loses the response, not the write."""
    fake.inject(Fault("drop_after", route="POST /award"))
    with pytest.raises(httpx.RemoteProtocolError):
        await award(api)
    assert fake.applied_count("op") == 1
    assert fake.member(BOB).available_points == 1002
    fake.check_ledger()


async def test_timeout_after_raises_read_timeout_but_applies(
    api: httpx.AsyncClient, fake: FakeShopSocially
) -> None:
    """In process ``timeout_after`` commits then raises ReadTimeout at once."""
    fake.inject(Fault("timeout_after", latency=30))
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        await award(api)
    assert time.monotonic() - started < 20  # not the 30 s of latency: it raised at once
    assert fake.applied_count("op") == 1


async def test_latency_faults_and_global_latency_add_up(
    api: httpx.AsyncClient, fake: FakeShopSocially
) -> None:
    """A latency fault and ``fake.latency`` both delay the request, which still succeeds."""
    fake.latency = 0.05
    fake.inject(Fault("latency", route="*", latency=0.05))
    started = time.monotonic()
    response = await award(api)
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.1
    assert fake.stats.faults == {"latency": 1}


async def test_every_nth_counts_per_route_and_times_caps(
    api: httpx.AsyncClient, fake: FakeShopSocially
) -> None:
    """every_nth=2 fires on each route's 2nd, 4th... request, at most ``times`` times."""
    fake.inject(
        Fault("server_error", route=["POST /award", "GET /activities"], every_nth=2, times=3)
    )
    statuses = []
    for _ in range(4):
        statuses.append((await award(api)).status_code)
        statuses.append((await api.get("/activities")).status_code)
        statuses.append((await api.get("/redemptions")).status_code)
    assert statuses == [200, 200, 200, 500, 500, 200, 200, 200, 200, 500, 200, 200]
    assert fake.stats.faults == {"server_error": 3}
    assert fake.stats.requests["POST /award"] == 4


async def test_first_failing_fault_wins(api: httpx.AsyncClient, fake: FakeShopSocially) -> None:
    """Of two failures that both fire, the first injected answers; the other does not count."""
    fake.inject(Fault("unavailable", times=1))
    fake.inject(Fault("rate_limit", times=1))
    assert (await award(api)).status_code == 503
    assert (await award(api)).status_code == 429
    assert (await award(api)).status_code == 200
    assert fake.stats.faults == {"unavailable": 1, "rate_limit": 1}


async def test_faults_fire_before_authentication(fake: FakeShopSocially) -> None:
    """A rate limit answers even a request with bad credentials (a gateway in front)."""
    fake.inject(Fault("rate_limit"))
    transport = fake.asgi_transport()
    async with httpx.AsyncClient(transport=transport, base_url=fake.base_url_for_asgi) as client:
        assert (await client.get("/activities")).status_code == 429


async def test_clear_faults(api: httpx.AsyncClient, fake: FakeShopSocially) -> None:
    """After clear_faults nothing fires."""
    fake.inject(Fault("server_error"))
    fake.clear_faults()
    assert fake.faults == ()
    assert (await award(api)).status_code == 200


async def pattern(seed: int) -> list[int]:
    """Statuses of 40 awards under a 30% server_error fault, for a fake seeded with ``seed``."""
    fake = build_program(FakeShopSocially(rng_seed=seed))
    fake.inject(Fault("server_error", route="POST /award", probability=0.3))
    transport = fake.asgi_transport()
    async with httpx.AsyncClient(
        transport=transport, base_url=fake.base_url_for_asgi, headers=AUTH
    ) as client:
        return [(await award(client)).status_code for _ in range(40)]


async def test_probabilistic_faults_are_deterministic_under_a_seed() -> None:
    """Same seed, same requests: same failures; another seed: another pattern."""
    first, again, other = await pattern(1), await pattern(1), await pattern(2)
    assert first == again
    assert first != other
    assert 0 < first.count(500) < 40


def test_fault_arguments_are_validated(fake: FakeShopSocially) -> None:
    """Unknown kinds, routes and out-of-range numbers are refused at once."""
    with pytest.raises(ValueError, match="kind"):
        Fault("explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="probability"):
        Fault("latency", probability=1.5)
    with pytest.raises(ValueError, match="every_nth"):
        Fault("latency", every_nth=0)
    with pytest.raises(ValueError, match="unknown route"):
        fake.inject(Fault("latency", route="POST /awards"))
    assert Fault("latency", route="GET /users/{email}").route == ("GET /users/{email}",)


async def test_stats_are_snapshots_and_can_be_reset(
    api: httpx.AsyncClient, fake: FakeShopSocially
) -> None:
    """``fake.stats`` does not change under the caller; reset_stats starts afresh."""
    before = fake.stats
    await award(api)
    assert before.requests == {}
    assert fake.stats.requests == {"POST /award": 1}
    fake.reset_stats()
    assert (fake.stats.requests, fake.stats.applied_writes, fake.applied_count("op")) == ({}, 0, 0)
