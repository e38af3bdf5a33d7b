"""What only the pyqwest engine needs: a process forked after pyqwest ran in its parent is
told to use another engine, instead of every request waiting for its deadline (fork() copies
none of the threads of pyqwest's Rust runtime)."""

from __future__ import annotations

import os
import warnings

import anyio
import pytest

from shopsocially_async import ConfigurationError, ShopSociallyClient

from .rawserver import RawServer, make_client, respond, serve

pytestmark = pytest.mark.extras  # needs the pyqwest extra


async def one_call(client: ShopSociallyClient) -> str:
    """A read (bounded: a child must never hang the suite); the transaction's id."""
    with anyio.fail_after(10):
        return (await client.transactions.get("t-1")).id


def outcomes(client: ShopSociallyClient) -> str:
    """Build a new pyqwest client, then call on ``client``: what each did."""
    done = []
    try:
        make_client("pyqwest", 1)
        done.append("built")
    except ConfigurationError as exc:
        done.append(type(exc).__name__ + (" spawn" if "'spawn'" in str(exc) else ""))
    try:
        done.append(anyio.run(one_call, client))
    except ConfigurationError as exc:
        done.append(type(exc).__name__)
    return ",".join(done)


def in_a_child(client: ShopSociallyClient) -> str:
    """:func:`outcomes` in a forked child, as it reports them through a pipe."""
    read, write = os.pipe()
    with warnings.catch_warnings():  # Python 3.12+ warns about fork() with threads running
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (coverage is not collected there)
        try:
            report = outcomes(client)
        except BaseException as exc:  # never let the child go on running pytest
            report = f"unexpected {type(exc).__name__}"
        os.write(write, report.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        report = pipe.read().decode()
    assert os.waitpid(pid, 0)[1] == 0
    return report


def test_a_child_forked_after_pyqwest_ran_is_refused_at_once() -> None:
    """In the child: building a pyqwest client, and calling on one the parent used, both raise
    ConfigurationError pointing to the 'spawn' start method (no request waits forever)."""
    with serve(RawServer(respond())) as server:
        client = make_client("pyqwest", server.port)
        assert anyio.run(one_call, client) == "t-1"
        report = in_a_child(client)
        anyio.run(client.aclose)
    assert report == "ConfigurationError spawn,ConfigurationError"
