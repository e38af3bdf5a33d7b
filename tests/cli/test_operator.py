"""What new operators hit: encodings, headers, bad rows, amounts, base URLs, options."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer.main

from shopsocially_async import __version__
from shopsocially_async.cli._runtime import hoist_global_options
from shopsocially_async.cli.app import app

from .conftest import Outcome, Served, applied_reasons, deducts_csv

Cli = Callable[..., Outcome]


def _member(served: Served) -> str:
    return next(m.email for m in served.fake.members if m.available_points >= 50)


def test_a_csv_that_is_not_utf8_names_the_problem_and_the_fix(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """A cp1252 file: one line naming the line, the byte and --encoding; with --encoding
    cp1252 the text arrives intact."""
    path = tmp_path / "excel.csv"
    path.write_bytes(
        f"user_email,points_passed,reason\n{_member(served)},1,café\n".encode("cp1252")
    )
    refused = cli(*served.options, "deduct", path)
    assert refused.code == 2
    (line,) = refused.err.strip().splitlines()
    assert line == (
        f"error: {path} line 2 is not utf-8 text (byte 0xe9): save the file as UTF-8, or name "
        "its encoding with --encoding (e.g. --encoding cp1252 for Excel on Windows)"
    )
    assert served.fake.stats.requests["POST /deduct"] == 0
    result = cli(*served.options, "deduct", path, "--encoding", "cp1252")
    assert result.code == 0, result.err
    assert applied_reasons(served, "caf") == {"café": 1}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_spreadsheet_exports_with_a_byte_order_mark_are_read(
    served: Served, cli: Cli, tmp_path: Path, encoding: str
) -> None:
    """UTF-8 and UTF-16 with a byte-order mark (what spreadsheets save) need no option."""
    path = tmp_path / "export.csv"
    text = f"user_email,points_passed,reason\r\n{_member(served)},1,bom-{encoding}-ü\r\n"
    path.write_bytes(text.encode(encoding))
    result = cli(*served.options, "deduct", path)
    assert result.code == 0, result.err
    assert applied_reasons(served, "bom-") == {f"bom-{encoding}-ü": 1}


def test_a_duplicate_header_is_refused(served: Served, cli: Cli, tmp_path: Path) -> None:
    """Two points_passed columns: which one counts is not guessed; nothing is sent."""
    path = tmp_path / "dup.csv"
    path.write_text(f"user_email,points_passed,reason,points_passed\n{_member(served)},1,x,500\n")
    result = cli(*served.options, "deduct", path)
    assert result.code == 2
    assert result.err == f"error: {path} line 1: column 'points_passed' appears more than once\n"
    assert served.fake.stats.requests["POST /deduct"] == 0


def test_every_bad_row_is_reported_up_to_a_limit_then_counted(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """25 bad rows among good ones: 20 named, then the rest counted; nothing sent."""
    path = tmp_path / "bad.csv"
    rows = [[_member(served), "1", "fine"] if i % 2 else ["", str(i), "r"] for i in range(50)]
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([["user_email", "points_passed", "reason"], *rows])
    result = cli(*served.options, "deduct", path)
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert lines[0] == f"error: {path} line 2, column user_email: empty"
    assert len(lines) == 22
    assert lines[20] == f"error: {path}: 5 more bad rows"
    assert lines[21] == f"error: {path}: 25 bad rows; nothing was sent"
    assert served.fake.stats.requests["POST /deduct"] == 0


@pytest.mark.parametrize(
    ("kind", "header", "cells"),
    [
        ("award", "user_email,activity_id,points_passed", "a@x.com,signup,{}"),
        ("deduct", "user_email,points_passed,reason", "a@x.com,{},r"),
        ("returns", "order_id,returned_amount", "o-1,{}"),
    ],
)
@pytest.mark.parametrize(
    "amount", ["1e400", "1000000001", "NaN", "0", "1_0", "\u0661\u0662", "+3", "1,000", "0x10"]
)
def test_amounts_are_bounded_the_same_way_for_every_command(
    served: Served, cli: Cli, tmp_path: Path, kind: str, header: str, cells: str, amount: str
) -> None:
    """Above a billion, not a number, not positive, or not plain ASCII digits (with at most
    one decimal point): refused before anything is sent."""
    path = tmp_path / "amounts.csv"
    path.write_text(f"{header}\n{cells.format(chr(34) + amount + chr(34))}\n")  # quoted
    result = cli(*served.options, kind, path)
    assert result.code == 2
    assert f"'{amount}' is " in result.err
    assert served.fake.stats.requests.total() == 0


def test_a_base_url_that_answers_404_is_a_configuration_error(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """A base URL without /v2/loyalty: exit 3, one line with the hint, nothing sent."""
    root = served.base_url.removesuffix("/v2/loyalty")
    path = deducts_csv(served, tmp_path, ["root-0"])
    result = cli("--base-url", root, "--partner-id", served.fake.partner_id, "deduct", path)
    assert result.code == 3
    (line,) = result.err.strip().splitlines()
    assert "answered 404 Not Found" in line
    assert "ends in /v2/loyalty" in line
    assert served.fake.stats.requests["POST /deduct"] == 0


def test_global_options_are_accepted_after_the_command(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """--base-url, --partner-id and --concurrency after the command name work."""
    path = deducts_csv(served, tmp_path, ["after-0", "after-1"])
    result = cli("deduct", path, *served.options, "--concurrency=2")
    assert result.code == 0, result.err
    assert applied_reasons(served, "after-") == {"after-0": 1, "after-1": 1}


def test_hoisting_moves_only_global_options_and_stops_at_double_dash() -> None:
    """Options of the command stay; values go with their option; nothing after --."""
    argv = ["deduct", "x.csv", "--rate", "5", "--resume", "--timeout=3", "--", "--rate"]
    assert hoist_global_options(argv) == [
        "--rate", "5", "--timeout=3", "deduct", "x.csv", "--resume", "--", "--rate",
    ]  # fmt: skip
    assert hoist_global_options(["--version"]) == ["--version"]


def test_version(cli: Cli) -> None:
    """--version prints the version and exits 0."""
    result = cli("--version")
    assert (result.code, result.out) == (0, f"shopsocially-async {__version__}\n")


def _commands(command: Any) -> list[Any]:
    """The command and every command below it (typer's own click: duck-typed)."""
    found = [command]
    for sub in getattr(command, "commands", {}).values():
        found += _commands(sub)
    return found


def test_help_describes_every_option_and_writes_defaults_one_way() -> None:
    """Every option of every command has help text, and no help text states a default in
    its own words: defaults are shown one way, as [default: ...]."""
    options = [
        (command, param)
        for command in _commands(typer.main.get_command(app))
        for param in command.params
        if param.param_type_name == "option"
    ]
    assert len(options) > 40
    for command, param in options:
        where = f"{command.name} {param.opts}"
        assert param.help, where
        assert "default" not in param.help.lower(), where
        if param.default is None and not param.is_flag and not param.required:
            assert isinstance(param.show_default, str), f"{where}: its default is not shown"


def test_version_after_a_command_and_a_global_option_given_twice(cli: Cli) -> None:
    """``user --version`` prints the version; ``--concurrency`` twice (before and after the
    command) is refused in one line, exit 2, rather than one of them winning quietly."""
    result = cli("user", "--version")
    assert (result.code, result.out) == (0, f"shopsocially-async {__version__}\n")
    twice = cli("--concurrency", "4", "activities", "--concurrency", "8")
    assert (twice.code, twice.err) == (
        2,
        "error: --concurrency is given more than once: give it once\n",
    )


def test_an_empty_email_is_bad_input(served: Served, cli: Cli) -> None:
    """``user ''``: exit 2 (bad input), one line, nothing fetched."""
    result = cli(*served.options, "user", "")
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1
    assert served.fake.stats.requests.total() == 0


def test_an_unknown_column_says_how_to_leave_it_out(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """An extra 'note' column is refused with the option that leaves it out; with
    --ignore-column note the rows are sent (the note never is)."""
    path = tmp_path / "noted.csv"
    path.write_text(f"user_email,points_passed,reason,note\n{_member(served)},1,noted-0,hello\n")
    refused = cli(*served.options, "deduct", path)
    assert refused.code == 2
    assert "unknown column 'note'" in refused.err
    assert "pass --ignore-column note" in refused.err
    result = cli(*served.options, "deduct", path, "--ignore-column", "note")
    assert result.code == 0, result.err
    assert applied_reasons(served, "noted-") == {"noted-0": 1}


def test_ignore_column_cannot_leave_out_a_column_the_command_reads(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """Leaving out ``reason`` would give every row a new journal key, so rows that applied
    would go again on --resume: refused, one line, nothing sent."""
    path = tmp_path / "keyed.csv"
    path.write_text(f"user_email,points_passed,reason\n{_member(served)},1,keyed-0\n")
    assert cli(*served.options, "deduct", path).code == 0
    refused = cli(*served.options, "deduct", path, "--resume", "--ignore-column", "reason")
    assert refused.code == 2
    assert refused.err.strip() == (
        "error: --ignore-column reason: only columns the command does not read can be left "
        "out; to send the rows without it, take it out of the file itself"
    )
    assert applied_reasons(served, "keyed-") == {"keyed-0": 1}


def test_command_help_is_plain_and_lists_the_global_options() -> None:
    """``award --help``: no <bool>, no {csv_path}, no RST backticks; says that the global
    options may follow the command."""
    import os
    import subprocess
    import sys

    for command in (["award"], ["reconcile"], ["export", "users"]):
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "shopsocially_async", *command, "--help"],
            capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"}, check=True,
        )  # fmt: skip
        text = "\n".join(x for x in result.stdout.splitlines() if "Show this message" not in x)
        assert "<bool>" not in text, text  # (typer's own --help still shows it)
        assert "{csv_path}" not in text, text
        assert "``" not in text, text
        assert "may come before or after the command" in " ".join(text.split()), text


def test_journals_and_failures_files_are_private(served: Served, cli: Cli, tmp_path: Path) -> None:
    """The journal and the failures file hold members' emails: readable by the owner only."""
    path = deducts_csv(served, tmp_path, ["mode-0"])
    with path.open("a") as handle:
        handle.write("nobody@example.com,1,mode-1\n")
    assert cli(*served.options, "deduct", path).code == 1
    for written in (tmp_path / "d.journal", tmp_path / "d.failures.csv"):
        assert written.stat().st_mode & 0o777 == 0o600, written
