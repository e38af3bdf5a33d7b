"""The export checkpoint: where an export got to, written atomically after every page."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import attrs

__all__ = ["Checkpoint", "CheckpointMismatchError"]

VERSION = 1


class CheckpointMismatchError(ValueError):
    """The checkpoint on disk belongs to another export (other dates, filters or format)."""


@attrs.frozen(kw_only=True)
class Checkpoint:
    """Progress of one export.

    ``arguments`` identify the export (kind, dates, filters, format, windows); the
    ``window_from``/``window_to`` window is being read from ``start_index``; ``records``
    records and ``size`` bytes of output were written before it; ``done`` marks the end.
    """

    arguments: dict[str, Any]
    window_from: date
    window_to: date
    start_index: int = 0
    records: int = 0
    size: int = 0
    done: bool = False

    def to_json(self) -> dict[str, Any]:
        """The checkpoint as JSON data (dates as ISO 8601)."""
        return {
            "version": VERSION,
            "arguments": self.arguments,
            "window": {"from": self.window_from.isoformat(), "to": self.window_to.isoformat()},
            "start_index": self.start_index,
            "records": self.records,
            "size": self.size,
            "done": self.done,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Checkpoint:
        """Read :meth:`to_json`'s output back."""
        if data.get("version") != VERSION:
            raise ValueError(f"unsupported checkpoint version {data.get('version')!r}")
        window = data["window"]
        return cls(
            arguments=dict(data["arguments"]),
            window_from=date.fromisoformat(window["from"]),
            window_to=date.fromisoformat(window["to"]),
            start_index=int(data["start_index"]),
            records=int(data["records"]),
            size=int(data["size"]),
            done=bool(data["done"]),
        )

    def save(self, path: Path) -> None:
        """Write atomically: a temporary file, flushed to disk, then renamed over ``path``."""
        temporary = path.with_name(path.name + ".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(self.to_json(), handle, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)

    @classmethod
    def load(cls, path: Path) -> Checkpoint | None:
        """The checkpoint at ``path``, or None when there is none."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            return cls.from_json(json.loads(text))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"checkpoint {path} is unreadable: {exc}") from None
