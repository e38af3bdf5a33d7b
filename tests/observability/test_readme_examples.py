"""The README's raw-response, hooks and tracing examples: run as a user's test files, and
shown verbatim in their sections."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..readme import python_blocks, run_example

pytest_plugins = ["pytester"]

HERE = Path(__file__).parent
EXAMPLES = {
    "Raw responses": "raw_example.py",
    "Hooks": "hooks_example.py",
    "Tracing with OpenTelemetry": "otel_example.py",
}
#: Tests in each example, each run under asyncio and trio.
PASSED = {"raw_example.py": 4, "hooks_example.py": 2, "otel_example.py": 2}


@pytest.mark.parametrize("example", EXAMPLES.values())
def test_the_example_passes(pytester: pytest.Pytester, example: str) -> None:
    """Each example passes as a user's test file, warnings as errors."""
    result = run_example(pytester, (HERE / example).read_text())
    result.assert_outcomes(passed=PASSED[example])


@pytest.mark.parametrize(("section", "example"), EXAMPLES.items())
def test_the_readme_shows_the_example(section: str, example: str) -> None:
    """The section's code block is the tested file, verbatim."""
    assert (HERE / example).read_text() in python_blocks(section)
