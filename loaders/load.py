"""Loading a folder of exports into a store: find files, map columns, validate, write, keep rejects.

Files are read in a fixed order (species and keywords first, since listings are matched against
them) and streamed row by row; good rows go to the store in batches, bad rows to
``<rejects>/<file>.rejects.csv`` with file, row, field and reason. Rows in = loaded + rejected.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

from graphbench.errors import GraphbenchError, InvalidRow
from graphbench.store.base import GraphStore, writer
from loaders import accounts, fx_rates, keywords, listings, payment_links, shipments, species, transactions
from loaders.context import RowContext
from loaders.mapping import KINDS, Mapping, MappingEntry
from loaders.reader import header_of, read_rows

PARSERS: dict[str, ModuleType] = {
    m.KIND: m for m in (species, keywords, accounts, listings, payment_links, transactions, shipments, fx_rates)
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
    rejects_file: str | None = None


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

    def _key(self, report: FileReport) -> str:
        """The file name, or ``name#kind`` when a mapping reads one file as several kinds."""
        shared = sum(f.file == report.file for f in self.files) > 1
        return f"{report.file}#{report.kind}" if shared else report.file

    def to_json(self) -> dict[str, Any]:
        return {
            "files": {self._key(f): asdict(f) for f in self.files},
            "loaded": sum(f.loaded for f in self.files),
            "rejected": self.rejected,
            "resolution": self.resolution,
        }


@dataclass
class Source:
    kind: str
    path: Path
    entry: MappingEntry | None


def find_sources(directory: Path, mapping: Mapping | None = None) -> list[Source]:
    """The files of a folder that graphbench reads, in load order."""
    if not directory.is_dir():
        raise GraphbenchError(f"{directory} is not a folder")
    files = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
    sources: list[Source] = []
    for path in files:
        entries = mapping.entries_for(path) if mapping else []
        if entries:
            sources += [Source(e.kind, path, e) for e in entries]
            continue
        kind = next((k for k in KINDS if path.stem.lower().startswith(k)), None)
        if kind:
            sources.append(Source(kind, path, None))
    for source in sources:
        if source.entry:
            source.entry.check_header(header_of(source.path), source.path)
    return sorted(sources, key=lambda s: (KINDS.index(s.kind), s.path.name))


def canonical_rows(source: Source) -> Iterator[tuple[int, dict[str, str], str, str | None]]:
    """(row number, canonical row, sha256 of the raw record, read error) for each record of a file."""
    convert = source.entry.converter() if source.entry else None
    for row in read_rows(source.path):
        if row.error:
            yield row.number, row.raw, row.sha256, row.error
            continue
        raw = {k.strip(): v for k, v in row.raw.items()}
        yield row.number, (convert(raw, row.number) if convert else raw), row.sha256, None


def load_dir(store: GraphStore, directory: str | Path, mapping: str | Path | Mapping | None = None,
             rejects_dir: str | Path = "rejects", progress: Progress | None = None,
             resolve: bool = True) -> LoadReport:
    """Load every recognised file of ``directory``; then recompute cross-posts and SAME_AS."""
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
        if source.kind == "listings" and matcher is None:
            matcher, species_props = build_matcher(extra_species, extra_keywords)
        file_report = load_file(store, source, Path(rejects_dir), matcher, species_props, progress,
                                collect={"species": extra_species, "keywords": extra_keywords}.get(source.kind))
        report.files.append(file_report)
    commit = getattr(store, "commit", None)
    if commit:
        commit()
    if resolve:
        report.resolution = resolve_after_load(store)
        if commit:
            commit()
    return report


def load_file(store: GraphStore, source: Source, rejects_dir: Path, matcher: Any,
              species_props: dict[str, dict[str, Any]], progress: Progress | None = None,
              collect: list[dict[str, Any]] | None = None) -> FileReport:
    parser = PARSERS[source.kind]
    name = source.path.name
    report = FileReport(file=name, kind=source.kind)
    rejects: list[dict[str, Any]] = []
    expected = _count_lines(source.path)
    recorded_path = str(source.path.resolve())
    with writer(store, WRITE_BATCH) as out:
        for number, row, sha, error in canonical_rows(source):
            report.rows += 1
            if error:
                rejects.append(_reject(name, number, "", error, row))
            else:
                try:
                    ctx = RowContext(recorded_path, number, sha, matcher, species_props)
                    out.add(parser.parse(row, ctx))
                    if collect is not None:
                        collect.append(species.species_props(row) if source.kind == "species"
                                       else keywords.keyword_row(row))
                    report.loaded += 1
                except InvalidRow as exc:
                    rejects.append(_reject(name, number, exc.field, exc.reason, row))
            if progress and report.rows % 2000 == 0:
                progress(name, report.rows, expected)
    if progress:
        progress(name, report.rows, report.rows)
    report.rejected = len(rejects)
    report.rejects_file = _write_rejects(rejects_dir, name, rejects)
    return report


def _reject(file: str, row: int, field_name: str, reason: str, raw: dict[str, str]) -> dict[str, Any]:
    return {"file": file, "row": row, "field": field_name, "reason": reason,
            "raw": json.dumps(raw, ensure_ascii=False)[:2000]}


def _write_rejects(folder: Path, name: str, rejects: list[dict[str, Any]]) -> str | None:
    """One rejects file per input, rewritten on every load (so a rerun leaves the same file)."""
    target = folder / f"{name}.rejects.csv"
    if not rejects:
        if target.exists():
            target.unlink()
        return None
    folder.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as handle:
        out = csv.DictWriter(handle, fieldnames=["file", "row", "field", "reason", "raw"])
        out.writeheader()
        out.writerows(rejects)
    return str(target)


def read_rejects(folder: str | Path) -> pd.DataFrame:
    """Every rejects file of a folder as one table (for the data-quality view)."""
    files = sorted(Path(folder).glob("*.rejects.csv"))
    if not files:
        return pd.DataFrame(columns=["file", "row", "field", "reason", "raw"])
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

    return build(pd.DataFrame(extra_species) if extra_species else None,
                 pd.DataFrame(extra_keywords) if extra_keywords else None)


def resolve_after_load(store: GraphStore) -> dict[str, Any] | None:
    from graphbench.resolve.run import resolve_store

    return asdict(resolve_store(store))
