"""The report's parts on the small hand-made fixture, where every answer is known: the scope filters,
the evidence annex, the handling marking, key findings, table cells and the PDF's fonts."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from graphbench.report import ReportScope, assemble_report, render

MINI = Path(__file__).parent / "fixtures" / "mini"
REPTILE_IG, REPTILE_FB, IVORY = ("Account:instagram:reptile.house", "Account:facebook:reptilehouse.vn",
                                 "Account:telegram:ivorytrader")


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    from graphbench.store import open_store
    from graphbench.store.tables import read_tables
    from loaders.load import load_dir

    store = open_store("memory:")
    load_dir(store, MINI, rejects_dir=tmp_path_factory.mktemp("rejects"))
    return read_tables(store)


@pytest.fixture(scope="module")
def red_report(tables):
    return assemble_report(tables, ReportScope(marking="TLP:RED"), "memory:")


def _kept(tables, scope: ReportScope) -> tuple[set[str], set[str], set[str], set[str]]:
    from graphbench.report.scope import scope_tables

    t = scope_tables(tables, scope).tables
    return (set(t["Account"]["id"]), set(t["Listing"]["id"]), set(t["TRANSFERRED"]["tx_id"]),
            set(t["Shipment"]["id"]))


# scope ------------------------------------------------------------------------------------------

def test_a_date_window_keeps_listings_transfers_and_shipments_inside_it(tables) -> None:
    # IG001 03 May 08:00, FB001 04 May, TG002 05 May; T1 06 May, T2 07 May 10:00; shipments 09 and 10 May
    _, listings, transfers, shipments = _kept(tables, ReportScope(since="2024-05-04", until="2024-05-07"))
    assert listings == {"Listing:facebook:FB001", "Listing:telegram:TG002"}
    assert transfers == {"T1", "T2"}  # a date-only "until" takes in that whole day
    assert shipments == set()


def test_an_until_with_a_time_stops_at_that_time(tables) -> None:
    _, _, transfers, _ = _kept(tables, ReportScope(until="2024-05-07T09:00:00Z"))
    assert transfers == {"T1"}  # T2 was at 10:00 the same day
    _, _, transfers, _ = _kept(tables, ReportScope(until="2024-05-07T00:00:00Z"))  # a date, as the app sends it
    assert transfers == {"T1", "T2"}


def test_community_and_accounts_intersect(tables) -> None:
    from graphbench.report.scope import scope_tables

    membership = scope_tables(tables, ReportScope()).membership
    # the two reptile-house accounts share a phone and a PayPal address: one community, the ivory seller another
    assert membership[REPTILE_IG] == membership[REPTILE_FB] != membership[IVORY]
    both = ReportScope(community=membership[REPTILE_IG], accounts=[REPTILE_IG, IVORY])
    accounts, listings, _, shipments = _kept(tables, both)
    assert accounts == {REPTILE_IG}
    assert listings == {"Listing:instagram:IG001"} and shipments == {"Shipment:dhl:JD0001234"}
    assert both.describe() == f"community {membership[REPTILE_IG]}, 2 selected accounts"  # as chosen


def test_an_account_scope_drops_the_other_accounts_ties(tables) -> None:
    from graphbench.report.scope import scope_tables

    t = scope_tables(tables, ReportScope(accounts=[IVORY])).tables
    assert set(t["POSTED"]["start"]) == {IVORY}
    assert set(t["USES"]["start"]) <= {IVORY} and set(t["LOCATED_IN"]["start"]).isdisjoint({REPTILE_IG, REPTILE_FB})
    assert set(t["TRANSFERRED"]["tx_id"]) == set()  # the ivory seller's wallet only received from an IBAN…
    # …whose transfer T3 was rejected (amount "abc"), so nothing of the reptile money comes along


# evidence annex ---------------------------------------------------------------------------------

def test_the_annex_traces_each_cited_item_to_its_source_record(tables, red_report) -> None:
    annex = red_report.evidence
    assert set(annex["item"]) >= {REPTILE_IG, REPTILE_FB, IVORY}  # the key accounts are cited
    assert annex["item"].is_unique
    assert set(annex["cited_in"]) <= {s.title for s in red_report.sections}
    for row in annex.itertuples(index=False):
        label = row.item.split(":", 1)[0]
        record = tables[label].set_index("id").loc[row.item]
        assert row.sha256 == record["sha256"] and row.source_row == record["source_row"]
        assert row.source_file == Path(record["source_file"]).name  # the name, not the analyst's folder
    listing = annex.set_index("item").loc["Listing:facebook:FB001"]
    assert listing["url"] == "https://facebook.example/FB001" and listing["source_file"] == "listings.jsonl"


def test_cited_transfers_carry_the_transfers_own_record(sample_store) -> None:
    from graphbench.store.tables import read_tables

    tables = read_tables(sample_store)
    annex = assemble_report(tables, ReportScope(since="2024-06-01")).evidence
    transfers = annex[annex["kind"] == "transfer"]
    assert len(transfers) > 5
    source = tables["TRANSFERRED"].drop_duplicates("tx_id").set_index(tables["TRANSFERRED"]
                                                                      .drop_duplicates("tx_id")["tx_id"].astype(str))
    for row in transfers.itertuples(index=False):
        assert row.sha256 == source.loc[row.item.removeprefix("tx:"), "sha256"]
        assert row.source_file == "transactions.csv"


def test_citations_keep_the_first_section_and_skip_missing_values() -> None:
    from graphbench.report.evidence import Citations

    citations = Citations()
    citations.cite(["Account:x:a", None, float("nan")], "account", "Network")
    citations.cite(["Account:x:a", "Account:x:b"], "account", "Key accounts")
    citations.cite_transfers(["T9", None], "Laundering patterns")
    assert citations.items == {"Account:x:a": ("account", "Network"), "Account:x:b": ("account", "Key accounts"),
                               "tx:T9": ("transfer", "Laundering patterns")}


# handling marking -------------------------------------------------------------------------------

def test_the_marking_is_printed_in_its_tlp_colours_with_its_meaning(red_report) -> None:
    from graphbench.report.marking import marking_colours, marking_definition

    assert marking_colours("tlp:red ") == ("#FF2B2B", "#000000")
    assert marking_colours("OFFICIAL-SENSITIVE") == ("#000000", "#FFFFFF")
    page = render(red_report, "html").decode("utf-8")
    assert page.count("style='color:#FF2B2B;background:#000000'>TLP:RED</div>") == 2  # top and bottom
    assert marking_definition("TLP:RED") in page
    text = render(red_report, "md").decode("utf-8")
    assert text.startswith("**TLP:RED**") and text.rstrip().endswith("**TLP:RED**")
    assert f"> **TLP:RED** — {marking_definition('TLP:RED')}" in text


def test_another_marking_is_printed_as_given(tables) -> None:
    report = assemble_report(tables, ReportScope(marking="OFFICIAL-SENSITIVE"))
    page = render(report, "html").decode("utf-8")
    assert "style='color:#000000;background:#FFFFFF'>OFFICIAL-SENSITIVE</div>" in page
    assert "handle according to this marking." in page


def test_every_pdf_page_carries_the_marking_and_its_number(red_report, tmp_path: Path) -> None:
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext (poppler-utils) is needed: make test installs it")
    (tmp_path / "r.pdf").write_bytes(render(red_report, "pdf"))
    pages = subprocess.run(["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")[:-1]
    assert len(pages) >= 3
    assert all(page.count("TLP:RED") >= 2 for page in pages)  # top and bottom of every page
    assert all(f"page {n} of {len(pages)}" in page for n, page in enumerate(pages[1:], start=2))


# front matter and tables ------------------------------------------------------------------------

def test_key_findings_name_only_what_was_found(red_report) -> None:
    findings = red_report.key_findings
    # 4 accounts: the mini fixture's account with an unreadable phone loads since issue 15.5
    assert findings[0] == "0 of 4 accounts are flagged by the risk indicators; the highest-risk are listed under Key accounts."
    assert "Evasion: code words such as “white plastic”; 1 cross-posts." in findings  # no misspelling in the fixture
    assert "Couriers: dhl, ems; main routes VN→CN, VN→HK." in findings
    assert not any("such as ;" in f or "such as  and" in f for f in findings)


def test_markdown_contents_link_to_the_headings(red_report) -> None:
    text = render(red_report, "md").decode("utf-8")
    anchors = re.findall(r"^\d+\. \[[^\]]+\]\(#([^)]+)\)$", text, re.M)
    headings = [re.sub(r"[^\w\- ]", "", h).lower().replace(" ", "-") for h in re.findall(r"^## (.+)$", text, re.M)]
    assert anchors and anchors == headings[1:]  # "Key findings" comes before the contents


def test_cells_read_the_same_in_every_format() -> None:
    from graphbench.report.cells import cell_text, numeric_column

    assert [cell_text(v) for v in (None, float("nan"), pd.NA, True, 1234567, 1234.5, 0.5, ["a", "b"],
                                   "2024-05-07T10:00:00Z", "2024-05-07")] == \
        ["", "", "", "yes", "1,234,567", "1,234", "0.50", "a; b", "2024-05-07 10:00", "2024-05-07"]
    assert numeric_column(pd.Series([1, None, 2.5], dtype=object))
    assert not numeric_column(pd.Series([1, "x"], dtype=object)) and not numeric_column(pd.Series([None, True]))


def test_markdown_tables_escape_pipes_and_say_how_many_rows_are_left_out() -> None:
    from graphbench.report.markdown import table_markdown

    frame = pd.DataFrame({"term": ["a|b", "c\nd", "e"], "listings": [3, 2, 1]})
    lines = table_markdown(frame, limit=2).splitlines()
    assert lines[:4] == ["| term | listings |", "|---|---:|", "| a\\|b | 3 |", "| c d | 2 |"]
    assert lines[-1] == "_… and 1 more rows (see the exports)_"


# fonts ------------------------------------------------------------------------------------------

def test_pdf_markup_escapes_and_sets_other_scripts_in_a_font_that_has_them() -> None:
    from graphbench.report.pdf_fonts import BODY, CID_FONT, markup, register

    fonts = dict(register())
    assert markup("a<b & c") == "a&lt;b &amp; c"
    cjk = markup("tê tê 穿山甲 片")
    font = re.search(r'<font name="([^"]+)">穿山甲</font>', cjk)
    assert cjk.startswith("tê tê ") and font  # Vietnamese diacritics stay in the body font
    assert font.group(1) == CID_FONT or all(ord(ch) in fonts[font.group(1)] for ch in "穿山甲")
    assert markup("python \U0001F40D") == "python "  # no installed font draws the emoji: left out
    assert BODY in fonts


def test_chart_labels_never_draw_boxes() -> None:
    from graphbench.report.charts import drawable

    assert drawable("ball python") == "ball python"
    assert drawable("python \U0001F40D") == "python [snake term, see table]"


def test_the_network_picture_lays_communities_out_apart() -> None:
    import networkx as nx
    import numpy as np

    from graphbench.report.charts import community_layout

    picture = nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "z"), ("z", "x"), ("c", "x")])
    community = {"a": 0, "b": 0, "c": 0, "x": 1, "y": 1, "z": 1}
    positions = community_layout(picture, community)
    centre = {k: np.mean([positions[n] for n in community if community[n] == k], axis=0) for k in (0, 1)}
    for node, k in community.items():
        assert np.linalg.norm(positions[node] - centre[k]) < np.linalg.norm(positions[node] - centre[1 - k])
