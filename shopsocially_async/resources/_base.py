"""What every resource shares: the link to its client, building calls, and the decoders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import attrs

from .._convert import structure, structure_many, structure_optional_scalar
from .._extras import header_pairs, merge_extra
from .._pagination import AsyncPaginator
from .._params import Validator, identifier, validated
from .._params import prefetch as check_prefetch
from .._params import start_index as check_start_index
from .._protocol import Call, RetrySafety, path_segment
from .._raw import RawPages, RawResponse
from ..errors import InvalidArgumentError, ResponseValidationError
from ..models.page import Page

if TYPE_CHECKING:
    from .._client import ShopSociallyClient

T = TypeVar("T")

__all__ = [
    "Extras",
    "Listing",
    "Resource",
    "decode_list",
    "decode_one",
    "decode_page",
    "route_path",
    "update_body",
]


@attrs.frozen(kw_only=True)
class Extras:
    """What a caller sends beside a method's named arguments, as given: ``extra_query``,
    ``extra_headers`` and, on writes, ``extra_body``. Checked when the call is built."""

    query: Mapping[str, Any] | None = None
    headers: Mapping[str, str] | None = None
    body: Mapping[str, Any] | None = None


class Resource:
    """A group of endpoints (``client.points``, ``client.users``, ...).

    Every method ends with ``return await self._send(...)`` or ``return self._paginate(...)``.
    The resources of ``client.with_raw_response`` are made with ``raw=True``: there these
    return a :class:`~.._raw.RawResponse` and :class:`~.._raw.RawPages`, which the raw twins
    (:mod:`._raw`) declare as their types.
    """

    def __init__(self, client: ShopSociallyClient, *, raw: bool = False) -> None:
        self._client = client
        self._raw = raw

    def _call(
        self,
        method: str,
        route: str,
        extras: Extras,
        *,
        ids: Mapping[str, str] | None = None,
        body: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        safety: RetrySafety | None = None,
    ) -> Call:
        """The call to ``route`` (``"/users/{uid}"``, each ``{name}`` filled from ``ids``),
        with the extras checked and merged. GETs and PUTs are idempotent, POSTs unsafe unless
        ``safety`` says otherwise."""
        path = route_path(route, ids) if ids else route
        return _build_call(method, route, path, extras, body=body, query=query, safety=safety)

    async def _send(self, call: Call, decode: Callable[[Any], T]) -> T:
        if self._raw:
            return cast(T, await self._client._request_raw(call, decode))
        return await self._client._request(call, decode)

    def _paginate(
        self,
        listing: Listing[T],
        query: dict[str, Any],
        extras: Extras,
        *,
        path: str | None = None,
        first_index: int,
        prefetch: int,
    ) -> AsyncPaginator[T]:
        """A lazy paginator over ``listing`` (at ``path``, its route by default). The first
        page's call is built now, so a bad argument fails at the call and not in the middle
        of iterating; every page sends what was checked then, at its own ``start_index``."""
        first = _build_call(
            "GET",
            listing.route,
            path or listing.route,
            extras,
            query={**query, "start_index": first_index},
        )

        async def fetch(index: int) -> Page[T]:
            call = attrs.evolve(first, query={**(first.query or {}), "start_index": index})
            return await self._send(call, listing.decoder(index))

        start, ahead = check_start_index(first_index), check_prefetch(prefetch)
        if self._raw:
            raw_fetch = cast(Callable[[int], Awaitable[RawResponse[Page[T]]]], fetch)
            return cast(AsyncPaginator[T], RawPages(raw_fetch, start_index=start, prefetch=ahead))
        return AsyncPaginator(fetch, start_index=start, prefetch=ahead)


@attrs.frozen
class Listing(Generic[T]):
    """A paged endpoint: its route and where its page keeps the items and the total."""

    route: str
    model: type[T]
    items_key: str
    total_key: str

    def decoder(self, start_index: int) -> Callable[[Any], Page[T]]:
        return decode_page(
            self.model,
            items_key=self.items_key,
            total_key=self.total_key,
            start_index=start_index,
        )


def route_path(route: str, ids: Mapping[str, str]) -> str:
    """``route`` with each ``{name}`` replaced by ``ids[name]``, checked and percent-encoded
    as exactly one path segment: ``route_path("/users/{uid}", {"uid": "a/b"})`` is
    ``"/users/a%2Fb"``."""
    return route.format_map({name: path_segment(identifier(name, v)) for name, v in ids.items()})


def _build_call(
    method: str,
    route: str,
    path: str,
    extras: Extras,
    *,
    body: dict[str, Any] | None = None,
    query: dict[str, Any] | None = None,
    safety: RetrySafety | None = None,
) -> Call:
    is_write = method != "GET"
    if safety is None:
        safety = RetrySafety.UNSAFE if method == "POST" else RetrySafety.IDEMPOTENT
    if is_write:
        body = merge_extra("body", body or {}, extras.body)
    return Call(
        method=method,
        path=path,
        safety=safety,
        query=merge_extra("query", query or {}, extras.query) or None,
        body=body,
        extra_headers=header_pairs("extra_headers", extras.headers) if extras.headers else None,
        is_write=is_write,
        route=f"{method} {route}",
    )


def update_body(
    endpoint: str,
    changes: Mapping[str, object],
    documented: Collection[str],
    checks: Mapping[str, Validator],
    extra_body: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The body of ``endpoint`` (``"activities.update"``): the ``changes`` its reference table
    documents, each checked, those given as None left out. A name the table does not list is
    refused, naming it (a typo must not pass silently; ``extra_body`` sends what the reference
    does not document), and so is an update that changes nothing."""
    unknown = sorted(set(changes) - set(documented))
    if unknown:
        raise InvalidArgumentError(
            f"{endpoint} does not take {', '.join(unknown)}: it changes only "
            f"{', '.join(documented)} (send fields the reference does not list in extra_body)"
        )
    body = validated(changes, checks)
    if not body and not extra_body:
        raise InvalidArgumentError(f"{endpoint} needs at least one field to change")
    return body


def decode_one(model: type[T]) -> Callable[[Any], T]:
    """Decoder for a ``data`` object holding one record."""

    def decode(data: Any) -> T:
        return structure(data, model)

    return decode


def decode_list(model: type[T]) -> Callable[[Any], list[T]]:
    """Decoder for a ``data`` array (a lone object, as some examples show, is one record;
    an empty object is no list and no record: an error, not an empty listing)."""

    def decode(data: Any) -> list[T]:
        if isinstance(data, dict) and data:
            data = [data]
        return list(structure_many(data, model, path="$.data"))

    return decode


def decode_page(
    model: type[T], *, items_key: str, total_key: str, start_index: int
) -> Callable[[Any], Page[T]]:
    """Decoder for a listing page: ``{items_key: [...], total_key, next_start_index, more}``."""

    def decode(data: Any) -> Page[T]:
        if not isinstance(data, dict):
            raise ResponseValidationError(
                f"expected a listing object @ $.data, got {type(data).__name__}", path="$.data"
            )
        return Page(
            items=structure_many(data.get(items_key), model, path=f"$.data.{items_key}"),
            start_index=start_index,
            next_start_index=structure_optional_scalar(data, "next_start_index", int),
            more=structure_optional_scalar(data, "more", bool),
            total=structure_optional_scalar(data, total_key, int),
        )

    return decode
