"""Where the blocking client refuses to run, and what an interrupt or a lost client leaves.

Misuse (``SyncUsageError``, before anything is sent): a call from a thread running an event
loop, from the client's own loop thread, or from a process forked after the client was made.
The fork and Ctrl-C cases run in a child Python process, so that neither can disturb pytest.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import textwrap
from datetime import date

import anyio
import httpx
import pytest

from shopsocially_async import errors
from shopsocially_async.sync import SyncShopSociallyClient, SyncUsageError
from shopsocially_async.testing import FakeShopSocially

from .conftest import in_process, loop_threads

SUCCESS = {"success": True, "data": []}


@pytest.mark.anyio
async def test_blocking_calls_inside_a_running_event_loop_are_refused(
    shop: FakeShopSocially, shopsocially_sync_client: SyncShopSociallyClient, anyio_backend: str
) -> None:
    """Under asyncio and trio, a call, a paginator step and ``collect()`` raise
    ``SyncUsageError`` naming the loop; nothing is sent."""
    client = shopsocially_sync_client
    with pytest.raises(SyncUsageError, match=f"inside a running {anyio_backend} event loop"):
        client.activities.list()
    pager = client.transactions.list(from_date=date(2024, 1, 1), to_date=date(2024, 2, 1))
    with pytest.raises(SyncUsageError):
        next(iter(pager))
    with pytest.raises(SyncUsageError):
        pager.collect()
    assert sum(shop.stats.requests.values()) == 0


@pytest.mark.anyio
async def test_async_code_may_make_and_close_a_blocking_client(shop: FakeShopSocially) -> None:
    """An async app's startup and shutdown may make and close the client its worker threads
    use: neither waits on the API."""
    client = in_process(shop)
    copy = client.with_options(max_retries=0)
    assert await anyio.to_thread.run_sync(copy.activities.get, "signup")
    copy.close()
    client.close()
    assert client.is_closed


@pytest.mark.anyio
async def test_a_worker_thread_of_an_async_program_may_call_it(
    shop: FakeShopSocially, shopsocially_sync_client: SyncShopSociallyClient
) -> None:
    """``anyio.to_thread.run_sync`` is the way to reach the blocking client from async code."""
    user = await anyio.to_thread.run_sync(shopsocially_sync_client.users.get, "bob@example.com")
    assert user.available_points == 500


def test_a_call_from_the_clients_own_loop_thread_is_refused() -> None:
    """A hook on the loop thread (here a transport) calling the client gets ``SyncUsageError``
    instead of deadlocking."""
    refused: list[SyncUsageError] = []
    clients: list[SyncShopSociallyClient] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/activities"):
            try:
                clients[0].redemptions.list()
            except SyncUsageError as exc:
                refused.append(exc)
        return httpx.Response(200, json=SUCCESS)

    with SyncShopSociallyClient("p", "k", transport=httpx.MockTransport(handler)) as client:
        clients.append(client)
        assert client.activities.list() == []
    assert len(refused) == 1
    assert "own event loop thread" in str(refused[0])


def test_an_unclosed_client_warns_and_stops_its_thread(shop: FakeShopSocially) -> None:
    """A client dropped without ``close()`` raises ``ResourceWarning`` and ends its thread."""
    threads = len(loop_threads())
    client = in_process(shop)
    assert client.activities.list()
    assert len(loop_threads()) == threads + 1
    with pytest.warns(ResourceWarning, match="unclosed SyncShopSociallyClient"):
        del client  # no reference cycle: finalized right here
    gc.collect()
    assert len(loop_threads()) == threads


def run_child(script: str) -> dict[str, object]:
    """Run ``script`` in a fresh interpreter (bounded), return the JSON it printed last."""
    done = subprocess.run(  # noqa: S603 - our own interpreter running our own script
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


PROGRAM = """
    import json, os, signal, threading, time
    from shopsocially_async import RetryPolicy
    from shopsocially_async.sync import SyncShopSociallyClient, SyncUsageError
    from shopsocially_async.testing import FakeShopSocially, Fault

    fake = FakeShopSocially()
    fake.add_member("bob@example.com", available_points=10)
    fake.add_activity("signup", points_per_activity=5)
    client = SyncShopSociallyClient(
        fake.partner_id, fake.api_key, base_url=fake.base_url_for_asgi,
        transport=fake.asgi_transport(),
        retry_policy=RetryPolicy(initial_delay=0, max_delay=0, max_retry_after=0),
    )
"""


def test_ctrl_c_during_a_call_cancels_it_and_leaves_the_client_working() -> None:
    """SIGINT while a call waits on a 60 s response: ``KeyboardInterrupt`` at once, the call is
    cancelled on the loop (``close()`` does not wait for it), later calls work."""
    result = run_child(
        PROGRAM
        + """
    fake.inject(Fault("latency", route="GET /activities", latency=60, times=1))
    main = threading.get_ident()
    threading.Timer(0.5, signal.pthread_kill, (main, signal.SIGINT)).start()
    started = time.monotonic()
    try:
        client.activities.list()
        interrupted = False
    except KeyboardInterrupt:
        interrupted = True
    waited = time.monotonic() - started
    tx = client.points.award(user_email="bob@example.com", activity_id="signup")
    started = time.monotonic()
    client.close()
    print(json.dumps({"interrupted": interrupted, "waited": waited, "points": tx.points,
                      "close": time.monotonic() - started,
                      "threads": [t.name for t in threading.enumerate()]}))
"""
    )
    assert result["interrupted"] is True
    assert result["points"] == 5
    assert result["waited"] < 30
    assert result["close"] < 30
    assert result["threads"] == ["MainThread"]


def test_a_forked_child_is_refused_instead_of_hanging() -> None:
    """After ``os.fork()`` the child's calls raise ``SyncUsageError`` (the loop thread stayed in
    the parent) and its ``close()`` returns; the parent's client still works."""
    result = run_child(
        PROGRAM
        + """
    client.activities.list()
    pid = os.fork()
    if pid == 0:
        try:
            client.activities.list()
            code = 1
        except SyncUsageError as exc:
            code = 0 if "another process" in str(exc) else 2
        client.close()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    after = len(client.activities.list())
    client.close()
    print(json.dumps({"child": os.waitstatus_to_exitcode(status), "after": after}))
"""
    )
    assert result == {"child": 0, "after": 1}


def test_a_closed_client_closes_again_anywhere(shop: FakeShopSocially) -> None:
    """``close()`` on a closed client is a no-op even inside an event loop, where calls are
    still refused as misuse; elsewhere they raise ``ClientClosedError``."""
    with in_process(shop) as client:
        pass

    async def inside_a_loop() -> None:
        client.close()
        with pytest.raises(SyncUsageError):
            client.activities.list()

    anyio.run(inside_a_loop)
    with pytest.raises(errors.ClientClosedError):
        client.activities.list()
