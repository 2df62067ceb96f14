"""The report as one self-contained HTML file: styles inline, images as data URIs, nothing fetched."""

from __future__ import annotations

import base64
import html

import pandas as pd

from graphbench.report.build import Report

STYLE = """
body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:0;color:#1d2733;background:#f4f5f7}
header{background:#1d2733;color:#fff;padding:28px 48px}header h1{margin:0 0 6px;font-size:26px}
.marking{display:inline-block;background:#e0a800;color:#000;font-weight:700;padding:2px 10px;border-radius:3px}
main{max-width:1100px;margin:24px auto;padding:0 24px}
section{background:#fff;border-radius:6px;padding:18px 26px;margin-bottom:18px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h2{color:#b03a2e;border-bottom:1px solid #e3e6ea;padding-bottom:6px;font-size:19px}
table{border-collapse:collapse;width:100%;font-size:12.5px;margin:8px 0 16px}
th{background:#eef1f4;text-align:left;padding:5px 7px}td{border-top:1px solid #eef1f4;padding:4px 7px;
vertical-align:top;word-break:break-word}caption{text-align:left;font-weight:600;padding:4px 0}
figure{margin:10px 0}figure img{max-width:100%}figcaption{font-size:12px;color:#5b6776}
"""


def _table(caption: str, frame: pd.DataFrame, limit: int) -> str:
    if frame is None or frame.empty:
        return f"<p><b>{html.escape(caption)}</b>: none</p>"
    shown = frame.head(limit)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    body = []
    for row in shown.itertuples(index=False):
        cells = []
        for value in row:
            if isinstance(value, float):
                text = "" if value != value else f"{value:,.2f}"
            elif isinstance(value, list | tuple):
                text = "; ".join(str(v) for v in value)
            else:
                text = "" if value is None else str(value)
            cells.append(f"<td>{html.escape(text[:300])}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><caption>{html.escape(caption)}</caption><tr>{head}</tr>{''.join(body)}</table>"


def render_html(report: Report) -> str:
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(report.scope.title)}"
             f"</title><style>{STYLE}</style></head><body><header><span class='marking'>"
             f"{html.escape(report.scope.marking)}</span><h1>{html.escape(report.scope.title)}</h1>"
             f"<div>Generated {html.escape(report.generated_at)} · scope: {html.escape(report.scope.describe())}"
             f"</div></header><main>"]
    for section in report.sections:
        parts.append(f"<section><h2>{html.escape(section.title)}</h2>")
        if section.text:
            parts.append(f"<p>{html.escape(section.text)}</p>")
        for caption, png in section.images:
            data = base64.b64encode(png).decode()
            parts.append(f"<figure><img alt='{html.escape(caption)}' src='data:image/png;base64,{data}'>"
                         f"<figcaption>{html.escape(caption)}</figcaption></figure>")
        for caption, frame in section.tables:
            parts.append(_table(caption, frame, 500 if section.title == "Evidence annex" else 40))
        parts.append("</section>")
    parts.append("</main></body></html>")
    return "".join(parts)
