"""Every engine, over real loopback sockets: how each way an exchange can fail is classified
("certainly not sent" vs "may have been sent"), and what a write is told afterwards.

The same table runs on every installed engine under every event loop it supports; a raw
server plays the misbehaving peer. A write that failed after it may have been sent is never
retried and says ``outcome_unknown=True``; one that certainly was not sent is retried.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import attrs
import pytest

from shopsocially_async import (
    APIConnectionError,
    APITimeoutError,
    ClientClosedError,
    RetryEvent,
    RetryPolicy,
    ShopSociallyClient,
    ShopSociallyError,
    Timeout,
)
from shopsocially_async.engines import installed_engines
from shopsocially_async.engines._auto import preferred_engine
from shopsocially_async.ratelimit import LocalRateLimiter

from .rawserver import (
    NO_WAIT,
    OK_BODY,
    RawServer,
    close_at_once,
    fin_after_reading,
    free_port,
    hold,
    make_client,
    raw,
    respond,
    respond_then_close,
    rst_after_reading,
    serve,
    unanswered_connects,
)

pytestmark = pytest.mark.anyio

EMAIL = "a@example.com"


async def deduct(client: ShopSociallyClient) -> Any:
    """An unsafe write: never retried once it may have been sent."""
    return await client.points.deduct(user_email=EMAIL, points_passed=5, reason="r")


# scenario -> (server script, the error, request_sent, requests the server reads in full)
FAILURES: dict[str, tuple[list[Any], type[ShopSociallyError], bool, int]] = {
    "accepted, then closed before reading": ([close_at_once], APIConnectionError, True, 0),
    "request read, then FIN": ([fin_after_reading], APIConnectionError, True, 1),
    "request read, then RST": ([rst_after_reading], APIConnectionError, True, 1),
    "request read, no answer within the timeout": ([hold()], APITimeoutError, True, 1),
}


@pytest.mark.parametrize("scenario", FAILURES, ids=list(FAILURES))
async def test_a_write_that_may_have_been_sent_is_unknown_and_not_retried(
    engine: str, scenario: str
) -> None:
    """Each way a connection can fail after connecting says request_sent=True; the write is
    sent once and ends with outcome_unknown=True."""
    script, error, sent, reads = FAILURES[scenario]
    with serve(RawServer(*script)) as server:
        async with make_client(engine, server.port, timeout=0.5) as client:
            with pytest.raises(error) as caught:
                await deduct(client)
    assert type(caught.value) is error
    assert caught.value.request_sent is sent
    assert caught.value.outcome_unknown is True
    assert (server.connections, server.requests) == (1, reads)


async def test_a_refused_connection_was_never_sent_and_is_retried(engine: str) -> None:
    """Connection refused: request_sent=False, so even a write is retried (here, up to the
    limit) and its outcome is known: nothing applied."""
    async with make_client(engine, free_port()) as client:
        with pytest.raises(APIConnectionError) as caught:
            await deduct(client)
    assert caught.value.request_sent is False
    assert caught.value.outcome_unknown is False


@pytest.fixture
def unanswered_port() -> Iterator[int]:
    """A loopback port where every connect hangs until the client's connect timeout."""
    with unanswered_connects() as port:
        yield port


async def test_a_connect_timeout_was_never_sent_and_is_retried(
    engine: str, unanswered_port: int
) -> None:
    """No connection within the connect timeout: APITimeoutError with request_sent=False, so
    even a write is retried (twice here, the limit) and its outcome is known: nothing applied."""
    retries: list[RetryEvent] = []
    policy = attrs.evolve(NO_WAIT, on_retry=retries.append)
    timeout = Timeout(attempt=5.0, connect=0.2)
    async with make_client(engine, unanswered_port, timeout=timeout, retry_policy=policy) as client:
        with anyio.fail_after(4), pytest.raises(APITimeoutError) as caught:
            await deduct(client)
    assert caught.value.request_sent is False
    assert caught.value.outcome_unknown is False
    assert len(retries) == 2


async def test_a_keepalive_connection_the_server_closed_is_not_reused(engine: str) -> None:
    """The server closes an idle kept-alive connection; the next write goes out on a fresh
    connection and succeeds, sent exactly once."""
    with serve(RawServer(respond_then_close(), respond())) as server:
        async with make_client(engine, server.port) as client:
            await deduct(client)
            await anyio.sleep(0.2)  # the FIN arrives while the connection is idle
            await deduct(client)
    assert (server.connections, server.requests) == (2, 2)


async def test_success_reuses_one_connection(engine: str) -> None:
    """Sequential calls share a kept-alive connection and decode their answers."""
    with serve(RawServer(respond())) as server:
        async with make_client(engine, server.port) as client:
            first = await deduct(client)
            second = await client.transactions.get("t-1")
    assert (first.id, second.points) == ("t-1", 1)
    assert (server.connections, server.requests) == (1, 2)


def chunked(body: bytes, size: int) -> bytes:
    """A whole HTTP/1.1 response whose body is sent chunked, ``size`` bytes a chunk."""
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    framed = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks)
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n"
    return head + b"\r\n" + framed + b"0\r\n\r\n"


async def test_a_chunked_answer_is_read_to_its_end(engine: str) -> None:
    """No Content-Length, the body in 7-byte chunks: decoded whole, and the connection is
    kept for the next call."""
    with serve(RawServer(raw(chunked(OK_BODY, 7), keep=True))) as server:
        async with make_client(engine, server.port) as client:
            first = await client.transactions.get("t-1")
            second = await client.transactions.get("t-1")
    assert (first.id, second.points) == ("t-1", 1)
    assert (server.connections, server.requests) == (1, 2)


async def test_a_read_after_a_drop_is_retried(engine: str) -> None:
    """A read whose connection dropped after sending is safe to repeat, and is."""
    with serve(RawServer(fin_after_reading, respond())) as server:
        async with make_client(engine, server.port) as client:
            tx = await client.transactions.get("t-1")
    assert tx.id == "t-1"
    assert server.requests == 2


async def _in_background(call: Callable[[], Any], results: list[Any]) -> None:
    try:
        results.append(await call())
    except BaseException as exc:
        results.append(exc)
        if isinstance(exc, anyio.get_cancelled_exc_class()):
            raise


async def test_closing_the_client_ends_in_flight_and_queued_calls(engine: str) -> None:
    """aclose() while one write is in flight and another waits for the pool's only
    connection: the first ends with ClientClosedError and outcome_unknown=True (it was sent),
    the queued one with outcome_unknown=False; the server never sees the second."""

    with serve(RawServer(hold(5))) as server:
        client = make_client(engine, server.port, max_connections=1)
        first: list[Any] = []
        queued: list[Any] = []
        async with anyio.create_task_group() as tg:
            tg.start_soon(_in_background, lambda: deduct(client), first)
            await _wait_for(lambda: server.requests == 1)
            tg.start_soon(_in_background, lambda: deduct(client), queued)
            await anyio.sleep(0.1)
            await client.aclose()
        assert server.requests == 1
    assert isinstance(first[0], ClientClosedError), repr(first)
    assert first[0].outcome_unknown is True
    assert isinstance(queued[0], ClientClosedError), repr(queued)
    assert queued[0].outcome_unknown is False


async def test_cancelling_a_queued_call_cancels_only_it(engine: str) -> None:
    """A caller's own cancellation is a cancellation (not an error), and the client goes on."""
    with serve(RawServer(respond())) as server:
        async with make_client(engine, server.port, max_connections=1) as client:
            with anyio.move_on_after(0.05):
                async with anyio.create_task_group() as tg:
                    for _ in range(5):
                        tg.start_soon(deduct, client)
                    await anyio.sleep(10)
            assert (await deduct(client)).id == "t-1"


async def _wait_for(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` (the raw server's counters live on another thread) for up to 5 s."""
    with anyio.fail_after(5):
        while not condition():  # noqa: ASYNC110 - no event to wait on across threads
            await anyio.sleep(0.01)


async def test_a_storm_of_cancelled_calls_leaves_the_pool_healthy(engine: str) -> None:
    """50 bursts of 30 reads cancelled after 0-3 ms (asyncio.timeout / cancel scopes in a web
    service) on a pool of 4: no connection slot leaks, the next call still succeeds. (httpcore
    alone leaks a slot per unlucky cancellation, encode/httpcore#1093, until every call fails
    with PoolTimeout.)"""
    with serve(RawServer(respond())) as server:
        async with make_client(engine, server.port, max_connections=4, timeout=2.0) as client:
            for burst in range(50):
                with anyio.move_on_after((burst % 4) / 1000):
                    async with anyio.create_task_group() as tg:
                        for _ in range(30):
                            tg.start_soon(client.transactions.get, "t-1")
            with anyio.fail_after(5):
                results = [await client.transactions.get("t-1") for _ in range(8)]
    assert {tx.id for tx in results} == {"t-1"}


async def test_auto_sends_through_the_fastest_engine_of_the_loop(anyio_backend: str) -> None:
    """transport="auto" chooses at the first request the engine preferred for the running loop
    among those installed (the order is pinned in tests/unit/test_engine_choice.py), and the
    call goes through it."""
    with serve(RawServer(respond())) as server:
        async with make_client("auto", server.port) as client:
            tx = await client.transactions.get("t-1")
            chosen = client._engine.chosen  # type: ignore[attr-defined]
    assert tx.id == "t-1"
    assert chosen.name == preferred_engine(anyio_backend)
    assert chosen.name in installed_engines()
    assert server.requests == 1


async def test_timeouts_at_every_stage_leave_a_pool_of_one_healthy(engine: str) -> None:
    """300 sequential writes, each timing out 0.5-6 ms in (while connecting, writing,
    reading, or closing), on a pool of one connection: the pool never wedges (on asyncio,
    cancelling httpcore outside its shields used to leave its only connection stuck)."""
    with serve(RawServer(respond())) as server:
        async with make_client(engine, server.port, max_connections=1, max_retries=0) as client:
            for n in range(300):
                fast = client.with_options(timeout=0.0005 + (n % 12) * 0.0005)
                with contextlib.suppress(ShopSociallyError):
                    await deduct(fast)
            with anyio.fail_after(5):
                assert (await client.transactions.get("t-1")).id == "t-1"


async def test_aclose_ends_a_call_waiting_to_retry(engine: str) -> None:
    """A call sleeping out a Retry-After of 30 s ends with ClientClosedError as soon as the
    client closes, not 30 s later; nothing more is sent."""
    busy = respond(429, b'{"success": false, "error_code": "RATE_LIMIT_EXCEEDED"}',
                   {"retry-after": "30"})  # fmt: skip
    with serve(RawServer(busy)) as server:
        client = make_client(engine, server.port, retry_policy=RetryPolicy(max_retry_after=60))
        outcome: list[Any] = []
        with anyio.fail_after(10):
            async with anyio.create_task_group() as tg:
                tg.start_soon(_in_background, lambda: deduct(client), outcome)
                await _wait_for(lambda: server.requests == 1)
                await anyio.sleep(0.1)
                await client.aclose()
    assert isinstance(outcome[0], ClientClosedError), repr(outcome)
    assert outcome[0].outcome_unknown is False  # a 429 certainly applied nothing
    assert server.requests == 1


async def test_waits_before_sending_are_bounded_by_the_deadline(engine: str) -> None:
    """The rate limiter's wait and a slow auth hook count against the call's deadline: the
    call ends with APITimeoutError (request_sent=False) when it passes, nothing sent."""

    async def slow_token(request: object) -> dict[str, str]:
        await anyio.sleep(30)
        return {"Authorization": "Bearer t"}  # pragma: no cover - never reached

    with serve(RawServer(respond())) as server:
        limited = make_client(
            engine, server.port, deadline=0.5, rate_limiter=LocalRateLimiter(rate=0.1)
        )
        slow_auth = make_client(engine, server.port, deadline=0.5, auth=slow_token)
        async with limited, slow_auth:
            await deduct(limited)  # the first slot is free
            for client in (limited, slow_auth):
                with anyio.fail_after(5), pytest.raises(APITimeoutError) as caught:
                    await deduct(client)
                assert caught.value.request_sent is False
                assert caught.value.outcome_unknown is False
        assert server.requests == 1


async def test_no_library_exception_stays_in_the_chain(engine: str) -> None:
    """A failed exchange's error keeps no library exception (which may hold the request's
    headers, the API key among them) in __cause__ or __context__."""
    with serve(RawServer(fin_after_reading)) as server:
        async with make_client(engine, server.port, max_retries=0) as client:
            with pytest.raises(APIConnectionError) as caught:
                await deduct(client)
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
