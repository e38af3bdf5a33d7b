"""``client.users``: loyalty members."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, TypedDict

from .. import _params as p
from .._dates import format_dmy_date
from .._pagination import AsyncPaginator
from ..models import Transaction, User
from ._base import Extras, Listing, Resource, decode_one, route_path, update_body

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["UserChanges", "Users"]


class UserChanges(TypedDict, total=False):
    """What ``users.update`` changes: the fields Update User's table lists (only the level)."""

    loyalty_level_id: str | None


# Every member field the API takes is a non-empty string.
_TEXT_FIELDS: dict[str, p.Validator] = dict.fromkeys(
    ("first_name", "last_name", "email", "uid", "gender", "profile_image_url", "loyalty_level_id"),
    p.text,
)
_UPDATABLE = tuple(UserChanges.__annotations__)
_USERS = Listing("/users", User, items_key="loyalty_users", total_key="total_loyalty_users")
_USER_TRANSACTIONS = Listing(
    "/users/{user_email}/transactions", Transaction, items_key="transactions", total_key="total"
)


class Users(Resource):
    """Create, update, fetch and list members, and list one member's transactions."""

    async def create(
        self,
        *,
        first_name: str,
        last_name: str,
        email: str,
        uid: str,
        gender: str | None = None,
        profile_image_url: str | None = None,
        loyalty_level_id: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> User:
        """Enrol a member (``POST /users``). ``uid`` is the member's id in your system."""
        body = p.validated(
            {
                "first_name": first_name,
                "last_name": last_name,
                "email": email,
                "uid": uid,
                "gender": gender,
                "profile_image_url": profile_image_url,
                "loyalty_level_id": loyalty_level_id,
            },
            _TEXT_FIELDS,
            required=("first_name", "last_name", "email", "uid"),
        )
        extras = Extras(query=extra_query, headers=extra_headers, body=extra_body)
        call = self._call("POST", "/users", extras, body=body)
        return await self._send(call, decode_one(User))

    async def update(
        self,
        uid: str,
        *,
        extra_body: Mapping[str, Any] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        **changes: Unpack[UserChanges],
    ) -> User:
        """Change a member created with your ``uid`` (``PUT /users/{uid}``), e.g.
        ``update("merchant-42", loyalty_level_id="gold")``; only the fields given are sent.
        A field the reference's table does not list is refused (``InvalidArgumentError``).
        """
        body = update_body("users.update", changes, _UPDATABLE, _TEXT_FIELDS, extra_body)
        extras = Extras(query=extra_query, headers=extra_headers, body=extra_body)
        call = self._call("PUT", "/users/{uid}", extras, ids={"uid": uid}, body=body)
        return await self._send(call, decode_one(User))

    async def get(
        self,
        user_email: str,
        *,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> User:
        """One member with balances and expiration schedule (``GET /users/{user_email}``)."""
        extras = Extras(query=extra_query, headers=extra_headers)
        ids = {"user_email": user_email}
        call = self._call("GET", "/users/{user_email}", extras, ids=ids)
        return await self._send(call, decode_one(User))

    def list(
        self,
        *,
        from_date: date,
        to_date: date,
        filter_by: p.FilterBy | None = None,
        start_index: int = 0,
        prefetch: int = 0,
        count: int = 100,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> AsyncPaginator[User]:
        """Members enrolled (or active, with ``filter_by="last_activity_date"``) between two
        dates (``GET /users``), ``count`` per page (1 to 1000). ``prefetch=N`` fetches up to
        N pages ahead while you consume the current one (as ``transactions.list``).
        """
        start, end = p.date_range(from_date, to_date)
        query = p.compact(
            {
                "from_date": format_dmy_date(start),
                "to_date": format_dmy_date(end),
                "filter_by": p.filter_by(filter_by),
                "count": p.page_size("count", count),
            }
        )
        extras = Extras(query=extra_query, headers=extra_headers)
        return self._paginate(_USERS, query, extras, first_index=start_index, prefetch=prefetch)

    def transactions(
        self,
        user_email: str,
        *,
        from_date: date,
        to_date: date,
        points_status: p.PointsStatus | Iterable[p.PointsStatus] | None = None,
        start_index: int = 0,
        prefetch: int = 0,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> AsyncPaginator[Transaction]:
        """One member's transactions between two dates
        (``GET /users/{user_email}/transactions``); ``prefetch`` as ``transactions.list``.
        """
        path = route_path(_USER_TRANSACTIONS.route, {"user_email": user_email})
        start, end = p.date_range(from_date, to_date)
        query = p.compact(
            {
                "from_date": format_dmy_date(start),
                "to_date": format_dmy_date(end),
                "points_status": p.points_status_filter(points_status),
            }
        )
        extras = Extras(query=extra_query, headers=extra_headers)
        return self._paginate(
            _USER_TRANSACTIONS, query, extras, path=path, first_index=start_index, prefetch=prefetch
        )
