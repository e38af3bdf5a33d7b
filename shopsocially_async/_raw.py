"""Raw responses: the HTTP response behind a call, with its typed result a ``.parse()`` away.

``client.with_raw_response.points.award(...)`` takes the arguments of ``client.points.award``
and returns a :class:`RawResponse` ``[Transaction]``; ``client.with_raw_response.transactions
.list(...)`` returns :class:`RawPages`, whose pages come as ``RawResponse[Page[Transaction]]``.
A raw call is the same call: same request, same retries, same errors (with the same
``outcome_unknown``). Only decoding the model waits for :meth:`RawResponse.parse`, so a body
that does not fit the model can still be read; ``parse()`` then raises the
``ResponseValidationError`` the plain call would have raised.

Nothing here costs a plain call anything: the response is kept only for raw calls.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from typing import Any, Generic, TypeVar, cast

import attrs

from ._http import Headers, Request, RequestInfo
from ._pagination import AsyncPaginator
from ._redact import redact_bytes, redact_headers, secrets_of
from ._retry import may_have_applied
from .engines import Response
from .errors import ShopSociallyError
from .models.page import Page

__all__ = ["RawPages", "RawResponse", "raw_response"]

T = TypeVar("T")

_UNPARSED: Any = object()


class RawResponse(Generic[T]):
    """The response to a call (the last attempt's), and its result: :meth:`parse`.

    - ``status_code``, ``headers`` (a case-insensitive :class:`~.Headers`), ``content`` (the
      body, decompressed) and ``text``: as received, except that any echo of the credentials
      is masked, and secret headers (``set-cookie``...) read ``***``;
    - ``retries``: how many times the call was retried (attempts - 1);
    - ``elapsed``: seconds from the start of the call to its answer, retries, their waits and
      the rate limiter included;
    - ``request``: the request's :class:`~.RequestInfo` (secret headers masked). Its ``url``
      holds identifiers such as member emails: log ``request.route`` instead.
    """

    __slots__ = (
        "_data",
        "_decode",
        "_is_write",
        "_parsed",
        "content",
        "elapsed",
        "headers",
        "request",
        "retries",
        "status_code",
    )

    def __init__(
        self,
        *,
        status_code: int,
        headers: Headers,
        content: bytes,
        request: RequestInfo,
        retries: int,
        elapsed: float,
        data: Any,
        decode: Callable[[Any], T],
        is_write: bool,
    ) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content
        self.request = request
        self.retries = retries
        self.elapsed = elapsed
        self._data = data
        self._decode = decode
        self._is_write = is_write
        self._parsed: T = _UNPARSED

    @property
    def text(self) -> str:
        """The body as text (UTF-8, undecodable bytes replaced)."""
        return self.content.decode("utf-8", "replace")

    def parse(self) -> T:
        """The typed result, exactly what the plain call returns; decoded once, then cached.

        Raises the plain call's :class:`~.errors.ResponseValidationError` when the body does
        not fit the model (for a write, with ``outcome_unknown=True``: the API said success).
        """
        if self._parsed is _UNPARSED:
            try:
                self._parsed = self._decode(self._data)
            except ShopSociallyError as exc:
                exc.outcome_unknown = self._is_write and may_have_applied(exc)
                raise
            self._data = None  # the document is no longer needed
        return self._parsed

    def __repr__(self) -> str:
        return (
            f"<RawResponse {self.status_code} for {self.request.route}, "
            f"retries={self.retries}, elapsed={self.elapsed:.3f}s>"
        )


def raw_response(
    request: Request,
    response: Response,
    *,
    attempts: int,
    elapsed: float,
    data: Any,
    decode: Callable[[Any], T],
    is_write: bool,
) -> RawResponse[T]:
    """The raw response of a call whose last attempt sent ``request`` and got ``response``;
    the credentials are masked wherever the server may have echoed them."""
    secrets = secrets_of(request)
    return RawResponse(
        status_code=response.status,
        headers=redact_headers(response.headers, secrets).masked(request.secret_names),
        content=redact_bytes(response.body, secrets) if secrets else response.body,
        request=request.info(),
        retries=attempts - 1,
        elapsed=elapsed,
        data=data,
        decode=decode,
        is_write=is_write,
    )


@attrs.frozen(kw_only=True)
class _PageAndResponse(Page[T]):
    """A page carrying its raw response through the paginator (never shown to users)."""

    response: RawResponse[Page[T]] = attrs.field(eq=False, repr=False)


class RawPages(Generic[T]):
    """A paged listing whose pages come with their raw responses.

    ``pages()`` yields a ``RawResponse[Page[T]]`` per page (``.parse()`` is the page, decoded
    already: the next cursor is read from it) and ``first_page()`` fetches one. Paging is the
    :class:`~.AsyncPaginator`'s own: lazy, in order, the same cursor checks and ``prefetch``.
    """

    def __init__(
        self,
        fetch_page: Callable[[int], Awaitable[RawResponse[Page[T]]]],
        *,
        start_index: int,
        prefetch: int = 0,
    ) -> None:
        async def fetch(index: int) -> Page[T]:
            response = await fetch_page(index)
            fields = attrs.asdict(response.parse(), recurse=False)
            return _PageAndResponse(**fields, response=response)

        self._pager = AsyncPaginator(fetch, start_index=start_index, prefetch=prefetch)

    @property
    def start_index(self) -> int:
        """Where iteration starts."""
        return self._pager.start_index

    @property
    def prefetch(self) -> int:
        """Pages fetched ahead while you consume the current one (0: none)."""
        return self._pager.prefetch

    async def pages(self) -> AsyncGenerator[RawResponse[Page[T]], None]:
        """Yield each page's raw response, in order."""
        async with aclosing(self._pager.pages()) as pages:
            async for page in pages:
                yield _response_of(page)

    async def first_page(self) -> RawResponse[Page[T]]:
        """Fetch only the page at ``start_index``."""
        return _response_of(await self._pager.first_page())


def _response_of(page: Page[T]) -> RawResponse[Page[T]]:
    return cast(_PageAndResponse[T], page).response
