"""What every resource shares: the link to its client and the response decoders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import attrs

from .._convert import structure, structure_many, structure_optional_scalar
from .._pagination import AsyncPaginator
from .._params import Validator, header_pairs, merge_extra, validated
from .._params import prefetch as check_prefetch
from .._params import start_index as check_start_index
from .._protocol import Call, RetrySafety
from .._raw import RawPages, RawResponse
from ..errors import InvalidArgumentError, ResponseValidationError
from ..models.page import Page

if TYPE_CHECKING:
    from .._client import ShopSociallyClient

T = TypeVar("T")

__all__ = ["Listing", "Resource", "decode_list", "decode_one", "decode_page", "update_body"]


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

    async def _send(self, call: Call, decode: Callable[[Any], T]) -> T:
        if self._raw:
            return cast(T, await self._client._request_raw(call, decode))
        return await self._client._request(call, decode)

    def _paginate(
        self,
        listing: Listing[T],
        path: str,
        query: dict[str, Any],
        *,
        first_index: int,
        prefetch: int,
        extra_query: Mapping[str, Any] | None,
        extra_headers: Mapping[str, str] | None,
    ) -> AsyncPaginator[T]:
        """A lazy paginator over ``listing`` at ``path``; arguments are checked now, so a bad
        one fails at the call and not in the middle of iterating."""
        merge_extra("query", {**query, "start_index": first_index}, extra_query)
        if extra_headers:
            extra_headers = header_pairs("extra_headers", extra_headers)

        async def fetch(index: int) -> Page[T]:
            call = make_call(
                "GET", listing.route, path, query={**query, "start_index": index},
                extra_query=extra_query, extra_headers=extra_headers,
            )  # fmt: skip
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


def make_call(
    method: str,
    route: str,
    path: str,
    *,
    safety: RetrySafety | None = None,
    query: dict[str, Any] | None = None,
    body: dict[str, Any] | None = None,
    extra_query: Mapping[str, Any] | None = None,
    extra_body: Mapping[str, Any] | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> Call:
    """Describe a call; GETs and PUTs are idempotent, POSTs unsafe unless told otherwise."""
    is_write = method != "GET"
    if safety is None:
        safety = RetrySafety.UNSAFE if method == "POST" else RetrySafety.IDEMPOTENT
    if is_write:
        body = merge_extra("body", body or {}, extra_body)
    return Call(
        method=method,
        path=path,
        safety=safety,
        query=merge_extra("query", query or {}, extra_query) or None,
        body=body,
        extra_headers=header_pairs("extra_headers", extra_headers) if extra_headers else None,
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
    """Decoder for a ``data`` array (a lone object, as some examples show, is one record)."""

    def decode(data: Any) -> list[T]:
        if isinstance(data, dict):
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
