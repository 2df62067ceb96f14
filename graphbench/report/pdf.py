"""The report as PDF (reportlab): a title page with the handling marking, scope, generation time, key
findings and contents (with page numbers); numbered sections with charts and wrapped tables; the
marking at the top and bottom of every page and "page N of M"."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    Image,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from graphbench.report.cells import cell_text, is_number, numeric_column
from graphbench.report.document import Report, Section
from graphbench.report.marking import marking_colours, marking_definition
from graphbench.report.pdf_fonts import BODY, BOLD, MONO, markup, register

INK, ACCENT, MUTED, RULE, ZEBRA = (colors.HexColor(h) for h in ("#1d2733", "#9c2f23", "#5b6776", "#d5dae0",
                                                                "#f3f5f7"))
MARGIN = 1.7 * cm
WIDTH = A4[0] - 2 * MARGIN
_BREAK_ANYWHERE = ("url", "sha256", "item", "account", "example listing", "from", "to", "channel", "sender", "id",
                   "centre / first members", "key members", "advertises for", "channels", "tx_id")


def _styles() -> dict[str, ParagraphStyle]:
    register()
    base = ParagraphStyle("body", fontName=BODY, fontSize=9.2, leading=12.5, textColor=INK, spaceAfter=5)
    return {
        "body": base,
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=24, leading=29, textColor=colors.white),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=11, leading=15, textColor=colors.HexColor("#c9d1da")),
        "h1": ParagraphStyle("h1", base, fontName=BOLD, fontSize=15, leading=19, textColor=ACCENT, spaceBefore=4,
                             spaceAfter=8, keepWithNext=True),
        "h3": ParagraphStyle("h3", base, fontName=BOLD, fontSize=9.5, leading=12, spaceBefore=8, spaceAfter=3,
                             keepWithNext=True),
        "bullet": ParagraphStyle("bullet", base, leftIndent=12, bulletIndent=2, spaceAfter=2),
        "caption": ParagraphStyle("caption", base, fontSize=7.6, leading=9.5, textColor=MUTED, spaceAfter=8),
        "cell": ParagraphStyle("cell", base, fontSize=7, leading=8.6, spaceAfter=0),
        "cell_wrap": ParagraphStyle("cell_wrap", base, fontSize=7, leading=8.6, spaceAfter=0, wordWrap="CJK"),
        "cell_num": ParagraphStyle("cell_num", base, fontSize=7, leading=8.6, spaceAfter=0, alignment=TA_RIGHT),
        "cell_head": ParagraphStyle("cell_head", base, fontName=BOLD, fontSize=7, leading=8.6, spaceAfter=0,
                                    textColor=colors.white),
        "mono": ParagraphStyle("mono", base, fontName=MONO, fontSize=6.2, leading=7.6, spaceAfter=0, wordWrap="CJK"),
        "toc": ParagraphStyle("toc", base, fontSize=8.8, leading=12.5),
        "meta": ParagraphStyle("meta", base, fontSize=9.5, leading=13),
    }


class _Document(BaseDocTemplate):
    """Sends each section heading to the table of contents (filled on the second pass of multiBuild)."""

    def afterFlowable(self, flowable: Any) -> None:  # noqa: N802 - reportlab's hook name
        if isinstance(flowable, Paragraph) and flowable.style.name == "h1":
            self.notify("TOCEntry", (0, flowable.getPlainText(), self.page))


def _numbered_canvas(marking: str, title: str) -> type[Canvas]:
    """A canvas that knows the page count when it saves, for "page N of M" and the marking on every page."""
    ink, paper = marking_colours(marking)

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            self.saveState()
            for y in (A4[1] - 0.95 * cm, 0.55 * cm):
                self.setFillColor(colors.HexColor(paper))
                label_width = self.stringWidth(marking, BOLD, 8.5) + 14
                self.rect((A4[0] - label_width) / 2, y - 3, label_width, 13, stroke=0, fill=1)
                self.setFillColor(colors.HexColor(ink))
                self.setFont(BOLD, 8.5)
                self.drawCentredString(A4[0] / 2, y, marking)
            if self._pageNumber > 1:
                self.setFont(BODY, 7.5)
                self.setFillColor(MUTED)
                self.drawString(MARGIN, 1.15 * cm, title[:95])
                self.drawRightString(A4[0] - MARGIN, 1.15 * cm, f"page {self._pageNumber} of {total}")
                self.setStrokeColor(RULE)
                self.line(MARGIN, 1.5 * cm, A4[0] - MARGIN, 1.5 * cm)
            self.restoreState()

    return NumberedCanvas


def _title_band(canvas: Canvas, _document: Any) -> None:
    canvas.saveState()
    canvas.setFillColor(INK)
    canvas.rect(0, A4[1] - 8.0 * cm, A4[0], 6.7 * cm, stroke=0, fill=1)
    canvas.setFillColor(ACCENT)
    canvas.rect(0, A4[1] - 8.0 * cm, A4[0], 0.18 * cm, stroke=0, fill=1)
    canvas.restoreState()


def render_pdf(report: Report) -> bytes:
    styles = _styles()
    buffer = io.BytesIO()
    document = _Document(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=1.7 * cm,
                         bottomMargin=1.9 * cm, title=report.scope.title, author="graphbench",
                         subject=f"{report.scope.marking} cyber-alert report")
    frame = Frame(MARGIN, 1.9 * cm, WIDTH, A4[1] - 3.6 * cm, id="body")
    document.addPageTemplates([PageTemplate("title", [frame], onPage=_title_band),
                               PageTemplate("body", [frame])])
    story: list[Any] = _title_page(report, styles)
    for number, section in enumerate(report.sections, start=1):
        story += _section(number, section, styles)
    document.multiBuild(story, canvasmaker=_numbered_canvas(report.scope.marking, report.scope.title))
    return buffer.getvalue()


def _title_page(report: Report, styles: dict[str, ParagraphStyle]) -> list[Any]:
    s = styles
    contents = TableOfContents()
    contents.levelStyles = [s["toc"]]
    contents.dotsMinLevel = 0
    meta = Table([[Paragraph("<b>Scope</b>", s["meta"]), Paragraph(markup(report.scope.describe()), s["meta"])],
                  [Paragraph("<b>Generated</b>", s["meta"]), Paragraph(markup(report.generated_at), s["meta"])],
                  [Paragraph("<b>Source</b>", s["meta"]), Paragraph(markup(report.store or "graph store"), s["meta"])],
                  [Paragraph("<b>Handling</b>", s["meta"]),
                   Paragraph(f"<b>{markup(report.scope.marking)}</b> — {markup(marking_definition(report.scope.marking))}",
                             s["meta"])]],
                 colWidths=[3 * cm, WIDTH - 3 * cm])
    meta.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                              ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    findings = [Paragraph(markup(item), s["bullet"], bulletText="•") for item in report.key_findings]
    box = Table([[Paragraph("<b>Key findings</b>", s["h3"])], *[[f] for f in findings]], colWidths=[WIDTH])
    box.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), ZEBRA), ("LINEBEFORE", (0, 0), (0, -1), 3, ACCENT),
                             ("LEFTPADDING", (0, 0), (-1, -1), 10), ("TOPPADDING", (0, 0), (-1, -1), 2),
                             ("BOTTOMPADDING", (0, -1), (-1, -1), 8)]))
    return [NextPageTemplate("body"), Spacer(1, 0.8 * cm),
            Paragraph("CYBER-ALERT REPORT · WILDLIFE CRIME LINKED TO THE INTERNET", s["subtitle"]),
            Paragraph(markup(report.scope.title), s["title"]), Spacer(1, 0.2 * cm),
            Paragraph(markup(f"{report.scope.describe().capitalize()} · {report.generated_at}"), s["subtitle"]),
            Spacer(1, 1.6 * cm), meta, Spacer(1, 0.5 * cm), box, Spacer(1, 0.4 * cm),
            Paragraph("<b>Contents</b>", s["h3"]), contents, PageBreak()]


def _section(number: int, section: Section, styles: dict[str, ParagraphStyle]) -> list[Any]:
    s = styles
    annex = section.title == "Evidence annex"
    parts: list[Any] = [CondPageBreak(7 * cm)] + ([PageBreak()] if annex else [])
    parts.append(Paragraph(f"{number}&nbsp;&nbsp;{markup(section.title)}", s["h1"]))
    if section.text:
        parts.append(Paragraph(_inline_code(markup(section.text)), s["body"]))
    for item in section.bullets:
        parts.append(Paragraph(markup(item), s["bullet"], bulletText="•"))
    for caption, png in section.images:
        image = Image(io.BytesIO(png))
        scale = min(WIDTH / image.drawWidth, 11 * cm / image.drawHeight, 1.0)
        image.drawWidth, image.drawHeight = image.drawWidth * scale, image.drawHeight * scale
        parts.append(KeepTogether([image, Paragraph(_inline_code(markup(caption)), s["caption"])]))
    for caption, frame in section.tables:
        parts += [Paragraph(markup(caption), s["h3"]), *(_annex_table(frame, s) if annex else _table(frame, 40, s))]
    return parts


def _inline_code(text: str) -> str:
    """`command` in section text → monospace."""
    pieces = text.split("`")
    return "".join(p if i % 2 == 0 else f'<font name="{MONO}">{p}</font>' for i, p in enumerate(pieces))


def _row_number(value: Any) -> str:
    return str(int(value)) if is_number(value) and value == value else cell_text(value)


def _table(frame: pd.DataFrame, limit: int, styles: dict[str, ParagraphStyle]) -> list[Any]:
    if frame is None or frame.empty:
        return [Paragraph("<i>none in this scope</i>", styles["caption"])]
    shown = frame.head(limit).astype(object)
    columns = [str(c) for c in shown.columns]
    texts = [[cell_text(v) for v in row] for row in shown.itertuples(index=False, name=None)]
    numeric = [numeric_column(shown[c]) for c in shown.columns]
    widths = _column_widths(columns, texts, numeric)
    rows = [[Paragraph(markup(c), styles["cell_head"]) for c in columns]]
    for record in texts:
        cells = []
        for column, text, number in zip(columns, record, numeric, strict=True):
            style = ("mono" if column == "sha256" else "cell_num" if number
                     else "cell_wrap" if column in _BREAK_ANYWHERE else "cell")
            cells.append(Paragraph(markup(text[:400]), styles[style]))
        rows.append(cells)
    table = _striped(rows, widths, padding=2.5, sides=3.5)
    note = [] if len(frame) <= limit else [Paragraph(f"… and {len(frame) - limit:,} more rows (in the HTML report "
                                                     "and the exports)", styles["caption"])]
    return [table, *note]


def _annex_table(frame: pd.DataFrame, styles: dict[str, ParagraphStyle], limit: int = 600) -> list[Any]:
    """The annex as four readable columns: the item (and its URL), its source record, when it was
    captured, and the SHA-256 of the raw record in full."""
    if frame is None or frame.empty:
        return [Paragraph("<i>nothing cited</i>", styles["caption"])]
    cell, wrap, mono = styles["cell"], styles["cell_wrap"], styles["mono"]
    rows: list[list[Any]] = [[Paragraph(h, styles["cell_head"]) for h in
                              ("item cited (kind · section) and URL", "source record", "captured (UTC)", "SHA-256")]]
    for r in frame.head(limit).itertuples(index=False):
        item = f"<b>{markup(r.item)}</b><br/>{markup(r.kind)} · {markup(r.cited_in)}"
        if r.url:
            item += f'<br/><font color="#2e5c8a">{markup(r.url)}</font>'
        first, last = cell_text(r.first_seen), cell_text(r.last_seen)
        captured = first if first == last or not last else f"{first}<br/>to {last}"
        rows.append([Paragraph(item, wrap), Paragraph(f"{markup(r.source_file)}<br/>row {_row_number(r.source_row)}", cell),
                     Paragraph(captured, cell), Paragraph(markup(r.sha256 or ""), mono)])
    table = _striped(rows, [WIDTH * f for f in (0.43, 0.17, 0.17, 0.23)], padding=3, sides=6)
    note = [] if len(frame) <= limit else [Paragraph(f"… and {len(frame) - limit:,} more items (in the HTML and "
                                                     "Markdown reports)", styles["caption"])]
    return [table, *note]


def _striped(rows: list[list[Any]], widths: list[float], padding: float, sides: float) -> Table:
    """A table with a dark header row repeated on each page and zebra stripes."""
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    commands: list[Any] = [("BACKGROUND", (0, 0), (-1, 0), INK), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE), ("TOPPADDING", (0, 0), (-1, -1), padding),
                           ("BOTTOMPADDING", (0, 0), (-1, -1), padding), ("LEFTPADDING", (0, 0), (-1, -1), sides),
                           ("RIGHTPADDING", (0, 0), (-1, -1), sides)]
    commands += [("BACKGROUND", (0, r), (-1, r), ZEBRA) for r in range(2, len(rows), 2)]
    table.setStyle(TableStyle(commands))
    return table


def _column_widths(columns: list[str], texts: list[list[str]], numeric: list[bool]) -> list[float]:
    """Numbers and header words get the width they need (they never break); the rest of the line goes to
    the text columns in proportion to what they typically hold (long URLs and hashes wrap)."""
    def points(chars: float) -> float:
        return chars * 4.2 + 8  # 7 pt cells, padding both sides

    floor, share = [], []
    for i, column in enumerate(columns):
        lengths = sorted(len(row[i]) for row in texts) or [0]
        header = max(len(word) for word in column.split() or [""]) * 1.12  # bold
        if numeric[i] or lengths[-1] <= 18:  # numbers, dates, codes: never broken
            floor.append(points(max(lengths[-1], header)))
            share.append(0.0)
        else:
            floor.append(points(min(header, 14)))
            typical = lengths[int(0.9 * (len(lengths) - 1))]
            share.append(float(max(min(typical, 30 if column == "sha256" else 60), 3)))
    spare = WIDTH - sum(floor)
    if spare <= 0 or not sum(share):
        return [WIDTH * f / sum(floor) for f in floor]
    # give each text column what it needs beyond its floor, in proportion, never less than the floor
    wanted = [max(points(int(s)) - f, 0.0) for s, f in zip(share, floor, strict=True)]
    scale = min(1.0, spare / sum(wanted)) if sum(wanted) else 0.0
    widths = [f + w * scale for f, w in zip(floor, wanted, strict=True)]
    leftover = WIDTH - sum(widths)
    text_total = sum(s for s in share) or 1.0
    return [w + leftover * s / text_total for w, s in zip(widths, share, strict=True)]
