"""The report as PDF (reportlab): a title page with scope and marking, sections with charts and
wrapped tables, page numbers and the handling marking on every page."""

from __future__ import annotations

import io
import re

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from graphbench.report.build import Report

_STYLES = getSampleStyleSheet()
_CELL = ParagraphStyle("cell", parent=_STYLES["BodyText"], fontSize=7, leading=8.5)
_HEAD = ParagraphStyle("head", parent=_CELL, fontName="Helvetica-Bold")
_H2 = ParagraphStyle("h2", parent=_STYLES["Heading2"], textColor=colors.HexColor("#b03a2e"))
# Helvetica has no CJK glyphs (code words such as 穿山甲片 came out as black boxes); reportlab's built-in
# CID font needs no font file and keeps the text extractable
_CJK_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(_CJK_FONT))
_CJK_RUN = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+")


def _escape(text: object) -> str:
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _CJK_RUN.sub(lambda m: f'<font name="{_CJK_FONT}">{m.group(0)}</font>', escaped)


def _table(frame: pd.DataFrame, limit: int, width: float) -> Table | Paragraph:
    if frame is None or frame.empty:
        return Paragraph("none", _STYLES["BodyText"])
    shown = frame.head(limit)
    rows = [[Paragraph(_escape(c), _HEAD) for c in shown.columns]]
    for record in shown.itertuples(index=False):
        cells = []
        for value in record:
            if isinstance(value, float):
                text = "" if value != value else f"{value:,.2f}"
            elif isinstance(value, list | tuple):
                text = "; ".join(str(v) for v in value)
            else:
                text = "" if value is None else str(value)
            cells.append(Paragraph(_escape(text[:240]), _CELL))
        rows.append(cells)
    table = Table(rows, colWidths=[width / len(shown.columns)] * len(shown.columns), repeatRows=1)
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4")),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#d5dae0")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def render_pdf(report: Report) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=1.6 * cm, rightMargin=1.6 * cm,
                                 topMargin=1.8 * cm, bottomMargin=1.6 * cm, title=report.scope.title,
                                 author="graphbench")
    width = A4[0] - 3.2 * cm

    def decorate(canvas, doc) -> None:  # noqa: ANN001 - reportlab's callback signature
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 8)
        canvas.setFillColor(colors.HexColor("#9a7000"))
        canvas.drawString(1.6 * cm, A4[1] - 1.1 * cm, report.scope.marking)
        canvas.setFillColor(colors.grey)
        canvas.setFont("Helvetica", 8)
        canvas.drawRightString(A4[0] - 1.6 * cm, 1.0 * cm, f"page {doc.page}")
        canvas.drawString(1.6 * cm, 1.0 * cm, report.scope.title[:90])
        canvas.restoreState()

    story = [Spacer(1, 5 * cm), Paragraph(_escape(report.scope.title), _STYLES["Title"]), Spacer(1, 0.6 * cm),
             Paragraph(f"<b>{_escape(report.scope.marking)}</b>", _STYLES["Heading3"]),
             Paragraph(f"Scope: {_escape(report.scope.describe())}", _STYLES["BodyText"]),
             Paragraph(f"Generated {_escape(report.generated_at)} from {_escape(report.store)}", _STYLES["BodyText"]),
             PageBreak()]
    for section in report.sections:
        story.append(Paragraph(_escape(section.title), _H2))
        if section.text:
            story.append(Paragraph(_escape(section.text), _STYLES["BodyText"]))
        for caption, png in section.images:
            image = Image(io.BytesIO(png))
            scale = min(1.0, width / image.drawWidth)
            image.drawWidth, image.drawHeight = image.drawWidth * scale, image.drawHeight * scale
            story += [image, Paragraph(f"<i>{_escape(caption)}</i>", _CELL)]
        for caption, frame in section.tables:
            story += [Spacer(1, 0.2 * cm), Paragraph(f"<b>{_escape(caption)}</b>", _STYLES["BodyText"]),
                      _table(frame, 300 if section.title == "Evidence annex" else 30, width)]
        story.append(Spacer(1, 0.4 * cm))
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
