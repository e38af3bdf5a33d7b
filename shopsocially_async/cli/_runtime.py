"""What every command shares: settings, the client, one-line errors and exit codes."""

from __future__ import annotations

import contextlib
import itertools
import os
import shlex
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from datetime import date, datetime, timezone
from typing import Any, TypeVar

import anyio
import attrs
from rich.console import Console

from .. import errors
from .._client import ShopSociallyClient
from .._config import ENV_API_KEY, ENV_PARTNER_ID
from ..bulk import DEFAULT_CONCURRENCY, CheckpointMismatchError
from ..ratelimit import LocalRateLimiter

T = TypeVar("T")

EXIT_OK = 0
EXIT_ITEMS_FAILED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT; a stop by SIGHUP exits 129, by SIGTERM 143
#: The signals that stop a command cleanly: Ctrl-C, a closed terminal or SSH session, kill.
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)

#: The arguments the command line was started with (for the resume command).
ARGV: ContextVar[tuple[str, ...]] = ContextVar("ARGV", default=())
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


class CliError(Exception):
    """A problem to report in one line, with the exit status to use (and its label: a
    ``note`` is a stop that is no error, such as a file already processed)."""

    def __init__(self, message: str, code: int = EXIT_USAGE, *, label: str = "error") -> None:
        super().__init__(message)
        self.code = code
        self.label = label


@attrs.frozen
class Settings:
    """The global options, resolved (environment fallbacks applied by typer)."""

    base_url: str | None
    partner_id: str | None
    api_key: str | None = attrs.field(repr=False)
    concurrency: int | None = None
    rate: float | None = None
    max_retries: int = 2
    timeout: float = 30.0

    def workers(self, default: int = DEFAULT_CONCURRENCY) -> int:
        """``--concurrency``, or the command's default."""
        return self.concurrency or default

    @property
    def deadline(self) -> float:
        """The bound of a whole call, retries included: ``--timeout`` for each attempt the
        call may make. What a run records in its journal: no request of a call sent at T
        is still on its way (from us) after T plus this."""
        return self.timeout * (self.max_retries + 1)

    def client(self, **overrides: Any) -> ShopSociallyClient:
        """A client sized for ``concurrency`` on the fastest installed engine (``"auto"``),
        bounded by :attr:`deadline`, pacing every request (retries and pages too) at
        ``--rate`` when given; configuration errors become one-line errors."""
        self.check_credentials()
        overrides.setdefault("transport", "auto")
        overrides.setdefault("deadline", self.deadline)
        if "rate_limiter" not in overrides and self.rate is not None:
            overrides["rate_limiter"] = LocalRateLimiter(self.rate)
        try:
            return ShopSociallyClient(
                self.partner_id,
                self.api_key,
                base_url=self.base_url,
                timeout=self.timeout,
                max_retries=self.max_retries,
                max_connections=self.workers(),
                **overrides,
            )
        except errors.ConfigurationError as exc:
            raise CliError(str(exc)) from None

    def check_credentials(self) -> None:
        """A one-line error naming the option (and its variable) of missing credentials."""
        if not self.partner_id:
            raise CliError(f"no partner id: pass --partner-id (or set {ENV_PARTNER_ID})")
        if not self.api_key:
            raise CliError(f"no API key: set {ENV_API_KEY} (or pass --api-key)")


def check_choice(option: str, value: str | None, allowed: Sequence[str]) -> None:
    """A one-line error naming ``option`` when ``value`` (if given) is not allowed."""
    if value is not None and value not in allowed:
        raise CliError(f"{option}: {value!r} is not one of {', '.join(allowed)}")


def parse_date(option: str, value: str) -> date:
    """A ``YYYY-MM-DD`` option value, or a one-line error naming the option."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CliError(f"{option}: {value!r} is not a date; use YYYY-MM-DD") from None


def parse_time(option: str, value: str | None) -> datetime | None:
    """An ISO 8601 time option (``2024-05-01T09:30``, UTC unless it says otherwise)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CliError(f"{option}: {value!r} is not a time; use YYYY-MM-DDTHH:MM") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def run(main: Callable[[], Awaitable[int]]) -> None:
    """Run an async command; turn expected failures into one line on stderr and an exit code."""
    try:
        code = anyio.run(main)
    except BaseException as exc:  # known errors exit; others re-raise
        _report(innermost(exc))
        raise
    raise SystemExit(code)


def innermost(exc: BaseException) -> BaseException:
    """The one exception inside (nested) task-group exception groups, if there is just one."""
    inner = getattr(exc, "exceptions", None)  # BaseExceptionGroup (a backport on 3.10)
    while isinstance(inner, tuple) and len(inner) == 1:
        exc = inner[0]
        inner = getattr(exc, "exceptions", None)
    return exc


def _report(exc: BaseException) -> None:
    """Exit with one line for every error a user can cause; return for anything else."""
    if isinstance(exc, CliError):
        _fail(str(exc), exc.code, exc.label)
    if isinstance(exc, errors.AuthenticationError):
        _fail(
            f"the API refused the credentials ({exc}); check --partner-id and --api-key "
            "(or SHOPSOCIALLY_PARTNER_ID / SHOPSOCIALLY_API_KEY)",
            EXIT_UNREACHABLE,
        )
    if isinstance(exc, errors.APIConnectionError):
        _fail(f"cannot reach the API: {exc}", EXIT_UNREACHABLE)
    if isinstance(exc, errors.ConfigurationError | errors.InvalidArgumentError):
        _fail(str(exc), EXIT_USAGE)  # bad input, caught before anything was sent
    if isinstance(exc, CheckpointMismatchError):
        _fail(str(exc), EXIT_USAGE)
    if isinstance(exc, errors.ShopSociallyError):
        _fail(str(exc), EXIT_ITEMS_FAILED)
    if isinstance(exc, OSError):
        _fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc), EXIT_USAGE)
    if isinstance(exc, KeyboardInterrupt):
        _fail("interrupted", EXIT_INTERRUPTED)
    if isinstance(exc, Exception) and not hasattr(exc, "exceptions"):
        raise exc  # a bug: its own traceback, not the task groups' wrapping


def _fail(message: str, code: int, label: str = "error") -> None:
    say(f"{label}: {message}")
    raise SystemExit(code)


def say(message: str) -> None:
    """A line on stderr; a terminal that went away (a dropped SSH session) is no error."""
    with contextlib.suppress(OSError):
        stderr.print(message, markup=False)


def exit_status(signum: int) -> int:
    """The conventional status of a command stopped by ``signum``: 128 + its number."""
    return 128 + signum


def stop_message(signum: int) -> str:
    """``interrupted``, ``hang-up`` or ``terminated``, for the stop line."""
    hangup = getattr(signal, "SIGHUP", None)
    return {signal.SIGINT: "interrupted", hangup: "hang-up", signal.SIGTERM: "terminated"}.get(
        signum, "stopped"
    )


def detach_terminal() -> None:
    """After SIGHUP: writes to a terminal now fail, so send them to the null device (pipes
    and files given as stdout or stderr keep working)."""
    for fd in (1, 2):
        with contextlib.suppress(OSError):
            if os.isatty(fd):
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, fd)
                os.close(null)


async def preflight(client: ShopSociallyClient) -> None:
    """One cheap read, so an unreachable server or bad credentials stop us before any write."""
    try:
        await client.activities.list()
    except errors.APIConnectionError as exc:
        raise CliError(
            f"cannot reach the API at {client.base_url}: {exc}", EXIT_UNREACHABLE
        ) from None
    except errors.NotFoundError:
        raise CliError(
            f"the API at {client.base_url} answered 404 Not Found to GET /activities: the "
            "base URL is probably wrong; it ends in /v2/loyalty (e.g. "
            "https://api.shopsocially.com/v2/loyalty)",
            EXIT_UNREACHABLE,
        ) from None


def resume_command(
    extra: Sequence[str] = ("--resume",), *, replace: dict[str, str] | None = None
) -> str:
    """The exact command line to continue this run (the API key is never repeated), with
    ``extra`` flags and the options in ``replace`` set to those values."""
    replace = replace or {}
    dropped = {"--api-key", *replace}
    args, skip = [], False
    for arg in ARGV.get():
        if skip:
            skip = False
        elif arg in dropped:
            skip = True
        elif arg.split("=", 1)[0] not in dropped and arg not in extra:
            args.append(arg)
    changed = [part for option, value in replace.items() for part in (option, value)]
    return shlex.join([*_program(), *args, *changed, *extra])


def api_key_was_given() -> bool:
    """Whether --api-key was on the command line (so the resume hint must say to set it)."""
    return any(a == "--api-key" or a.startswith("--api-key=") for a in ARGV.get())


def api_key_hint() -> str:
    return f"(set {ENV_API_KEY} first: the API key is not repeated here)"


def _program() -> list[str]:
    if os.path.basename(sys.argv[0]) == "__main__.py":
        return ["python", "-m", "shopsocially_async"]
    return ["shopsocially-async"]


GLOBAL_OPTIONS = (
    "--base-url",
    "--partner-id",
    "--api-key",
    "--concurrency",
    "--rate",
    "--max-retries",
    "--timeout",
)
#: Global flags (no value) that may follow the command too.
GLOBAL_FLAGS = ("--version",)


def hoist_global_options(argv: list[str]) -> list[str]:
    """Global options given after the command, moved before it (where typer reads them):
    ``award x.csv --concurrency 8`` works as ``--concurrency 8 award x.csv``. A global
    option given twice (anywhere) is refused: which one was meant is not guessed."""
    command_at = _command_position(argv)
    if command_at is None:
        _refuse_repeats(argv)
        return list(argv)
    moved: list[str] = []
    kept: list[str] = []
    rest = iter(argv[command_at + 1 :])
    for arg in rest:
        if arg == "--":
            kept += [arg, *rest]
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_FLAGS and "=" not in arg:
            moved.append(arg)
        elif name not in GLOBAL_OPTIONS:
            kept.append(arg)
        else:
            moved.append(arg)
            if "=" not in arg:
                moved.extend(itertools.islice(rest, 1))  # its value
    hoisted = [*argv[:command_at], *moved]
    _refuse_repeats(hoisted)
    return [*hoisted, argv[command_at], *kept]


def _refuse_repeats(global_part: list[str]) -> None:
    """A global option named twice is an error (typer would keep the last one quietly)."""
    names = [a.split("=", 1)[0] for a in global_part if a.startswith("--")]
    repeated = sorted({n for n in names if n in GLOBAL_OPTIONS and names.count(n) > 1})
    if repeated:
        raise CliError(f"{repeated[0]} is given more than once: give it once")


def _command_position(argv: list[str]) -> int | None:
    """Where the command's name is: the first argument that is no option or option value."""
    expect_value = False
    for index, arg in enumerate(argv):
        if expect_value:
            expect_value = False
        elif arg in GLOBAL_OPTIONS:
            expect_value = True
        elif not arg.startswith("-"):
            return index
    return None
