"""One page of a paged listing."""

from __future__ import annotations

from typing import Generic, TypeVar

import attrs

__all__ = ["Page"]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """A page of ``items`` fetched at ``start_index``.

    ``total`` is the server's count for the whole listing (``total`` or
    ``total_loyalty_users``); ``next_start_index`` and ``more`` are its cursor, as sent.
    """

    items: tuple[T, ...]
    start_index: int
    next_start_index: int | None = None
    more: bool | None = None
    total: int | None = None
