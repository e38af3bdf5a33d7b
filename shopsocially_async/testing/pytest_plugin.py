"""pytest plugin (entry point ``pytest11``): fixtures giving a fresh fake ShopSocially per test.

Installed with the package, so merchants' suites get it without configuration::

    async def test_checkout(shopsocially_fake):
        shopsocially_fake.add_member("bob@x.com", "Bob", "Baker", available_points=100)
        transport = shopsocially_fake.asgi_transport()
        ...
"""

from __future__ import annotations

import pytest

from ._fake import FakeShopSocially


@pytest.fixture
def shopsocially_fake() -> FakeShopSocially:
    """An empty fake program with the default credentials (``test-partner``/``test-api-key``)."""
    return FakeShopSocially()


@pytest.fixture
def shopsocially_seeded_fake() -> FakeShopSocially:
    """A fake seeded with 100 members, the default catalog and 200 historical transactions."""
    return FakeShopSocially().seed(members=100, transactions=200)
