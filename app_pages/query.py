"""Query: the named queries with their parameters, and a read-only Cypher console on Neo4j."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from app_pages.common import allowed, get_store, store_url
from graphbench import audit
from graphbench.errors import GraphbenchError
from graphbench.store.base import SupportsCypher
from graphbench.store.named_queries import DEFAULT_LIMIT, load_query, query_names
from graphbench.viz.safe_text import markdown_text

st.title("Query")
store = get_store()

st.subheader("Named queries")
name = st.selectbox("Query", query_names())
query = load_query(name)
st.caption(query.purpose)
DEFAULTS = {"limit": f"empty: {DEFAULT_LIMIT}", "hops": "empty: 1"}
with st.form(f"named_{name}"):
    # keyed by query: a value typed for one query (a limit of 5) never silently carries over to the next
    values, problems = {}, {}
    for p in query.params:
        values[p.name] = st.text_input(f"{p.name} ({p.type})", help=p.help, key=f"query_{name}_{p.name}",
                                       placeholder=DEFAULTS.get(p.name, ""))
        problems[p.name] = st.empty()
    submitted = st.form_submit_button("Run", type="primary")


def problem(param: object, text: str) -> str | None:
    """One sentence when a parameter cannot be what its type says, else None (the query checks the rest)."""
    value = text.strip()
    if param.type == "int" and not re.fullmatch(r"\d{1,9}", value):
        return f"{param.name} is a whole number such as 10, not {value!r}."
    if param.type == "node_id" and not re.fullmatch(r"[A-Z][A-Za-z]+:.+", value):
        return f"{param.name} is a node id such as Account:instagram:reptile.house, not {value!r}."
    return None


if submitted:
    given = {k: v for k, v in values.items() if v.strip()}
    found = {p.name: problem(p, given[p.name]) for p in query.params if p.name in given}
    for param_name, sentence in found.items():
        if sentence:
            problems[param_name].error(markdown_text(sentence))
    if any(found.values()):  # refused before it reached the store: audited with the sentence shown
        audit.record_query("query", store_url(), name, given, None,
                           refused=" ".join(s for s in found.values() if s))
    submitted = not any(found.values())  # the console below still shows
if submitted:
    try:
        rows = store.run_named(name, given)
    except GraphbenchError as exc:
        audit.record_query("query", store_url(), name, given, None, refused=str(exc))
        st.error(markdown_text(exc))
    else:
        audit.record_query("query", store_url(), name, given, rows)
        st.dataframe(pd.DataFrame(rows), hide_index=True)
        limited = any(p.name == "limit" for p in query.params) and "limit" not in given
        st.caption(f"{len(rows)} rows" + (f" (at most {DEFAULT_LIMIT}, the default limit)" if limited else ""))
with st.expander("Cypher of this query"):
    st.code(query.cypher, language="cypher")

st.subheader("Cypher console (read-only)")
if not allowed("console"):  # viewers have no console (issue 17: graphbench/auth/permissions.py)
    st.caption("The Cypher console is for the analyst and admin roles; the named queries above are open to all.")
elif not isinstance(store, SupportsCypher):
    st.caption("The console needs a Neo4j store (bolt://… or neo4j://…); the embedded store answers the named "
               "queries above.")
else:
    text = st.text_area("Cypher", "MATCH (a:Account) RETURN a.id AS id, a.followers AS followers "
                                  "ORDER BY followers DESC LIMIT 10")
    if st.button("Run read-only"):
        try:
            rows = store.cypher_read(text)
        except GraphbenchError as exc:  # refused statements are audited too: probing is worth knowing about
            audit.record_query("console", store_url(), text, {}, None, refused=str(exc))
            st.error(markdown_text(exc))
        else:
            cut = getattr(rows, "cut", None)
            audit.record_query("console", store_url(), text, {}, rows, cut=cut)
            st.dataframe(pd.DataFrame(rows), hide_index=True)
            st.caption(f"{len(rows):,} rows" + (f" — {cut}" if cut else ""))
