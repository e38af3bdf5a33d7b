"""The README's tested examples: its code blocks, and running an example file with pytester.

Each example in the README is a file in the tests (e.g. ``tests/plugin/readme_example.py``);
a test runs that file as a user's test file would run, and another checks that the README
section shows it verbatim.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).parents[1] / "README.md"

# Strict inside the inner runs too: warnings are errors, and only loopback sockets are used.
# pytest-asyncio (installed with the test extra) warns until a project picks its fixture loop
# scope, as every project using it does.
INNER_ARGS = (
    "-p", "no:cacheprovider", "-W", "error", "-q",
    "-o", "asyncio_default_fixture_loop_scope=function",
)  # fmt: skip


def python_blocks(heading: str) -> list[str]:
    """The Python code blocks of the README section under ``## heading``."""
    text = README.read_text()
    assert f"## {heading}\n" in text
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def run_example(pytester: pytest.Pytester, example: str, *args: str) -> pytest.RunResult:
    """Run ``example`` as a user's test file, in ``pytester``'s directory."""
    pytester.makepyfile(test_example=example)
    return pytester.runpytest_inprocess(*INNER_ARGS, *args)
