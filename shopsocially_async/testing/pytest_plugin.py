"""pytest plugin (entry point ``pytest11``): a fake ShopSocially program and clients wired to it.

Installed with the package, so a merchant's suite gets these fixtures without configuration.
Each test gets a fresh program; the fixtures build on one another, and a test that asks for
several of them gets them all on the same program:

========================================  =========================================================
fixture                                   what it gives
========================================  =========================================================
``shopsocially_fake``                     an empty :class:`FakeShopSocially` (``test-partner`` /
                                          ``test-api-key``); add members, activities, faults to it
``shopsocially_seeded_fake``              the same fake, seeded: 100 members, the default catalog,
                                          200 historical transactions (``rng_seed=0``: the same
                                          members, balances and coupon codes on every run)
``shopsocially_retry_policy``             ``RetryPolicy(initial_delay=0, max_delay=0,
                                          max_retry_after=0)``: retries never sleep
``shopsocially_client``                   async: a ``ShopSociallyClient`` calling the fake in
                                          process (``httpx.ASGITransport``, no sockets; fast)
``shopsocially_server``                   async: the fake served on a loopback port (uvicorn, the
                                          ``testing`` extra); the value is its base URL
``shopsocially_socket_client``            async: a ``ShopSociallyClient`` talking to
                                          ``shopsocially_server`` over real TCP
``shopsocially_sync_client``              a blocking ``SyncShopSociallyClient`` calling the fake
                                          in process, for synchronous code and tests
========================================  =========================================================

The async fixtures run on the test's own event loop, whichever plugin runs the test: anyio's
(``@pytest.mark.anyio``; asyncio and trio) or pytest-asyncio, in ``asyncio_mode = "auto"``
(plain ``async def`` tests) and in ``"strict"`` mode (``@pytest.mark.asyncio``). Each is a plain
fixture that picks, per test, one of two registrations of the same async generator (see
:func:`_async_fixture`): a plain one that anyio runs when the test has ``anyio_backend``, and one
declared with ``pytest_asyncio.fixture`` otherwise, the only kind strict mode runs. Neither
plugin ever sees the other's, so a trio test's fixture never lands on an asyncio loop,
whatever order the plugins were loaded in.

Override any of them in your own ``conftest.py``, e.g. ``shopsocially_fake`` to use other
credentials or a fixed clock, or ``shopsocially_retry_policy`` for other retry settings; the
others follow.
"""

from __future__ import annotations

import functools
import types
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar

import pytest

from .._client import ShopSociallyClient
from .._config import RetryPolicy
from ..sync import SyncShopSociallyClient
from ._fake import FakeShopSocially

try:
    import pytest_asyncio
except ImportError:  # optional: without it, only anyio's plugin runs async fixtures
    pytest_asyncio = None  # type: ignore[assignment]

F = TypeVar("F", bound=Callable[..., Any])


def _async_fixture(name: str, body: Callable[..., Any]) -> tuple[Any, Any, Any]:
    """Fixture ``name`` for every async plugin: the fixture itself, and its two registrations.

    ``body`` (an async generator) is registered as ``_{name}_on_anyio`` (plain: anyio runs it
    for a test that has ``anyio_backend``; pytest-asyncio's strict mode leaves it alone) and,
    as a copy declared with ``pytest_asyncio.fixture``, ``_{name}_on_asyncio``. ``name`` itself
    is a plain fixture that asks for the one matching the test. All three must be module
    attributes for pytest to find them.
    """
    on_anyio = pytest.fixture(name=f"_{name}_on_anyio")(body)
    declare = pytest.fixture if pytest_asyncio is None else pytest_asyncio.fixture
    on_asyncio = declare(name=f"_{name}_on_asyncio")(_copy_function(body))

    def pick(request: pytest.FixtureRequest) -> Any:
        runner = "anyio" if "anyio_backend" in request.fixturenames else "asyncio"
        return request.getfixturevalue(f"_{name}_on_{runner}")

    pick.__name__ = pick.__qualname__ = name
    pick.__doc__ = body.__doc__
    return pytest.fixture(name=name)(pick), on_anyio, on_asyncio


def _copy_function(func: F) -> F:
    """A distinct function object with ``func``'s code (``pytest_asyncio.fixture`` marks the
    object it is given; the original must stay unmarked)."""
    copy = types.FunctionType(
        func.__code__, func.__globals__, func.__name__, func.__defaults__, func.__closure__
    )
    copy.__kwdefaults__ = func.__kwdefaults__
    return functools.update_wrapper(copy, func)  # type: ignore[return-value]


#: What ``shopsocially_seeded_fake`` seeds.
SEED_MEMBERS = 100
SEED_TRANSACTIONS = 200
SEED_RNG = 0


@pytest.fixture
def shopsocially_fake() -> FakeShopSocially:
    """An empty fake program with the default credentials (``test-partner``/``test-api-key``)."""
    return FakeShopSocially()


@pytest.fixture
def shopsocially_seeded_fake(shopsocially_fake: FakeShopSocially) -> FakeShopSocially:
    """``shopsocially_fake`` seeded with 100 members, the default catalog and 200 transactions.

    Deterministic: the same members (emails, uids, balances), catalog and coupon codes on every
    run. Timestamps are spread over the time before now.
    """
    return shopsocially_fake.seed(
        members=SEED_MEMBERS, transactions=SEED_TRANSACTIONS, rng_seed=SEED_RNG
    )


@pytest.fixture
def shopsocially_retry_policy() -> RetryPolicy:
    """The clients' retry policy: the default number of retries, without any sleeping."""
    return RetryPolicy(initial_delay=0, max_delay=0, max_retry_after=0)


def _in_process(fake: FakeShopSocially, retry_policy: RetryPolicy) -> dict[str, Any]:
    """The arguments of a client (async or blocking) calling ``fake`` in process."""
    return {
        "partner_id": fake.partner_id,
        "api_key": fake.api_key,
        "base_url": fake.base_url_for_asgi,
        "transport": fake.asgi_transport(),
        "retry_policy": retry_policy,
    }


async def _in_process_client(
    shopsocially_fake: FakeShopSocially, shopsocially_retry_policy: RetryPolicy
) -> AsyncIterator[ShopSociallyClient]:
    """A client calling ``shopsocially_fake`` in process (no sockets); closed after the test."""
    async with ShopSociallyClient(
        **_in_process(shopsocially_fake, shopsocially_retry_policy)
    ) as client:
        yield client


shopsocially_client, _client_on_anyio, _client_on_asyncio = _async_fixture(
    "shopsocially_client", _in_process_client
)


@pytest.fixture
def shopsocially_sync_client(
    shopsocially_fake: FakeShopSocially, shopsocially_retry_policy: RetryPolicy
) -> Iterator[SyncShopSociallyClient]:
    """A blocking client calling ``shopsocially_fake`` in process, for synchronous code (plain
    ``def`` tests); closed after the test."""
    with SyncShopSociallyClient(
        **_in_process(shopsocially_fake, shopsocially_retry_policy)
    ) as client:
        yield client


async def _served_fake(shopsocially_fake: FakeShopSocially) -> AsyncIterator[str]:
    """``shopsocially_fake`` served on a free loopback port; yields the base URL.

    Point your own code at it (``http://127.0.0.1:PORT/v2/loyalty``) with the fake's
    ``partner_id`` and ``api_key``. The server runs on its own thread and stops after the test.
    """
    async with shopsocially_fake.serve() as base_url:
        yield base_url


shopsocially_server, _server_on_anyio, _server_on_asyncio = _async_fixture(
    "shopsocially_server", _served_fake
)


async def _socket_client(
    shopsocially_fake: FakeShopSocially,
    shopsocially_server: str,
    shopsocially_retry_policy: RetryPolicy,
) -> AsyncIterator[ShopSociallyClient]:
    """A client talking to ``shopsocially_server`` over real loopback TCP; closed after the test."""
    async with ShopSociallyClient(
        shopsocially_fake.partner_id,
        shopsocially_fake.api_key,
        base_url=shopsocially_server,
        retry_policy=shopsocially_retry_policy,
    ) as client:
        yield client


shopsocially_socket_client, _socket_client_on_anyio, _socket_client_on_asyncio = _async_fixture(
    "shopsocially_socket_client", _socket_client
)
