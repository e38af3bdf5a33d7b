"""Developer tasks: ``nox -s tests``, ``lint``, ``typecheck``, ``package``, ``bench``.

The package is installed into each session's virtualenv and pytest imports it with
``--import-mode=importlib``, so the tests exercise the installed package, not the checkout.
"""

from __future__ import annotations

import re
import shutil
import tarfile
import zipfile
from pathlib import Path

import nox
import tomllib

nox.options.sessions = ["tests", "floors", "default_install", "lint", "typecheck", "package"]
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
def floors(session: nox.Session) -> None:
    """The suite on the lowest version every runtime dependency declares (and the aiohttp
    engine's and the embedded server's): a floor the code does not really support fails
    here, not at a user's. The command line, benchmarks and shared limiter need extras whose
    own requirements sit above these floors; they run in ``tests``."""
    constraints = Path(session.create_tmp()) / "floors.txt"
    constraints.write_text("\n".join(lowest_versions()) + "\n")
    session.install("-e", ".[testing,aiohttp,speedups]", *TEST_TOOLS, "-c", str(constraints))
    session.run("python", "-m", "pip", "list", silent=False)
    session.run(*PYTEST_RUN, *(session.posargs or (*DEFAULT_INSTALL_TESTS, "tests/bulk")))


@nox.session
def default_install(session: nox.Session) -> None:
    """The suite as ``pip install shopsocially-async`` leaves things: no orjson and no extra
    of the library (pure-Python JSON decoding, the httpx engine only); the test tools and the
    embedded server's uvicorn are installed beside it. Tests of the command line, the
    benchmarks and the shared limiter need their extras and are not collected."""
    session.install("-e", ".", *TEST_TOOLS, "uvicorn>=0.30")
    session.run("python", "-c", NO_EXTRAS_CHECK)
    session.run(*PYTEST_RUN, *(session.posargs or DEFAULT_INSTALL_TESTS))


#: pytest without coverage, for the extra sessions.
PYTEST_RUN = ("python", *PYTEST)
#: What the test suite needs beyond the package and its extras.
TEST_TOOLS = ("pytest>=8", "pytest-asyncio>=1.0", "trio>=0.25", "respx>=0.21")
DEFAULT_INSTALL_TESTS = (
    "tests/unit", "tests/integration", "tests/fake", "tests/mocking", "tests/sync",
    "tests/plugin", "--ignore=tests/unit/test_benchmarks_smoke.py", "-m", "not extras",
)  # fmt: skip
NO_EXTRAS_CHECK = (
    "import importlib.util as u; extra = [m for m in ('orjson', 'aiohttp', 'pyqwest', 'typer',"
    " 'coredis') if u.find_spec(m)]; assert not extra, f'not a default install: {extra} installed'"
)


def lowest_versions() -> list[str]:
    """``name==X`` for every ``name>=X`` among the runtime dependencies and engine extras."""
    project = tomllib.loads(Path("pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    declared = [*project["dependencies"], *extras["aiohttp"], *extras.get("testing", ())]
    pins = []
    for requirement in declared:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(\[[^\]]*\])?>=([0-9][^,;\s]*)", requirement)
        if match:
            pins.append(f"{match[1]}=={match[3]}")
    return pins


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
