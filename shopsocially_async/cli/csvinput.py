"""CSV input for the bulk commands: header names are the API's parameter names.

The file is checked in full before anything is sent (streamed, so any size is fine): a bad
row stops the command with one line naming the file, the line and the column. A journal of
the lines already processed lets ``--resume`` skip them after an interruption.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TextIO

import attrs

from .. import _params as p
from ..errors import InvalidArgumentError
from ._runtime import CliError

#: Columns of a failures file: it can be fed back as input once reconciled.
RESULT_COLUMNS = ("error_code", "message", "outcome_unknown")


def _amount(name: str, text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidArgumentError(f"{text!r} is not a number") from None
    if not value.is_finite() or value <= 0:
        raise InvalidArgumentError(f"{text!r} is not a positive number")
    return value


def _whole(name: str, text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise InvalidArgumentError(f"{text!r} is not a whole number of points") from None
    if value <= 0:
        raise InvalidArgumentError(f"{text!r} is not a positive number of points")
    return value


def _text(name: str, text: str) -> str:
    return p.text(name, text)


Convert = Callable[[str, str], Any]


@attrs.frozen
class Spec:
    """The columns one command reads, and how each cell becomes an argument."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    converters: dict[str, Convert] = attrs.field(factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional

    def convert(self, name: str, text: str) -> Any:
        return self.converters.get(name, _text)(name, text)


SPECS = {
    "award": Spec(
        ("user_email", "activity_id"), ("points_passed", "order_id"), {"points_passed": _amount}
    ),
    "redeem": Spec(("user_email", "redemption_id")),
    "deduct": Spec(("user_email", "points_passed", "reason"), (), {"points_passed": _whole}),
    "returns": Spec(("order_id",), ("returned_amount",), {"returned_amount": _amount}),
}


@attrs.frozen
class Row:
    """One data row: its line in the file, its cells as read, and the call's arguments."""

    line: int
    cells: dict[str, str]
    arguments: dict[str, Any]


def _check_header(path: Path, header: list[str] | None, spec: Spec) -> list[str]:
    if not header:
        raise CliError(f"{path}: the file is empty; the first line must name the columns")
    names = [h.strip() for h in header]
    unknown = [n for n in names if n not in spec.columns and n not in RESULT_COLUMNS]
    if unknown:
        raise CliError(
            f"{path} line 1: unknown column {unknown[0]!r}; expected {', '.join(spec.columns)}"
        )
    missing = [n for n in spec.required if n not in names]
    if missing:
        raise CliError(f"{path} line 1: missing column {missing[0]!r}")
    return names


def _row(path: Path, line: int, names: list[str], values: list[str], spec: Spec) -> Row:
    if len(values) != len(names):
        raise CliError(f"{path} line {line}: {len(values)} fields, the header has {len(names)}")
    cells = {n: v.strip() for n, v in zip(names, values, strict=True)}
    arguments: dict[str, Any] = {}
    for name in spec.columns:
        text = cells.get(name, "")
        if not text:
            if name in spec.required:
                raise CliError(f"{path} line {line}, column {name}: empty")
            continue
        try:
            arguments[name] = spec.convert(name, text)
        except InvalidArgumentError as exc:
            message = str(exc).removeprefix(f"{name} ")
            raise CliError(f"{path} line {line}, column {name}: {message}") from None
    return Row(line, {n: cells[n] for n in names if n not in RESULT_COLUMNS}, arguments)


def read_rows(path: Path, spec: Spec) -> Iterator[Row]:
    """Every data row, checked and converted, in file order (streamed)."""
    with _open(path) as handle:
        reader = csv.reader(handle)
        names = _check_header(path, next(reader, None), spec)
        for values in reader:
            if not any(v.strip() for v in values):
                continue  # blank lines
            yield _row(path, reader.line_num, names, values, spec)


def input_columns(path: Path, spec: Spec) -> list[str]:
    """The input's own columns (what the failures file repeats)."""
    with _open(path) as handle:
        names = _check_header(path, next(csv.reader(handle), None), spec)
    return [n for n in names if n not in RESULT_COLUMNS]


def count_rows(path: Path, spec: Spec, done: Callable[[int], bool]) -> tuple[int, int]:
    """Check the whole file; return (rows, rows still to do)."""
    rows = todo = 0
    for row in read_rows(path, spec):
        rows += 1
        todo += not done(row.line)
    return rows, todo


def _open(path: Path) -> TextIO:
    try:
        return path.open(newline="", encoding="utf-8-sig")
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None


class Journal:
    """The input lines already processed: one line number per line, flushed as results come.

    ``--resume`` loads it into a set (about 60 bytes per processed row) to skip those rows.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._done: set[int] = set()
        self._handle: TextIO | None = None

    @property
    def count(self) -> int:
        return len(self._done)

    def exists(self) -> bool:
        return self.path.exists() and self.path.stat().st_size > 0

    def load(self) -> None:
        with self.path.open(encoding="utf-8") as handle:
            self._done = {int(line) for line in handle if line.strip()}

    def done(self, line: int) -> bool:
        return line in self._done

    def __enter__(self) -> Journal:
        self._handle = self.path.open("a", encoding="utf-8")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._handle is not None:
            self._handle.close()

    def record(self, line: int) -> None:
        assert self._handle is not None
        self._handle.write(f"{line}\n")
        self._handle.flush()
