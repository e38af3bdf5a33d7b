"""``SyncShopSociallyClient.with_raw_response``: raw responses for blocking code, on the fake."""

from __future__ import annotations

import inspect
from datetime import date

import pytest

from shopsocially_async import RawResponse, errors, resources
from shopsocially_async.sync import SyncRawPages, SyncShopSociallyClient, SyncUsageError
from shopsocially_async.sync import _raw as sync_raw
from shopsocially_async.testing import FakeShopSocially, Fault

from .conftest import in_process

PAIRS = [
    (resources.Points, sync_raw.SyncRawPoints),
    (resources.Returns, sync_raw.SyncRawReturns),
    (resources.Transactions, sync_raw.SyncRawTransactions),
    (resources.Users, sync_raw.SyncRawUsers),
    (resources.Activities, sync_raw.SyncRawActivities),
    (resources.Redemptions, sync_raw.SyncRawRedemptions),
]
EVER = {"from_date": date(2000, 1, 1), "to_date": date(2100, 1, 1)}


def public_methods(cls: type) -> set[str]:
    """The names of a class's own public methods."""
    return {name for name, value in vars(cls).items() if callable(value) and name[0] != "_"}


@pytest.mark.parametrize(("resource", "view"), PAIRS, ids=lambda c: c.__name__)
def test_every_method_has_a_blocking_raw_twin(
    resource: type, view: type, shopsocially_sync_client: SyncShopSociallyClient
) -> None:
    """Each method is twinned from itself; same parameters; the result wrapped."""
    twins = {name for name, value in vars(view).items() if hasattr(value, "method")}
    assert twins == public_methods(resource)
    name = resource.__name__.lower()
    for method in twins:
        assert vars(view)[method].method is vars(resource)[method]
        plain = inspect.signature(getattr(getattr(shopsocially_sync_client, name), method))
        raw = inspect.signature(
            getattr(getattr(shopsocially_sync_client.with_raw_response, name), method)
        )
        assert raw.parameters == plain.parameters
        wrapped = {
            "SyncPaginator": plain.return_annotation.replace("SyncPaginator", "SyncRawPages"),
        }.get(plain.return_annotation.split("[")[0], f"RawResponse[{plain.return_annotation}]")
        assert raw.return_annotation == wrapped


def test_a_raw_award_from_blocking_code(
    shop: FakeShopSocially, shopsocially_sync_client: SyncShopSociallyClient
) -> None:
    """One 503, then the award: a RawResponse with one retry; applied once."""
    shop.inject(Fault("unavailable", route="POST /award", times=1))
    raw = shopsocially_sync_client.with_raw_response.points.award(
        user_email="bob@example.com",
        activity_id="made_a_purchase",
        points_passed=10,
        order_id="O-1",
    )
    assert isinstance(raw, RawResponse)
    assert (raw.status_code, raw.retries, raw.parse().points) == (200, 1, 20)
    assert shop.member("bob@example.com").available_points == 520


def test_a_refused_raw_redeem_raises_the_plain_error(
    shop: FakeShopSocially, shopsocially_sync_client: SyncShopSociallyClient
) -> None:
    """Not enough points: InsufficientPointsError, nothing applied, as the plain call."""
    with pytest.raises(errors.InsufficientPointsError) as caught:
        shopsocially_sync_client.with_raw_response.points.redeem(
            user_email="ann@example.com", redemption_id="$10_gift_card"
        )
    assert not caught.value.outcome_unknown
    assert shop.member("ann@example.com").available_points == 0


def test_raw_pages_from_blocking_code(
    shopsocially_seeded_fake: FakeShopSocially, shopsocially_sync_client: SyncShopSociallyClient
) -> None:
    """``SyncRawPages``: a plain iterator of each page's response, and ``first_page()``."""
    listing = shopsocially_sync_client.with_raw_response.users.list(**EVER, count=40, prefetch=1)
    assert isinstance(listing, SyncRawPages)
    assert (listing.start_index, listing.prefetch) == (0, 1)
    with listing.pages() as pages:
        sizes = [(raw.status_code, len(raw.parse().items)) for raw in pages]
    assert sizes == [(200, 40), (200, 40), (200, 20)]
    first = listing.first_page().parse()
    assert (first.start_index, len(first.items)) == (0, 40)


@pytest.mark.anyio
async def test_the_raw_view_refuses_calls_inside_an_event_loop(
    shopsocially_fake: FakeShopSocially,
) -> None:
    """The blocking client's misuse rule holds for its raw view: SyncUsageError."""
    with in_process(shopsocially_fake) as client, pytest.raises(SyncUsageError):
        client.with_raw_response.users.get("bob@example.com")
