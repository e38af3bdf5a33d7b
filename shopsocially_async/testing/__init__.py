"""An embedded, stateful stand-in of the ShopSocially Loyalty API, for tests and demos.

It is a separate program that speaks HTTP (it never imports the client)::

    from shopsocially_async.testing import FakeShopSocially, Fault

    fake = FakeShopSocially(partner_id="test-partner", api_key="test-api-key").seed(members=100)
    transport = fake.asgi_transport()            # in process, with fake.base_url_for_asgi
    async with fake.serve() as base_url:          # or over real sockets (needs uvicorn)
        ...
    fake.inject(Fault("rate_limit", route="POST /award", every_nth=3, retry_after=1))

Modules: ``_state`` (the rules), ``_records`` (records and their JSON), ``_routes`` (endpoints),
``_app`` (ASGI), ``_faults`` (fault injection), ``_traffic`` (the account rate limit and the
arrival log), ``_seed`` (seed data), ``_server`` (uvicorn), ``_redis`` (a throwaway
redis-server for the shared rate limiter).
"""

from __future__ import annotations

from ._errors import FakeApiError
from ._fake import FakeShopSocially
from ._faults import FakeStats, Fault, FaultKind
from ._records import Activity, Member, Redemption, Transaction
from ._redis import RedisServer
from ._traffic import busiest_window

__all__ = [
    "Activity",
    "FakeApiError",
    "FakeShopSocially",
    "FakeStats",
    "Fault",
    "FaultKind",
    "Member",
    "Redemption",
    "RedisServer",
    "Transaction",
    "busiest_window",
]
