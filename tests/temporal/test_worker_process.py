"""The ``worker`` command as a process: it says "ready" only when it can work, and it
always ends, whatever signals it gets."""
# ruff: noqa: S603 - these tests start our own command line with sys.executable

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import anyio.from_thread
import pytest

from shopsocially_async.cli import main
from shopsocially_async.testing import FakeShopSocially, RedisServer, TemporalServer

READY = "worker ready"


@pytest.fixture
def api() -> Iterator[tuple[FakeShopSocially, str]]:
    """The embedded API, served on a loopback port; its base URL."""
    fake = FakeShopSocially()
    with (
        anyio.from_thread.start_blocking_portal() as portal,
        portal.wrap_async_context_manager(fake.serve()) as base_url,
    ):
        yield fake, base_url


def _worker(
    api: tuple[FakeShopSocially, str], temporal: str, redis: str, *, key: str | None = None
) -> subprocess.Popen[str]:
    fake, base_url = api
    env = {**os.environ, "SHOPSOCIALLY_BASE_URL": base_url,
           "SHOPSOCIALLY_PARTNER_ID": fake.partner_id,
           "SHOPSOCIALLY_API_KEY": key or fake.api_key}  # fmt: skip
    command = [sys.executable, "-m", "shopsocially_async", "worker", "--temporal", temporal,
               "--redis", redis, "--drain", "2"]  # fmt: skip
    return subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)


def test_a_worker_that_cannot_work_never_says_ready(
    api: tuple[FakeShopSocially, str],
    redis_server: RedisServer,
    temporal_server: TemporalServer,
) -> None:
    """A wrong API key, or a Redis that is not there: one line, exit 3, no "worker ready"."""
    cases = [
        (redis_server.url, "wrong-key", "the API refused the credentials"),
        ("redis://127.0.0.1:9/0", None, "cannot reach Redis at 127.0.0.1:9/0"),
    ]
    for redis, key, said in cases:
        process = _worker(api, temporal_server.target, redis, key=key)
        _, err = process.communicate(timeout=60)
        assert process.returncode == 3, err
        assert READY not in err
        assert err.startswith(f"error: {said}"), err


@pytest.mark.parametrize("gap", [0.0, 0.01, 0.05])
def test_two_quick_sigterms_end_the_worker(
    api: tuple[FakeShopSocially, str],
    redis_server: RedisServer,
    temporal_server: TemporalServer,
    gap: float,
) -> None:
    """SIGTERM twice in a row (a supervisor's stop, repeated): the worker drains, stops, and
    exits 143 promptly, never hanging or aborting in the interpreter's teardown."""
    process = _worker(api, temporal_server.target, redis_server.url)
    assert process.stderr is not None
    assert READY in process.stderr.readline()
    time.sleep(0.3)
    process.send_signal(signal.SIGTERM)
    time.sleep(gap)
    process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError("the worker hung after two SIGTERMs") from None
    assert process.returncode == 143, err
    assert err.rstrip().endswith("worker stopped"), err


def test_demo_workers_without_the_temporal_package_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No temporalio installed: one line naming the extra to install, exit 2, no traceback."""
    find_spec = importlib.util.find_spec

    def without_temporalio(name: str, *args: Any) -> Any:
        return None if name == "temporalio" else find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_temporalio)
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--workers", "2"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert "the Python package temporalio is not installed" in err
    assert "pip install 'shopsocially-async[temporal,cli]'" in err
    assert len(err.strip().splitlines()) == 1
