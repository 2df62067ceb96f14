"""The cyber-alert report: content gathered in :mod:`build`, rendered as Markdown, HTML or PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphbench.report.build import SECTION_TITLES, Report, Section, assemble_report, build_report
from graphbench.report.scope import ReportScope

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


def run_report(store: Any, scope: ReportScope, fmt: str, output: str | Path | None) -> tuple[dict[str, Any], bytes]:
    """Build and render; write to ``output`` when given. Returns (JSON-ready summary, the bytes)."""
    report = build_report(store, scope)
    data = render(report, fmt, output)
    if output:
        Path(output).write_bytes(data)
    return {"format": fmt, "output": str(output) if output else None, "bytes": len(data),
            "sections": [s.title for s in report.sections], "key_findings": report.key_findings,
            **report.facts}, data


__all__ = ["FORMATS", "SECTION_TITLES", "Report", "ReportScope", "Section", "assemble_report", "build_report",
           "render", "run_report"]
