"""Blocking twins of async methods, typed from the async methods themselves.

``award = Blocking(Points.award)`` on a :class:`SyncResource` makes ``sync_points.award`` a
plain function with exactly the parameters of ``Points.award`` (captured by a ``ParamSpec``)
that returns what the coroutine returns. ``Paging`` does the same for listing methods, turning
the ``AsyncPaginator[T]`` into a :class:`~.SyncPaginator`. A parameter added to, removed from or
retyped in an async method reaches its blocking twin, for type checkers (``tests/typing``) and
for ``inspect.signature`` alike, without touching this package.

:func:`arguments_of` and :func:`arguments_of_method` do the same for a constructor and for
``with_options``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from .._pagination import AsyncPaginator
from ._loop import EventLoopThread
from ._pagination import SyncPaginator

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["Blocking", "Paging", "SyncResource", "arguments_of", "arguments_of_method"]

P = ParamSpec("P")
T = TypeVar("T")
R = TypeVar("R")
S = TypeVar("S")
AsyncResource = TypeVar("AsyncResource")


class SyncResource(Generic[AsyncResource]):
    """A group of blocking endpoint methods, each the twin of one method of an async resource."""

    def __init__(self, resource: AsyncResource, loop: EventLoopThread) -> None:
        self._resource = resource
        self._loop = loop

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._resource!r}>"


class _Mirror(Generic[P, R]):
    """A descriptor: on a :class:`SyncResource`, the blocking twin of one async method."""

    def __init__(self, method: Callable[..., Any]) -> None:
        #: The async method mirrored (its function, as found on the async resource class).
        self.method = method
        self.__doc__ = method.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        if name != self.method.__name__:
            raise TypeError(f"{owner.__name__}.{name} mirrors {self.method.__qualname__}")

    @overload
    def __get__(self, obj: None, owner: type[Any] | None = None) -> Self: ...
    @overload
    def __get__(self, obj: SyncResource[Any], owner: type[Any] | None = None) -> Callable[P, R]: ...
    def __get__(
        self, obj: SyncResource[Any] | None, owner: type[Any] | None = None
    ) -> Self | Callable[P, R]:
        if obj is None:
            return self
        bound = getattr(obj._resource, self.method.__name__)
        twin = functools.update_wrapper(self._twin(bound, obj._loop), bound)
        obj.__dict__[self.method.__name__] = twin  # built once per resource object
        return twin

    def _twin(self, bound: Callable[P, Any], loop: EventLoopThread) -> Callable[P, R]:
        raise NotImplementedError


class Blocking(_Mirror[P, T]):
    """The blocking twin of a coroutine method: same arguments, same result, same errors."""

    def __init__(self, method: Callable[Concatenate[Any, P], Awaitable[T]]) -> None:
        super().__init__(method)

    def _twin(self, bound: Callable[P, Awaitable[T]], loop: EventLoopThread) -> Callable[P, T]:
        def blocking(*args: P.args, **kwargs: P.kwargs) -> T:
            return loop.run(functools.partial(bound, *args, **kwargs))

        return blocking


class Paging(_Mirror[P, SyncPaginator[T]]):
    """The twin of a listing method: same arguments, checked at the call; a paginator that
    iterates with ``for``."""

    def __init__(self, method: Callable[Concatenate[Any, P], AsyncPaginator[T]]) -> None:
        super().__init__(method)

    def _twin(
        self, bound: Callable[P, AsyncPaginator[T]], loop: EventLoopThread
    ) -> Callable[P, SyncPaginator[T]]:
        def paging(*args: P.args, **kwargs: P.kwargs) -> SyncPaginator[T]:
            return SyncPaginator(bound(*args, **kwargs), loop)

        signature = inspect.signature(bound)
        returns = str(signature.return_annotation).replace("AsyncPaginator", "SyncPaginator")
        paging.__signature__ = signature.replace(return_annotation=returns)  # type: ignore[attr-defined]
        return paging


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
