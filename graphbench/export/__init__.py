"""Exports of the whole graph in exchange formats; one module per format."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from graphbench.errors import GraphbenchError


def write_export(store: Any, fmt: str, output: str | None) -> dict[str, Any]:
    """Write the store in ``fmt`` to ``output`` (stdout for line formats when None)."""
    if fmt == "jsonl":
        from graphbench.export.jsonl import generate_jsonl

        lines = generate_jsonl(store)
        count = 0
        if output is None:
            for line in lines:
                sys.stdout.write(line + "\n")
                count += 1
        else:
            with Path(output).open("w", encoding="utf-8") as handle:
                for line in lines:
                    handle.write(line + "\n")
                    count += 1
        return {"records": count}
    raise GraphbenchError(f"export format {fmt!r} is not available yet")
