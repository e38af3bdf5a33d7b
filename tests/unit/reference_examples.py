"""The API reference's example response bodies, one constant per endpoint, as bytes.

Copied from the reference (``api-docs/001``; the returns-tracking one from ``002``) so the
endpoint tests decode exactly what the vendor documents. Each body is the JSON block under
"The above command returns JSON structured like this", kept byte for byte except:

- trailing spaces at line ends are dropped (insignificant whitespace between JSON tokens;
  the one inside a string, in Create Activity, is kept);
- where the reference's example is not valid JSON, the closest valid form is kept and the
  comment above the constant says what changed.

The reference's example *requests* (arguments and payloads) follow, and last 002's table of
"Zinrelo API Status Codes".
"""

# The bodies are verbatim: some lines are longer than the project's limit and some are
# indented with tabs, as in the reference.
# ruff: noqa: E501, E101

from __future__ import annotations

from typing import Any

# Award.
AWARD_RESPONSE = rb"""{
  "data": {
          "user_id": "6176be2d5e",
          "user_email": "bob@shopsocially.com",
          "user_last_name": "Baker",
          "user_first_name": "Bob",
          "activity_id": "made_a_purchase",
          "activity_name": "Made a Purchase",
          "id": "54aeb7b4f283c6176be2d5ed",
          "transaction_type":"award",
          "points": 100,
          "points_status": "auto_approved",
          "partner_id": "69c62d683db96c7cabf8db0109be6bb1",
          "created_time": "30-Mar-16 19:20:22"
        },
  "success":true
}"""

# Redeem.
REDEEM_RESPONSE = rb"""{
  "data":{
          "user_id": "6176be2d5e",
          "user_email": "bob@shopsocially.com",
          "user_last_name": "Baker",
          "user_first_name": "Bob",
          "redemption_id": "$50_gift_card",
          "redemption_name": "$50 Gift Card",
          "redemption_value": "$50",
          "id": "54aeb7b4f283c6176be2d5ed",
          "transaction_type": "redeem",
          "points": 1000,
          "points_status": "redeemed",
          "coupon_code": "GET50OFF",
          "partner_id": "9c62d683db96c7cabf8db0109be6bb",
          "created_time": "30-Mar-15 19:20:22"
  },
  "success":true
}"""

# Deduct.
DEDUCT_RESPONSE = rb"""{
  "data":{
          "user_id": "6176be2d5e",
          "user_email": "bob@shopsocially.com",
          "user_last_name": "Baker",
          "user_first_name": "Bob",
          "id": "54aeb7b4f283c6176be2d5ed",
          "transaction_type": "deduct",
          "points": 1000,
          "points_status": "deducted",
          "available_points": 1500,
          "partner_id": "9c62d683db96c7cabf8db0109be6bb",
          "created_time": "30-Mar-15 19:20:22"
  },
  "success":true
}"""

# Get all transactions. Changed: the reference shows a second item as ``{...}``; it is
# dropped (with its comma).
TRANSACTIONS_LIST_RESPONSE = rb"""{
  "data":{
          "total": 250,
          "next_start_index":100,
          "transactions":[
            {
            "activity_id":"Made_a_Purchase",
            "activity_name":"Made a Purchase",
            "user_id":"6176be2d5e",
            "user_first_name":"Bob",
            "user_last_name":"Baker",
            "user_email":"bob@shopsocially.com",
            "redemption_id":null,
            "redemption_name":null,
            "id":"550ff099fa0eaa0767086968",
            "approved_time":"20-Mar-15 19:20:22",
            "auto_approval_date":null,
            "points_status":"approved",
            "transaction_type":"award",
            "coupon_code":null,
            "points": 100,
            "approved_by":"Jai",
            "created_time":"20-Mar-15 19:20:22",
            "updated_time":"30-Mar-15 19:20:22",
            "merchant_id":"9c62d683db96c7cabf8db0109be6bb"
            }
          ],
          "more":true
         },
  "success":true
}"""

# Get Transaction.
TRANSACTION_GET_RESPONSE = rb"""{
"data":{
        "activity_id":"Made_a_Purchase",
        "activity_name":"Made a Purchase",
        "user_id":"6176be2d5e",
        "user_first_name":"Bob",
        "user_last_name":"Baker",
        "user_email":"bob@shopsocially.com",
        "redemption_id":null,
        "redemption_name":null,
        "id":"550ff099fa0eaa0767086968",
        "approved_time":"20-Mar-15 19:20:22",
        "auto_approval_date":null,
        "points_status":"approved",
        "transaction_type":"award",
        "coupon_code":null,
        "points": 100,
        "approved_by":"Jai",
        "created_time":"20-Mar-15 19:20:22",
        "updated_time":"30-Mar-15 19:20:22",
        "partner_id":"9c62d683db96c7cabf8db0109be6bb"
        },
"success":true
}"""

# Create User.
USER_CREATE_RESPONSE = rb"""{
    "data":
	    {
		    "user_id":"6176be2d5e",
		    "user_email":"bob@shopsocially.com",
		    "first_name":"Bob",
		    "last_name":"Baker",
		    "profile_image_url":"https://some_link_to_ss_logo",
		    "gender":"Male",
		    "redeemed_points":0,
		    "available_points":0,
		    "loyalty_level_id":"",
		    "loyalty_lifetime_level_id":"",
		    "merchant_uid":""
	    },
    "success":true
}"""

# Update User.
USER_UPDATE_RESPONSE = rb"""{
    "data":
	    {
		    "user_id":"6176be2d5e",
		    "user_email":"bob@shopsocially.com",
		    "first_name":"Bob",
		    "last_name":"Baker",
		    "profile_image_url":"https://some_link_to_ss_logo",
		    "gender":"Male",
		    "redeemed_points":0,
		    "available_points":0,
		    "loyalty_level_id":"",
		    "loyalty_lifetime_level_id":"",
		    "merchant_uid":""
	    },
    "success":true
}"""

# Get All Users.
USERS_LIST_RESPONSE = rb"""{
    "data":
	    {
		    "next_start_index":2,
		    "total_loyalty_users":1,
		    "loyalty_users":
					[{
					     "loyalty_life_time_level_name": "",
					     "loyalty_lifetime_level_id": "",
					     "expiration_schedule": [],
					     "last_name": "Baker",
					     "redeemed_points": 0,
					     "last_award_transaction": {},
					     "gender": "male",
					     "dashboard_url": "https://shopsocially.com/loyalty/test_site/user/56d62cb9735f833785f95ef5/dashboard",
					     "first_name": "Bob",
					     "profile_image_url": "https://some_link_to_ss_logo",
					     "available_points": 0,
					     "loyalty_level_id": "",
					     "loyalty_level_name": "",
					     "user_id": "",
					     "user_email": "bob@shopsocially.com"
					}],
		    "more":false
	    },
    "success":true
}"""

# Get User. Changed: the reference writes ``None`` (Python) for the two level ids; JSON ``null`` here.
USER_GET_RESPONSE = rb"""{
    "data":
	    {
		    "user_id":"6176be2d5e",
		    "user_email":"bob@shopsocially.com",
		    "first_name":"Bob",
		    "last_name":"Baker",
		    "profile_image_url":"https://some_link_to_ss_logo",
		    "gender":"Male",
		    "redeemed_points":0,
		    "available_points":0,
		    "loyalty_level_id":null,
		    "loyalty_lifetime_level_id":null,
		    "user_language":"English",
		    "user_status":"Active?",
		    "expiration_schedule": [{"expiration_date": "07-Jan-2016 23:59:59","points": 34226}],
		    "last_award_transaction":{"date": "07-Dec-2015 13:23:35","points": 300,"name": "Became a Twitter Follower"}
	    },
    "success":true
}"""

# Get User Transactions.
USER_TRANSACTIONS_RESPONSE = rb"""{
    "data":
	    {
		"total": 1,
		"next_start_index": 2,
		"transactions":
			[{
			    "points_status": "approved",
			    "points_used": 0,
			    "available_points": 22,
			    "points_expired": 0,
			    "created_time": "14-Jan-2016 06:33:22",
			    "updated_time": "14-Jan-2016 06:33:22",
			    "id": "569741320daac146edac90c0",
			    "user_id": "54b3b13e0daac1321e07ce1f",
			    "points_expiration_date": "14-Mar-2016 06:33:22",
			    "approved_by": null,
			    "qualified_points": true,
			    "redemption_value": null,
			    "activity_id": "shared_photo_via_desktop_or_mobile",
			    "user_first_name": "Bob",
			    "order_id": "1452749387649368175",
			    "reason": null,
			    "points_deducted": 0,
			    "merchant_id": "9c62d683db96c7cabf8db0109be6bb",
			    "redemptions_list": null,
			    "approved_time": "14-Jan-2016 06:33:22",
			    "redemption_name": null,
			    "auto_approval_date": "",
			    "transaction_type": "award",
			    "user_last_name": "Baker",
			    "coupon_code": null,
			    "points": 22,
			    "redemption_id": null,
			    "activity_name": "Shared Photo via Mobile or Desktop",
			    "user_email": "bob@shopsocially.com"
			}],
		    "more": false
	    },
    "success":true
}"""

# Create Activity. Kept as the reference shows it: ``activity_description`` holds a raw newline, which
# strict JSON forbids; the client's decoder tolerates it, so these bytes are sent unchanged.
# Two literals only so that the space before the newline survives editors and linters.
ACTIVITY_CREATE_RESPONSE = (
    rb"""{
  "data":{
		"id":"56655832418a580281c2c41c",
        "merchant_id":"c75d9a44221ac904ddadb81766786b34",
		"activity_id":"shared_via_email",
		"activity_name":"Share via Email",
		"activity_description":"Earn points when you share our website """
    rb"""
          with your friends via email.",
		"activity_type":"fixed",
		"approval_method":"immediate",
		"bonus_multiplier":1,
		"created_time":"07-Dec-2015 09:58:10",
		"fixed_duration_period":30,
		"is_active":true,
		"is_sale_activity":false,
		"loyalty_activity_img":"https://d1qbqkkh49kht1.cloudfront.net/dc79fd08611160b9176d0d4b5c3f506f.png",
		"max_award_frequency":100,
		"max_award_frequency_interval":"day",
		"points_earning_url":"",
		"points_per_activity":100,
		"qualified_points":true,
		"show_activity_in_user_dashboard":true,
		"ss_internal":true,
		"updated_time":"31-Aug-2016 05:10:21"
  },
  "success":true
}"""
)

# Update Activity.
ACTIVITY_UPDATE_RESPONSE = rb"""{
  "data":{
    "id":"56655832418a580281c2c41c",
    "activity_id":"shared_via_email",
    "activity_name":"Share via Email",
    "activity_description":"Earn points when you share our website with your friends via email.",
    "activity_type":"fixed",
    "approval_method":"immediate",
    "bonus_multiplier":1,
    "created_time":"07-Dec-2015 09:58:10",
    "fixed_duration_period":30,
    "is_active":true,
    "is_sale_activity":false,
    "loyalty_activity_img":"https://d1qbqkkh49kht1.cloudfront.net/dc79fd08611160b9176d0d4b5c3f506f.png",
    "max_award_frequency":100,
    "max_award_frequency_interval":"day",
    "merchant_id":"c75d9a44221ac904ddadb81766786b34",
    "points_earning_url":"",
    "points_per_activity":100,
    "qualified_points":true,
    "show_activity_in_user_dashboard":true,
    "show_on_merchant_center":true,
    "ss_internal":true,
    "updated_time":"31-Aug-2016 05:10:21"
  },
  "success":true
}"""

# Get Activity.
ACTIVITY_GET_RESPONSE = rb"""{
  "data":{
		"id":"56655832418a580281c2c41c",
		"activity_id":"shared_via_email",
		"activity_name":"Share via Email",
		"activity_description":"Earn points when you share our website with your friends via email.",
		"activity_type":"fixed",
		"approval_method":"immediate",
		"bonus_multiplier":1,
		"created_time":"07-Dec-2015 09:58:10",
		"is_active":true,
		"is_sale_activity":false,
		"loyalty_activity_img":"https://d1qbqkkh49kht1.cloudfront.net/dc79fd08611160b9176d0d4b5c3f506f.png",
		"max_award_frequency":100,
		"max_award_frequency_interval":"day",
		"merchant_id":"c75d9a44221ac904ddadb81766786b34",
		"points_earning_url":"",
		"points_per_activity":100,
		"qualified_points":true,
		"show_activity_in_user_dashboard":true,
		"show_on_merchant_center":true,
		"ss_internal":true,
		"updated_time":"31-Aug-2016 05:10:21"
  },
  "success":true
}"""

# Get All Activities. Changed: the reference shows a second item as ``{...}``; it is
# dropped (with its comma).
ACTIVITIES_LIST_RESPONSE = rb"""{
  "data":[
      {
      "id":"56655832418a580281c2c41c",
      "activity_id":"shared_via_email",
      "activity_name":"Share via Email",
      "activity_description":"Earn points when you share our website with your friends via email.",
      "activity_type":"fixed",
      "approval_method":"immediate",
      "bonus_multiplier":1,
      "created_time":"07-Dec-2015 09:58:10",
      "is_active":true,
      "is_sale_activity":false,
      "max_award_frequency":100,
      "max_award_frequency_interval":"day",
      "merchant_id":"c75d9a44221ac904ddadb81766786b34",
      "points_earning_url":"",
      "points_per_activity":100,
      "qualified_points":true,
      "show_activity_in_user_dashboard":true,
      "ss_internal":true,
      "updated_time":"31-Aug-2016 05:10:21"
      }
  ],
  "success":true
}"""

# Create Redemption.
REDEMPTION_CREATE_RESPONSE = rb"""{
  "data": {
    "redemption_email_html": "<div style=\"border:solid 1px rgba(0,0,0,0.2);font-family:'Source Sans Pro', 'Helvetica Neue', 'Lucida Sans', sans-serif;\"><img src=\"https://d1qbqkkh49kht1.cloudfront.net/c66c2dc1d96e2ac46b9722b1a2524c10.png\" style=\"width:100%\"><div style=\"text-align:left;margin-top:10px;font-size: 15px;padding:0px 30px 0px 30px\">Hi,<br><div style=\"margin-top: 10px;\">You have redeemed _POINTS_REDEEMED_ loyalty points from your account at <a href=\"_MERCHANT_WEB_URL_\" target=\"_blank\">_MERCHANT_NAME_</a>.<br><br><a href=\"_USER_DASHBOARD_URL_\" target=\"_blank\">Click here</a> to log in and check your loyalty points status and to redeem more points.</div><div style=\"text-align:left;margin-top: 15px;font-size:15px;\">Thank you.<br><br>Thanks,<br>_MERCHANT_NAME_ Team<br><br></div></div>",
    "loyalty_redemption_card_img": "https://d1qbqkkh49kht1.cloudfront.net/b32b7803e9bbcf6b8e9b8d8ce1be7224.png",
    "created_time": "07-Dec-2016 12:17:02",
    "giftcard_coupon_codes": "a,b,c,d,e,f,g,h,i",
    "id": "5847fdbeb0207a60ce2facf1",
    "giftcard_description": "giftcard_description",
    "terms_and_conds_text": "terms_and_conds_text",
    "after_redemption_html": "<div class=\"coupon_code_div\">_COUPON_CODE_</div><div style=\"margin-top: 15px;\"> A copy of the code has been emailed to _USER_EMAIL_.</div>",
    "associated_levels": [
      "all"
    ],
    "send_redemption_email": true,
    "redemption_value": "10",
    "coupon_expiry_trigger": 0,
    "is_active": false,
    "enable_coupon_based_incentive": true,
    "redemption_instructions": "redemption_instructions",
    "redemption_email_subject": "Redemption Confirmation Receipt - _MERCHANT_NAME_ Loyalty Program",
    "coupon_expiry": "01-Jan-2018",
    "merchant_id": "c75d9a44221ac904ddadb81766786b34",
    "show_redemption_in_user_dashboard": true,
    "show_on_merchant_center": true,
    "redemption_name": "redemption_name",
    "coupon_expiry_delta": 7,
    "allowed_redeem_points": 100,
    "updated_time": "07-Dec-2016 12:17:03",
    "redemption_id": "test_redemption"
  },
  "success": true
}"""

# Update Redemption.
REDEMPTION_UPDATE_RESPONSE = rb"""{
  "data": {
    "redemption_email_html": "<div style=\"border:solid 1px rgba(0,0,0,0.2);font-family:'Source Sans Pro', 'Helvetica Neue', 'Lucida Sans', sans-serif;\"><img src=\"https://d1qbqkkh49kht1.cloudfront.net/c66c2dc1d96e2ac46b9722b1a2524c10.png\" style=\"width:100%\"><div style=\"text-align:left;margin-top:10px;font-size: 15px;padding:0px 30px 0px 30px\">Hi,<br><div style=\"margin-top: 10px;\">You have redeemed _POINTS_REDEEMED_ loyalty points from your account at <a href=\"_MERCHANT_WEB_URL_\" target=\"_blank\">_MERCHANT_NAME_</a>.<br><br><a href=\"_USER_DASHBOARD_URL_\" target=\"_blank\">Click here</a> to log in and check your loyalty points status and to redeem more points.</div><div style=\"text-align:left;margin-top: 15px;font-size:15px;\">Thank you.<br><br>Thanks,<br>_MERCHANT_NAME_ Team<br><br></div></div>",
    "loyalty_redemption_card_img": "https://d1qbqkkh49kht1.cloudfront.net/b32b7803e9bbcf6b8e9b8d8ce1be7224.png",
    "created_time": "07-Dec-2016 12:17:02",
    "giftcard_coupon_codes": "a,b,c,d,e,f,g,h,i",
    "id": "5847fdbeb0207a60ce2facf1",
    "giftcard_description": "giftcard_description",
    "terms_and_conds_text": "terms_and_conds_text",
    "after_redemption_html": "<div class=\"coupon_code_div\">_COUPON_CODE_</div><div style=\"margin-top: 15px;\"> A copy of the code has been emailed to _USER_EMAIL_.</div>",
    "associated_levels": [
      "all"
    ],
    "send_redemption_email": true,
    "redemption_value": "10",
    "coupon_expiry_trigger": 0,
    "is_active": false,
    "enable_coupon_based_incentive": true,
    "redemption_instructions": "redemption_instructions",
    "redemption_email_subject": "Redemption Confirmation Receipt - _MERCHANT_NAME_ Loyalty Program",
    "coupon_expiry": "01-Jan-2018",
    "merchant_id": "c75d9a44221ac904ddadb81766786b34",
    "show_redemption_in_user_dashboard": true,
    "show_on_merchant_center": true,
    "redemption_name": "redemption_name",
    "coupon_expiry_delta": 7,
    "allowed_redeem_points": 100,
    "updated_time": "07-Dec-2016 12:17:03",
    "redemption_id": "test_redemption"
  },
  "success": true
}"""

# Get Redemption.
REDEMPTION_GET_RESPONSE = rb"""{
  "data": {
    "redemption_email_html": "<div style=\"border:solid 1px rgba(0,0,0,0.2);font-family:'Source Sans Pro', 'Helvetica Neue', 'Lucida Sans', sans-serif;\"><img src=\"https://d1qbqkkh49kht1.cloudfront.net/c66c2dc1d96e2ac46b9722b1a2524c10.png\" style=\"width:100%\"><div style=\"text-align:left;margin-top:10px;font-size: 15px;padding:0px 30px 0px 30px\">Hi,<br><div style=\"margin-top: 10px;\">You have redeemed _POINTS_REDEEMED_ loyalty points from your account at <a href=\"_MERCHANT_WEB_URL_\" target=\"_blank\">_MERCHANT_NAME_</a>.<br><br><a href=\"_USER_DASHBOARD_URL_\" target=\"_blank\">Click here</a> to log in and check your loyalty points status and to redeem more points.</div><div style=\"text-align:left;margin-top: 15px;font-size:15px;\">Thank you.<br><br>Thanks,<br>_MERCHANT_NAME_ Team<br><br></div></div>",
    "loyalty_redemption_card_img": "https://d1qbqkkh49kht1.cloudfront.net/b32b7803e9bbcf6b8e9b8d8ce1be7224.png",
    "created_time": "07-Dec-2016 12:17:02",
    "giftcard_coupon_codes": "a,b,c,d,e,f,g,h,i",
    "id": "5847fdbeb0207a60ce2facf1",
    "giftcard_description": "giftcard_description",
    "terms_and_conds_text": "terms_and_conds_text",
    "after_redemption_html": "<div class=\"coupon_code_div\">_COUPON_CODE_</div><div style=\"margin-top: 15px;\"> A copy of the code has been emailed to _USER_EMAIL_.</div>",
    "associated_levels": [
      "all"
    ],
    "send_redemption_email": true,
    "redemption_value": "10",
    "coupon_expiry_trigger": 0,
    "is_active": false,
    "enable_coupon_based_incentive": true,
    "redemption_instructions": "redemption_instructions",
    "redemption_email_subject": "Redemption Confirmation Receipt - _MERCHANT_NAME_ Loyalty Program",
    "coupon_expiry": "01-Jan-2018",
    "merchant_id": "c75d9a44221ac904ddadb81766786b34",
    "show_redemption_in_user_dashboard": true,
    "show_on_merchant_center": true,
    "redemption_name": "redemption_name",
    "coupon_expiry_delta": 7,
    "allowed_redeem_points": 100,
    "updated_time": "07-Dec-2016 12:17:03",
    "redemption_id": "test_redemption"
  },
  "success": true
}"""

# Get All Redemptions. Changed: the reference shows ``data`` as one object followed by
# ``, ...``; the ``...`` is dropped, leaving ``data`` a single object (the client reads a lone object as one record).
REDEMPTIONS_LIST_RESPONSE = rb"""{
  "data": {
    "redemption_email_html": "<div style=\"border:solid 1px rgba(0,0,0,0.2);font-family:'Source Sans Pro', 'Helvetica Neue', 'Lucida Sans', sans-serif;\"><img src=\"https://d1qbqkkh49kht1.cloudfront.net/c66c2dc1d96e2ac46b9722b1a2524c10.png\" style=\"width:100%\"><div style=\"text-align:left;margin-top:10px;font-size: 15px;padding:0px 30px 0px 30px\">Hi,<br><div style=\"margin-top: 10px;\">You have redeemed _POINTS_REDEEMED_ loyalty points from your account at <a href=\"_MERCHANT_WEB_URL_\" target=\"_blank\">_MERCHANT_NAME_</a>.<br><br><a href=\"_USER_DASHBOARD_URL_\" target=\"_blank\">Click here</a> to log in and check your loyalty points status and to redeem more points.</div><div style=\"text-align:left;margin-top: 15px;font-size:15px;\">Thank you.<br><br>Thanks,<br>_MERCHANT_NAME_ Team<br><br></div></div>",
    "loyalty_redemption_card_img": "https://d1qbqkkh49kht1.cloudfront.net/b32b7803e9bbcf6b8e9b8d8ce1be7224.png",
    "created_time": "07-Dec-2016 12:17:02",
    "giftcard_coupon_codes": "a,b,c,d,e,f,g,h,i",
    "id": "5847fdbeb0207a60ce2facf1",
    "giftcard_description": "giftcard_description",
    "terms_and_conds_text": "terms_and_conds_text",
    "after_redemption_html": "<div class=\"coupon_code_div\">_COUPON_CODE_</div><div style=\"margin-top: 15px;\"> A copy of the code has been emailed to _USER_EMAIL_.</div>",
    "associated_levels": [
      "all"
    ],
    "send_redemption_email": true,
    "redemption_value": "10",
    "coupon_expiry_trigger": 0,
    "is_active": false,
    "enable_coupon_based_incentive": true,
    "redemption_instructions": "redemption_instructions",
    "redemption_email_subject": "Redemption Confirmation Receipt - _MERCHANT_NAME_ Loyalty Program",
    "coupon_expiry": "01-Jan-2018",
    "merchant_id": "c75d9a44221ac904ddadb81766786b34",
    "show_redemption_in_user_dashboard": true,
    "show_on_merchant_center": true,
    "redemption_name": "redemption_name",
    "coupon_expiry_delta": 7,
    "allowed_redeem_points": 100,
    "updated_time": "07-Dec-2016 12:17:03",
    "redemption_id": "test_redemption"
  },
  "success": true
}"""

# Returns.
RETURN_RESPONSE = rb"""{
  "data":{
          "user_id": "6176be2d5e",
          "user_email": "bob@shopsocially.com",
          "user_last_name": "Baker",
          "user_first_name": "Bob",
          "id": "54aeb7b4f283c6176be2d5ed",
          "transaction_type": "deduct",
          "points": 1000,
          "points_status": "pending_deduction",
          "returned_for_order_id": "1254aeb7b4f",
          "reason": "Order Partially Returned",
          "partner_id": "9c62d683db96c7cabf8db0109be6bb",
          "created_time": "30-Mar-16 19:20:22",
          "approved_time": "15-Apr-16 19:20:22",
          "updated_time": "15-Apr-16 19:20:22",
          "auto_approval_date": "15-May-16 19:20:22"
  },
  "success":true
}"""

# Returns tracking (``api-docs/002``): the same endpoint as Zinrelo documents it, with the
# member's names unprefixed. The e-mail is verbatim: the page's e-mail protection replaced it
# with "[email protected]", the space a no-break space (UTF-8 ``\xc2\xa0``).
RETURNS_TRACKING_RESPONSE = b"""{
  "data":{
          "user_email": "[email\xc2\xa0protected]",
          "last_name": "John",
          "first_name": "Doe",
          "points": 270,
          "points_status": "pending_deduction",
          "returned_for_order_id": "75a2726d13artibb10",
          "reason": "Order Fully Returned",
          "created_time": "30-Mar-16 19:20:22"
    },
  "success":true
}"""


#: Every example response in the reference, by endpoint method.
ALL_RESPONSES: dict[str, bytes] = {
    "points.award": AWARD_RESPONSE,
    "points.redeem": REDEEM_RESPONSE,
    "points.deduct": DEDUCT_RESPONSE,
    "transactions.list": TRANSACTIONS_LIST_RESPONSE,
    "transactions.get": TRANSACTION_GET_RESPONSE,
    "users.create": USER_CREATE_RESPONSE,
    "users.update": USER_UPDATE_RESPONSE,
    "users.list": USERS_LIST_RESPONSE,
    "users.get": USER_GET_RESPONSE,
    "users.transactions": USER_TRANSACTIONS_RESPONSE,
    "activities.create": ACTIVITY_CREATE_RESPONSE,
    "activities.update": ACTIVITY_UPDATE_RESPONSE,
    "activities.get": ACTIVITY_GET_RESPONSE,
    "activities.list": ACTIVITIES_LIST_RESPONSE,
    "redemptions.create": REDEMPTION_CREATE_RESPONSE,
    "redemptions.update": REDEMPTION_UPDATE_RESPONSE,
    "redemptions.get": REDEMPTION_GET_RESPONSE,
    "redemptions.list": REDEMPTIONS_LIST_RESPONSE,
    "returns.create": RETURN_RESPONSE,
    "returns.create (returns tracking)": RETURNS_TRACKING_RESPONSE,
}


# The reference's example requests: the payloads its Python snippets send.

AWARD_REQUEST: dict[str, Any] = {
    "user_email": "bob@shopsocially.com",
    "points_passed": 100,
    "activity_id": "made_a_purchase",
}
REDEEM_REQUEST: dict[str, Any] = {
    "user_email": "bob@shopsocially.com",
    "redemption_id": "$50_gift_card",
}
DEDUCT_REQUEST: dict[str, Any] = {
    "user_email": "bob@shopsocially.com",
    "reason": "invalid transaction",
    "points_passed": 1000,
}
# Get all transactions: the query the reference sends (dates MM/DD/YYYY).
TRANSACTIONS_LIST_QUERY: dict[str, str] = {
    "from_date": "01/01/2015",
    "to_date": "11/23/2015",
    "points_status": '["approved","auto_approved"]',
    "start_index": "7",
}
TRANSACTION_ID = "550ff099fa0eaa0767086968"
USER_CREATE_REQUEST: dict[str, Any] = {
    "first_name": "Bob",
    "last_name": "Baker",
    "email": "bob@shopsocially.com",
    "uid": "merc",
    "gender": "male",
    "profile_image_url": "https://some_link_to_ss_logo",
}
USER_UPDATE_REQUEST: dict[str, Any] = {"loyalty_level_id": "new_level_id"}
# Get All Users: dates DD-MM-YYYY.
USERS_LIST_QUERY: dict[str, str] = {
    "from_date": "01-01-2016",
    "to_date": "31-12-2016",
    "start_index": "0",
    "count": "10",
}
# Get User Transactions: dates DD-MM-YYYY; the reference's ``['approved']`` is a Python
# list, sent by the client as the JSON array string the transactions listing documents.
USER_TRANSACTIONS_QUERY: dict[str, str] = {
    "from_date": "01-01-2016",
    "to_date": "31-12-2016",
    "points_status": '["approved"]',
    "start_index": "0",
}
# Create Activity. Changed: the reference's payload holds a raw newline inside
# ``activity_description``; a caller's string would not, so it is one line here.
ACTIVITY_CREATE_REQUEST: dict[str, Any] = {
    "activity_id": "shared_via_email",
    "activity_name": "Share via Email",
    "activity_description": "Earn points when you share our website with your friends via email.",
    "activity_type": "fixed",
    "max_award_frequency": 100,
    "max_award_frequency_interval": "day",
    "is_active": True,
    "approval_method": "immediate",
    "points_per_activity": 100,
    "bonus_multiplier": 1,
    "is_sale_activity": False,
    "qualified_points": True,
    "show_activity_in_user_dashboard": True,
}
ACTIVITY_UPDATE_REQUEST: dict[str, Any] = {
    key: ACTIVITY_CREATE_REQUEST[key]
    for key in (
        "activity_name",
        "activity_description",
        "activity_type",
        "max_award_frequency",
        "max_award_frequency_interval",
        "bonus_multiplier",
        "points_per_activity",
        "approval_method",
        "is_active",
    )
}


# The returns-tracking reference's (``api-docs/002``) "Zinrelo API Status Codes", row by row:
# (HTTP status, error code, message), verbatim.
STATUS_CODES: tuple[tuple[int, str, str], ...] = (
    (200, "UNABLE_TO_UPLOAD_PHOTO", "Unable to upload the photo. Please try again later."),
    (400, "ATTRIBUTE_NOT_UNIQUE", "IdParams name passed is not a unique attribute."),
    (200, "MEMBER_ID_ALREADY_IN_USE", "Member ID already in use."),
    (200, "INVALID_MEMBER_STATUS", "Invalid member status."),
    (200, "MEMBER_BLOCKED", "Member has been blocked."),
    (200, "MAX_AWARDS_EXCEEDED", "Maximum award limit exceeded."),
    (200, "INVALID_AMOUNT_TO_DEDUCT", "Not enough points to deduct."),
    (400, "INVALID_JSON", "Invalid JSON format."),
    (400, "INVALID_REQUEST", "Invalid request: unsupported Content-Type [content-type]."),
    (200, "INCORRECT_MEMBER_ID_PASSED", "Incorrect Member ID passed."),
    (200, "STORE_INACTIVE", "Store is not active."),
    (200, "MEMBER_DELETED", "Member record has been deleted."),
    (
        200,
        "EXCLUDED_TRANSACTION",
        "Points could not be awarded because exclusion rule was applied.",
    ),
    (404, "TRANSACTION_DOES_NOT_EXIST", "Transaction does not exist."),
    (500, "INTERNAL_SERVER_ERROR", "Internal server error."),
    (400, "INVALID_REQUEST_PARAMETER_VALUES", "Invalid request parameter value."),
    (
        200,
        "INVALID_PHOTO",
        "Invalid file type or file size. Please make sure uploaded file type is JPG, JPEG, or PNG. and file size should be less than 10MB.",
    ),
    (200, "PAUSED_ACTIVITY", "Activity is in paused state."),
    (400, "ID_PARAM_NAME_NOT_FOUND", "IdParams name passed does not exist."),
    (
        401,
        "ERROR_UNAUTHORIZED",
        "Some error occurred while authenticating your account at Zinrelo. Please verify your API credentials.",
    ),
    (200, "DUPLICATE_ORDER_ID", "Loyalty Points already awarded for the Order ID."),
    (200, "MEMBER_CREATION_UNSUCCESSFUL", "Member creation unsuccessful."),
    (400, "MERCHANT_DOES_NOT_EXIST", "Merchant does not exist."),
    (
        200,
        "TRANSACTION_ATTRIBUTE_NOT_UNIQUE",
        "Unique transaction attribute for given activity is not unique.",
    ),
    (200, "INVALID_MEMBER", "Member does not exist."),
    (400, "INVALID_CURSOR", "Invalid start cursor provided"),
    (503, "SERVICE_UNAVAILABLE", "API Service is unavailable. Please contact Zinrelo support."),
    (200, "INACTIVE_REWARD", "This reward is inactive and cannot be redeemed."),
    (200, "AUTO_REDEEMABLE_REWARD", "Cannot redeem auto redeemable reward via API."),
    (200, "INVALID_REWARD_FOR_USER", "Returned product quantity exceeds order quantity."),
    (200, "MAX_REWARDS_EXCEEDED", "Maximum redemption threshold for reward reached."),
    (200, "INSUFFICIENT_REDEEMABLE_POINTS", "User points balance insufficient."),
    (200, "INVALID_REWARD_FOR_TIER", "This reward is not valid for user tier."),
    (200, "ORDER_NOT_EXIST", "Order with this id does not exist."),
    (200, "PRODUCT_QUANTITY_EXCEEDED", "Returned product quantity exceeds order quantity."),
    (200, "INVALID_PRODUCT_ID", "Incorrect product id passed."),
    (
        200,
        "RETURN_VALUE_EXCEEDS_AVAILABLE_BALANCE",
        "Returned order value exceeds user's points balance.",
    ),
    (
        200,
        "PRODUCT_ID_AND_RETURN_AMOUNT_PASSED",
        "Please pass either returned product id or returned amount.",
    ),
)
