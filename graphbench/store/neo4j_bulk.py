"""First load into an empty Neo4j through ``neo4j-admin database import full`` (``graphbench load DIR --bulk``).

The files are parsed, validated and resolved exactly as ``graphbench load`` does (the loaders into a
throw-away ``memory:`` store, resolution included), so the graph is the same; then the canonical graph
is written as neo4j-admin CSVs and imported with the server stopped, and the schema graphbench keeps
(uniqueness constraints on ``id``, the discriminator and ``ts`` indexes) is created when the server is back.
Later loads into that database stay batched over Bolt (``graphbench load`` without ``--bulk``).

Why stop → import → start: Community edition serves one user database, and ``import full`` writes its
store files directly, so that database must be offline; ``--overwrite-destination`` replaces the empty
store the server created. (Enterprise could import into a new database and switch; not needed here.)

The CSVs, per label or relationship type and per *type signature* (neo4j-admin types a column once per
file, so rows whose property has another Python type than its neighbours' go to a file of their own):

- nodes: ``id:ID`` then ``name:string|long|double|boolean`` and ``name:string[]`` …, imported with the
  node's label and ``Entity`` (the base label the Bolt writer adds);
- relationships: ``:START_ID``, ``:END_ID`` then typed properties; the type from the file group.

Strings are always quoted (an empty string stays one, an empty field is a missing value), lists are
joined by U+001F inside one quoted field (a value holding U+001F is refused with one sentence), floats
are written with ``repr`` so they read back bit for bit. An empty list cannot be told from a missing one
in these CSVs and is left out (the loaders never write one).

Where the server is: the bulk path must run on the server's machine (neo4j-admin writes its store files).
``home`` is a graphbench-managed Neo4j (``scripts/neo4j_local.py``: ``.neo4j`` of the repository, or
``GRAPHBENCH_NEO4J_HOME``) or a Neo4j tarball install (``bin/neo4j``, ``bin/neo4j-admin``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from graphbench.errors import GraphbenchError
from graphbench.schema import BASE_LABEL, NODE_TYPES, REL_TYPES

ARRAY_DELIMITER = "\x1f"  # unit separator: no text export uses it, unlike ';' and ','
REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class BulkFigures:
    nodes: int = 0
    relationships: int = 0
    seconds_parse: float = 0.0  # loaders + resolution into the memory store
    seconds_csv: float = 0.0
    seconds_import: float = 0.0  # neo4j-admin database import full
    seconds_restart: float = 0.0  # the server stopped before it and started after it
    seconds_schema: float = 0.0  # constraints and indexes online
    files: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        neo4j_seconds = self.seconds_csv + self.seconds_import + self.seconds_restart + self.seconds_schema
        total = self.seconds_parse + neo4j_seconds
        records = self.nodes + self.relationships
        return {"nodes": self.nodes, "relationships": self.relationships,
                "seconds_parse": round(self.seconds_parse, 2), "seconds_csv": round(self.seconds_csv, 2),
                "seconds_import": round(self.seconds_import, 2), "seconds_restart": round(self.seconds_restart, 2),
                "seconds_schema": round(self.seconds_schema, 2),
                "records_per_second_import": round(records / self.seconds_import) if self.seconds_import else None,
                "records_per_second": round(records / total) if total else None,
                "records_per_second_neo4j": round(records / neo4j_seconds) if neo4j_seconds else None}


# -- the CSVs ------------------------------------------------------------------------------------

def _kind(value: Any) -> str | None:
    """The neo4j-admin type of one Python value (None: missing)."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool | np.bool_):
        return "boolean"
    if isinstance(value, int | np.integer):
        return "long"
    if isinstance(value, float | np.floating):
        return "double"
    if isinstance(value, list | tuple | np.ndarray):
        inner = {_kind(v) for v in value} - {None}
        if not inner:
            return None  # an empty list: not representable, left out (see the module docstring)
        if inner == {"long", "double"}:
            return "double[]"
        return f"{inner.pop()}[]" if len(inner) == 1 else "string[]"
    return "string"


def _quote(text: str, where: str, joined: bool = False) -> str:
    if not joined and ARRAY_DELIMITER in text:
        raise GraphbenchError(f"{where} holds the character U+001F, which the bulk import uses between list "
                              "items: load it without --bulk")
    return '"' + text.replace('"', '""') + '"'


def _cell(value: Any, kind: str | None, where: str) -> str:
    if kind is None:
        return ""
    if kind == "string":
        return _quote(str(value), where)
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "long":
        return str(int(value))
    if kind == "double":
        return repr(float(value))
    inner = kind[:-2]
    items = []
    for item in value:
        if _kind(item) is None:
            continue
        if inner == "boolean":
            items.append("true" if item else "false")
        elif inner == "double":
            items.append(repr(float(item)))
        else:
            items.append(str(item))
    for item in items:
        _quote(item, where)  # refuses an item holding the delimiter
    return _quote(ARRAY_DELIMITER.join(items), where, joined=True)


def write_table_csvs(table: pd.DataFrame, fixed: list[tuple[str, str]], name: str, folder: Path) -> list[Path]:
    """One CSV per type signature of ``table``'s rows; ``fixed`` = [(column, header)] written first."""
    if table.empty:
        return []
    fixed_columns = [c for c, _ in fixed]
    props = [c for c in table.columns if c not in fixed_columns]
    kinds = pd.DataFrame({c: [_kind(v) for v in table[c].tolist()] for c in props}, index=table.index)
    signature = kinds.astype(str).agg("|".join, axis=1) if props else pd.Series("", index=table.index)
    written = []
    for number, (_, rows) in enumerate(table.groupby(signature, sort=True)):
        row_kinds = kinds.loc[rows.index].iloc[0] if props else pd.Series(dtype=object)
        present = [c for c in props if row_kinds[c] is not None]
        header = [h for _, h in fixed] + [f"{c}:{row_kinds[c]}" for c in present]
        path = folder / f"{name}-{number}.csv"
        lines = [",".join(header)]
        for record in rows[fixed_columns + present].itertuples(index=False, name=None):
            where = f"{name} {record[0]}"
            cells = [_quote(str(v), where) for v in record[:len(fixed)]]
            cells += [_cell(v, row_kinds[c], where) for v, c in zip(record[len(fixed):], present, strict=True)]
            lines.append(",".join(cells))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    return written


def write_import_csvs(store: Any, folder: Path) -> tuple[list[str], BulkFigures]:
    """neo4j-admin arguments (``--nodes=…``, ``--relationships=…``) for the graph in ``store``."""
    figures = BulkFigures()
    arguments = []
    for label in NODE_TYPES:
        table = store.nodes(label)
        figures.nodes += len(table)
        for path in write_table_csvs(table, [("id", "id:ID")], f"nodes-{label}", folder):
            arguments.append(f"--nodes={label}:{BASE_LABEL}={path}")
    for rel_type in REL_TYPES:
        table = store.relationships(rel_type)
        figures.relationships += len(table)
        for path in write_table_csvs(table, [("start", ":START_ID"), ("end", ":END_ID")], f"rels-{rel_type}", folder):
            arguments.append(f"--relationships={rel_type}={path}")
    figures.files = [a.split("=", 2)[-1] for a in arguments]
    return arguments, figures


# -- the server ----------------------------------------------------------------------------------

@dataclass
class LocalNeo4j:
    """A Neo4j on this machine: stopped, imported into and started again by the bulk path."""

    home: Path
    port: int

    @classmethod
    def from_settings(cls, url: str, home: str | Path | None = None) -> LocalNeo4j:
        chosen = Path(home or os.environ.get("GRAPHBENCH_NEO4J_HOME") or REPO_ROOT / ".neo4j")
        port = int(url.rsplit(":", 1)[-1].split("/")[0]) if url.rsplit(":", 1)[-1].split("/")[0].isdigit() else 7687
        if not chosen.is_dir() and not (REPO_ROOT / ".neo4j" / "lib").is_dir():
            raise GraphbenchError(f"--bulk needs the Neo4j server's files on this machine: no Neo4j home at {chosen} "
                                  "(set GRAPHBENCH_NEO4J_HOME or --neo4j-home)")
        return cls(chosen, port)

    @property
    def tarball(self) -> bool:
        return (self.home / "bin" / "neo4j-admin").exists()

    def _env(self) -> dict[str, str]:
        return os.environ | {"GRAPHBENCH_NEO4J_HOME": str(self.home), "GRAPHBENCH_NEO4J_PORT": str(self.port),
                             "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.home / "conf")}

    def _script(self, action: str) -> None:
        if self.tarball:
            command = [str(self.home / "bin" / "neo4j"), action]
        else:
            command = [sys.executable, str(REPO_ROOT / "scripts" / "neo4j_local.py"), action]
        done = subprocess.run(command, capture_output=True, text=True, env=self._env())
        if done.returncode != 0:
            raise GraphbenchError(f"`{' '.join(command[-2:])}` failed: {_last_line(done)}")

    def database_exists(self, database: str) -> bool:
        return (self.home / "data" / "databases" / database).is_dir()

    def stop(self) -> None:
        self._script("stop")

    def start(self) -> None:
        self._script("start")

    def admin_import(self, database: str, arguments: list[str]) -> None:
        options = ["database", "import", "full", database, "--overwrite-destination=true", "--id-type=string",
                   f"--array-delimiter={ARRAY_DELIMITER}", "--multiline-fields=true", "--skip-duplicate-nodes=false",
                   "--bad-tolerance=0", *arguments]
        if self.tarball:
            command = [str(self.home / "bin" / "neo4j-admin"), *options]
        else:
            lib = REPO_ROOT / ".neo4j"
            command = ["java", "-Xmx2g", "-cp", f"{lib / 'lib'}/*:{lib / 'plugins'}/*", "org.neo4j.cli.AdminTool",
                       *options]
        (self.home / "conf").mkdir(parents=True, exist_ok=True)
        done = subprocess.run(command, capture_output=True, text=True, env=self._env(), cwd=self.home)
        if done.returncode != 0:
            raise GraphbenchError(f"neo4j-admin database import failed: {_last_line(done)}")


def _last_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in (done.stderr + done.stdout).strip().splitlines() if line.strip()]
    return lines[-1] if lines else f"exit code {done.returncode}"


# -- the whole path ------------------------------------------------------------------------------

def bulk_load(url: str, directory: str | Path, *, open_server: Callable[[], Any], server: LocalNeo4j,
              database: str = "neo4j", mapping: Any = None, rejects_dir: str | Path = "rejects",
              progress: Any = None, resolve: bool = True) -> tuple[Any, BulkFigures]:
    """(load report, figures) of a first load of ``directory`` into the empty database behind ``url``.

    ``open_server()`` opens the Neo4j store (it creates the schema); refuses with one sentence when the
    database holds anything, or when the server is down but its database exists (nothing can tell then
    whether it is empty).
    """
    from graphbench.alerts.scan import after_load
    from graphbench.store import open_store
    from loaders.load import load_dir

    _refuse_unless_empty(url, server, database, open_server)
    started = time.perf_counter()
    memory = open_store("memory:")
    report = load_dir(memory, directory, mapping=mapping, rejects_dir=rejects_dir, progress=progress,
                      resolve=resolve)
    parsed = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="graphbench-bulk-") as folder:
        arguments, figures = write_import_csvs(memory, Path(folder))
        figures.seconds_parse = parsed - started
        written = time.perf_counter()
        figures.seconds_csv = written - parsed
        if server.database_exists(database) or _answers(open_server):
            server.stop()
        stopped = time.perf_counter()
        server.admin_import(database, arguments)
        figures.seconds_import = time.perf_counter() - stopped
    server.start()
    imported = time.perf_counter()
    figures.seconds_restart = imported - written - figures.seconds_import
    store = open_server()  # creates the constraints and indexes graphbench keeps
    try:
        store.run("CALL db.awaitIndexes(600)")
        figures.seconds_schema = time.perf_counter() - imported
        after_load(store)
    finally:
        store.close()
    return report, figures


def _answers(open_server: Callable[[], Any]) -> bool:
    from graphbench.errors import StoreUnavailable

    try:
        open_server().close()
        return True
    except StoreUnavailable:
        return False


def _refuse_unless_empty(url: str, server: LocalNeo4j, database: str, open_server: Callable[[], Any]) -> None:
    from graphbench.errors import StoreUnavailable
    from graphbench.settings import redact

    try:
        store = open_server()
    except StoreUnavailable:
        if server.database_exists(database):
            raise GraphbenchError(f"--bulk loads only into an empty database, and Neo4j at {redact(url)} is down: "
                                  "start it so the database can be checked (`make neo4j`)") from None
        return  # never started: nothing in it
    try:
        found = store.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
    finally:
        store.close()
    if found:
        raise GraphbenchError(f"--bulk loads only into an empty database, and Neo4j at {redact(url)} holds "
                              f"{found:,} nodes: load without --bulk to add to it")

