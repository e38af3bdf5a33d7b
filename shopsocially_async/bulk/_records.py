"""Records as JSON lines or CSV rows: ISO 8601 datetimes, Decimals as strings."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

import attrs

__all__ = ["ExportFormat", "column_names", "csv_header", "plain", "render"]

ExportFormat = Literal["jsonl", "csv"]
FORMATS: tuple[str, ...] = ("jsonl", "csv")


def _plain_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if attrs.has(type(value)):
        return plain(value)
    if isinstance(value, tuple | list):
        return [_plain_value(v) for v in value]
    return value


def plain(record: Any) -> dict[str, Any]:
    """An attrs model as JSON-ready data: API field names, ISO dates, Decimals as text."""
    return {a.name: _plain_value(getattr(record, a.name)) for a in attrs.fields(type(record))}


def column_names(model: type[Any]) -> list[str]:
    """The CSV columns of a model: its fields, in declaration order."""
    return [a.name for a in attrs.fields(model)]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_header(columns: Sequence[str]) -> bytes:
    """The CSV header line."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(columns)
    return buffer.getvalue().encode()


def render(records: Iterable[Any], fmt: ExportFormat, columns: Sequence[str]) -> bytes:
    """One page of records in the output format, ready to append."""
    buffer = io.StringIO()
    if fmt == "jsonl":
        for record in records:
            buffer.write(json.dumps(plain(record), ensure_ascii=False, separators=(",", ":")))
            buffer.write("\n")
    else:
        writer = csv.writer(buffer)
        for record in records:
            row = plain(record)
            writer.writerow([_cell(row[name]) for name in columns])
    return buffer.getvalue().encode()
