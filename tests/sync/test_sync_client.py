"""The blocking client: the async client's methods, results and errors, without ``await``."""

from __future__ import annotations

import inspect
import threading
from datetime import date
from pathlib import Path

import pytest

from shopsocially_async import ShopSociallyClient, errors, resources
from shopsocially_async.sync import SyncResource, SyncShopSociallyClient, SyncUsageError
from shopsocially_async.sync import _client as sync_client_module
from shopsocially_async.testing import FakeShopSocially, Fault

from ..readme import python_blocks, run_example
from .conftest import in_process, loop_threads

pytest_plugins = ["pytester"]

README_EXAMPLE = (Path(__file__).parent / "readme_example.py").read_text()

#: Each async resource class and its blocking twin.
PAIRS = [
    (resources.Points, sync_client_module.SyncPoints),
    (resources.Returns, sync_client_module.SyncReturns),
    (resources.Transactions, sync_client_module.SyncTransactions),
    (resources.Users, sync_client_module.SyncUsers),
    (resources.Activities, sync_client_module.SyncActivities),
    (resources.Redemptions, sync_client_module.SyncRedemptions),
]


def public_methods(cls: type) -> set[str]:
    """The names of a class's own public methods."""
    return {name for name, value in vars(cls).items() if callable(value) and name[0] != "_"}


def mirrored(cls: type) -> set[str]:
    """The names of a blocking resource's mirrored methods (descriptors naming their method)."""
    return {name for name, value in vars(cls).items() if hasattr(value, "method")}


@pytest.mark.parametrize(("async_cls", "sync_cls"), PAIRS, ids=lambda c: c.__name__)
def test_every_async_method_has_a_blocking_twin(
    async_cls: type, sync_cls: type[SyncResource[object]]
) -> None:
    """Each resource's public methods are all mirrored, each from its own async method."""
    assert mirrored(sync_cls) == public_methods(async_cls)
    for name in public_methods(async_cls):
        assert vars(sync_cls)[name].method is vars(async_cls)[name]


@pytest.mark.parametrize(("async_cls", "sync_cls"), PAIRS, ids=lambda c: c.__name__)
def test_twins_have_the_async_signatures(
    async_cls: type,
    sync_cls: type[SyncResource[object]],
    shopsocially_client: ShopSociallyClient,
    shopsocially_sync_client: SyncShopSociallyClient,
) -> None:
    """``inspect.signature`` of each blocking method lists the async method's parameters."""
    attribute = async_cls.__name__.lower()
    async_resource = getattr(shopsocially_client, attribute)
    sync_resource = getattr(shopsocially_sync_client, attribute)
    assert type(sync_resource) is sync_cls
    for name in public_methods(async_cls):
        expected = inspect.signature(getattr(async_resource, name)).parameters
        assert inspect.signature(getattr(sync_resource, name)).parameters == expected
        assert getattr(sync_resource, name).__doc__ == getattr(async_resource, name).__doc__


def test_constructor_and_with_options_take_the_async_arguments() -> None:
    """The constructor and ``with_options`` show the async client's parameters."""
    assert inspect.signature(SyncShopSociallyClient).parameters == (
        inspect.signature(ShopSociallyClient).parameters
    )
    sync_options = inspect.signature(SyncShopSociallyClient.with_options).parameters
    assert sync_options == inspect.signature(ShopSociallyClient.with_options).parameters


def test_points_and_returns_move_points_once(
    shop: FakeShopSocially, shopsocially_sync_client: SyncShopSociallyClient
) -> None:
    """Award, redeem and deduct, one transaction each in the fake's ledger; a full return."""
    client = shopsocially_sync_client
    award = client.points.award(
        user_email="ann@example.com",
        activity_id="made_a_purchase",
        points_passed=60,
        order_id="O-1",
    )
    assert (award.points, award.user_email) == (120, "ann@example.com")
    redeemed = client.points.redeem(user_email="bob@example.com", redemption_id="$10_gift_card")
    assert redeemed.coupon_code == "GIFT-1"
    deducted = client.points.deduct(user_email="bob@example.com", points_passed=50, reason="r")
    assert deducted.available_points == 150
    assert [t.transaction_type for t in shop.ledger] == ["award", "redeem", "deduct"]
    client.returns.create(order_id="O-1")
    assert shop.member("ann@example.com").available_points == 0  # the whole order taken back
    shop.check_ledger()


def test_members_and_catalog(
    shop: FakeShopSocially, shopsocially_sync_client: SyncShopSociallyClient
) -> None:
    """Users, activities and redemption options: create, update, get, list."""
    client = shopsocially_sync_client
    client.users.create(first_name="Cy", last_name="Do", email="cy@example.com", uid="m-3")
    assert client.users.update("m-3", loyalty_level_id="gold").loyalty_level_id == "gold"
    assert client.users.get("bob@example.com").available_points == 500
    client.activities.update("signup", is_active=False)
    assert client.activities.get("signup").is_active is False
    assert {a.activity_id for a in client.activities.list()} == {"signup", "made_a_purchase"}
    option = client.redemptions.get("$10_gift_card")
    assert (option.allowed_redeem_points, [r.redemption_id for r in client.redemptions.list()]) == (
        300,
        ["$10_gift_card"],
    )
    assert shop.member("cy@example.com").loyalty_level_id == "gold"


def test_errors_are_the_async_clients_unwrapped(
    shop: FakeShopSocially, shopsocially_sync_client: SyncShopSociallyClient
) -> None:
    """A failed call raises the typed error itself, with its attributes, nothing around it."""
    with pytest.raises(errors.InsufficientPointsError) as caught:
        shopsocially_sync_client.points.deduct(
            user_email="ann@example.com", points_passed=10, reason="r"
        )
    assert type(caught.value) is errors.InsufficientPointsError
    assert (caught.value.error_code, caught.value.outcome_unknown) == (
        "INVALID_AMOUNT_TO_DEDUCT",
        False,
    )
    with pytest.raises(errors.MemberNotFoundError):
        shopsocially_sync_client.users.get("nobody@example.com")


def test_bad_input_is_refused_before_anything_is_sent(
    shop: FakeShopSocially, shopsocially_sync_client: SyncShopSociallyClient
) -> None:
    """``InvalidArgumentError`` naming the argument, for calls and listings alike, at the call."""
    with pytest.raises(errors.InvalidArgumentError, match="points_passed"):
        shopsocially_sync_client.points.deduct(
            user_email="bob@example.com", points_passed=-1, reason="r"
        )
    with pytest.raises(errors.InvalidArgumentError, match="from_date"):
        shopsocially_sync_client.transactions.list(
            from_date=date(2024, 2, 1), to_date=date(2024, 1, 1)
        )
    assert sum(shop.stats.requests.values()) == 0


def test_with_options_shares_the_loop_and_the_pool(shop: FakeShopSocially) -> None:
    """A copy has its own settings; closing it leaves the original open, not the reverse."""
    client = in_process(shop)
    copy = client.with_options(max_retries=0, timeout=3)
    assert (copy.max_retries, copy.timeout.attempt, client.max_retries) == (0, 3.0, 2)

    copy.close()
    assert (copy.is_closed, client.is_closed) == (True, False)
    assert client.activities.get("signup").activity_id == "signup"
    other = client.with_options(max_retries=1)
    client.close()
    with pytest.raises(errors.ClientClosedError):
        other.activities.list()
    assert other.is_closed


def test_close_is_idempotent_and_ends_every_later_call(shop: FakeShopSocially) -> None:
    """After ``close()`` (twice, then the ``with`` exit) calls raise ``ClientClosedError``
    and send nothing; the loop thread is gone."""
    with in_process(shop) as client:
        client.close()
        client.close()
    assert client.is_closed
    with pytest.raises(errors.ClientClosedError):
        client.points.award(user_email="bob@example.com", activity_id="signup")
    with pytest.raises(errors.ClientClosedError):
        client.transactions.list(from_date=date(2024, 1, 1), to_date=date(2024, 1, 2)).collect()
    assert sum(shop.stats.requests.values()) == 0
    assert "closed=True" in repr(client)


def test_a_refused_constructor_leaves_no_thread() -> None:
    """Bad configuration raises ``ConfigurationError`` and stops the loop thread it started."""
    threads = len(loop_threads())
    with pytest.raises(errors.ConfigurationError):
        SyncShopSociallyClient("partner", "key", base_url="http://example.com/v2")
    assert len(loop_threads()) == threads


def test_repr_never_shows_the_key(shop: FakeShopSocially) -> None:
    """The repr is the async client's, named for the blocking class, with no key."""
    with in_process(shop) as client:
        text = repr(client)
    assert text.startswith("SyncShopSociallyClient(base_url=")
    assert shop.api_key not in text
    assert "partner_id='test-partner'" in text


def test_threads_share_one_client(
    shop: FakeShopSocially, shopsocially_sync_client: SyncShopSociallyClient
) -> None:
    """Eight threads awarding at once through one client: every award applied once."""
    failures: list[BaseException] = []

    def award_orders(worker: int) -> None:
        try:
            for n in range(10):
                shopsocially_sync_client.points.award(
                    user_email="ann@example.com",
                    activity_id="made_a_purchase",
                    points_passed=1,
                    order_id=f"W{worker}-{n}",
                )
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)

    workers = [threading.Thread(target=award_orders, args=(w,)) for w in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert failures == []
    assert len(shop.ledger) == 80
    assert shop.member("ann@example.com").available_points == 160


def test_over_a_socket_a_dropped_award_is_applied_once(
    shop: FakeShopSocially, socket_client: SyncShopSociallyClient
) -> None:
    """Over real TCP: the award is applied, the connection dropped, the retry meets it."""
    shop.inject(Fault("drop_after", route="POST /award", times=1))
    with pytest.raises(errors.DuplicateOrderError) as caught:
        socket_client.points.award(
            user_email="ann@example.com",
            activity_id="made_a_purchase",
            points_passed=5,
            order_id="S1",
        )
    assert (caught.value.replay, caught.value.outcome_unknown) == (True, False)
    assert [t.points for t in shop.ledger] == [10]
    assert socket_client.users.get("ann@example.com").available_points == 10


@pytest.mark.extras
def test_over_a_socket_on_the_aiohttp_transport(shop: FakeShopSocially, served: str) -> None:
    """``transport="aiohttp"`` works too: the client is built on the loop's own thread."""
    with SyncShopSociallyClient(
        shop.partner_id, shop.api_key, base_url=served, transport="aiohttp"
    ) as client:
        assert client.users.get("bob@example.com").available_points == 500
        with pytest.raises(errors.MemberNotFoundError):
            client.users.get("nobody@example.com")


def test_misuse_errors_are_library_errors() -> None:
    """``SyncUsageError`` is caught by ``except ShopSociallyError`` and ``except RuntimeError``."""
    assert issubclass(SyncUsageError, errors.ShopSociallyError)
    assert issubclass(SyncUsageError, RuntimeError)


def test_readme_blocking_example_passes(pytester: pytest.Pytester) -> None:
    """The README's blocking-client example, copied as is, passes as a plain pytest file."""
    run_example(pytester, README_EXAMPLE).assert_outcomes(passed=1)


def test_readme_shows_the_blocking_example() -> None:
    """The README's blocking-client section shows exactly the tested example."""
    assert README_EXAMPLE in python_blocks("Blocking code")
