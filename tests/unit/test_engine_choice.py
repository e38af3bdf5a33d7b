"""Choosing an engine: names, missing extras and event loops an engine cannot run on are
refused at construction with an error that says what to do instead."""

from __future__ import annotations

import sys

import pytest

from shopsocially_async import ConfigurationError, ShopSociallyClient
from shopsocially_async.engines._auto import preferred_engine

pytestmark = pytest.mark.anyio


def test_an_unknown_engine_name_lists_the_known_ones() -> None:
    """transport="curl" is refused, naming every engine (pyqwest included)."""
    with pytest.raises(ConfigurationError, match="'pyqwest'") as caught:
        ShopSociallyClient("p", "k", transport="curl")  # type: ignore[arg-type]
    assert "'httpx', 'aiohttp', 'pyqwest', 'auto'" in str(caught.value)


@pytest.mark.parametrize(("engine", "extra"), [("pyqwest", "pyqwest"), ("aiohttp", "aiohttp")])
def test_an_engine_whose_extra_is_missing_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, engine: str, extra: str
) -> None:
    """Without the engine's library, building the client says which extra to install."""
    monkeypatch.setitem(sys.modules, engine, None)  # importing it now raises ImportError
    monkeypatch.delitem(sys.modules, f"shopsocially_async.engines._{engine}", raising=False)
    with pytest.raises(ConfigurationError) as caught:
        ShopSociallyClient("p", "k", transport=engine)  # type: ignore[arg-type]
    assert f"pip install 'shopsocially-async[{extra}]'" in str(caught.value)


@pytest.mark.parametrize("anyio_backend", ["trio"])
@pytest.mark.extras
async def test_aiohttp_under_trio_names_the_engines_that_run_there() -> None:
    """aiohttp has no trio support: the error points to httpx and pyqwest."""
    with pytest.raises(ConfigurationError, match="runs only under asyncio") as caught:
        ShopSociallyClient("p", "k", transport="aiohttp")
    assert "transport='pyqwest'" in str(caught.value)


def test_auto_prefers_the_fastest_engine_each_loop_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """By the benchmarks' measurements, with every engine installed: aiohttp under asyncio,
    pyqwest under trio."""
    from shopsocially_async import engines

    monkeypatch.setattr(engines, "installed_engines", lambda: ["httpx", "aiohttp", "pyqwest"])
    assert (preferred_engine("asyncio"), preferred_engine("trio")) == ("aiohttp", "pyqwest")


def test_auto_takes_pyqwest_under_asyncio_without_aiohttp(monkeypatch: pytest.MonkeyPatch) -> None:
    """With pyqwest but not aiohttp installed, auto is pyqwest on both loops."""
    from shopsocially_async import engines

    monkeypatch.setattr(engines, "installed_engines", lambda: ["httpx", "pyqwest"])
    assert (preferred_engine("asyncio"), preferred_engine("trio")) == ("pyqwest", "pyqwest")


def test_auto_falls_back_to_httpx_without_the_fast_engines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With neither aiohttp nor pyqwest installed, auto is httpx on both loops."""
    from shopsocially_async import engines

    monkeypatch.setattr(engines, "installed_engines", lambda: ["httpx"])
    assert (preferred_engine("asyncio"), preferred_engine("trio")) == ("httpx", "httpx")
