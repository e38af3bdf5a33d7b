"""Twins of resource methods, typed from the methods themselves.

A :class:`ResourceView` wraps one resource object (``client.points``); each :class:`Twin` on
it is a descriptor naming one method of the resource's class and turning the bound method into
its twin: the blocking one (:mod:`.sync._mirror`), the raw one (:mod:`.resources._raw`). The
twin's parameters are the method's, captured by a ``ParamSpec``: a parameter added, removed or
retyped in a resource reaches every twin, for type checkers (``tests/typing``) and for
``inspect.signature`` alike.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, overload

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["ResourceView", "Twin"]

P = ParamSpec("P")
R = TypeVar("R")
Wrapped = TypeVar("Wrapped")


class ResourceView(Generic[Wrapped]):
    """A group of twins of the methods of one resource object."""

    def __init__(self, resource: Wrapped) -> None:
        self._resource = resource

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._resource!r}>"


class Twin(Generic[P, R]):
    """A descriptor: on a :class:`ResourceView`, the twin of one method of its resource."""

    def __init__(self, method: Callable[..., Any]) -> None:
        #: The method mirrored (its function, as found on the resource class).
        self.method = method
        self.__doc__ = method.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        if name != self.method.__name__:
            raise TypeError(f"{owner.__name__}.{name} mirrors {self.method.__qualname__}")

    @overload
    def __get__(self, obj: None, owner: type[Any] | None = None) -> Self: ...
    @overload
    def __get__(self, obj: ResourceView[Any], owner: type[Any] | None = None) -> Callable[P, R]: ...
    def __get__(
        self, obj: ResourceView[Any] | None, owner: type[Any] | None = None
    ) -> Self | Callable[P, R]:
        if obj is None:
            return self
        bound = getattr(obj._resource, self.method.__name__)
        twin = functools.update_wrapper(self._twin(bound, obj), bound)
        signature = inspect.signature(bound)
        returns = self._returns(str(signature.return_annotation))
        twin.__signature__ = signature.replace(return_annotation=returns)  # type: ignore[attr-defined]
        obj.__dict__[self.method.__name__] = twin  # built once per view
        return twin

    def _twin(self, bound: Callable[P, Any], view: Any) -> Callable[P, R]:
        """The twin of ``bound``, the method of ``view``'s resource."""
        raise NotImplementedError

    def _returns(self, annotation: str) -> str:
        """What the twin returns, for ``inspect.signature``, given what the method returns."""
        return annotation
