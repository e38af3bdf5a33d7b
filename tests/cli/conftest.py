"""Fixtures for the CLI tests: a fake served over real sockets, and running ``main``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import anyio.from_thread
import attrs
import pytest

from shopsocially_async.cli import main
from shopsocially_async.testing import FakeShopSocially


@attrs.frozen
class Served:
    """A fake being served, and the global options that point the CLI at it."""

    fake: FakeShopSocially
    base_url: str

    @property
    def options(self) -> list[str]:
        return ["--base-url", self.base_url, "--partner-id", self.fake.partner_id]


@attrs.frozen
class Outcome:
    """What one CLI run did."""

    code: int
    out: str
    err: str


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    """A seeded fake on a loopback port (real sockets); the API key comes from the env."""
    fake = FakeShopSocially().seed(members=30, transactions=300)
    monkeypatch.setenv("SHOPSOCIALLY_API_KEY", fake.api_key)
    with (
        anyio.from_thread.start_blocking_portal() as portal,
        portal.wrap_async_context_manager(fake.serve()) as base_url,
    ):
        yield Served(fake, base_url)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Outcome]:
    """Run ``main(argv)`` in process; return its exit code and output."""

    def run(*argv: str | Path) -> Outcome:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main([str(a) for a in argv])
        captured = capsys.readouterr()
        code = exit_info.value.code
        return Outcome(code if isinstance(code, int) else 1, captured.out, captured.err)

    return run
