"""Data: which store is open, loading exports, counts, rejects, provenance."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

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


def run_load(folder: Path, mapping: Path | None = None) -> None:
    from loaders.load import load_dir

    if not allowed("load"):  # loads are the admins' (issue 17: graphbench/auth/permissions.py)
        st.warning("Loading data needs the admin role.")
        return
    bar = st.progress(0.0, text="loading…")

    def progress(name: str, done: int, expected: int) -> None:
        # an uploaded file's name is chosen by whoever made the file: text, not Markdown
        bar.progress(min(done / max(expected, 1), 1.0), text=f"{markdown_text(name)}: {done:,} rows")

    try:
        report = load_dir(store, folder, mapping=mapping, rejects_dir=REJECTS, progress=progress)
    except GraphbenchError as exc:
        st.error(markdown_text(exc))  # a load error quotes the file's own values
        return
    bar.empty()
    audit_event("load", {"files": str(folder), "rows": report.rows, "rejected": report.rejected})
    bump_version()
    st.success(f"loaded {sum(f.loaded for f in report.files):,} rows, rejected {report.rejected:,}, "
               f"{report.warnings:,} optional fields set aside")
    st.dataframe(pd.DataFrame([f.__dict__ for f in report.files]), hide_index=True)


left, right = st.columns(2)
with left:
    st.subheader("Load")
    if st.button("Load the sample data", type="primary", disabled=not allowed("load")):
        run_load(SAMPLE)
    uploads = st.file_uploader("…or upload exports (CSV / JSON Lines, named accounts*, listings*, …)",
                               accept_multiple_files=True, type=["csv", "jsonl", "ndjson", "json"])
    mapping = st.file_uploader("Column mapping (YAML, optional)", type=["yaml", "yml"])
    if uploads and st.button("Load the uploaded files"):
        folder = Path(tempfile.mkdtemp(prefix="graphbench-upload-"))
        for upload in uploads:
            data = upload.getvalue()
            audit.record_upload(store_url(), upload.name, data)  # what came in, as it came, before any parsing
            (folder / Path(upload.name).name).write_bytes(data)
        mapping_path = None
        if mapping is not None:
            audit.record_upload(store_url(), mapping.name, mapping.getvalue())
            mapping_path = folder / "mapping.yaml.map"
            mapping_path.write_bytes(mapping.getvalue())
        run_load(folder, mapping_path)

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
if node_id:
    node = store.node(node_id.strip())
    if node is None:
        st.warning("No such node.")
    else:
        provenance = {k: node.get(k) for k in PROVENANCE_PROPS if k != "sources"}
        st.json(provenance)
        st.dataframe(pd.DataFrame({"source (file#row#sha256)": node.get("sources") or []}), hide_index=True)
