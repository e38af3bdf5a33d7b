"""Plain values for one HTTP exchange: what engines send and receive, and what errors show.

- :class:`Request` is the request description the pure protocol builds and every engine
  sends: method, URL (path and query already encoded), header pairs and body bytes. It holds
  the credentials, so its ``repr`` masks them and it is never attached to an error.
- :class:`Headers` is a small read-only, case-insensitive mapping over header pairs.
- :class:`RequestInfo` and :class:`ResponseInfo` are the read-only views errors carry
  (``exc.request``, ``exc.response``): secrets are masked in them for good, not just in their
  ``repr``, so nothing a user prints, logs or pickles can reveal the API key.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

__all__ = [
    "MASK",
    "SECRET_HEADERS",
    "Headers",
    "Request",
    "RequestInfo",
    "ResponseInfo",
]

#: What a secret header value is replaced with in every view.
MASK = "***"
#: Header names whose values are secrets whoever sets them (lower case).
SECRET_HEADERS = frozenset(
    {"api-key", "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)

HeaderPairs = tuple[tuple[str, str], ...]


class Headers(Mapping[str, str]):
    """Read-only, case-insensitive header pairs; a repeated header reads as ``"a, b"``.

    >>> Headers([("Retry-After", "2")])["retry-after"]
    '2'
    """

    __slots__ = ("_by_name", "_pairs")

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self._pairs: HeaderPairs = tuple(pairs)
        self._by_name: dict[str, str] | None = None  # built on first lookup

    def _index(self) -> dict[str, str]:
        if self._by_name is None:
            index: dict[str, str] = {}
            for name, value in self._pairs:
                key = name.lower()
                index[key] = f"{index[key]}, {value}" if key in index else value
            self._by_name = index
        return self._by_name

    def __getitem__(self, name: str) -> str:
        return self._index()[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._index()

    def __iter__(self) -> Iterator[str]:
        return iter(self._index())

    def __len__(self) -> int:
        return len(self._index())

    def pairs(self) -> HeaderPairs:
        """The header pairs as received or sent, in order, repeats kept."""
        return self._pairs

    def masked(self, secret_names: frozenset[str] = SECRET_HEADERS) -> Headers:
        """A copy whose secret values are replaced by ``***``."""
        return Headers(
            (name, MASK if name.lower() in secret_names else value) for name, value in self._pairs
        )

    def __repr__(self) -> str:
        return f"Headers({list(self.masked()._pairs)!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return self._index() == other._index()
        if isinstance(other, Mapping):
            return self._index() == {str(k).lower(): v for k, v in other.items()}
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class Request:
    """One request as every engine sends it. Internal: it carries the credentials.

    ``headers`` are the exact pairs to send (engines add only ``Host`` and
    ``Content-Length``); ``route`` names the endpoint without identifiers, for logs.
    """

    __slots__ = ("body", "headers", "method", "route", "secret_names", "url")

    def __init__(
        self,
        method: str,
        url: str,
        headers: HeaderPairs,
        body: bytes | None,
        *,
        route: str,
        secret_names: frozenset[str] = SECRET_HEADERS,
    ) -> None:
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.route = route
        #: Header names masked in every view of this request (the auth hook's included).
        self.secret_names = secret_names

    def with_headers(self, extra: Mapping[str, str], *, secret: bool) -> Request:
        """A copy with ``extra`` headers added (replacing same-named ones)."""
        names = {name.lower() for name in extra}
        kept = tuple(pair for pair in self.headers if pair[0].lower() not in names)
        secrets = self.secret_names | names if secret else self.secret_names
        return Request(
            self.method,
            self.url,
            kept + tuple(extra.items()),
            self.body,
            route=self.route,
            secret_names=secrets,
        )

    def info(self) -> RequestInfo:
        """The read-only view errors carry: secret header values masked."""
        return RequestInfo(
            self.method, self.url, Headers(self.headers).masked(self.secret_names), self.route
        )

    def __repr__(self) -> str:
        return f"<Request {self.route}>"


class RequestInfo:
    """What an error tells about the request: method, URL, headers (secrets masked), route.

    The URL includes identifiers (e.g. a member's email); log ``route`` instead where that
    matters.
    """

    __slots__ = ("headers", "method", "route", "url")

    def __init__(self, method: str, url: str, headers: Headers, route: str) -> None:
        self.method = method
        self.url = url
        self.headers = headers
        self.route = route

    def __repr__(self) -> str:
        return f"<RequestInfo {self.route}>"


class ResponseInfo:
    """What an error tells about the response: status, headers, the (decoded) body bytes,
    and the request it answered. Values that echoed a secret are redacted."""

    __slots__ = ("content", "headers", "request", "status_code")

    def __init__(
        self, status_code: int, headers: Headers, content: bytes, request: RequestInfo
    ) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content
        self.request = request

    @property
    def text(self) -> str:
        """The body as text (UTF-8, undecodable bytes replaced)."""
        return self.content.decode("utf-8", "replace")

    def __repr__(self) -> str:
        return f"<ResponseInfo {self.status_code} for {self.request.route}>"
