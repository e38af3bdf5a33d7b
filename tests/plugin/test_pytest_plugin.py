"""The pytest plugin as a merchant meets it: test files using its fixtures, run by ``pytester``.

The README example ("Testing your integration") is ``readme_example.py`` beside this file;
while the README carries that section, its code block must be exactly this file.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import pytest

from ..readme import INNER_ARGS, python_blocks, run_example

pytest_plugins = ["pytester"]

HERE = Path(__file__).parent
EXAMPLE = (HERE / "readme_example.py").read_text()


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """Run pytest in ``pytester``'s directory with the strict options."""
    return pytester.runpytest_inprocess(*INNER_ARGS, *args)


def test_the_plugin_is_registered_through_the_entry_point() -> None:
    """The ``pytest11`` entry point names the plugin module, so pytest loads it unasked."""
    plugins = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert plugins["shopsocially_async"] == "shopsocially_async.testing.pytest_plugin"


def test_readme_example_passes_under_asyncio_and_trio(pytester: pytest.Pytester) -> None:
    """The README's example test file, copied as is, passes under both event loops."""
    result = run_example(pytester, EXAMPLE, "-vv")
    result.assert_outcomes(passed=8)
    result.stdout.fnmatch_lines(["*test_a_dropped_connection_is_retried_safely?trio? PASSED*"])


def test_readme_section_is_the_example() -> None:
    """The README's "Testing your integration" section shows exactly the tested example."""
    assert EXAMPLE in python_blocks("Testing your integration")


def test_fixtures_are_listed(pytester: pytest.Pytester) -> None:
    """``pytest --fixtures`` shows every fixture of the plugin with its docstring."""
    result = run(pytester, "--fixtures")
    for name in (
        "shopsocially_fake",
        "shopsocially_seeded_fake",
        "shopsocially_retry_policy",
        "shopsocially_client",
        "shopsocially_server",
        "shopsocially_socket_client",
        "shopsocially_sync_client",
    ):
        result.stdout.fnmatch_lines([f"{name}*"])


def test_seeded_fake_is_deterministic_and_shared(pytester: pytest.Pytester) -> None:
    """Two tests see the same seeded members; the seeded fake is the program the client uses."""
    pytester.makepyfile(
        """
        import pytest

        SEEN = []

        def test_first(shopsocially_seeded_fake):
            SEEN.append([(m.email, m.available_points) for m in shopsocially_seeded_fake.members])
            assert len(SEEN[0]) == 100 and len(shopsocially_seeded_fake.ledger) > 150
            shopsocially_seeded_fake.check_ledger()

        def test_second(shopsocially_seeded_fake, shopsocially_fake):
            assert shopsocially_seeded_fake is shopsocially_fake
            members = [(m.email, m.available_points) for m in shopsocially_seeded_fake.members]
            assert members == SEEN[0]

        @pytest.mark.anyio
        async def test_client_sees_the_seed(shopsocially_seeded_fake, shopsocially_client):
            activities = await shopsocially_client.activities.list()
            assert {a.activity_id for a in activities} >= {"made_a_purchase", "signup"}
            member = shopsocially_seeded_fake.members[-1]
            user = await shopsocially_client.users.get(member.email)
            assert user.user_email == member.email
        """
    )
    run(pytester).assert_outcomes(passed=4)


def test_each_test_gets_a_fresh_program(pytester: pytest.Pytester) -> None:
    """What one test writes is gone in the next, in process and over sockets."""
    pytester.makepyfile(
        """
        import pytest
        from shopsocially_async import errors

        pytestmark = pytest.mark.anyio

        async def test_writes(shopsocially_fake, shopsocially_client):
            await shopsocially_client.users.create(
                first_name="A", last_name="B", email="a@example.com", uid="u-1")
            assert len(shopsocially_fake.members) == 1

        async def test_clean(shopsocially_fake, shopsocially_socket_client):
            assert shopsocially_fake.members == []
            with pytest.raises(errors.MemberNotFoundError):
                await shopsocially_socket_client.users.get("a@example.com")
        """
    )
    run(pytester).assert_outcomes(passed=4)


def test_socket_fixtures_use_a_real_server(pytester: pytest.Pytester) -> None:
    """``shopsocially_server`` is a loopback URL any HTTP client can reach; drops are real."""
    pytester.makepyfile(
        """
        import httpx
        import pytest
        from shopsocially_async import errors
        from shopsocially_async.testing import Fault

        pytestmark = pytest.mark.anyio

        async def test_url(shopsocially_fake, shopsocially_server):
            assert shopsocially_server.startswith("http://127.0.0.1:")
            headers = {"partner-id": "test-partner", "api-key": "test-api-key"}
            async with httpx.AsyncClient(headers=headers) as http:
                response = await http.get(shopsocially_server + "/activities")
            assert response.json() == {"data": [], "success": True}

        async def test_drop(shopsocially_fake, shopsocially_socket_client):
            shopsocially_fake.add_member("bob@example.com", available_points=50)
            shopsocially_fake.inject(Fault("drop_after", route="POST /deduct"))
            with pytest.raises(errors.APIConnectionError) as caught:
                await shopsocially_socket_client.points.deduct(
                    user_email="bob@example.com", points_passed=20, reason="r",
                    extra_headers={"x-fake-op-id": "d-1"})
            assert caught.value.outcome_unknown
            assert shopsocially_fake.applied_count("d-1") == 1
            assert shopsocially_fake.member("bob@example.com").available_points == 30
        """
    )
    run(pytester).assert_outcomes(passed=4)


def test_retries_do_not_sleep(pytester: pytest.Pytester) -> None:
    """The clients' policy retries a 429 with a 60 s Retry-After at once, and can be overridden."""
    pytester.makeconftest(
        """
        import pytest
        from shopsocially_async import RetryPolicy

        @pytest.fixture
        def shopsocially_retry_policy():
            return RetryPolicy(max_retries=5, initial_delay=0, max_delay=0, max_retry_after=0)
        """
    )
    pytester.makepyfile(
        """
        import pytest
        from shopsocially_async.testing import Fault

        @pytest.mark.anyio
        async def test_rate_limited(shopsocially_fake, shopsocially_client):
            shopsocially_fake.inject(
                Fault("rate_limit", route="GET /activities", times=5, retry_after=60))
            assert await shopsocially_client.activities.list() == []
            assert shopsocially_client.max_retries == 5
            assert shopsocially_fake.stats.requests["GET /activities"] == 6

        def test_default_policy():
            from shopsocially_async.testing.pytest_plugin import shopsocially_retry_policy
            policy = shopsocially_retry_policy.__wrapped__()
            assert (policy.initial_delay, policy.max_delay, policy.max_retry_after) == (0, 0, 0)
            assert policy.max_retries == 2
        """
    )
    run(pytester).assert_outcomes(passed=3)


def test_overriding_the_fake_reaches_every_client(pytester: pytest.Pytester) -> None:
    """A conftest ``shopsocially_fake`` with other credentials is what both clients talk to."""
    pytester.makeconftest(
        """
        import pytest
        from shopsocially_async.testing import FakeShopSocially

        @pytest.fixture
        def shopsocially_fake():
            fake = FakeShopSocially(partner_id="acme", api_key="s3cret")
            fake.add_activity("signup", points_per_activity=100)
            return fake
        """
    )
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.anyio

        async def test_in_process(shopsocially_client):
            assert [a.activity_id for a in await shopsocially_client.activities.list()] == [
                "signup"]

        async def test_socket(shopsocially_socket_client):
            act = await shopsocially_socket_client.activities.get("signup")
            assert act.points_per_activity == 100
        """
    )
    run(pytester).assert_outcomes(passed=4)
