"""Deterministic, realistic seed data: members, a default catalog, a year of history.

Under one ``rng_seed`` (and a fixed clock) the same call builds the same program. Members are
named ``firstname.lastname{n}@example.com`` with ``uid`` ``cust-{n:06d}`` (``n`` continues
across calls), enrolled at times spread over the two years before now, with an opening balance
(0 to 2,990 points). The default activities are ``made_a_purchase`` (bonus multiplier 1,
immediate), ``signup`` (100 points, once), ``review`` (50 points, manual approval),
``twitter_follow`` (300 points, once) and ``facebook_share`` (paused); the default rewards are
$5, $10 and $50 gift cards (500, 1,000 and 5,000 points) whose coupon pools outlast the seed.
``transactions`` historical writes (three in four purchases with an ``order_id``
``seed-order-{n}``, then other awards and redemptions) are spread over the past year and go
through the same rules as live ones, in time order; those the rules refuse are skipped, so the
ledger may hold slightly fewer. Balances always equal the ledger.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from ._errors import FakeApiError
from ._records import Member
from ._state import LoyaltyState

FIRST_NAMES = (
    "Alice",
    "Bob",
    "Carla",
    "David",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "James",
    "Kavya",
    "Liam",
    "Maria",
    "Noah",
    "Olivia",
    "Pedro",
    "Quinn",
    "Rosa",
    "Samir",
    "Tara",
    "Umar",
    "Vera",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Anna",
    "Ben",
    "Chloe",
    "Diego",
    "Emma",
    "Felix",
    "Gina",
    "Hugo",
    "Ivy",
    "Jonas",
    "Kim",
    "Leo",
    "Mia",
    "Nina",
)
LAST_NAMES = (
    "Baker",
    "Smith",
    "Garcia",
    "Chen",
    "Muller",
    "Rossi",
    "Kowalski",
    "Nakamura",
    "Silva",
    "Brown",
    "Patel",
    "Dubois",
    "Jones",
    "Novak",
    "Larsen",
    "Okafor",
    "Haddad",
    "Kim",
    "Lopez",
    "Martin",
    "Ivanova",
    "Walsh",
    "Fischer",
    "Costa",
    "Sato",
    "Young",
    "Moreau",
    "Khan",
    "Berg",
    "Reyes",
)
DEFAULT_ACTIVITIES: tuple[Mapping[str, object], ...] = (
    {
        "activity_id": "made_a_purchase",
        "activity_name": "Made a Purchase",
        "activity_type": "bonus_multiplier",
        "bonus_multiplier": 1,
        "is_sale_activity": True,
        "max_award_frequency": 100,
        "max_award_frequency_interval": "day",
    },
    {
        "activity_id": "signup",
        "activity_name": "Signed Up",
        "points_per_activity": 100,
        "max_award_frequency": 1,
        "max_award_frequency_interval": "lifetime",
    },
    {
        "activity_id": "review",
        "activity_name": "Wrote a Review",
        "points_per_activity": 50,
        "approval_method": "manual",
        "max_award_frequency": 5,
        "max_award_frequency_interval": "day",
    },
    {
        "activity_id": "twitter_follow",
        "activity_name": "Became a Twitter Follower",
        "points_per_activity": 300,
        "max_award_frequency": 1,
        "max_award_frequency_interval": "lifetime",
    },
    {
        "activity_id": "facebook_share",
        "activity_name": "Shared on Facebook",
        "points_per_activity": 20,
        "is_active": False,
        "max_award_frequency": 10,
        "max_award_frequency_interval": "day",
    },
)
DEFAULT_REWARDS = (
    ("$5_gift_card", 500, "5"),
    ("$10_gift_card", 1000, "10"),
    ("$50_gift_card", 5000, "50"),
)
YEAR = 365 * 24 * 3600


def seed_state(
    state: LoyaltyState,
    *,
    members: int,
    activities: Sequence[Mapping[str, object]] | None,
    redemptions: Sequence[Mapping[str, object]] | None,
    transactions: int,
    rng_seed: int,
) -> None:
    """Add members, the catalog (default or given) and ``transactions`` historical writes."""
    rng = random.Random(rng_seed)
    for spec in DEFAULT_ACTIVITIES if activities is None else activities:
        if spec["activity_id"] not in state.activities:
            state.create_activity(spec, strict=False)
    for spec in (
        _default_rewards(rng, members + transactions) if redemptions is None else redemptions
    ):
        if spec["redemption_id"] not in state.redemptions:
            state.create_redemption(spec, strict=False)
    now, first = state.clock(), len(state.members) + 1
    ages = sorted((rng.randrange(2 * YEAR) for _ in range(members)), reverse=True)
    added = [
        _member(state, rng, n, now - timedelta(seconds=age)) for n, age in enumerate(ages, first)
    ]
    _history(state, rng, added, transactions)


def _default_rewards(rng: random.Random, pool: int) -> list[Mapping[str, object]]:
    specs: list[Mapping[str, object]] = []
    for redemption_id, points, value in DEFAULT_REWARDS:
        prefix = f"GC{value}"
        salt = rng.getrandbits(32)
        codes = [f"{prefix}-{(n * 2654435761 + salt) % (1 << 32):08X}" for n in range(pool + 1000)]
        specs.append(
            {
                "redemption_id": redemption_id,
                "redemption_name": f"${value} Gift Card",
                "allowed_redeem_points": points,
                "redemption_value": value,
                "is_active": True,
                "giftcard_coupon_codes": codes,
                "coupon_expiry": "31-Dec-2099",
                "giftcard_description": f"A ${value} gift card.",
                "terms_and_conds_text": "One per order.",
            }
        )
    return specs


def _member(state: LoyaltyState, rng: random.Random, n: int, enrolled: datetime) -> Member:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    params = {
        "email": f"{first.lower()}.{last.lower()}{n}@example.com",
        "first_name": first,
        "last_name": last,
        "uid": f"cust-{n:06d}",
        "gender": rng.choice(("male", "female", "")),
    }
    return state.create_member(
        params, available_points=rng.randrange(0, 3000, 10), enrolled_at=enrolled
    )


def _history(state: LoyaltyState, rng: random.Random, members: list[Member], count: int) -> None:
    if not members or count <= 0:
        return
    now = state.clock()
    events: list[tuple[datetime, int, str, float]] = []
    for n in range(count):
        member = rng.choice(members)
        earliest = max(member.enrolled_at, now - timedelta(seconds=YEAR))
        span = max(int((now - earliest).total_seconds()), 1)
        events.append(
            (earliest + timedelta(seconds=rng.randrange(span)), n, member.email, rng.random())
        )
    for at, n, email, roll in sorted(events):
        try:
            _historical_write(state, rng, at, n, email, roll)
        except FakeApiError:
            continue


def _historical_write(
    state: LoyaltyState, rng: random.Random, at: datetime, n: int, email: str, roll: float
) -> None:
    if roll < 0.75:
        amount = f"{rng.randrange(500, 30000) / 100:.2f}"
        state.award(email, "made_a_purchase", amount, f"seed-order-{n}", at=at)
    elif roll < 0.87:
        activity = rng.choice(("signup", "review", "twitter_follow"))
        state.award(email, activity, None, None, at=at)
    else:
        reward = rng.choice([r for r in state.redemptions.values() if r.is_active] or [None])
        if reward is not None:
            state.redeem(email, reward.redemption_id, at=at)
