"""The plugin's async fixtures under pytest-asyncio, as a merchant's suite would use them.

Each case is its own pytest session in a subprocess (``pytester.runpytest_subprocess``) with
its own ini file, so the asyncio mode and the order plugins are loaded in are the session's.
"""

from __future__ import annotations

import textwrap

import pytest

pytest_plugins = ["pytester"]

# Warnings are errors inside too: strict mode warns when a marked test gets an async fixture it
# does not run, and a fixture torn down on the wrong loop leaves unclosed-resource warnings.
ARGS = ("-p", "no:cacheprovider", "-W", "error", "-q")

INI = """
[pytest]
asyncio_mode = {mode}
asyncio_default_fixture_loop_scope = function
"""

USER_TESTS = '''
"""Loyalty code tested with pytest-asyncio."""

import asyncio

import pytest
import pytest_asyncio

from shopsocially_async import errors
from shopsocially_async.testing import Fault

{marker}


@pytest_asyncio.fixture
async def fixture_loop(shopsocially_client, shopsocially_socket_client):
    """The loop the user's own async fixture, built on the plugin's, runs on."""
    return asyncio.get_running_loop()


async def test_in_process(shopsocially_fake, shopsocially_client, fixture_loop):
    assert asyncio.get_running_loop() is fixture_loop
    shopsocially_fake.add_member("bob@example.com", available_points=50)
    user = await shopsocially_client.users.get("bob@example.com")
    assert user.available_points == 50


async def test_over_a_socket(shopsocially_fake, shopsocially_socket_client):
    shopsocially_fake.add_member("bob@example.com", available_points=50)
    shopsocially_fake.inject(Fault("drop_after", route="POST /deduct"))
    with pytest.raises(errors.APIConnectionError) as caught:
        await shopsocially_socket_client.points.deduct(
            user_email="bob@example.com", points_passed=20, reason="r")
    assert caught.value.outcome_unknown
    assert shopsocially_fake.member("bob@example.com").available_points == 30


async def test_seeded_and_served(
    shopsocially_seeded_fake, shopsocially_client, shopsocially_server
):
    assert shopsocially_server.startswith("http://127.0.0.1:")
    member = shopsocially_seeded_fake.members[0]
    assert (await shopsocially_client.users.get(member.email)).user_email == member.email
'''


def run_session(pytester: pytest.Pytester, mode: str, *args: str) -> pytest.RunResult:
    """One pytest session in a subprocess, with ``asyncio_mode = mode`` in its ini."""
    pytester.makeini(INI.format(mode=mode))
    return pytester.runpytest_subprocess(*ARGS, *args)


def test_auto_mode_runs_plain_async_tests(pytester: pytest.Pytester) -> None:
    """``asyncio_mode = auto``: unmarked ``async def`` tests get every async fixture."""
    pytester.makepyfile(test_loyalty=USER_TESTS.format(marker=""))
    run_session(pytester, "auto").assert_outcomes(passed=3)


def test_strict_mode_runs_marked_tests(pytester: pytest.Pytester) -> None:
    """``asyncio_mode = strict``: ``@pytest.mark.asyncio`` tests get every async fixture, with
    no warning about undeclared async fixtures."""
    marker = "pytestmark = pytest.mark.asyncio"
    pytester.makepyfile(test_loyalty=USER_TESTS.format(marker=marker))
    run_session(pytester, "strict").assert_outcomes(passed=3)


MIXED_TESTS = """
import sniffio
import pytest


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request):
    return request.param


@pytest.mark.anyio
async def test_on_anyio(anyio_backend, shopsocially_socket_client, shopsocially_client):
    assert sniffio.current_async_library() == anyio_backend
    assert await shopsocially_socket_client.activities.list() == []
    assert await shopsocially_client.activities.list() == []


@pytest.mark.asyncio
async def test_on_pytest_asyncio(shopsocially_socket_client, shopsocially_client):
    assert sniffio.current_async_library() == "asyncio"
    assert await shopsocially_socket_client.activities.list() == []
    assert await shopsocially_client.activities.list() == []
"""


@pytest.mark.parametrize(
    "load_order", [("anyio", "asyncio"), ("asyncio", "anyio")], ids=lambda o: "-then-".join(o)
)
def test_anyio_and_strict_pytest_asyncio_tests_share_a_suite(
    pytester: pytest.Pytester, load_order: tuple[str, str]
) -> None:
    """anyio tests (asyncio and trio) and pytest-asyncio tests in one strict-mode session each
    get the fixtures on their own loop, whichever of the two plugins is loaded first."""
    pytester.makepyfile(test_mixed=textwrap.dedent(MIXED_TESTS))
    first, second = load_order
    # "-p asyncio" names pytest-asyncio's entry point; pytest also tries to mark the standard
    # library's asyncio (imported long before) for assertion rewriting, and says so.
    order = ("-p", first, "-p", second, "-W", "ignore::pytest.PytestAssertRewriteWarning")
    run_session(pytester, "strict", *order).assert_outcomes(passed=3)
