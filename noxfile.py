"""Developer tasks: ``nox -s tests``, ``lint``, ``typecheck``, ``package``, ``bench``.

The package is installed into each session's virtualenv and pytest imports it with
``--import-mode=importlib``, so the tests exercise the installed package, not the checkout.
"""

from __future__ import annotations

import shutil
import tarfile
import zipfile
from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "package"]
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


#: What an sdist must hold for a source build and its tests; what a wheel must carry along.
SDIST_NEEDS = (
    "pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE", "noxfile.py",
    "shopsocially_async/py.typed", "tests/conftest.py", "tests/plugin/readme_example.py",
)  # fmt: skip
WHEEL_NEEDS = ("shopsocially_async/py.typed", "licenses/LICENSE", "entry_points.txt")
README_EXAMPLE = Path("tests/plugin/readme_example.py")
INSTALLED_CHECK = (
    "import shopsocially_async as p; assert 'site-packages' in p.__file__, p.__file__; "
    "import shopsocially_async.sync, shopsocially_async.testing.pytest_plugin"
)


@nox.session
def package(session: nox.Session) -> None:
    """Build the sdist and the wheel, check what they hold, install each into a fresh
    virtualenv (with the ``testing`` extra) and run the README's plugin example against it,
    outside the checkout so that only the installed package can be imported."""
    session.install("build")
    work = Path(session.create_tmp()).resolve()
    dist = work / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(dist))
    sdist, wheel = _built(dist, ".tar.gz"), _built(dist, ".whl")
    with tarfile.open(sdist) as tar, zipfile.ZipFile(wheel) as whl:
        _check_holds(session, sdist, tar.getnames(), SDIST_NEEDS)
        _check_holds(session, wheel, whl.namelist(), WHEEL_NEEDS)
    for kind, artifact in (("sdist", sdist), ("wheel", wheel)):
        _run_readme_example(session, artifact, work / kind)


def _built(dist: Path, suffix: str) -> Path:
    (artifact,) = dist.glob(f"*{suffix}")
    return artifact


def _check_holds(
    session: nox.Session, artifact: Path, names: list[str], needed: tuple[str, ...]
) -> None:
    missing = [n for n in needed if not any(f"/{name}".endswith(f"/{n}") for name in names)]
    if missing:
        session.error(f"{artifact.name} lacks {', '.join(missing)}")


def _run_readme_example(session: nox.Session, artifact: Path, where: Path) -> None:
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    python = str(where / "venv" / "bin" / "python")
    session.run("python", "-m", "venv", str(where / "venv"))
    install = ("install", "--quiet", f"{artifact}[testing]", "pytest", "trio")
    session.run(python, "-m", "pip", *install, external=True)
    shutil.copy(README_EXAMPLE, where / "test_loyalty.py")
    # Its own ini, so pytest does not climb up to the checkout's pyproject.toml.
    (where / "pytest.ini").write_text("[pytest]\n")
    with session.chdir(where):
        session.run(python, "-c", INSTALLED_CHECK, external=True)
        pytest = ("-m", "pytest", "-p", "no:cacheprovider", "-W", "error", "-q")
        session.run(python, *pytest, external=True)


@nox.session
def bench(session: nox.Session) -> None:
    """Run every benchmark and rewrite benchmarks/RESULTS.md."""
    session.install("-e", ".[bench]")
    session.run("python", "-m", "benchmarks", *session.posargs)
