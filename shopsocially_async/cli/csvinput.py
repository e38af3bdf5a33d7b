"""CSV input for the bulk commands: header names are the API's parameter names.

The file is checked in full before anything is sent (streamed, so any size is fine): every
bad row is reported (the first :data:`MAX_REPORTED`, then a count), each naming the file,
the line and the column. Files are UTF-8, with or without a byte-order mark, or UTF-16 with
one (what spreadsheets export); ``--encoding`` names any other. Each row gets a key from its
content (and which occurrence of that content it is) for the journal.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import re
from collections.abc import Callable, Collection, Generator, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from .. import _params as p
from ..errors import InvalidArgumentError
from ..resources.returns import MAX_QUANTITY, return_units
from ._runtime import CliError

#: Columns our own output files add: a failures or reconciled file can be read back as input.
RESULT_COLUMNS = (
    "error_code",
    "message",
    "outcome_unknown",
    "sent_at",
    "candidates",
    "line",
    "verdict",
    "transaction_id",
)
#: The largest point amount (or order amount) any command accepts.
MAX_AMOUNT = Decimal(1_000_000_000)
MAX_REPORTED = 20


#: An amount as a person writes it: ASCII digits, at most one decimal point. Not "1_0",
#: "+3", "1e3", "١٢" or " 1,000": Python's Decimal reads some of those, a spreadsheet's
#: reader another way, so none of them is guessed.
_PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_WHOLE_NUMBER = re.compile(r"[0-9]+")
_FORM = "digits and at most one decimal point, e.g. 12 or 12.5"


def default_paths(csv_path: Path) -> tuple[Path, Path]:
    """``orders.csv`` -> ``orders.failures.csv``, ``orders.journal``."""
    return csv_path.with_suffix(".failures.csv"), csv_path.with_suffix(".journal")


def _number(text: str) -> Decimal:
    if text.startswith("-") and _PLAIN_NUMBER.fullmatch(text[1:]):
        raise InvalidArgumentError(f"{text!r} is not a positive number")
    if not _PLAIN_NUMBER.fullmatch(text):
        raise InvalidArgumentError(f"{text!r} is not a number ({_FORM})")
    value = Decimal(text)
    if value <= 0:
        raise InvalidArgumentError(f"{text!r} is not a positive number")
    if value > MAX_AMOUNT:
        raise InvalidArgumentError(f"{text!r} is more than {MAX_AMOUNT:,}, the most accepted")
    return value


def _amount(name: str, text: str) -> Decimal:
    return _number(text)


def _whole(name: str, text: str) -> int:
    value = _number(text)
    if not _WHOLE_NUMBER.fullmatch(text):
        raise InvalidArgumentError(f"{text!r} is not a whole number of points (digits only)")
    return int(value)


def _text(name: str, text: str) -> str:
    return p.text(name, text)


def _units(name: str, text: str) -> int:
    if not _WHOLE_NUMBER.fullmatch(text):
        raise InvalidArgumentError(f"{text!r} is not a whole number of units (digits only)")
    units = _whole(name, text)
    if units > MAX_QUANTITY:
        raise InvalidArgumentError(f"{text!r} is more than {MAX_QUANTITY:,} units, the most")
    return units


def _return_arguments(arguments: Mapping[str, Any]) -> object:
    """A product return has no amount, and a quantity needs a product (as the client says)."""
    return return_units(
        arguments.get("returned_amount"),
        arguments.get("returned_product_id"),
        arguments.get("quantity"),
    )


Convert = Callable[[str, str], Any]


@attrs.frozen
class Spec:
    """The columns one command reads, how each cell becomes an argument, which columns
    are ours alone (``unsent``: read and checked, never sent to the API), and the column
    that names a row whatever its other cells say (``identity``: what ties an edited row to
    its journal records, see :mod:`.reruns`).

    ``later`` are optional columns added after journals were first written: they enter a
    row's key only when filled, so the rows of a journal written before keep their keys
    (and a run resumed across an upgrade sends none of them again). ``check`` refuses
    combinations of arguments that no single cell shows wrong."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    converters: dict[str, Convert] = attrs.field(factory=dict)
    unsent: tuple[str, ...] = ()
    identity: str | None = None
    later: tuple[str, ...] = ()
    check: Callable[[Mapping[str, Any]], object] | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional

    def convert(self, name: str, text: str) -> Any:
        return self.converters.get(name, _text)(name, text)


SPECS = {
    "award": Spec(
        ("user_email", "activity_id"),
        ("points_passed", "order_id"),
        {"points_passed": _amount},
        identity="order_id",
    ),
    "redeem": Spec(("user_email", "redemption_id")),
    "deduct": Spec(
        ("user_email", "points_passed", "reason"), (), {"points_passed": _whole}, identity="reason"
    ),
    "returns": Spec(
        ("order_id",),
        ("returned_amount", "user_email", "returned_product_id", "quantity"),
        {"returned_amount": _amount, "quantity": _units},
        unsent=("user_email",),
        identity="order_id",
        later=("returned_product_id", "quantity"),
        check=_return_arguments,
    ),
}


@attrs.frozen
class Row:
    """One data row: its line, its journal key, its cells as read, and the call's arguments
    (``settle_arguments`` add the columns kept for settling, such as a return's member)."""

    line: int
    key: str
    cells: dict[str, str]
    arguments: dict[str, Any]
    settle_arguments: dict[str, Any]
    results: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen
class InputFile:
    """A checked input file: its encoding, own columns, row count and identity."""

    path: Path
    encoding: str
    columns: list[str]
    rows: int
    repeated: int
    size: int
    sha256: str

    @property
    def identity(self) -> dict[str, Any]:
        """What binds a journal to this file's content."""
        return {"size": self.size, "sha256": self.sha256}


def resolve_encoding(path: Path, given: str | None) -> str:
    """The codec to read ``path`` with: the byte-order mark's, else ``given``, else UTF-8."""
    head = _head(path)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if given is None:
        return "utf-8"
    try:
        return codecs.lookup(given).name
    except LookupError:
        raise CliError(f"--encoding: {given!r} is not an encoding Python knows") from None


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(4)
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CliError(f"{path}: is a directory, not a CSV file") from None


def text_lines(path: Path, encoding: str) -> Generator[str, None, None]:
    """The file's lines as text; a line that does not decode is one clear error."""
    if encoding.startswith(("utf-16", "utf-32")):  # not byte-wise: the codec finds the lines
        with path.open(newline="", encoding=encoding) as handle:
            try:
                yield from handle
            except UnicodeDecodeError as exc:
                raise _not_decodable(path, encoding, None, exc) from None
        return
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                yield raw.decode(encoding)
            except UnicodeDecodeError as exc:
                raise _not_decodable(path, encoding, number, exc) from None


def _not_decodable(
    path: Path, encoding: str, line: int | None, exc: UnicodeDecodeError
) -> CliError:
    where = f" line {line}" if line is not None else ""
    byte = exc.object[exc.start : exc.start + 1].hex()
    return CliError(
        f"{path}{where} is not {encoding} text (byte 0x{byte}): save the file as UTF-8, or "
        "name its encoding with --encoding (e.g. --encoding cp1252 for Excel on Windows)"
    )


def _check_header(
    path: Path, header: list[str] | None, spec: Spec, ignored: Collection[str]
) -> list[str]:
    if not header or not any(h.strip() for h in header):
        raise CliError(f"{path}: the file is empty; the first line must name the columns")
    names = [h.strip() for h in header]
    own = [n for n in ignored if n in spec.columns]
    if own:
        # The command's columns make each row's journal key: leaving one out would make
        # every row new to the journal, and rows that applied would be sent again.
        raise CliError(
            f"--ignore-column {own[0]}: only columns the command does not read can be left "
            "out; to send the rows without it, take it out of the file itself"
        )
    known = (*spec.columns, *RESULT_COLUMNS, *ignored)
    unknown = [n for n in names if n not in known]
    if unknown:
        # Refused, not skipped: a misspelt optional column (points_pased, order-id) would
        # otherwise change what is sent without a word.
        raise CliError(
            f"{path} line 1: unknown column {unknown[0]!r}; expected {', '.join(spec.columns)} "
            f"(to send the file with it left out, pass --ignore-column {unknown[0]})"
        )
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise CliError(f"{path} line 1: column {twice[0]!r} appears more than once")
    missing = [n for n in spec.required if n not in names]
    if missing:
        raise CliError(f"{path} line 1: missing column {missing[0]!r}")
    return names


def row_digest(kind: str, spec: Spec, cells: Mapping[str, str]) -> str:
    """A digest of the row's content (96 bits, hex): the command and every column's cell
    (the ``later`` columns' only when filled)."""
    values = [cells.get(name, "") for name in spec.columns if name not in spec.later]
    filled = [[name, cells[name]] for name in spec.later if cells.get(name)]
    content = json.dumps([kind, values, filled] if filled else [kind, values])
    return hashlib.blake2b(content.encode(), digest_size=12).hexdigest()


class _Parser:
    """Turns the data rows of one file into :class:`Row` s (or raises :class:`_BadRow`)."""

    def __init__(
        self, path: Path, kind: str, names: list[str], ignored: Collection[str] = ()
    ) -> None:
        self.path, self.kind, self.spec, self.names = path, kind, SPECS[kind], names
        self._ignored = frozenset(ignored)
        self._seen: dict[str, int] = {}

    def row(self, line: int, values: list[str]) -> Row:
        if len(values) != len(self.names):
            raise _BadRow(f"line {line}: {len(values)} fields, the header has {len(self.names)}")
        everything = {n: v.strip() for n, v in zip(self.names, values, strict=True)}
        cells = {
            n: everything[n]
            for n in self.names
            if n not in RESULT_COLUMNS and n not in self._ignored
        }
        results = {n: everything[n] for n in self.names if n in RESULT_COLUMNS}
        arguments = {name: self._cell(line, name, cells) for name in self.spec.columns}
        arguments = {name: value for name, value in arguments.items() if value is not None}
        if self.spec.check is not None:
            try:
                self.spec.check(arguments)
            except InvalidArgumentError as exc:
                raise _BadRow(f"line {line}: {exc}") from None
        digest = row_digest(self.kind, self.spec, cells)
        occurrence = self._seen.get(digest, 0)
        self._seen[digest] = occurrence + 1
        sent = {k: v for k, v in arguments.items() if k not in self.spec.unsent}
        return Row(line, f"{digest}:{occurrence}", cells, sent, arguments, results)

    def _cell(self, line: int, name: str, cells: Mapping[str, str]) -> Any:
        text = cells.get(name, "")
        if not text:
            if name in self.spec.required:
                raise _BadRow(f"line {line}, column {name}: empty")
            return None
        try:
            return self.spec.convert(name, text)
        except InvalidArgumentError as exc:
            message = str(exc).removeprefix(f"{name} ")
            raise _BadRow(f"line {line}, column {name}: {message}") from None

    @property
    def repeated(self) -> int:
        """Rows whose content appeared earlier in the file."""
        return sum(count - 1 for count in self._seen.values())


class _BadRow(Exception):
    """One row that cannot be sent."""


def row_from_cells(kind: str, cells: Mapping[str, str], line: int = 0) -> Row:
    """A row rebuilt from the cells a journal or failures file kept (checked again);
    ``ValueError`` says what is wrong with it."""
    names = [name for name in cells if name in SPECS[kind].columns]
    try:
        return _Parser(Path(), kind, names).row(line, [cells[name] for name in names])
    except _BadRow as exc:
        raise ValueError(str(exc)) from None


class RowReader:
    """One pass over a file's data rows (the header is checked on creation).

    With ``problems`` a list, bad rows are appended to it and skipped; otherwise the first
    raises :class:`CliError`. Columns named in ``ignored`` are read past, never sent. After
    the pass, ``repeated`` counts rows whose content appeared earlier in the file. The file
    is closed when the pass ends or fails, or by :meth:`close` when a reader stops early
    (never left to the garbage collector, which may reach it after its generator).
    """

    def __init__(
        self,
        path: Path,
        kind: str,
        encoding: str,
        problems: list[str] | None = None,
        *,
        ignored: Collection[str] = (),
    ) -> None:
        self.path, self.problems = path, problems
        self._lines = text_lines(path, encoding)
        self._reader = csv.reader(self._lines)
        try:
            self.names = _check_header(path, next(self._reader, None), SPECS[kind], ignored)
        except BaseException:
            self.close()
            raise
        self._parser = _Parser(path, kind, self.names, ignored)

    def close(self) -> None:
        """Close the file (a pass not yet ended ends here)."""
        self._lines.close()

    @property
    def repeated(self) -> int:
        return self._parser.repeated

    def __iter__(self) -> Iterator[Row]:
        try:
            for values in self._reader:
                if not any(v.strip() for v in values):
                    continue  # blank lines
                try:
                    row = self._parser.row(self._reader.line_num, values)
                except _BadRow as exc:
                    if self.problems is None:
                        raise CliError(f"{self.path} {exc}") from None
                    self.problems.append(f"{self.path} {exc}")
                    continue
                yield row
        finally:
            self.close()


def check_input(
    path: Path, kind: str, given_encoding: str | None, ignored: Collection[str] = ()
) -> InputFile:
    """Read the whole file once: every bad row is reported before anything is sent."""
    encoding = resolve_encoding(path, given_encoding)
    problems: list[str] = []
    reader = RowReader(path, kind, encoding, problems, ignored=ignored)
    rows = sum(1 for _ in reader)
    if problems:
        raise CliError(_problems_message(path, problems))
    size, sha256 = file_identity(path)
    columns = [n for n in reader.names if n not in RESULT_COLUMNS and n not in ignored]
    return InputFile(path, encoding, columns, rows, reader.repeated, size, sha256)


def _problems_message(path: Path, problems: list[str]) -> str:
    shown = problems[:MAX_REPORTED]
    if len(problems) > MAX_REPORTED:
        shown.append(f"{path}: {len(problems) - MAX_REPORTED} more bad rows")
    if len(problems) > 1:
        shown.append(f"{path}: {len(problems)} bad rows; nothing was sent")
    return "\nerror: ".join(shown)


def file_identity(path: Path) -> tuple[int, str]:
    """The file's size and SHA-256 (what a journal is bound to)."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def input_record(kind: str, arguments: Mapping[str, Any]) -> Any:
    """The bulk input record (``DeductInput``, ...) of a row's settle arguments."""
    from .. import bulk

    records: dict[str, Any] = {
        "award": bulk.AwardInput,
        "redeem": bulk.RedeemInput,
        "deduct": bulk.DeductInput,
        "returns": bulk.ReturnInput,
    }
    return records[kind](**arguments)
