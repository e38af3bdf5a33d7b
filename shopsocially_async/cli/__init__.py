"""The ``shopsocially-async`` command line (needs the ``cli`` extra: typer, rich, uvicorn).

``main()`` is the console script's entry point; ``python -m shopsocially_async`` runs it too.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]

EXTRA_HINT = "the command line needs its extra: pip install 'shopsocially-async[cli]'"


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); exits with its status."""
    try:
        from .app import run
    except ImportError as exc:  # typer or rich missing
        print(f"error: {EXTRA_HINT} ({exc})", file=sys.stderr)
        raise SystemExit(2) from None
    run(list(sys.argv[1:] if argv is None else argv))
