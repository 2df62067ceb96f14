"""The cyber-alert report: facts computed from one Analysis (:mod:`build`, ``section_*.py``), rendered as
Markdown, HTML or PDF (:mod:`markdown`, :mod:`html`, :mod:`pdf`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphbench.report.build import SECTION_TITLES, Report, Section, assemble_report, build_report
from graphbench.report.scope import ReportScope

if TYPE_CHECKING:
    from graphbench.analysis import Analysis
    from graphbench.store.base import GraphStore

FORMATS = ("md", "html", "pdf")


def render(report: Report, fmt: str, output: str | Path | None = None) -> bytes:
    """The report in ``fmt``; Markdown writes its figures beside ``output`` (``<stem>_files/``) when given,
    else embeds them as data URIs."""
    if fmt == "md":
        from graphbench.report.markdown import render_markdown

        image_dir = Path(output).with_name(Path(output).stem + "_files") if output else None
        return render_markdown(report, image_dir).encode("utf-8")
    if fmt == "html":
        from graphbench.report.html import render_html

        return render_html(report).encode("utf-8")
    if fmt == "pdf":
        from graphbench.report.pdf import render_pdf

        return render_pdf(report)
    raise ValueError(f"unknown report format {fmt!r}; known: {', '.join(FORMATS)}")


def run_report(source: GraphStore | Analysis, scope: ReportScope, fmt: str,
               output: str | Path | None) -> tuple[dict[str, Any], bytes]:
    """Build (from an Analysis, or a store) and render; write to ``output`` when given. Returns
    (JSON-ready summary, the bytes)."""
    report = build_report(source, scope)
    data = render(report, fmt, output)
    if output:
        Path(output).write_bytes(data)
    return {"format": fmt, "output": str(output) if output else None, "bytes": len(data),
            "sections": [s.title for s in report.sections], "key_findings": report.key_findings,
            **report.facts}, data


__all__ = ["FORMATS", "SECTION_TITLES", "Report", "ReportScope", "Section", "assemble_report", "build_report",
           "render", "run_report"]
