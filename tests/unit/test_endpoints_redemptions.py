"""``client.redemptions``: create, update, get and list, against the reference's examples."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from shopsocially_async import Redemption
from tests.unit import reference_examples as ref
from tests.unit.helpers import (
    BASE_PATH,
    Endpoint,
    assert_clash_refused,
    assert_extras_merged,
    assert_request_on_the_wire,
    envelope,
    invoke,
    json_body,
    only_request,
    path_of,
    recording_client,
    typed,
)

pytestmark = pytest.mark.anyio

UTC = timezone.utc

# Every redemption example in the reference carries this same record.
OPTION = Redemption(
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

CREATE_ARGUMENTS: dict[str, object] = {
    "redemption_id": "test_redemption",
    "redemption_name": "redemption_name",
    "is_active": False,
    "allowed_redeem_points": 100,
    "redemption_value": Decimal("10"),
    "giftcard_description": "giftcard_description",
    "terms_and_conds_text": "terms_and_conds_text",
    "redemption_instructions": "redemption_instructions",
    "giftcard_coupon_codes": ["a", "b", "c", "d", "e", "f", "g", "h", "i"],
    "coupon_expiry": date(2018, 1, 1),
}
CREATE_BODY: dict[str, object] = {
    **CREATE_ARGUMENTS,
    "redemption_value": 10,
    "giftcard_coupon_codes": "a,b,c,d,e,f,g,h,i",
    "coupon_expiry": "01-Jan-2018",
}
UPDATE_ARGUMENTS = {k: v for k, v in CREATE_ARGUMENTS.items() if k != "redemption_id"}
UPDATE_BODY = {k: v for k, v in CREATE_BODY.items() if k != "redemption_id"}

ENDPOINTS = [
    Endpoint(
        name="redemptions.create",
        call=lambda client, **extra: client.redemptions.create(**CREATE_ARGUMENTS, **extra),
        response=ref.REDEMPTION_CREATE_RESPONSE,
        method="POST",
        path=b"/redemptions",
        body=CREATE_BODY,
        expected=OPTION,
        named_field="giftcard_coupon_codes",
    ),
    Endpoint(
        name="redemptions.update",
        call=lambda client, **extra: client.redemptions.update(
            "test_redemption", **UPDATE_ARGUMENTS, **extra
        ),
        response=ref.REDEMPTION_UPDATE_RESPONSE,
        method="PUT",
        path=b"/redemptions/test_redemption",
        body=UPDATE_BODY,
        expected=OPTION,
        named_field="coupon_expiry",
    ),
    Endpoint(
        name="redemptions.get",
        call=lambda client, **extra: client.redemptions.get("test_redemption", **extra),
        response=ref.REDEMPTION_GET_RESPONSE,
        method="GET",
        path=b"/redemptions/test_redemption",
        expected=OPTION,
    ),
    Endpoint(
        name="redemptions.list",
        call=lambda client, **extra: client.redemptions.list(**extra),
        response=ref.REDEMPTIONS_LIST_RESPONSE,
        method="GET",
        path=b"/redemptions",
        expected=[OPTION],
    ),
]
by_name = pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)


@by_name
async def test_request_on_the_wire(endpoint: Endpoint) -> None:
    """Each call sends the method, path and body (codes comma-joined, DD-Mon-YYYY expiry)."""
    await assert_request_on_the_wire(endpoint)


@by_name
async def test_decodes_reference_example(endpoint: Endpoint) -> None:
    """The reference's example decodes into exactly the expected Redemption (or list)."""
    client, _ = recording_client(endpoint.response)
    async with client:
        assert await invoke(endpoint, client) == endpoint.expected


@by_name
async def test_extras_are_merged(endpoint: Endpoint) -> None:
    """extra_query, extra_headers (and extra_body on writes) reach the wire."""
    await assert_extras_merged(endpoint)


@pytest.mark.parametrize("endpoint", ENDPOINTS[:2], ids=str)
async def test_extra_body_may_not_repeat_a_named_argument(endpoint: Endpoint) -> None:
    """An extra_body field that shadows a named argument is refused before sending."""
    await assert_clash_refused(endpoint)


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@pytest.mark.parametrize(("month", "name"), list(enumerate(MONTHS, start=1)))
async def test_coupon_expiry_uses_english_month_abbreviations(month: int, name: str) -> None:
    """coupon_expiry goes out as DD-Mon-YYYY with the English month, whatever the date."""
    client, recorder = recording_client(ref.REDEMPTION_UPDATE_RESPONSE)
    async with client:
        await client.redemptions.update("r1", coupon_expiry=date(2031, month, 9))
    assert json_body(only_request(recorder)) == {"coupon_expiry": f"09-{name}-2031"}


@pytest.mark.parametrize(
    ("changes", "body"),
    [
        ({"is_active": True}, {"is_active": True}),
        ({"redemption_value": Decimal("12.50")}, {"redemption_value": 12.5}),
        ({"redemption_value": 7}, {"redemption_value": 7}),
        ({"allowed_redeem_points": 400}, {"allowed_redeem_points": 400}),
        ({"giftcard_coupon_codes": ("ONLY-ONE",)}, {"giftcard_coupon_codes": "ONLY-ONE"}),
        (
            {
                "giftcard_coupon_codes": dict.fromkeys(["X1", "X2"]).keys(),
                "coupon_expiry": datetime(2030, 2, 3),
            },
            {"giftcard_coupon_codes": "X1,X2", "coupon_expiry": "03-Feb-2030"},
        ),
    ],
)
async def test_update_sends_only_given_fields(
    changes: dict[str, object], body: dict[str, object]
) -> None:
    """An update sends exactly the given fields, formatted for the wire; no nulls."""
    client, recorder = recording_client(ref.REDEMPTION_UPDATE_RESPONSE)
    async with client:
        await client.redemptions.update("test_redemption", **changes)  # type: ignore[arg-type]
    assert typed(json_body(only_request(recorder))) == typed(body)


async def test_list_of_several_options() -> None:
    """A data array of several options decodes to a list in the server's order."""
    rows = [
        {"redemption_id": "r1", "redemption_value": "$5", "giftcard_coupon_codes": "A, B"},
        {"redemption_id": "r2", "redemption_value": 7.5, "giftcard_coupon_codes": ["C"]},
    ]
    client, _ = recording_client(envelope(rows))
    async with client:
        options = await client.redemptions.list()
    assert options == [
        Redemption(
            redemption_id="r1", redemption_value=Decimal("5"), giftcard_coupon_codes=("A", "B")
        ),
        Redemption(
            redemption_id="r2", redemption_value=Decimal("7.5"), giftcard_coupon_codes=("C",)
        ),
    ]


@pytest.mark.parametrize(
    ("redemption_id", "segment"),
    [("$50_gift_card", b"$50_gift_card"), ("../users/x", b"..%2Fusers%2Fx")],
)
async def test_redemption_id_is_one_path_segment(redemption_id: str, segment: bytes) -> None:
    """get and update put the redemption id in the path as one encoded segment."""
    client, recorder = recording_client(ref.REDEMPTION_GET_RESPONSE, ref.REDEMPTION_UPDATE_RESPONSE)
    async with client:
        await client.redemptions.get(redemption_id)
        await client.redemptions.update(redemption_id, is_active=True)
    paths = [path_of(request) for request in recorder.requests]
    assert paths == [BASE_PATH + b"/redemptions/" + segment] * 2
