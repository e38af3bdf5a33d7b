"""The benchmark code runs (quick mode, in process): it cannot rot. No timing is asserted."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # benchmarks/ is a folder of the checkout, not installed
    sys.path.insert(0, str(ROOT))

from benchmarks import decoding, journal  # noqa: E402
from benchmarks.__main__ import render  # noqa: E402


@pytest.mark.parametrize(
    ("benchmark", "rows", "targets"),
    [
        pytest.param(decoding, ["msgspec Struct", "pydantic v2"], 3, id="decoding"),
        pytest.param(journal, ["journal, group commit", "journal, fsync per row"], 1, id="journal"),
    ],
)
def test_benchmark_quick_run_renders_a_report(
    benchmark: ModuleType, rows: list[str], targets: int
) -> None:
    """run(quick=True) measures every variant and renders its table and its targets."""
    section = benchmark.run(quick=True)
    report = render([section], quick=True, seconds=0.0, command="python -m benchmarks --quick")
    assert all(row in report for row in rows)
    assert len(section.targets) == targets
    assert all(isinstance(met, bool) for _, met, _ in section.targets)
