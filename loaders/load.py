"""Loading a folder of exports into a store: find files, map columns, validate, write, keep rejects.

Files are read in a fixed order (species and keywords first, since listings are matched against
them) and streamed row by row; good rows go to the store in batches, bad rows to
``<rejects>/<file>.rejects.csv`` with file, row, field and reason. Rows in = loaded + rejected.

A row is rejected only for a *required* field (or when it cannot be read at all). An optional
field that fails is set aside: the row loads without it and the field goes to
``<rejects>/<file>.warnings.csv`` (file, row, field, reason, value). A file that is not what it
claims — a symbolic link, a path resolving outside the load folder, binary data — is refused
with one sentence (in its rejects file and the report) and the other files load.
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

from graphbench.errors import GraphbenchError, InvalidRow
from graphbench.store.base import GraphStore, writer
from loaders import accounts, fx_rates, keywords, listings, payment_links, seizures, shipments, species, transactions
from loaders.context import FieldWarning, RowContext, scratch_context
from loaders.mapping import KINDS, Mapping, MappingEntry
from loaders.reader import header_of, not_text, read_rows

PARSERS: dict[str, ModuleType] = {
    m.KIND: m for m in (species, keywords, accounts, listings, payment_links, transactions, shipments, seizures,
                        fx_rates)
}
SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".json")
WRITE_BATCH = 20_000

Progress = Callable[[str, int, int], None]  # (file name, rows done, rows expected)


@dataclass
class FileReport:
    file: str
    kind: str
    rows: int = 0
    loaded: int = 0
    rejected: int = 0
    warnings: int = 0  # optional fields set aside in rows that loaded
    rejects_file: str | None = None
    warnings_file: str | None = None
    refused: str | None = None  # why the file was not read at all


@dataclass
class LoadReport:
    files: list[FileReport] = field(default_factory=list)
    resolution: dict[str, Any] | None = None

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def warnings(self) -> int:
        return sum(f.warnings for f in self.files)

    def _key(self, report: FileReport) -> str:
        """The file name, or ``name#kind`` when a mapping reads one file as several kinds."""
        shared = sum(f.file == report.file for f in self.files) > 1
        return f"{report.file}#{report.kind}" if shared else report.file

    def to_json(self) -> dict[str, Any]:
        return {
            "files": {self._key(f): asdict(f) for f in self.files},
            "rows": self.rows,
            "loaded": sum(f.loaded for f in self.files),
            "rejected": self.rejected,
            "warnings": self.warnings,
            "refused": [self._key(f) for f in self.files if f.refused],
            "resolution": self.resolution,
        }


@dataclass
class Source:
    kind: str
    path: Path
    entry: MappingEntry | None
    refused: str | None = None  # one sentence: why this file is not read


@dataclass
class CanonicalRow:
    number: int
    row: dict[str, str]
    sha256: str
    error: InvalidRow | None = None  # the row cannot be read or converted
    note: str | None = None  # a reader's warning for the whole row


def refusal(path: Path, folder: Path) -> str | None:
    """Why a file of the load folder must not be read, as one sentence, or None.

    A symbolic link is refused even when it points inside the folder: an export is a file, and
    following links is how ``/etc/passwd`` ends up on the Data page."""
    if path.is_symlink():
        return f"{path.name} is a symbolic link; only regular files in the load folder are read, so it was not read"
    try:
        resolved = path.resolve(strict=True)
    except OSError as exc:
        return f"{path.name} cannot be opened ({exc.strerror}); it was not read"
    if not resolved.is_relative_to(folder):
        return f"{path.name} resolves to a file outside the load folder; it was not read"
    try:
        what = not_text(resolved)
    except OSError as exc:
        return f"{path.name} cannot be read ({exc.strerror}); it was not read"
    if what:
        return f"{path.name} is not a text file (it looks like {what}); it was not read"
    return None


def find_sources(directory: Path, mapping: Mapping | None = None) -> list[Source]:
    """The files of a folder that graphbench reads, in load order (refused ones included, marked)."""
    if not directory.is_dir():
        raise GraphbenchError(f"{directory} is not a folder")
    folder = directory.resolve()
    # lstat-based: a link to a folder or to nothing is listed too, so it can be refused by name
    files = sorted(p for p in directory.iterdir()
                   if (p.is_symlink() or p.is_file()) and p.suffix.lower() in SUFFIXES)
    sources: list[Source] = []
    for path in files:
        entries = mapping.entries_for(path) if mapping else []
        found = [Source(e.kind, path, e) for e in entries]
        if not found:
            kind = next((k for k in KINDS if path.stem.lower().startswith(k)), None)
            found = [Source(kind, path, None)] if kind else []
        refused = refusal(path, folder) if found else None
        for source in found:
            source.refused = refused
        sources += found
    for source in sources:
        if source.entry and not source.refused:
            source.entry.check_header(header_of(source.path), source.path)
    return sorted(sources, key=lambda s: (KINDS.index(s.kind), s.path.name))


def canonical_rows(source: Source) -> Iterator[CanonicalRow]:
    """Each record of a file as a canonical row, with the sha256 of its raw record, or the reason
    it cannot be read (or converted by the mapping)."""
    convert = source.entry.converter() if source.entry else None
    for row in read_rows(source.path):
        if row.error:
            yield CanonicalRow(row.number, row.raw, row.sha256, InvalidRow("", row.error))
            continue
        raw = {k.strip(): v for k, v in row.raw.items()}
        if convert is None:
            yield CanonicalRow(row.number, raw, row.sha256, note=row.note)
            continue
        try:
            yield CanonicalRow(row.number, convert(raw, row.number), row.sha256, note=row.note)
        except InvalidRow as exc:
            yield CanonicalRow(row.number, raw, row.sha256, exc)


def load_dir(store: GraphStore, directory: str | Path, mapping: str | Path | Mapping | None = None,
             rejects_dir: str | Path = "rejects", progress: Progress | None = None,
             resolve: bool = True, recorded_as: dict[str, str] | None = None) -> LoadReport:
    """Load every recognised file of ``directory``; then recompute cross-posts and SAME_AS. The store's one
    writer is held throughout: a second load into it waits for this one (or stops with one sentence).

    ``recorded_as``: file name → what provenance records as its source file (an upload copied to a
    scratch folder is recorded by the name its owner gave it, not by the scratch path); by default
    the file's resolved path."""
    with store.write_lock():
        report = _load_dir(store, directory, mapping, rejects_dir, progress, resolve, recorded_as or {})
    from graphbench.alerts import after_load

    after_load(store)  # watchlists and takedowns: what this load brought becomes alerts (issue 17)
    return report


def _load_dir(store: GraphStore, directory: str | Path, mapping: str | Path | Mapping | None,
              rejects_dir: str | Path, progress: Progress | None, resolve: bool,
              recorded_as: dict[str, str]) -> LoadReport:
    if mapping is not None and not isinstance(mapping, Mapping):
        mapping = Mapping.load(mapping)
    sources = find_sources(Path(directory), mapping)
    if not sources:
        raise GraphbenchError(f"{directory} holds none of the canonical files ({', '.join(KINDS)}) "
                              "and no mapping entry matched")
    report = LoadReport()
    extra_species: list[dict[str, Any]] = []
    extra_keywords: list[dict[str, Any]] = []
    matcher: Any = None
    species_props: dict[str, dict[str, Any]] = {}
    for source in sources:
        if source.kind in ("listings", "seizures") and matcher is None:  # seizures name species too
            matcher, species_props = build_matcher(extra_species, extra_keywords)
        file_report = load_file(store, source, Path(rejects_dir), matcher, species_props, progress,
                                collect={"species": extra_species, "keywords": extra_keywords}.get(source.kind),
                                recorded_as=recorded_as.get(source.path.name))
        report.files.append(file_report)
    store.commit()
    if resolve:
        report.resolution = resolve_after_load(store)
        store.commit()
    return report


def load_file(store: GraphStore, source: Source, rejects_dir: Path, matcher: Any,
              species_props: dict[str, dict[str, Any]], progress: Progress | None = None,
              collect: list[dict[str, Any]] | None = None, recorded_as: str | None = None) -> FileReport:
    parser = PARSERS[source.kind]
    name = source.path.name
    report = FileReport(file=name, kind=source.kind)
    rejects: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    if source.refused:
        report.refused = source.refused
        report.rejects_file = _write_table(rejects_dir, f"{name}.rejects.csv", REJECT_COLUMNS,
                                           [_reject(name, 0, "", source.refused, {})])
        _write_table(rejects_dir, f"{name}.warnings.csv", WARNING_COLUMNS, [])
        return report
    expected = _count_lines(source.path)
    recorded_path = recorded_as or str(source.path.resolve())
    required = tuple(getattr(parser, "REQUIRED", ()))

    def one(number: int, row: dict[str, str], sha256: str, note: str | None = None,
            error: InvalidRow | None = None) -> Any:
        """One row through its parser: its batch, or None when it is rejected (kept in ``rejects``)."""
        try:
            if error:
                raise error
            ctx = RowContext(recorded_path, number, sha256, matcher, species_props)
            if note:  # the row as read, so the analyst can check its letters
                ctx.warn("", note, json.dumps(row, ensure_ascii=False)[:300])
            row = _without_nul(row, required, ctx)
            batch = parser.parse(row, ctx)
            if collect is not None:
                scratch = scratch_context()
                collect.append(species.species_props(row, scratch) if source.kind == "species"
                               else keywords.keyword_row(row, scratch))
        except InvalidRow as exc:
            rejects.append(_reject(name, number, exc.field, exc.reason, row))
            return None
        report.loaded += 1
        warnings.extend(_warning(name, number, w) for w in ctx.warnings)
        return batch

    # transactions in a plain UTF-8 CSV go column-wise (loaders/columnar_load.py); odd rows still meet `one`
    from loaders import columnar_load

    fast = source.entry is None and columnar_load.load(store, source, report, recorded_path, one, progress, expected,
                                                       (rejects, warnings))
    with writer(store, WRITE_BATCH) as out:
        for record in ([] if fast else canonical_rows(source)):
            report.rows += 1
            batch = one(record.number, record.row, record.sha256, record.note, record.error)
            if batch is not None:
                out.add(batch)
            if progress and report.rows % 2000 == 0:
                progress(name, report.rows, expected)
    if progress:
        progress(name, report.rows, report.rows)
    report.rejected = len(rejects)
    report.warnings = len(warnings)
    report.rejects_file = _write_table(rejects_dir, f"{name}.rejects.csv", REJECT_COLUMNS, rejects)
    report.warnings_file = _write_table(rejects_dir, f"{name}.warnings.csv", WARNING_COLUMNS, warnings)
    return report


def _without_nul(row: dict[str, str], required: tuple[str, ...], ctx: RowContext) -> dict[str, str]:
    """A NUL byte is never silently dropped from a value: in a required field it rejects the
    row (a key with a hidden byte would be another key), in an optional one the field is set aside."""
    if not any("\x00" in value for value in row.values() if isinstance(value, str)):
        return row
    clean = dict(row)
    for name, value in row.items():
        if not isinstance(value, str) or "\x00" not in value:
            continue
        if name in required:
            raise InvalidRow(name, "contains a NUL byte (\\x00), which no text field holds")
        ctx.warn(name, "contains a NUL byte (\\x00); the field was set aside", value.replace("\x00", "\\x00"))
        clean[name] = ""
    return clean


REJECT_COLUMNS = ("file", "row", "field", "reason", "raw")
WARNING_COLUMNS = ("file", "row", "field", "reason", "value")


def _reject(file: str, row: int, field_name: str, reason: str, raw: dict[str, str]) -> dict[str, Any]:
    return {"file": file, "row": row, "field": field_name, "reason": reason,
            "raw": json.dumps(raw, ensure_ascii=False)[:2000]}


def _warning(file: str, row: int, warning: FieldWarning) -> dict[str, Any]:
    return {"file": file, "row": row, "field": warning.field, "reason": warning.reason, "value": warning.value}


def _write_table(folder: Path, file_name: str, columns: tuple[str, ...], records: list[dict[str, Any]]) -> str | None:
    """One rejects (or warnings) file per input, rewritten on every load (a rerun leaves the same file)."""
    target = folder / file_name
    if not records:
        if target.exists():
            target.unlink()
        return None
    folder.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as handle:
        out = csv.DictWriter(handle, fieldnames=list(columns))
        out.writeheader()
        out.writerows(records)
    return str(target)


def read_rejects(folder: str | Path) -> pd.DataFrame:
    """Every rejects file of a folder as one table (for the data-quality view)."""
    return _read_tables(folder, "*.rejects.csv", REJECT_COLUMNS)


def read_warnings(folder: str | Path) -> pd.DataFrame:
    """Every warnings file of a folder as one table: the optional fields set aside."""
    return _read_tables(folder, "*.warnings.csv", WARNING_COLUMNS)


def _read_tables(folder: str | Path, pattern: str, columns: tuple[str, ...]) -> pd.DataFrame:
    files = sorted(Path(folder).glob(pattern))
    if not files:
        return pd.DataFrame(columns=list(columns))
    return pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True)


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            count += block.count(b"\n")
    return max(count - (0 if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else 1), 0)


def build_matcher(extra_species: list[dict[str, Any]], extra_keywords: list[dict[str, Any]]
                  ) -> tuple[Any, dict[str, dict[str, Any]]]:
    """The species matcher over the packaged lists plus the folder's own species/keywords files."""
    from graphbench.matching import build_matcher as build

    if not extra_species and not extra_keywords:
        matcher, props = _packaged_matcher()
        return matcher, {name: dict(values) for name, values in props.items()}
    return build(pd.DataFrame(extra_species) if extra_species else None,
                 pd.DataFrame(extra_keywords) if extra_keywords else None)


@functools.lru_cache(maxsize=1)
def _packaged_matcher() -> tuple[Any, dict[str, dict[str, Any]]]:
    """The matcher over the packaged lists alone, built once per process (a quarter of a second each
    time; the matcher only reads its index, so loads in one process can share it)."""
    from graphbench.matching import build_matcher as build

    return build()


def resolve_after_load(store: GraphStore) -> dict[str, Any] | None:
    from graphbench.resolve.run import resolve_store

    return asdict(resolve_store(store))
