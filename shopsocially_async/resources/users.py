"""``client.users``: loyalty members."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from .. import _params as p
from .._dates import format_dmy_date
from .._pagination import AsyncPaginator
from .._protocol import path_segment
from ..errors import InvalidArgumentError
from ..models import Page, Transaction, User
from ._base import Resource, decode_one, decode_page, make_call

__all__ = ["Users"]


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
        body = p.compact(
            {
                "first_name": p.text("first_name", first_name),
                "last_name": p.text("last_name", last_name),
                "email": p.text("email", email),
                "uid": p.text("uid", uid),
                "gender": _maybe_text("gender", gender),
                "profile_image_url": _maybe_text("profile_image_url", profile_image_url),
                "loyalty_level_id": _maybe_text("loyalty_level_id", loyalty_level_id),
            }
        )
        call = make_call(
            "POST", "/users", "/users", body=body, extra_body=extra_body,
            extra_query=extra_query, extra_headers=extra_headers,
        )  # fmt: skip
        return await self._send(call, decode_one(User))

    async def update(
        self,
        uid: str,
        *,
        loyalty_level_id: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> User:
        """Change a member created with your ``uid`` (``PUT /users/{uid}``); only the fields
        given are sent.
        """
        body = p.compact({"loyalty_level_id": _maybe_text("loyalty_level_id", loyalty_level_id)})
        if not body and not extra_body:
            raise InvalidArgumentError("users.update needs at least one field to change")
        call = make_call(
            "PUT", "/users/{uid}", "/users/" + path_segment(p.text("uid", uid)), body=body,
            extra_body=extra_body, extra_query=extra_query, extra_headers=extra_headers,
        )  # fmt: skip
        return await self._send(call, decode_one(User))

    async def get(
        self,
        user_email: str,
        *,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> User:
        """One member with balances and expiration schedule (``GET /users/{user_email}``)."""
        call = make_call(
            "GET", "/users/{user_email}", _user_path(user_email), extra_query=extra_query,
            extra_headers=extra_headers,
        )  # fmt: skip
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
        p.merge_extra("query", {**query, "start_index": start_index}, extra_query)

        async def fetch(index: int) -> Page[User]:
            call = make_call(
                "GET", "/users", "/users", query={**query, "start_index": index},
                extra_query=extra_query, extra_headers=extra_headers,
            )  # fmt: skip
            decode = decode_page(
                User, items_key="loyalty_users", total_key="total_loyalty_users", start_index=index
            )
            return await self._send(call, decode)

        return AsyncPaginator(
            fetch, start_index=p.start_index(start_index), prefetch=p.prefetch(prefetch)
        )

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
        path = _user_path(user_email) + "/transactions"
        start, end = p.date_range(from_date, to_date)
        query = p.compact(
            {
                "from_date": format_dmy_date(start),
                "to_date": format_dmy_date(end),
                "points_status": p.points_status_filter(points_status),
            }
        )
        p.merge_extra("query", {**query, "start_index": start_index}, extra_query)

        async def fetch(index: int) -> Page[Transaction]:
            call = make_call(
                "GET", "/users/{user_email}/transactions", path,
                query={**query, "start_index": index}, extra_query=extra_query,
                extra_headers=extra_headers,
            )  # fmt: skip
            decode = decode_page(
                Transaction, items_key="transactions", total_key="total", start_index=index
            )
            return await self._send(call, decode)

        return AsyncPaginator(
            fetch, start_index=p.start_index(start_index), prefetch=p.prefetch(prefetch)
        )


def _user_path(user_email: str) -> str:
    return "/users/" + path_segment(p.text("user_email", user_email))


def _maybe_text(name: str, value: str | None) -> str | None:
    return None if value is None else p.text(name, value)
