"""The account's rate limit on a run here: a 429 is never a row's failure."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from shopsocially_async.testing import FakeShopSocially

from .conftest import Outcome, Served, applied_reasons, deducts_csv, serving

Cli = Callable[..., Outcome]
ROWS = 20


@pytest.fixture
def limited(monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    """The fake holding the account to 10 requests per second (429 beyond, Retry-After)."""
    fake = FakeShopSocially(rate_limit=10)
    for i in range(5):
        fake.add_member(f"busy{i}@example.com", available_points=1000)
    with serving(fake, monkeypatch) as served:
        yield served


def test_429s_wait_and_go_again_instead_of_failing_rows(
    limited: Served, cli: Cli, tmp_path: Path
) -> None:
    """16 rows at once against 10/s, with no client retries at all: the server refuses
    many, yet every row applies exactly once and none is reported failed."""
    path = deducts_csv(limited, tmp_path, [f"busy-{i}" for i in range(ROWS)])
    result = cli(*limited.options, "--max-retries", "0", "--concurrency", "16", "deduct", path)
    assert result.code == 0, result.err
    assert limited.fake.throttled  # the limit was met
    assert applied_reasons(limited, "busy-") == {f"busy-{i}": 1 for i in range(ROWS)}
    assert not (tmp_path / "d.failures.csv").exists()


def test_rate_paces_every_request_below_the_limit(
    limited: Served, cli: Cli, tmp_path: Path
) -> None:
    """--rate 8 paces the client's every request (the preflight included): no 429 at all."""
    path = deducts_csv(limited, tmp_path, [f"paced-{i}" for i in range(ROWS)])
    result = cli(*limited.options, "--rate", "8", "--concurrency", "16", "deduct", path)
    assert result.code == 0, result.err
    assert limited.fake.throttled == []
    assert applied_reasons(limited, "paced-") == {f"paced-{i}": 1 for i in range(ROWS)}
