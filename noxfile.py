"""Developer tasks: ``nox -s tests``, ``nox -s lint``, ``nox -s typecheck``, ``nox -s bench``.

The package is installed into each session's virtualenv and pytest imports it with
``--import-mode=importlib``, so the tests exercise the installed package, not the checkout.
"""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True


PYTEST = ("-m", "pytest", "--import-mode=importlib", "-p", "no:cacheprovider")


@nox.session
def tests(session: nox.Session) -> None:
    """The whole suite under asyncio and trio; socket-level tests on every installed engine
    (the ``engine`` fixture), with branch coverage."""
    session.install("-e", ".[test]")
    session.run("coverage", "run", *PYTEST, *session.posargs)
    session.run("coverage", "report", "--fail-under=85")


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: the curated rule set and formatting."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package and on tests/typing (type-checked, never run)."""
    session.install("-e", ".[test]", "mypy>=1.11")
    session.run("mypy")


@nox.session
def bench(session: nox.Session) -> None:
    """Run every benchmark and rewrite benchmarks/RESULTS.md."""
    session.install("-e", ".[bench]")
    session.run("python", "-m", "benchmarks", *session.posargs)
