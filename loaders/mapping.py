"""Column mappings in YAML, so a new export format needs no code.

```yaml
files:
  transactions:                 # canonical file kind (or a list of entries, each with `kind:`)
    match: "transactions*.csv"  # glob of source file names this entry applies to
    columns: {from_id: sourceNodeId, to_id: targetNodeId, amount: value}   # canonical: source
    join: {common_names: ["English Names", "French Names"]}              # joined with ';'
    constants: {from_type: bank_account, currency: USD}                  # fixed values
    templates: {tx_id: "amlsim-{_row}"}         # str.format over source columns and _row
    days_since: {timestamp: {column: time, epoch: "2020-01-01"}}         # day numbers to dates
```
Columns a mapping does not name keep their own name, so a file that is already canonical
needs no entry.

Templates name source columns only (``{column}``, ``{_row}``, with a short format spec such as
``{_row:06d}``): no attribute or index access, no nested fields, widths up to
``MAX_TEMPLATE_WIDTH`` — so a mapping file cannot build a 300 MB value. A value longer than
``MAX_TEMPLATE_OUTPUT`` or a column a row lacks rejects that row with one sentence.
"""

from __future__ import annotations

import fnmatch
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from graphbench.errors import InvalidRow, MappingError

MAX_TEMPLATE_LENGTH = 500  # characters of one template as written
MAX_TEMPLATE_FIELDS = 20
MAX_TEMPLATE_WIDTH = 100  # the largest width or precision a format spec may ask for
MAX_TEMPLATE_OUTPUT = 10_000  # characters a template may produce for one row
KINDS = ("species", "keywords", "accounts", "listings", "payment_links", "transactions", "shipments", "seizures",
         "fx_rates")


@dataclass
class MappingEntry:
    kind: str
    match: str
    columns: dict[str, str] = field(default_factory=dict)
    join: dict[str, list[str]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    templates: dict[str, str] = field(default_factory=dict)
    days_since: dict[str, dict[str, str]] = field(default_factory=dict)

    def source_columns(self) -> set[str]:
        names = set(self.columns.values())
        for sources in self.join.values():
            names.update(sources)
        names.update(spec["column"] for spec in self.days_since.values())
        for template in self.templates.values():
            names.update(f for _, f, _, _ in string.Formatter().parse(template) if f and f != "_row")
        return names

    def check_header(self, header: list[str], file: Path) -> None:
        missing = sorted(self.source_columns() - set(header))
        if missing:
            raise MappingError(f"mapping for {self.kind} names column {missing[0]!r}, which {file.name} "
                               f"does not have (it has: {', '.join(header)})")

    def converter(self) -> Callable[[dict[str, str], int], dict[str, str]]:
        renamed = set(self.columns.values())

        def convert(raw: dict[str, str], row_number: int) -> dict[str, str]:
            out = {k: v for k, v in raw.items() if k not in renamed}
            for target, source in self.columns.items():
                out[target] = raw.get(source, "")
            for target, sources in self.join.items():
                parts = [raw.get(s, "") for s in sources]
                out[target] = ";".join(p for p in parts if p and p.strip())
            for target, value in self.constants.items():
                out[target] = str(value)
            for target, template in self.templates.items():
                out[target] = _fill(target, template, raw, row_number)
            for target, spec in self.days_since.items():
                out[target] = _days_since(raw.get(spec["column"], ""), spec.get("epoch", "1970-01-01"))
            return out

        return convert


class _RowFields(dict[str, str]):
    def __missing__(self, key: str) -> str:
        raise InvalidRow(key, f"the mapping's template names column {key!r}, which this row does not have")


def _fill(target: str, template: str, raw: dict[str, str], row_number: int) -> str:
    fields = _RowFields(raw)
    fields["_row"] = row_number  # type: ignore[assignment]  # an int, so {_row:06d} works
    try:
        value = template.format_map(fields)
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. {_row:x} on text
        raise InvalidRow(target, f"the mapping's template {template!r} cannot be filled ({exc})") from None
    if len(value) > MAX_TEMPLATE_OUTPUT:
        raise InvalidRow(target, f"the mapping's template made a value of {len(value):,} characters "
                         f"(at most {MAX_TEMPLATE_OUTPUT:,})")
    return value


def check_template(target: str, template: str, where: str) -> None:
    """Refuse, with one sentence, a template that reads more than columns or can grow without bound."""
    if len(template) > MAX_TEMPLATE_LENGTH:
        raise MappingError(f"{where}: the template for {target} is longer than {MAX_TEMPLATE_LENGTH} characters")
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise MappingError(f"{where}: the template for {target} is not a valid template ({exc})") from None
    fields = [(name, spec) for _, name, spec, _ in parts if name is not None]
    if len(fields) > MAX_TEMPLATE_FIELDS:
        raise MappingError(f"{where}: the template for {target} names more than {MAX_TEMPLATE_FIELDS} fields")
    for name, spec in fields:
        if not name or re.search(r"[.\[\]]", name):
            raise MappingError(f"{where}: the template for {target} uses {{{name}}}; a template names "
                               "columns only, as {column}")
        if spec and ("{" in spec or any(int(n) > MAX_TEMPLATE_WIDTH for n in re.findall(r"\d+", spec))):
            raise MappingError(f"{where}: the template for {target} asks for the format {spec!r}; widths "
                               f"and precisions go up to {MAX_TEMPLATE_WIDTH}, without nested fields")


def _days_since(value: str, epoch: str) -> str:
    try:
        start = datetime.fromisoformat(epoch).replace(tzinfo=UTC)
        return (start + timedelta(days=float(value))).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, OverflowError):
        return value  # left as it is: the loader's date check rejects the row with its reason


@dataclass
class Mapping:
    entries: list[MappingEntry]
    path: Path | None = None

    @classmethod
    def load(cls, path: str | Path) -> Mapping:
        path = Path(path)
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise MappingError(f"mapping file {path} cannot be read ({exc.strerror})") from None
        except yaml.YAMLError as exc:
            raise MappingError(f"mapping file {path} is not valid YAML ({exc})") from None
        files = (document or {}).get("files") if isinstance(document, dict) else None
        if not files:
            raise MappingError(f"mapping file {path} has no 'files:' section")
        raw_entries: list[dict[str, Any]]
        if isinstance(files, dict):
            raw_entries = [{"kind": kind, **(spec or {})} for kind, spec in files.items()]
        else:
            raw_entries = list(files)
        entries = []
        for spec in raw_entries:
            if not isinstance(spec, dict):
                raise MappingError(f"mapping file {path}: each entry is a mapping of keys, not {spec!r:.60}")
            for key in ("columns", "join", "constants", "templates", "days_since"):
                if spec.get(key) is not None and not isinstance(spec[key], dict):
                    raise MappingError(f"mapping file {path}: {key} of entry {spec.get('kind')} must map "
                                       "names to values")
            kind = spec.get("kind")
            if kind not in KINDS:
                raise MappingError(f"mapping file {path}: unknown file kind {kind!r}; known: {', '.join(KINDS)}")
            unknown = set(spec) - {"kind", "match", "columns", "join", "constants", "templates", "days_since"}
            if unknown:
                raise MappingError(f"mapping file {path}: entry {kind} has unknown key {sorted(unknown)[0]!r}")
            templates = {str(k): str(v) for k, v in (spec.get("templates") or {}).items()}
            for target, template in templates.items():
                check_template(target, template, f"mapping file {path}, entry {kind}")
            days_since = {str(k): v for k, v in (spec.get("days_since") or {}).items()}
            for target, day_spec in days_since.items():
                if not isinstance(day_spec, dict) or "column" not in day_spec:
                    raise MappingError(f"mapping file {path}, entry {kind}: days_since for {target} names no column")
                try:
                    datetime.fromisoformat(str(day_spec.get("epoch", "1970-01-01")))
                except ValueError:
                    raise MappingError(f"mapping file {path}, entry {kind}: days_since for {target} has an "
                                       f"epoch that is not an ISO date ({day_spec.get('epoch')!r})") from None
            entries.append(MappingEntry(
                kind=kind, match=str(spec.get("match") or f"{kind}*"),
                columns={str(k): str(v) for k, v in (spec.get("columns") or {}).items()},
                join={str(k): [str(x) for x in v] for k, v in (spec.get("join") or {}).items()},
                constants={str(k): str(v) for k, v in (spec.get("constants") or {}).items()},
                templates=templates,
                days_since=days_since,
            ))
        return cls(entries, path)

    def entries_for(self, file: Path) -> list[MappingEntry]:
        return [e for e in self.entries if fnmatch.fnmatch(file.name, e.match)]
