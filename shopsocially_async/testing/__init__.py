"""An embedded, stateful stand-in of the ShopSocially Loyalty API, for tests and demos.

The fake is a separate program that speaks HTTP (it never imports the client)::

    from shopsocially_async.testing import FakeShopSocially, Fault

    fake = FakeShopSocially(partner_id="test-partner", api_key="test-api-key").seed(members=100)
    transport = fake.asgi_transport()            # in process, with fake.base_url_for_asgi
    async with fake.serve() as base_url:          # or over real sockets (needs uvicorn)
        ...
    fake.inject(Fault("rate_limit", route="POST /award", every_nth=3, retry_after=1))
    fake.add_order("A-1001", "bob@example.com", lines=[("sku-1", 2, 40), ("sku-2", 1, 15)])

Beside it, :func:`check_exactly_once` holds what a client reported about each write (tagged
with an ``x-fake-op-id`` header) against what the fake applied::

    outcomes = [WriteOutcome.of(op_id, error) for op_id, error in results]
    check_exactly_once(fake, outcomes).assert_ok()

Modules. The fake: ``_fake`` (``FakeShopSocially``: state, faults and counters under one
lock), ``_state`` (the rules of every write), ``_ledger`` (the records' store and the only ways
a balance changes), ``_catalog`` (activities and redemption options: fields and defaults),
``_orders`` (orders, their lines, returns), ``_records`` (the records), ``_listing`` (the three
paged listings), ``_views`` (what each endpoint answers), ``_formats`` (timestamps and dates on
the wire), ``_errors`` (every error code and its status), ``_routes`` (endpoints), ``_app``
(ASGI), ``_faults`` (fault injection), ``_traffic`` (the account rate limit and the arrival
log), ``_seed`` (seed data), ``_server`` (uvicorn), ``_redis`` and ``_temporal`` (a throwaway
redis-server and Temporal dev server, for the shared rate limiter and the Temporal adapter;
``_daemon`` is what they share). For test suites: ``_exactly_once``
(:func:`check_exactly_once`, which reads the client's exceptions) and ``pytest_plugin``
(fixtures: a fresh program and clients wired to it).

Fidelity. Each endpoint answers with exactly the fields of its example response in the
reference (``api-docs/000``, ``001``, ``002``), in the JSON types and timestamp formats the
example shows, and nothing else; every error code has the HTTP status of 002's status table.
Where the reference disagrees with itself, the fake follows the example:

* Activities: the create, update and list tables name ``point_per_activity``; the examples
  (and Get Activity's table) ``points_per_activity``, which is what is sent. The create and
  update examples show ``fixed_duration_period``, the get and update examples
  ``show_on_merchant_center``, neither in a table: each is sent where its example shows it, so
  the four activity endpoints answer four different key sets. 000's tables type ``is_active``,
  ``is_sale_activity``, ``qualified_points``, ``show_activity_in_user_dashboard`` and
  ``ss_internal`` as strings; the examples send booleans.
* Redemptions: the tables type ``redemption_value`` as a number, ``allowed_redeem_points`` and
  ``coupon_expiry_trigger`` as strings; the examples send ``"10"``, ``100`` and ``0``. The get
  and list tables omit ``redemption_name``, which their examples show. Get All Redemptions'
  example shows ``data`` as one object followed by ``, ...``: the fake sends an array of such
  objects, as Get All Activities' example does.
* Users: Get User's table types ``last_award_transaction`` as a string, its example an object
  (``{}`` when there is none). The users listing's table lists only the page's fields; its
  items have the example's 15 fields (no ``merchant_uid``, ``user_language``,
  ``user_status``). Get User has no ``merchant_uid`` either; create and update do.
* Transactions: the listing's example names the merchant ``merchant_id``, the single fetch's
  ``partner_id``; neither shows ``order_id``, ``reason`` or ``redemption_value``, so neither
  sends them. A member's history (``GET /users/{email}/transactions``) does, as its example
  does; it has no ``returned_for_order_id``, so a return's entry there carries the returned
  order's id in ``order_id`` (our assumption).
* Returns: 001's example answers with a pending deduction that has an ``approved_time``; the
  fake writes ``null`` there until the deduction is approved. 002 (returns tracking) answers
  with another shape (``first_name``/``last_name``, no ids): a product return (one with
  ``returned_product_id``) gets that one, an order return 001's. 002's example request reads
  the quantity from ``quantity``, its table from ``returned_product_quantity`` (inside a
  ``transaction_attributes`` object beside a ``member_id``, another request shape): the fake
  reads ``quantity`` and refuses the other name. That example request also passes
  ``returned_amount`` with ``returned_product_id``, which 002's own code table refuses
  (PRODUCT_ID_AND_RETURN_AMOUNT_PASSED); so does the fake. How an award names an order's
  products the reference does not say: the fake's reading (``products``) is our assumption,
  described in ``_orders``.
"""

from __future__ import annotations

from ._errors import FakeApiError
from ._exactly_once import (
    ExactlyOnceReport,
    Reported,
    Rule,
    Violation,
    WriteOutcome,
    check_exactly_once,
)
from ._fake import FakeShopSocially
from ._faults import FakeStats, Fault, FaultKind
from ._records import Activity, Member, Redemption, Transaction
from ._redis import RedisServer
from ._temporal import TemporalServer
from ._traffic import busiest_window

__all__ = [
    "Activity",
    "ExactlyOnceReport",
    "FakeApiError",
    "FakeShopSocially",
    "FakeStats",
    "Fault",
    "FaultKind",
    "Member",
    "Redemption",
    "RedisServer",
    "Reported",
    "Rule",
    "TemporalServer",
    "Transaction",
    "Violation",
    "WriteOutcome",
    "busiest_window",
    "check_exactly_once",
]
