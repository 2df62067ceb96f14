"""Data: which store is open, loading exports, counts, rejects, provenance."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from app_pages.common import allowed, audit_event, bump_version, get_store, store_url
from graphbench import audit
from graphbench.errors import GraphbenchError
from graphbench.schema import PROVENANCE_PROPS
from graphbench.viz.safe_text import markdown_text

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
REJECTS = Path(os.environ.get("GRAPHBENCH_REJECTS", "rejects"))

st.title("Data")
store = get_store()


def run_load(folder: Path, mapping: Path | None = None, recorded_as: dict[str, str] | None = None) -> Any:
    """Load ``folder``; the outcome in words (zero rows loaded is a warning, a refused file an error).
    ``recorded_as``: uploaded file name → the name provenance records (the user's own, not the scratch path)."""
    from loaders.load import load_dir

    if not allowed("load"):  # loads are the admins' (issue 17: graphbench/auth/permissions.py)
        st.warning("Loading data needs the admin role.")
        return None
    bar = st.progress(0.0, text="loading…")

    def progress(name: str, done: int, expected: int) -> None:
        # an uploaded file's name is chosen by whoever made the file: text, not Markdown
        bar.progress(min(done / max(expected, 1), 1.0), text=f"{markdown_text(name)}: {done:,} rows")

    try:
        report = load_dir(store, folder, mapping=mapping, rejects_dir=REJECTS, progress=progress,
                          recorded_as=recorded_as)
    except GraphbenchError as exc:
        bar.empty()
        # a load error quotes the file's own values; an upload's scratch folder is no name the user knows
        message = str(exc).replace(f"{folder}/", "").replace(str(folder), "the uploaded files")
        st.error(markdown_text(message))
        return None
    bar.empty()
    audit_event("load", {"files": sorted(recorded_as or {}) or str(folder), "rows": report.rows,
                         "rejected": report.rejected})
    bump_version()
    for refused in (f.refused for f in report.files if f.refused):
        st.error(markdown_text(refused))
    loaded = sum(f.loaded for f in report.files)
    outcome = (f"loaded {loaded:,} of {report.rows:,} rows, rejected {report.rejected:,}, "
               f"{report.warnings:,} optional fields set aside")
    if loaded:
        st.success(outcome)
    else:  # nothing reached the graph: never a green tick
        st.warning(f"Nothing was loaded: {outcome}. The reasons are under *Data quality* below.")
    st.dataframe(pd.DataFrame([f.__dict__ for f in report.files]), hide_index=True)
    return report


def kind_of(name: str) -> str | None:
    from loaders.mapping import KINDS

    return next((k for k in KINDS if name.lower().startswith(k)), None)


left, right = st.columns(2)
with left:
    st.subheader("Load")
    if st.button("Load the sample data", type="primary", disabled=not allowed("load")):
        run_load(SAMPLE)
    with st.expander("…or several canonical files at once (named accounts*, listings*, …), with a YAML mapping"):
        uploads = st.file_uploader("Exports (CSV / JSON Lines, named accounts*, listings*, …)",
                                   accept_multiple_files=True, type=["csv", "jsonl", "ndjson", "json"])
        mapping = st.file_uploader("Column mapping (YAML, optional)", type=["yaml", "yml"])
        if uploads and st.button("Load the uploaded files"):
            names = [Path(upload.name).name for upload in uploads]
            unknown = [n for n in names if kind_of(n) is None]
            if unknown and mapping is None:
                st.error(f"{markdown_text(', '.join(unknown))}: a file name must start with its kind (accounts, "
                         "listings, …) or a mapping must name it; the import above reads any name.")
            else:
                folder = Path(tempfile.mkdtemp(prefix="graphbench-upload-"))
                for upload, name in zip(uploads, names, strict=True):
                    data = upload.getvalue()
                    audit.record_upload(store_url(), name, data)  # what came in, as it came, before any parsing
                    (folder / name).write_bytes(data)
                mapping_path = None
                if mapping is not None:
                    audit.record_upload(store_url(), mapping.name, mapping.getvalue())
                    mapping_path = folder / Path(mapping.name).name  # .yaml: never read as an export
                    mapping_path.write_bytes(mapping.getvalue())
                run_load(folder, mapping_path, {n: n for n in names})

with right:
    st.subheader("Counts")
    stats = store.stats()
    totals = st.columns(3)
    totals[0].metric("Nodes", f"{sum(stats['nodes'].values()):,}")
    totals[1].metric("Relationships", f"{sum(stats['relationships'].values()):,}")
    totals[2].metric("Node labels", f"{sum(1 for v in stats['nodes'].values() if v)}")
    counts = pd.DataFrame(
        [{"kind": "node", "name": k, "count": v} for k, v in stats["nodes"].items()]
        + [{"kind": "relationship", "name": k, "count": v} for k, v in stats["relationships"].items()])
    st.bar_chart(counts[counts["count"] > 0], x="name", y="count", color="kind", horizontal=True, height=420)

st.subheader("Import an export with its own column names")
from app_pages.import_wizard import import_wizard  # noqa: E402

import_wizard(store, store_url(), run_load)

st.subheader("Data quality: rejected rows")
from loaders.load import read_rejects  # noqa: E402

rejects = read_rejects(REJECTS)
if rejects.empty:
    st.caption(f"No rejected rows in {markdown_text(REJECTS)}/.")
else:
    st.caption(f"{len(rejects):,} rejected rows in {markdown_text(REJECTS)}/ — each with the field and the reason")
    st.dataframe(rejects[["file", "row", "field", "reason", "raw"]], hide_index=True, height=240)

st.subheader("Data quality: optional fields set aside")
from loaders.load import read_warnings  # noqa: E402

warnings = read_warnings(REJECTS)
if warnings.empty:
    st.caption(f"No optional field was set aside in {markdown_text(REJECTS)}/.")
else:
    st.caption(f"{len(warnings):,} optional fields set aside in {markdown_text(REJECTS)}/ — their rows loaded without them")
    st.dataframe(warnings[["file", "row", "field", "reason", "value"]], hide_index=True, height=240)

st.subheader("Provenance")
node_id = st.text_input("Node id", placeholder="Account:instagram:reptile.house")
if node_id and not allowed("provenance"):  # viewers see no provenance (issue 17: graphbench/auth/permissions.py)
    st.caption("Provenance is for the analyst and admin roles.")
elif node_id:
    node = store.node(node_id.strip())
    if node is None:
        st.warning("No such node.")
    else:
        provenance = {k: node.get(k) for k in PROVENANCE_PROPS if k != "sources"}
        st.json(provenance)
        st.dataframe(pd.DataFrame({"source (file#row#sha256)": node.get("sources") or []}), hide_index=True)
