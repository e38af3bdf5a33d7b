"""The public surface: ``__all__`` complete and sorted, the error tree whole."""

from __future__ import annotations
import __future__

import importlib
import importlib.metadata
import importlib.resources
import inspect
import pkgutil
import re
import types

import pytest

import shopsocially_async
from shopsocially_async import errors, models, testing

#: Public modules that need an extra: the default-install session deselects their checks.
NEEDS_EXTRAS = {"distributed", "otel", "temporal"}
#: Every public module whose ``__all__`` is checked (imported by the test itself).
PUBLIC_MODULES = [
    pytest.param(
        f"shopsocially_async.{name}" if name else "shopsocially_async",
        marks=[pytest.mark.extras] if name in NEEDS_EXTRAS else [],
    )
    for name in ("", "errors", "models", "bulk", "sync", "testing", *sorted(NEEDS_EXTRAS))
]


def isort_key(name: str) -> tuple[int, str]:
    """ruff's RUF022 order: SCREAMING_CASE, then CamelCase, then everything else."""
    if name.isupper():
        return (0, name)
    if name[0].isupper():
        return (1, name)
    return (2, name)


#: Public, but with their own extras or purpose, so never imported by ``import shopsocially_async``.
OPTIONAL_SUBMODULES = {"cli", "distributed", "otel", "temporal", "testing"}

#: Imported for the module's own use, never part of the API.
NOT_EXPORTS = {"TYPE_CHECKING"}


def public_names(module: types.ModuleType) -> set[str]:
    """Names a module defines or re-exports for users: not private, not submodules,
    not ``from __future__`` features, not typing helpers."""
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and name not in NOT_EXPORTS
        and not isinstance(value, (types.ModuleType, __future__._Feature))
    }


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_is_sorted(name: str) -> None:
    """``__all__`` is kept in ruff's isort-style order, without duplicates."""
    module = importlib.import_module(name)
    assert module.__all__ == sorted(module.__all__, key=isort_key)
    assert len(set(module.__all__)) == len(module.__all__)


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_is_complete(name: str) -> None:
    """Every public name in the module's namespace is exported, and every export exists."""
    module = importlib.import_module(name)
    assert public_names(module) <= set(module.__all__)
    assert all(hasattr(module, name) for name in module.__all__)


def test_public_submodules_are_exported() -> None:
    """Every public subpackage or module is an attribute of the package and in ``__all__``."""
    for info in pkgutil.iter_modules(shopsocially_async.__path__):
        if info.name.startswith("_") or info.name in OPTIONAL_SUBMODULES:
            continue
        assert info.name in shopsocially_async.__all__, info.name
        assert isinstance(getattr(shopsocially_async, info.name), types.ModuleType)


@pytest.mark.parametrize("module", [errors, models], ids=lambda m: m.__name__)
def test_package_re_exports_public_submodules(module: types.ModuleType) -> None:
    """Every name exported by errors and models is importable from the package itself."""
    for name in module.__all__:
        assert name in shopsocially_async.__all__, name
        assert getattr(shopsocially_async, name) is getattr(module, name)


def test_testing_docstring_names_every_module() -> None:
    """The testing package's docstring names each of its modules (and no module it lacks),
    so a reader finds where every part of the fake lives."""
    assert testing.__doc__ is not None
    modules = {info.name for info in pkgutil.iter_modules(testing.__path__)}
    named = set(re.findall(r"``(_\w+|pytest_plugin)``", testing.__doc__))
    assert named == modules


def test_testing_exports_are_documented() -> None:
    """Every class and function ``testing`` exports has a docstring of its own."""
    for name in testing.__all__:
        value = getattr(testing, name)
        if inspect.isclass(value):
            assert vars(value).get("__doc__"), name
        elif inspect.isfunction(value):
            assert value.__doc__, name


def exception_classes() -> list[type[BaseException]]:
    """Every exception class defined in errors.py."""
    return [
        value
        for value in vars(errors).values()
        if inspect.isclass(value)
        and issubclass(value, BaseException)
        and value.__module__ == errors.__name__
    ]


def test_errors_all_lists_every_exception_class() -> None:
    """errors.__all__ is exactly the exception classes defined in errors.py."""
    assert {cls.__name__ for cls in exception_classes()} == set(errors.__all__)


@pytest.mark.parametrize("cls", exception_classes(), ids=lambda c: c.__name__)
def test_every_exception_is_a_shopsocially_error(cls: type[BaseException]) -> None:
    """One ``except ShopSociallyError`` catches everything the library raises."""
    assert issubclass(cls, errors.ShopSociallyError)


@pytest.mark.parametrize("cls", exception_classes(), ids=lambda c: c.__name__)
def test_every_exception_is_drawn_in_the_tree(cls: type[BaseException]) -> None:
    """The errors module docstring draws every class (so the picture stays true)."""
    assert errors.__doc__ is not None
    assert f" {cls.__name__} " in errors.__doc__ or f"── {cls.__name__}" in errors.__doc__
    assert cls.__doc__, f"{cls.__name__} needs a docstring"


def test_version_matches_the_distribution() -> None:
    """``__version__`` is the installed distribution's version."""
    assert shopsocially_async.__version__ == importlib.metadata.version("shopsocially-async")


def test_package_is_typed() -> None:
    """``py.typed`` ships, so type checkers use the inline annotations."""
    assert importlib.resources.files("shopsocially_async").joinpath("py.typed").is_file()
