"""Exports of the whole graph in exchange formats; one module per format."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from graphbench.errors import GraphbenchError
from graphbench.store.base import GraphStore


def write_export(store: GraphStore, fmt: str, output: str | None) -> dict[str, Any]:
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
    if fmt == "ftm":
        from graphbench.export.ftm import write_ftm

        return write_ftm(store, output)
    if output is None:
        raise GraphbenchError(f"export --format {fmt} needs --output PATH")
    if fmt == "graphml":
        from graphbench.export.graph_files import write_graphml

        return write_graphml(store, output)
    if fmt == "gexf":
        from graphbench.export.graph_files import write_gexf

        return write_gexf(store, output)
    if fmt == "i2":
        from graphbench.export.i2 import write_i2

        return write_i2(store, output)
    if fmt == "stix":
        from graphbench.export.stix import write_stix

        return write_stix(store, output)
    if fmt == "takedown":
        from graphbench.export.takedown import write_takedown

        return write_takedown(store, output)
    raise GraphbenchError(f"unknown export format {fmt!r}")
