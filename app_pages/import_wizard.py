"""The Data page's import wizard: one foreign export into the graph without writing YAML.

Upload → preview → a suggested canonical column per column (``loaders.column_guess``, by name and by
content), each correctable by a dropdown, and the file's kind → the rows the real loaders would reject
and why (``loaders.preview``), before anything is written → load → the mapping offered as YAML
(download, and saved beside the workspace for next time, where the wizard finds it again).
"""

from __future__ import annotations

import glob
import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
import yaml

from graphbench import audit
from graphbench.errors import GraphbenchError
from graphbench.viz.safe_text import markdown_text
from loaders.column_guess import COLUMNS, guess_columns, guess_kind, mapping_document, missing_required
from loaders.column_guess import duplicate_targets as duplicates
from loaders.mapping import KINDS, Mapping

LEAVE_OUT = "(leave out)"
SAMPLE = 200  # rows read for the suggestions and the preview table
Loader = Callable[[Path, Path | None, dict[str, str]], Any]


def saved_mappings_dir(store: Any) -> Path:
    """Where wizard mappings are kept: GRAPHBENCH_MAPPINGS, else ``<workspace>-mappings`` beside an
    embedded workspace, else ``./saved-mappings``."""
    if os.environ.get("GRAPHBENCH_MAPPINGS"):
        return Path(os.environ["GRAPHBENCH_MAPPINGS"])
    path = getattr(store, "path", None)
    if path:
        path = Path(path)
        return path.with_name(f"{path.name}-mappings")
    return Path("saved-mappings")


def _saved_choice(folder: Path, name: str) -> tuple[str, dict[str, str]] | None:
    """(kind, source → canonical) from a mapping saved earlier for a file of this name, if any."""
    target = folder / f"{Path(name).stem}.yaml"
    if not target.is_file():
        return None
    try:
        entries = Mapping.load(target).entries_for(Path(name))
    except GraphbenchError:
        return None  # an edited file that no longer reads: suggest afresh
    if not entries:
        return None
    return entries[0].kind, {source: canonical for canonical, source in entries[0].columns.items()}


def _sample(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    from loaders.reader import header_of, read_rows

    rows = []
    for row in read_rows(path):
        if not row.error:
            rows.append(row.raw)
        if len(rows) >= SAMPLE:
            break
    return header_of(path), rows


@st.cache_data(show_spinner="Checking every row as the loader would…", max_entries=8)
def _preview(path: str, kind: str, mapping_yaml: str, name: str, digest: str) -> Any:
    """Cached per file content and mapping (``digest`` keys the content)."""
    from loaders.preview import preview_file

    mapping_path = Path(path).with_name(".wizard-mapping.yaml")
    mapping_path.write_text(mapping_yaml, encoding="utf-8")
    entry = Mapping.load(mapping_path).entries_for(Path(path))[0]
    return preview_file(Path(path), kind, entry, name)


def _label(kind: str) -> Callable[[str], str]:
    from loaders.load import PARSERS

    required = set(getattr(PARSERS[kind], "REQUIRED", ()))
    return lambda option: f"{option} (required)" if option in required else option


def import_wizard(store: Any, store_url: str, load: Loader) -> None:
    upload = st.file_uploader("Import one export (CSV / JSON Lines) with any column names: choose what each "
                              "column holds here, no YAML needed", type=["csv", "jsonl", "ndjson", "json"],
                              key="wizard_file")
    if upload is None:
        return
    data = upload.getvalue()
    name = Path(upload.name).name  # the user's own name, shown and recorded (never a scratch path)
    if name.strip(".") == "" or name.startswith("."):  # no hidden or dot-only names in the scratch folder
        name = f"upload{Path(name).suffix or '.csv'}"
    digest = hashlib.sha256(name.encode("utf-8") + b"\0" + data).hexdigest()[:16]  # one scratch folder per file
    if st.session_state.get("wizard_audited") != digest:
        audit.record_upload(store_url, name, data)  # what came in, as it came, before any parsing
        st.session_state["wizard_audited"] = digest
    folder = Path(tempfile.gettempdir()) / f"graphbench-import-{digest}"
    folder.mkdir(exist_ok=True)
    path = folder / name
    if not path.is_file() or path.stat().st_size != len(data):  # the page reruns on every click
        path.write_bytes(data)
    try:
        _wizard(store, load, path, name, digest)
    except GraphbenchError as exc:  # a file or mapping the loaders refuse: their one sentence
        st.error(markdown_text(exc))


def _wizard(store: Any, load: Loader, path: Path, name: str, digest: str) -> None:
    from loaders.load import refusal

    refused = refusal(path, path.parent.resolve())
    if refused:
        st.error(markdown_text(refused))
        return
    header, sample = _sample(path)
    if not header or not sample:
        st.error(f"{markdown_text(name)} has no rows to read (a header and at least one row are needed).")
        return
    if len(header) == 1 and any(sep in header[0] for sep in (";", "\t", "|")):
        st.error(f"{markdown_text(name)} separates its columns with something other than commas; save it as CSV "
                 "with commas (or as JSON Lines) and upload it again.")
        return
    st.caption(f"{markdown_text(name)}: its first rows as read")
    st.dataframe(pd.DataFrame(sample[:8]), hide_index=True, height=180)

    saved = _saved_choice(saved_mappings_dir(store), name)
    kind_default = saved[0] if saved else guess_kind(name, header, sample)
    kind = st.selectbox("This file holds", KINDS, index=KINDS.index(kind_default), key=f"wizard_kind_{digest}",
                        help="the canonical file kind (docs/formats.md) its rows become")
    guesses = guess_columns(header, sample, kind)
    if saved and saved[0] == kind:
        st.caption("Columns as in the mapping saved for this file name last time.")
    options = [LEAVE_OUT, *COLUMNS[kind]]
    chosen: dict[str, str | None] = {}
    grid = st.columns(4)
    for i, guess in enumerate(guesses):
        default = saved[1].get(guess.column) if saved and saved[0] == kind else guess.canonical
        with grid[i % 4]:
            choice = st.selectbox(guess.column, options, index=options.index(default) if default in options else 0,
                                  format_func=_label(kind), key=f"wizard_{digest}_{kind}_{i}")
            picked = None if choice == LEAVE_OUT else choice
            if picked != guess.canonical:
                why = f"your choice (suggested: {guess.canonical or 'leave out'})"
            else:
                why = f"suggested by {guess.reason}" if guess.canonical else "no suggestion: left out unless you choose"
            st.caption(markdown_text(why))
        chosen[guess.column] = None if choice == LEAVE_OUT else choice

    problems = [f"{', '.join(markdown_text(s) for s in sources)} all became {target}: choose one column for it."
                for target, sources in duplicates(chosen).items()]
    problems += [f"{field} is required for {kind}: choose the column that holds it." for field in
                 missing_required(kind, chosen)]
    for problem in problems:
        st.error(problem)
    if problems:
        return

    document = mapping_document(kind, glob.escape(name), chosen, header)
    mapping_yaml = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    preview = _preview(str(path), kind, mapping_yaml, name, digest)
    checked = f"{preview.rows:,} rows" + ("" if preview.complete else " (the first ones; the load checks all)")
    summary = (f"{checked}: {preview.would_load:,} would load, {preview.would_reject:,} would be rejected, "
               f"{len(preview.warnings):,} optional fields set aside. Nothing is written until you load.")
    (st.warning if preview.would_reject or not preview.would_load else st.info)(summary)
    if preview.would_reject:
        st.markdown("\n".join(f"- row {r.row}, **{markdown_text(r.field or 'the whole row')}**: {markdown_text(r.reason)}"
                              for r in preview.rejects.head(5).itertuples())
                    + (f"\n- … and {preview.would_reject - 5:,} more rows, all in the table" if preview.would_reject > 5
                       else ""))
        st.caption("Rows that would be rejected, and why")
        st.dataframe(preview.rejects[["row", "field", "reason", "raw"]], hide_index=True, height=200)
    if len(preview.warnings):
        st.caption("Optional fields that would be set aside (their rows still load)")
        st.dataframe(preview.warnings[["row", "field", "reason", "value"]], hide_index=True, height=160)

    yaml_name = f"{Path(name).stem}.yaml"
    buttons = st.columns(2)
    buttons[1].download_button("Download the mapping (YAML)", mapping_yaml, file_name=yaml_name,
                               mime="application/x-yaml", help="for `graphbench load DIR --mapping FILE`")
    with st.expander("The mapping as YAML"):
        st.code(mapping_yaml, language="yaml")
    done = st.session_state.setdefault("wizard_loaded", {}).get(digest)
    if done:  # after the rerun that follows a load, say so (loading again changes nothing)
        st.success(markdown_text(done))
    label = "Load again" if done else f"Load {preview.would_load:,} rows"
    if buttons[0].button(label, type="primary", disabled=not preview.would_load, key=f"wizard_load_{digest}"):
        mapping_path = path.with_name(".wizard-mapping.yaml")
        mapping_path.write_text(mapping_yaml, encoding="utf-8")
        report = load(path.parent, mapping_path, {name: name})
        if report is not None:
            target = saved_mappings_dir(store)
            target.mkdir(parents=True, exist_ok=True)
            (target / yaml_name).write_text(mapping_yaml, encoding="utf-8")
            st.caption(f"Mapping saved as {markdown_text(target / yaml_name)}: the next {markdown_text(name)} gets "
                       "the same columns.")
            loaded = sum(f.loaded for f in report.files)
            st.session_state["wizard_loaded"][digest] = (
                f"{name}: {loaded:,} of {report.rows:,} rows loaded as {kind}; mapping saved as {target / yaml_name}")
