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
========================================  =========================================================

The async fixtures are plain ``async def`` fixtures, run by whichever async plugin runs the
test: anyio's (mark the test ``@pytest.mark.anyio``; asyncio and trio both work) or
pytest-asyncio in ``asyncio_mode = "auto"``. Override any of them in your own ``conftest.py``,
e.g. ``shopsocially_fake`` to use other credentials or a fixed clock, or
``shopsocially_retry_policy`` for other retry settings; the others follow.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .._client import ShopSociallyClient
from .._config import RetryPolicy
from ._fake import FakeShopSocially

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


@pytest.fixture
async def shopsocially_client(
    shopsocially_fake: FakeShopSocially, shopsocially_retry_policy: RetryPolicy
) -> AsyncIterator[ShopSociallyClient]:
    """A client calling ``shopsocially_fake`` in process (no sockets); closed after the test."""
    async with ShopSociallyClient(
        shopsocially_fake.partner_id,
        shopsocially_fake.api_key,
        base_url=shopsocially_fake.base_url_for_asgi,
        transport=shopsocially_fake.asgi_transport(),
        retry_policy=shopsocially_retry_policy,
    ) as client:
        yield client


@pytest.fixture
async def shopsocially_server(shopsocially_fake: FakeShopSocially) -> AsyncIterator[str]:
    """``shopsocially_fake`` served on a free loopback port; yields the base URL.

    Point your own code at it (``http://127.0.0.1:PORT/v2/loyalty``) with the fake's
    ``partner_id`` and ``api_key``. The server runs on its own thread and stops after the test.
    """
    async with shopsocially_fake.serve() as base_url:
        yield base_url


@pytest.fixture
async def shopsocially_socket_client(
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
