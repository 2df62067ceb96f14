"""First load into an empty Neo4j through ``neo4j-admin database import full`` (``graphbench load DIR --bulk``).

1. **Stage**: the files are loaded into a throw-away *embedded* workspace (a ``file:`` store in a temporary
   folder, ``TMPDIR``), by the same loaders as ``graphbench load`` — the column-wise transactions path
   included — with the same set-wise merge rule and resolution, so the graph is by construction the one
   ``graphbench load`` makes. The workspace is on disk (DuckDB spills past its memory limit), so the stage
   is bounded by the disk, not by RAM.
2. **CSVs**: each label and relationship type's table is written by DuckDB's own ``COPY`` into one
   neo4j-admin CSV (:mod:`graphbench.store.neo4j_bulk_csv`: the quoting, list and float rules); the staged
   database is deleted once they are written.
3. **Import**: the server is stopped if it runs (while DuckDB writes the CSVs, once every table has been
   checked), ``neo4j-admin database import full`` writes the store
   files (its own JVM: ``IMPORT_HEAP`` heap, ``IMPORT_OFF_HEAP`` off-heap, one worker per core), and the
   server is started once.
4. **Schema**: the schema graphbench keeps (uniqueness constraints on ``id``, the discriminator and ``ts``
   indexes) is created when the server is back, and the alerts scan runs as after any load.

Later loads into that database stay batched over Bolt (``graphbench load`` without ``--bulk``).

Why stop → import → start: Community edition serves one user database, and ``import full`` writes its
store files directly, so that database must be offline; ``--overwrite-destination`` replaces the empty
store the server created. (Enterprise could import into a new database and switch; not needed here.)
neo4j-admin's ``--schema`` (indexes built during the import) needs the block format, Enterprise only.

Where the server is: the bulk path must run on the server's machine (neo4j-admin writes its store files).
``home`` is a graphbench-managed Neo4j (``scripts/neo4j_local.py``: ``.neo4j`` of the repository, or
``GRAPHBENCH_NEO4J_HOME``) or a Neo4j tarball install (``bin/neo4j``, ``bin/neo4j-admin``).
Disk (``TMPDIR``): the staged workspace, then the CSVs — 1M transfers: a 107 MB source file, 279 MB staged,
403 MB of CSVs (provenance: ``sources``, ``sha256`` and ``source_file`` on every record).

Measured (benchmarks/README.md, "Bulk import into Neo4j"; 2 shared cores): 3.4x batched Bolt at 200k rows,
~6k rows/s end to end from 1M to 5M, bounded by the staging (the embedded ingest) and then neo4j-admin;
the goal of 100k rows/s is not reached on this machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphbench.errors import GraphbenchError
from graphbench.store.neo4j_bulk_csv import ARRAY_DELIMITER, ImportFile, write_import_csvs

REPO_ROOT = Path(__file__).resolve().parents[2]
# neo4j-admin import's JVM: the heap holds little (ids are mapped off-heap); the off-heap cap keeps it from
# taking its default 90 % of free memory on a machine shared with other work (GRAPHBENCH_BULK_HEAP / _OFF_HEAP)
IMPORT_HEAP = "2g"
IMPORT_OFF_HEAP = "4g"
Progress = Callable[[str, int, int], None]


@dataclass
class BulkFigures:
    nodes: int = 0
    relationships: int = 0
    seconds_parse: float = 0.0  # loaders + resolution into the staged embedded workspace
    seconds_csv: float = 0.0  # DuckDB's COPY of every table
    seconds_import: float = 0.0  # neo4j-admin database import full
    seconds_stop: float = 0.0  # what stopping the server added after the CSVs (0 when it did not run)
    seconds_stop_alone: float = 0.0  # the stop itself, overlapping the CSVs
    seconds_start: float = 0.0  # and started after it
    seconds_schema: float = 0.0  # constraints and indexes online
    files: list[str] = field(default_factory=list)

    @property
    def seconds_restart(self) -> float:
        return self.seconds_stop + self.seconds_start

    def to_json(self) -> dict[str, Any]:
        neo4j_seconds = self.seconds_csv + self.seconds_import + self.seconds_restart + self.seconds_schema
        total = self.seconds_parse + neo4j_seconds
        records = self.nodes + self.relationships
        return {"nodes": self.nodes, "relationships": self.relationships,
                "seconds_parse": round(self.seconds_parse, 2), "seconds_csv": round(self.seconds_csv, 2),
                "seconds_import": round(self.seconds_import, 2), "seconds_restart": round(self.seconds_restart, 2),
                "seconds_stop": round(self.seconds_stop, 2), "seconds_stop_alone": round(self.seconds_stop_alone, 2),
                "seconds_start": round(self.seconds_start, 2),
                "seconds_schema": round(self.seconds_schema, 2),
                "records_per_second_import": round(records / self.seconds_import) if self.seconds_import else None,
                "records_per_second": round(records / total) if total else None,
                "records_per_second_neo4j": round(records / neo4j_seconds) if neo4j_seconds else None}


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

    def admin_import(self, database: str, files: list[ImportFile], progress: Progress | None = None) -> None:
        """``neo4j-admin database import full`` of ``files`` into ``database`` (the server stopped)."""
        multiline = [str(f.data) for f in files if f.multiline]
        options = ["database", "import", "full", database, "--overwrite-destination=true", "--id-type=string",
                   f"--array-delimiter={ARRAY_DELIMITER}", "--skip-duplicate-nodes=false", "--bad-tolerance=0",
                   f"--threads={os.cpu_count() or 1}",
                   *([f"--report-file={files[0].data.parent / 'import.report'}"] if files else []),  # not in home
                   f"--max-off-heap-memory={os.environ.get('GRAPHBENCH_BULK_OFF_HEAP', IMPORT_OFF_HEAP)}",
                   *(["--multiline-fields-format=v2", f"--multiline-fields={','.join(multiline)}"] if multiline
                     else []),
                   *(f.argument() for f in files)]
        heap = os.environ.get("GRAPHBENCH_BULK_HEAP", IMPORT_HEAP)
        env = self._env()
        if self.tarball:
            command = [str(self.home / "bin" / "neo4j-admin"), *options]
            env = env | {"HEAP_SIZE": heap}
        else:
            lib = REPO_ROOT / ".neo4j"
            command = ["java", f"-Xmx{heap}", "-cp", f"{lib / 'lib'}/*:{lib / 'plugins'}/*",
                       "org.neo4j.cli.AdminTool", *options]
        (self.home / "conf").mkdir(parents=True, exist_ok=True)
        tail: list[str] = []
        shown = _ImportProgress(progress) if progress is not None else None
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                              cwd=self.home, errors="replace") as process:
            assert process.stdout is not None
            for line in process.stdout:
                tail = [*tail[-40:], line.rstrip()]
                if shown is not None:
                    shown.line(line)
        if shown is not None and process.returncode == 0:
            shown.finish()
        if process.returncode != 0:
            lines = [t for t in tail if t.strip()]
            said = next((t for t in reversed(lines) if "rror" in t or "xception" in t), lines[-1] if lines else "")
            raise GraphbenchError(f"neo4j-admin database import failed: {said.strip() or process.returncode}")


def _last_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in (done.stderr + done.stdout).strip().splitlines() if line.strip()]
    return lines[-1] if lines else f"exit code {done.returncode}"


class _ImportProgress:
    """neo4j-admin prints ``(1/4) Node import`` and then dots with ``NN%`` per stage: one bar over all stages."""

    NAME = "neo4j-admin import (% of its stages)"
    STAGE = re.compile(r"^\((\d+)/(\d+)\)")
    PERCENT = re.compile(r"(\d{1,3})% ")

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.stage, self.stages = 0, 0

    def line(self, text: str) -> None:
        stage = self.STAGE.match(text.strip())
        if stage:
            self.stage, self.stages = int(stage.group(1)), int(stage.group(2))
            return
        found = self.PERCENT.findall(text)
        if found and self.stages:
            done = (self.stage - 1) * 100 + min(int(found[-1]), 100)
            self.progress(self.NAME, done, self.stages * 100)

    def finish(self) -> None:
        """A small import prints only the first percent of a stage: the bar is filled when it is done."""
        total = (self.stages or 4) * 100
        self.progress(self.NAME, total, total)


# -- the whole path ------------------------------------------------------------------------------

def bulk_load(url: str, directory: str | Path, *, open_server: Callable[[], Any], server: LocalNeo4j,
              database: str = "neo4j", mapping: Any = None, rejects_dir: str | Path = "rejects",
              progress: Progress | None = None, resolve: bool = True) -> tuple[Any, BulkFigures]:
    """(load report, figures) of a first load of ``directory`` into the empty database behind ``url``.

    ``open_server()`` opens the Neo4j store (it creates the schema); refuses with one sentence when the
    database holds anything, or when the server is down but its database exists (nothing can tell then
    whether it is empty). Nothing is stopped or written into Neo4j before every staged table is checked,
    so bad input (a value holding U+001F) leaves the server as it was; the stop then overlaps DuckDB's
    writing of the CSVs.
    """
    from graphbench.alerts.scan import after_load

    _refuse_unless_empty(url, server, database, open_server)
    figures = BulkFigures()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="graphbench-bulk-") as folder:
        report, staged = _stage(Path(folder) / "stage", directory, mapping, rejects_dir, progress, resolve)
        parsed = time.perf_counter()
        figures.seconds_parse = parsed - started
        with ThreadPoolExecutor(max_workers=1) as pool:
            stopping: list[Future[float]] = []

            def stop_if_running() -> None:  # once every table is checked: the stop overlaps the writing
                if server.database_exists(database) or _answers(open_server):
                    stopping.append(pool.submit(_timed, progress, "stopping Neo4j", server.stop))

            try:
                files = write_import_csvs(staged, Path(folder) / "csv", progress, checked=stop_if_running)
            except BaseException:
                if stopping:  # the CSVs failed (the disk?) after the stop began: serve the untouched database again
                    stopping[0].result()
                    server.start()
                raise
            shutil.rmtree(staged.parent, ignore_errors=True)  # the CSVs hold the graph now: free the disk
            written = time.perf_counter()
            figures.seconds_csv = written - parsed
            figures.seconds_stop_alone = stopping[0].result() if stopping else 0.0
        stopped = time.perf_counter()
        figures.seconds_stop = stopped - written  # what the stop added after the CSVs were written
        figures.nodes = sum(f.rows for f in files if f.kind == "nodes")
        figures.relationships = sum(f.rows for f in files if f.kind == "relationships")
        figures.files = [str(f.data) for f in files]
        server.admin_import(database, files, progress)
        imported = time.perf_counter()
        figures.seconds_import = imported - stopped
    _step(progress, "starting Neo4j", server.start)
    running = time.perf_counter()
    figures.seconds_start = running - imported
    store = _step(progress, "constraints and indexes", open_server)  # creates the schema graphbench keeps
    try:
        store.run("CALL db.awaitIndexes(600)")
        figures.seconds_schema = time.perf_counter() - running
        after_load(store)
    finally:
        store.close()
    return report, figures


def _stage(folder: Path, directory: str | Path, mapping: Any, rejects_dir: str | Path,
           progress: Progress | None, resolve: bool) -> tuple[Any, Path]:
    """(load report, staged database file): ``directory`` loaded as ``graphbench load`` loads it, into a
    throw-away embedded workspace at ``folder``."""
    from graphbench.store import open_store
    from graphbench.store.duck_workspace import DATABASE
    from loaders.load import load_dir

    store = open_store(f"file:{folder}")
    try:
        report = load_dir(store, directory, mapping=mapping, rejects_dir=rejects_dir, progress=progress,
                          resolve=resolve)
    finally:
        store.close()  # publishes the workspace
    return report, folder / DATABASE


def _timed(progress: Progress | None, name: str, action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    _step(progress, name, action)
    return time.perf_counter() - started


def _step(progress: Progress | None, name: str, action: Callable[[], Any]) -> Any:
    """One phase without steps of its own, shown as a bar that fills when it is done."""
    if progress is not None:
        progress(name, 0, 1)
    result = action()
    if progress is not None:
        progress(name, 1, 1)
    return result


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

