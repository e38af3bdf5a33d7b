"""The benchmark code runs (quick mode, in process): it cannot rot. No timing is asserted."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # benchmarks/ is a folder of the checkout, not installed
    sys.path.insert(0, str(ROOT))

from benchmarks import decoding, journal  # noqa: E402
from benchmarks.__main__ import render  # noqa: E402


def test_decoding_benchmark_quick_run_renders_a_report() -> None:
    """decoding.run(quick=True) measures every decoder and renders its table and targets."""
    section = decoding.run(quick=True)
    report = render([section], quick=True, seconds=0.0, command="python -m benchmarks --quick")
    assert "msgspec Struct" in report
    assert "pydantic v2" in report
    assert len(section.targets) == 3
    assert all(isinstance(met, bool) for _, met, _ in section.targets)


def test_journal_benchmark_quick_run_renders_a_report() -> None:
    """journal.run(quick=True) drives every journal mode through a real bulk run."""
    section = journal.run(quick=True)
    report = render([section], quick=True, seconds=0.0, command="python -m benchmarks --quick")
    assert "journal, group commit" in report
    assert "journal, fsync per row" in report
    assert len(section.targets) == 1
