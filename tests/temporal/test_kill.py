"""The kill test: three worker processes, one killed with SIGKILL mid-run, every row
applied exactly once (the same harness as ``demo --workers`` and the scale-out benchmark)."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from shopsocially_async.cli.scaleout import ScalePlan, run_scale

pytestmark = pytest.mark.anyio


async def test_a_worker_killed_mid_run_applies_nothing_twice_and_loses_nothing(
    tmp_path: Path,
) -> None:
    """300 deducts by 3 workers (its own Redis, Temporal and worker processes) against an
    account limit of 60/s; the worker running the most chunks is killed with SIGKILL at
    40%: its chunks are retried elsewhere, the rows it left in doubt settled from the
    ledger, and every row ends applied exactly once."""
    plan = ScalePlan(workers=3, rows=300, rate_limit=60, out_dir=tmp_path, chunk_size=25)
    with anyio.fail_after(180):
        outcome = await run_scale(plan, say=lambda _: None)
    assert outcome.killed_at is not None
    assert outcome.applied_twice == []
    assert outcome.lost == []
    assert (outcome.applied, outcome.failed, outcome.ambiguous) == (300, 0, 0)
    assert outcome.settled >= 1  # the dead worker's doubts were settled, not re-sent
