"""Blocking twins of async methods, typed from the async methods themselves.

``award = Blocking(Points.award)`` on a :class:`SyncResource` makes ``sync_points.award`` a
plain function with exactly the parameters of ``Points.award`` (captured by a ``ParamSpec``)
that returns what the coroutine returns. ``Paging`` does the same for listing methods, turning
the ``AsyncPaginator[T]`` into a :class:`~.SyncPaginator`. A parameter added to, removed from or
retyped in an async method reaches its blocking twin, for type checkers (``tests/typing``) and
for ``inspect.signature`` alike, without touching this package. (The descriptor machinery is
:mod:`.._twins`, shared with ``client.with_raw_response``.)

:func:`arguments_of` and :func:`arguments_of_method` do the same for a constructor and for
``with_options``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from .._pagination import AsyncPaginator
from .._twins import ResourceView, Twin
from ._loop import EventLoopThread
from ._pagination import SyncPaginator

__all__ = ["Blocking", "Paging", "SyncResource", "arguments_of", "arguments_of_method"]

P = ParamSpec("P")
T = TypeVar("T")
R = TypeVar("R")
S = TypeVar("S")
AsyncResource = TypeVar("AsyncResource")


class SyncResource(ResourceView[AsyncResource]):
    """A group of blocking endpoint methods, each the twin of one method of an async resource."""

    def __init__(self, resource: AsyncResource, loop: EventLoopThread) -> None:
        super().__init__(resource)
        self._loop = loop


class Blocking(Twin[P, T]):
    """The blocking twin of a coroutine method: same arguments, same result, same errors."""

    def __init__(self, method: Callable[Concatenate[Any, P], Awaitable[T]]) -> None:
        super().__init__(method)

    def _twin(self, bound: Callable[P, Awaitable[T]], view: SyncResource[Any]) -> Callable[P, T]:
        loop = view._loop

        def blocking(*args: P.args, **kwargs: P.kwargs) -> T:
            return loop.run(functools.partial(bound, *args, **kwargs))

        return blocking


class Paging(Twin[P, SyncPaginator[T]]):
    """The twin of a listing method: same arguments, checked at the call; a paginator that
    iterates with ``for``."""

    def __init__(self, method: Callable[Concatenate[Any, P], AsyncPaginator[T]]) -> None:
        super().__init__(method)

    def _twin(
        self, bound: Callable[P, AsyncPaginator[T]], view: SyncResource[Any]
    ) -> Callable[P, SyncPaginator[T]]:
        loop = view._loop

        def paging(*args: P.args, **kwargs: P.kwargs) -> SyncPaginator[T]:
            return SyncPaginator(bound(*args, **kwargs), loop)

        return paging

    def _returns(self, annotation: str) -> str:
        return annotation.replace("AsyncPaginator", "SyncPaginator")


def arguments_of(
    source: Callable[P, object],
) -> Callable[[Callable[..., R]], Callable[Concatenate[Any, P], R]]:
    """Type a method (e.g. ``__init__``) as taking exactly the arguments of ``source``."""

    def adopt(method: Callable[..., R]) -> Callable[Concatenate[Any, P], R]:
        method.__signature__ = _with_self(inspect.signature(source))  # type: ignore[attr-defined]
        return method

    return adopt


def arguments_of_method(
    source: Callable[Concatenate[Any, P], object],
) -> Callable[[Callable[..., R]], Callable[Concatenate[Any, P], R]]:
    """Type a method as taking exactly the arguments of the method ``source`` (after self)."""

    def adopt(method: Callable[..., R]) -> Callable[Concatenate[Any, P], R]:
        signature = inspect.signature(source)
        method.__signature__ = signature.replace(  # type: ignore[attr-defined]
            return_annotation=inspect.signature(method).return_annotation
        )
        return method

    return adopt


def _with_self(signature: inspect.Signature) -> inspect.Signature:
    self = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return signature.replace(parameters=[self, *signature.parameters.values()])
