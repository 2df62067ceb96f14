"""Property-based: for generated files of good rows with planted bad rows, in any supported
encoding and as CSV or JSON Lines, rows in = loaded + rejected, exactly the rows with a bad
required field are rejected (each with a reason), exactly the bad optional fields are warnings,
and the graph equals the graph loaded from the good rows plus the warned rows without their bad
field."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphbench.export.jsonl import generate_jsonl
from graphbench.store import open_store
from loaders.load import load_dir, read_rejects, read_warnings

COLUMNS = ["platform", "handle", "display_name", "followers", "phone", "captured_at"]
PROVENANCE = {"source_file", "source_row", "sha256", "sources"}

names = st.text(alphabet="abcdefgh._éñüç", min_size=1, max_size=8).filter(lambda s: s.strip(" ._") == s)
dates = st.sampled_from(["2024-01-02", "2024-02-03T04:05:06Z", "03/04/2024", "2024-05-06 07:08"])
good_rows = st.fixed_dictionaries({
    "platform": st.sampled_from(["instagram", "Facebook", "telegram"]),
    "handle": names.map(lambda h: "@" + h),
    "display_name": st.text(alphabet="ABC abc,\"é;", max_size=12),
    "followers": st.integers(0, 10**6).map(str),
    "phone": st.sampled_from(["", "+84 91 234 5678", "+44 20 7946 0958"]),
    "captured_at": dates,
})
DEFECTS = {
    "handle": lambda row: {**row, "handle": ""},                    # required field missing
    "followers": lambda row: {**row, "followers": "lots"},          # wrong type
    "captured_at": lambda row: {**row, "captured_at": "someday"},   # not a date
    "phone": lambda row: {**row, "phone": "12"},                    # not a phone number
}
# Defects of a required field reject the row; the others are optional fields set aside (15.5).
REJECTING = {"handle"}
rows_with_defects = st.lists(st.tuples(good_rows, st.sampled_from([None, *DEFECTS])), min_size=1, max_size=25)


def write(folder: Path, rows: list[dict[str, str]], fmt: str, encoding: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "jsonl":
        text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        (folder / "accounts.jsonl").write_bytes(text.encode(encoding))
        return
    import csv
    import io

    buffer = io.StringIO()
    out = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    out.writeheader()
    out.writerows(rows)
    (folder / "accounts.csv").write_bytes(buffer.getvalue().encode(encoding))


def graph_without_provenance(store) -> list[dict]:
    lines = []
    for line in generate_jsonl(store):
        record = json.loads(line)
        record["properties"] = {k: v for k, v in record["properties"].items() if k not in PROVENANCE}
        lines.append(record)
    # the same graph whatever order the store lists it in (the raw rows' hashes differ)
    return sorted(lines, key=lambda r: json.dumps(r, sort_keys=True))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=rows_with_defects, fmt=st.sampled_from(["csv", "jsonl"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
def test_rows_in_equal_loaded_plus_rejected_and_good_rows_make_the_graph(rows, fmt, encoding) -> None:
    all_rows = [DEFECTS[defect](row) if defect else row for row, defect in rows]
    # the graph a load must make: good rows, and warned rows as if the bad field were empty
    good = [row if defect is None else {**row, defect: ""} for row, defect in rows if defect not in REJECTING]
    planted = {i + 1: defect for i, (_, defect) in enumerate(rows) if defect in REJECTING}
    warned = {i + 1: defect for i, (_, defect) in enumerate(rows) if defect and defect not in REJECTING}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        write(tmp_path / "all", all_rows, fmt, encoding)
        store = open_store("memory:")
        report = load_dir(store, tmp_path / "all", rejects_dir=tmp_path / "rej", resolve=False).files[0]
        assert report.rows == len(rows) == report.loaded + report.rejected
        rejects = read_rejects(tmp_path / "rej")
        assert {int(r.row): r.field for r in rejects.itertuples()} == planted
        assert all(reason.strip() for reason in rejects["reason"])
        warnings = read_warnings(tmp_path / "rej")
        assert {int(w.row): w.field for w in warnings.itertuples()} == warned
        assert report.warnings == len(warned) and all(reason.strip() for reason in warnings["reason"])

        reference = open_store("memory:")
        if good:
            write(tmp_path / "good", good, fmt, encoding)
            load_dir(reference, tmp_path / "good", rejects_dir=tmp_path / "rej2", resolve=False)
        assert graph_without_provenance(store) == graph_without_provenance(reference)
