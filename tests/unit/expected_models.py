"""What each reference example decodes into: the exact models the endpoint tests expect.

One constant per example response in :mod:`tests.unit.reference_examples` (some examples
share one), named after the resource and what the call did. The comments say where the
decoded model departs from the example's text (``""`` read as None, ``{}`` as no value).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import attrs

from shopsocially_async import (
    Activity,
    ExpirationScheduleEntry,
    LastAwardTransaction,
    Redemption,
    Transaction,
    User,
)

UTC = timezone.utc

# -- client.points: award, redeem, deduct
AWARDED = Transaction(
    id="54aeb7b4f283c6176be2d5ed",
    transaction_type="award",
    points=100,
    points_status="auto_approved",
    user_id="6176be2d5e",
    user_email="bob@shopsocially.com",
    user_first_name="Bob",
    user_last_name="Baker",
    activity_id="made_a_purchase",
    activity_name="Made a Purchase",
    partner_id="69c62d683db96c7cabf8db0109be6bb1",
    created_time=datetime(2016, 3, 30, 19, 20, 22, tzinfo=UTC),
)
REDEEMED = Transaction(
    id="54aeb7b4f283c6176be2d5ed",
    transaction_type="redeem",
    points=1000,
    points_status="redeemed",
    user_id="6176be2d5e",
    user_email="bob@shopsocially.com",
    user_first_name="Bob",
    user_last_name="Baker",
    redemption_id="$50_gift_card",
    redemption_name="$50 Gift Card",
    redemption_value=Decimal("50"),
    coupon_code="GET50OFF",
    partner_id="9c62d683db96c7cabf8db0109be6bb",
    created_time=datetime(2015, 3, 30, 19, 20, 22, tzinfo=UTC),
)
DEDUCTED = Transaction(
    id="54aeb7b4f283c6176be2d5ed",
    transaction_type="deduct",
    points=1000,
    points_status="deducted",
    available_points=1500,
    user_id="6176be2d5e",
    user_email="bob@shopsocially.com",
    user_first_name="Bob",
    user_last_name="Baker",
    partner_id="9c62d683db96c7cabf8db0109be6bb",
    created_time=datetime(2015, 3, 30, 19, 20, 22, tzinfo=UTC),
)

# -- client.activities
# Get Activity's example; the other examples differ from it in a few fields only.
ACTIVITY_FETCHED = Activity(
    id="56655832418a580281c2c41c",
    activity_id="shared_via_email",
    activity_name="Share via Email",
    activity_description="Earn points when you share our website with your friends via email.",
    activity_type="fixed",
    approval_method="immediate",
    bonus_multiplier=1,
    created_time=datetime(2015, 12, 7, 9, 58, 10, tzinfo=UTC),
    is_active=True,
    is_sale_activity=False,
    loyalty_activity_img="https://d1qbqkkh49kht1.cloudfront.net/dc79fd08611160b9176d0d4b5c3f506f.png",
    max_award_frequency=100,
    max_award_frequency_interval="day",
    merchant_id="c75d9a44221ac904ddadb81766786b34",
    points_earning_url=None,  # "" in the example
    points_per_activity=100,
    qualified_points=True,
    show_activity_in_user_dashboard=True,
    show_on_merchant_center=True,
    ss_internal=True,
    updated_time=datetime(2016, 8, 31, 5, 10, 21, tzinfo=UTC),
)
# Create Activity: a raw newline inside the description, no show_on_merchant_center.
ACTIVITY_CREATED = attrs.evolve(
    ACTIVITY_FETCHED,
    activity_description=(
        "Earn points when you share our website \n          with your friends via email."
    ),
    fixed_duration_period=30,
    show_on_merchant_center=None,
)
ACTIVITY_UPDATED = attrs.evolve(ACTIVITY_FETCHED, fixed_duration_period=30)
# Get All Activities: no image, no show_on_merchant_center.
ACTIVITY_LISTED = attrs.evolve(
    ACTIVITY_FETCHED, loyalty_activity_img=None, show_on_merchant_center=None
)

# -- client.users, and one member's transactions
# Create and Update User return the same body; "" level ids and merchant_uid become None.
USER_CREATED = User(
    user_id="6176be2d5e",
    user_email="bob@shopsocially.com",
    first_name="Bob",
    last_name="Baker",
    profile_image_url="https://some_link_to_ss_logo",
    gender="Male",
    redeemed_points=0,
    available_points=0,
)
USER_FETCHED = User(
    user_id="6176be2d5e",
    user_email="bob@shopsocially.com",
    first_name="Bob",
    last_name="Baker",
    profile_image_url="https://some_link_to_ss_logo",
    gender="Male",
    redeemed_points=0,
    available_points=0,
    user_language="English",
    user_status="Active?",
    expiration_schedule=(
        ExpirationScheduleEntry(
            expiration_date=datetime(2016, 1, 7, 23, 59, 59, tzinfo=UTC), points=34226
        ),
    ),
    last_award_transaction=LastAwardTransaction(
        date=datetime(2015, 12, 7, 13, 23, 35, tzinfo=UTC),
        points=300,
        name="Became a Twitter Follower",
    ),
)
# The listing's member: "last_award_transaction": {} is None, "user_id": "" is None.
USER_LISTED = User(
    last_name="Baker",
    redeemed_points=0,
    gender="male",
    dashboard_url="https://shopsocially.com/loyalty/test_site/user/56d62cb9735f833785f95ef5/dashboard",
    first_name="Bob",
    profile_image_url="https://some_link_to_ss_logo",
    available_points=0,
    user_email="bob@shopsocially.com",
)
MEMBER_TRANSACTION = Transaction(
    points_status="approved",
    points_used=0,
    available_points=22,
    points_expired=0,
    created_time=datetime(2016, 1, 14, 6, 33, 22, tzinfo=UTC),
    updated_time=datetime(2016, 1, 14, 6, 33, 22, tzinfo=UTC),
    id="569741320daac146edac90c0",
    user_id="54b3b13e0daac1321e07ce1f",
    points_expiration_date=datetime(2016, 3, 14, 6, 33, 22, tzinfo=UTC),
    qualified_points=True,
    activity_id="shared_photo_via_desktop_or_mobile",
    user_first_name="Bob",
    order_id="1452749387649368175",
    points_deducted=0,
    merchant_id="9c62d683db96c7cabf8db0109be6bb",
    approved_time=datetime(2016, 1, 14, 6, 33, 22, tzinfo=UTC),
    transaction_type="award",
    user_last_name="Baker",
    points=22,
    activity_name="Shared Photo via Mobile or Desktop",
    user_email="bob@shopsocially.com",
)

# -- client.transactions
TRANSACTION_LISTED = Transaction(
    activity_id="Made_a_Purchase",
    activity_name="Made a Purchase",
    user_id="6176be2d5e",
    user_first_name="Bob",
    user_last_name="Baker",
    user_email="bob@shopsocially.com",
    id="550ff099fa0eaa0767086968",
    approved_time=datetime(2015, 3, 20, 19, 20, 22, tzinfo=UTC),
    points_status="approved",
    transaction_type="award",
    points=100,
    approved_by="Jai",
    created_time=datetime(2015, 3, 20, 19, 20, 22, tzinfo=UTC),
    updated_time=datetime(2015, 3, 30, 19, 20, 22, tzinfo=UTC),
    merchant_id="9c62d683db96c7cabf8db0109be6bb",
)
# Get Transaction: the same record, with partner_id where the listing has merchant_id.
TRANSACTION_FETCHED = attrs.evolve(
    TRANSACTION_LISTED, merchant_id=None, partner_id="9c62d683db96c7cabf8db0109be6bb"
)

# -- client.redemptions
# Every redemption example in the reference carries this same record.
REDEMPTION_OPTION = Redemption(
    redemption_email_html=(
        "<div style=\"border:solid 1px rgba(0,0,0,0.2);font-family:'Source Sans Pro', "
        "'Helvetica Neue', 'Lucida Sans', sans-serif;\"><img src=\"https://d1qbqkkh49kht1."
        'cloudfront.net/c66c2dc1d96e2ac46b9722b1a2524c10.png" style="width:100%"><div style='
        '"text-align:left;margin-top:10px;font-size: 15px;padding:0px 30px 0px 30px">Hi,<br>'
        '<div style="margin-top: 10px;">You have redeemed _POINTS_REDEEMED_ loyalty points from'
        ' your account at <a href="_MERCHANT_WEB_URL_" target="_blank">_MERCHANT_NAME_</a>.<br>'
        '<br><a href="_USER_DASHBOARD_URL_" target="_blank">Click here</a> to log in and check '
        'your loyalty points status and to redeem more points.</div><div style="text-align:'
        'left;margin-top: 15px;font-size:15px;">Thank you.<br><br>Thanks,<br>_MERCHANT_NAME_ '
        "Team<br><br></div></div>"
    ),
    loyalty_redemption_card_img=(
        "https://d1qbqkkh49kht1.cloudfront.net/b32b7803e9bbcf6b8e9b8d8ce1be7224.png"
    ),
    created_time=datetime(2016, 12, 7, 12, 17, 2, tzinfo=UTC),
    giftcard_coupon_codes=("a", "b", "c", "d", "e", "f", "g", "h", "i"),
    id="5847fdbeb0207a60ce2facf1",
    giftcard_description="giftcard_description",
    terms_and_conds_text="terms_and_conds_text",
    after_redemption_html=(
        '<div class="coupon_code_div">_COUPON_CODE_</div><div style="margin-top: 15px;"> '
        "A copy of the code has been emailed to _USER_EMAIL_.</div>"
    ),
    associated_levels=("all",),
    send_redemption_email=True,
    redemption_value=Decimal("10"),
    coupon_expiry_trigger=0,
    is_active=False,
    enable_coupon_based_incentive=True,
    redemption_instructions="redemption_instructions",
    redemption_email_subject="Redemption Confirmation Receipt - _MERCHANT_NAME_ Loyalty Program",
    coupon_expiry=date(2018, 1, 1),
    merchant_id="c75d9a44221ac904ddadb81766786b34",
    show_redemption_in_user_dashboard=True,
    show_on_merchant_center=True,
    redemption_name="redemption_name",
    coupon_expiry_delta=7,
    allowed_redeem_points=100,
    updated_time=datetime(2016, 12, 7, 12, 17, 3, tzinfo=UTC),
    redemption_id="test_redemption",
)

# -- client.returns
RETURNED = Transaction(
    id="54aeb7b4f283c6176be2d5ed",
    transaction_type="deduct",
    points=1000,
    points_status="pending_deduction",
    user_id="6176be2d5e",
    user_email="bob@shopsocially.com",
    user_first_name="Bob",
    user_last_name="Baker",
    returned_for_order_id="1254aeb7b4f",
    reason="Order Partially Returned",
    partner_id="9c62d683db96c7cabf8db0109be6bb",
    created_time=datetime(2016, 3, 30, 19, 20, 22, tzinfo=UTC),
    approved_time=datetime(2016, 4, 15, 19, 20, 22, tzinfo=UTC),
    updated_time=datetime(2016, 4, 15, 19, 20, 22, tzinfo=UTC),
    auto_approval_date=datetime(2016, 5, 15, 19, 20, 22, tzinfo=UTC),
)
# The returns-tracking example (api-docs/002) names the member without the user_ prefix.
RETURNED_TRACKING = Transaction(
    user_email="[email\xa0protected]",
    last_name="John",
    first_name="Doe",
    points=270,
    points_status="pending_deduction",
    returned_for_order_id="75a2726d13artibb10",
    reason="Order Fully Returned",
    created_time=datetime(2016, 3, 30, 19, 20, 22, tzinfo=UTC),
)
