"""The cyber-alert report: every section in every format, the PDF renders, the HTML is offline, and
on the sample it names the planted rings' code words, misspellings, channels, couriers and routes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from graphbench.report import SECTION_TITLES, ReportScope, build_report, render, run_report


@pytest.fixture(scope="module")
def report(sample_store):
    return build_report(sample_store, ReportScope())


def test_every_section_is_there(report) -> None:
    assert [s.title for s in report.sections] == list(SECTION_TITLES)
    assert len(report.evidence) > 50
    assert report.evidence["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert report.evidence["source_row"].notna().all()


def test_report_names_the_planted_rings(report, ground_truth) -> None:
    facts = report.facts
    planted_codes = {w for ring in ground_truth["rings"] for w in ring["code_words"]}
    assert len(planted_codes & set(facts["code_words"])) >= 0.5 * min(len(planted_codes), 15)
    planted_misspellings = {w for ring in ground_truth["rings"] for w in ring["misspellings"]}
    assert len(planted_misspellings & set(facts["misspellings"])) >= 10
    couriers = {c.lower() for ring in ground_truth["rings"] for c in ring["couriers"]}
    assert couriers <= set(facts["couriers"])
    routes = {f"{o}→{d}" for ring in ground_truth["rings"] for o, d in ring["routes"]}
    assert len(routes & set(facts["routes"])) >= 0.5 * min(len(routes), 30)
    channel_types = {c.split(":")[1] for ring in ground_truth["rings"] for c in ring["channels"]}
    assert channel_types <= set(facts["channel_types"])
    assert set(facts["patterns"]) == {"fan_in", "fan_out", "cycle", "scatter_gather", "gather_scatter", "stack",
                                      "structuring"}


def test_html_is_self_contained(report) -> None:
    page = render(report, "html").decode("utf-8")
    assert not re.findall(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", page)
    assert "<script" not in page and "@import" not in page
    headings = re.findall(r"<h2>(\d+)&nbsp; ([^<]+)</h2>", page)
    assert headings == [(str(n), title) for n, title in enumerate(SECTION_TITLES, start=1)]
    assert page.count("data:image/png;base64,") >= 4


def test_markdown_writes_its_images_beside_it(report, tmp_path: Path) -> None:
    out = tmp_path / "alert.md"
    out.write_bytes(render(report, "md", out))
    text = out.read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert images and all((tmp_path / image).exists() for image in images)
    assert re.findall(r"^## (\d+) (.+)$", text, re.M) == [(str(n), t) for n, t in enumerate(SECTION_TITLES, start=1)]


def test_pdf_renders_with_every_section(sample_store, tmp_path: Path) -> None:
    if not shutil.which("pdftoppm"):
        pytest.fail("pdftoppm (poppler-utils) is needed: make test installs it")
    summary, _ = run_report(sample_store, ReportScope(since="2024-01-01"), "pdf", tmp_path / "alert.pdf")
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "3", "-png", str(tmp_path / "alert.pdf"),
                    str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page-*.png"))) == 3
    text = subprocess.run(["pdftotext", str(tmp_path / "alert.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    for title in SECTION_TITLES:
        assert title in text
    assert "TLP:AMBER" in text and summary["bytes"] > 10_000
    # CJK code words are set in a CID font, so they survive as text (Helvetica drew black boxes)
    cjk = [w for w in summary["code_words"] if re.search(r"[\u4e00-\u9fff]", w)]
    assert cjk and all(w in text for w in cjk)


def test_routes_are_listed_once(report) -> None:
    routes = report.facts["routes"]
    assert routes and len(routes) == len(set(routes))


def test_a_community_scope_is_narrower(sample_store, report) -> None:
    narrow = build_report(sample_store, ReportScope(community=0))
    assert 0 < narrow.facts["accounts"] < report.facts["accounts"]
    assert narrow.facts["listings"] < report.facts["listings"]
