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
        pytest.param(
            decoding,
            ["msgspec Struct", "pydantic v2", "records built by calling the class"],
            4,
            id="decoding",
        ),
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


def test_ratelimit_cooldown_analysis_reads_the_logs() -> None:
    """analyse_cooldown on a made-up run: one request in flight, one sent during the
    cooldown, sending resumed after it, the busiest second after it."""
    from benchmarks.ratelimit import Observed, analyse_cooldown

    forced = 100.0
    arrivals = [99.5, forced, 100.004, 101.0, 102.01, 102.05, 102.5, 103.2]
    workers = [
        {"acquired": [99.49, 100.002, 100.99, 102.0], "cooldowns": [[100.003, 100.004]]},
        {"acquired": [99.99], "cooldowns": []},
    ]
    cooldown = analyse_cooldown(Observed(arrivals, [forced], workers))
    assert cooldown.in_window == pytest.approx([0.004, 1.0])
    assert cooldown.sent_during == 1  # the acquire at 100.99
    assert round(cooldown.resumed_after, 3) == 2.01
    assert cooldown.busiest_after == 3  # 102.01, 102.05, 102.5
    assert round(cooldown.recorded_after, 3) == 0.004


def test_engine_benchmark_quick_run_has_every_row_and_target() -> None:
    """overhead.run(quick=True) runs the floor, the raw libraries and our client on every
    installed engine and loop against the server process, and renders every target."""
    from benchmarks import overhead

    section = overhead.run(quick=True)
    report = "\n".join(section.lines)
    for contender in overhead.contenders():
        assert f"| GET | {contender.name} | {contender.loop} |" in report
    assert "| ours on pyqwest | trio |" in report
    assert [name.split(":")[0] for name, _, _ in section.targets] == [
        "Default engine (httpx)",
        "Fast engine under asyncio (auto's choice, aiohttp)",
        "Best trio engine (pyqwest)",
        "Fast engine under asyncio (aiohttp)",
    ]
    assert all(isinstance(met, bool) for _, met, _ in section.targets)
