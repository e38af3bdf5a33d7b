"""Fixtures for the bulk tests: a seeded fake in process and a client talking to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from shopsocially_async import RetryPolicy, ShopSociallyClient
from shopsocially_async.testing import FakeShopSocially

NO_WAIT = RetryPolicy(max_retries=3, initial_delay=0, max_delay=0, max_retry_after=0)


@pytest.fixture
def fake() -> FakeShopSocially:
    """A fake program with 50 members, the default catalog and 450 historical transactions."""
    return FakeShopSocially().seed(members=50, transactions=450)


@pytest.fixture
async def client(fake: FakeShopSocially) -> AsyncIterator[ShopSociallyClient]:
    """A client calling ``fake`` in process; retries never sleep."""
    async with ShopSociallyClient(
        fake.partner_id,
        fake.api_key,
        base_url=fake.base_url_for_asgi,
        transport=fake.asgi_transport(),
        retry_policy=NO_WAIT,
    ) as client:
        yield client
