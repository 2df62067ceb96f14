"""The report as Markdown. Figures are PNG files written beside it (``<name>_files/figure-N.png``,
relative links, so the folder can be zipped and mailed) when the report goes to a file; printed to
stdout, they are embedded as data URIs instead so the text stands alone."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pandas as pd

from graphbench.report.cells import cell_text, numeric_column
from graphbench.report.document import Report
from graphbench.report.marking import marking_definition
from graphbench.viz.safe_text import markdown_text


def table_markdown(frame: pd.DataFrame, limit: int = 40) -> str:
    if frame is None or frame.empty:
        return "_none in this scope_\n"
    shown = frame.head(limit).astype(object)
    header = "| " + " | ".join(_escape(str(c)) for c in shown.columns) + " |"
    rule = "|" + "|".join("---:" if numeric_column(shown[c]) else "---" for c in shown.columns) + "|"
    lines = [header, rule]
    for row in shown.itertuples(index=False, name=None):
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    if len(frame) > limit:
        lines += ["", f"_… and {len(frame) - limit:,} more rows (see the exports)_"]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    """Every value from data is text: escaped so no Markdown, HTML, link or image in it can render."""
    return markdown_text(text)


def _cell(value: object) -> str:
    return _escape(cell_text(value)[:200])  # cut before escaping: a cut escape would swallow the next pipe


def _prose(text: str) -> str:
    """A sentence of the report: its `code` spans (the HTML report sets them as <code>) stay code, which
    Markdown shows literally; everything between them is escaped."""
    pieces = text.split("`")
    return "".join(_escape(p) if i % 2 == 0 else (f"`{_escape_code(p)}`" if p.strip() else _escape(p))
                   for i, p in enumerate(pieces))


def _escape_code(text: str) -> str:
    return " ".join(text.split())  # a code span is one line; it cannot hold a backtick (split on them)


def _marking(marking: str) -> str:
    return marking if re.fullmatch(r"[A-Za-z0-9:+\-. ]+", marking) else _escape(marking)  # TLP:RED stays as typed


def render_markdown(report: Report, image_dir: Path | None = None) -> str:
    scope = report.scope
    marking = _marking(scope.marking)
    lines = [f"**{marking}**", "", f"# {_escape(scope.title)}", "",
             f"Cyber-alert report · scope: {_escape(scope.describe())} · generated {_escape(report.generated_at)} · "
             f"source {_prose('`' + (report.store or 'graph store') + '`')}", "",
             f"> **{marking}** — {marking_definition(scope.marking)}", "", "## Key findings", ""]
    lines += [f"- {_prose(item)}" for item in report.key_findings] + ["", "**Contents**", ""]
    lines += [f"{n}. [{s.title}](#{n}-{s.title.lower().replace(' ', '-')})"
              for n, s in enumerate(report.sections, start=1)] + [""]
    counter = 0
    for number, section in enumerate(report.sections, start=1):
        lines += [f"## {number} {section.title}", ""]
        if section.text:
            lines += [_prose(section.text), ""]
        lines += [f"- {_prose(b)}" for b in section.bullets] + ([""] if section.bullets else [])
        for caption, png in section.images:
            counter += 1
            if image_dir is not None:
                image_dir.mkdir(parents=True, exist_ok=True)
                name = f"figure-{counter}.png"
                (image_dir / name).write_bytes(png)
                target = f"{image_dir.name}/{name}"
            else:
                target = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
            lines += [f"![{_escape(caption)}]({target})", "", f"*Figure {counter}. {_prose(caption)}*", ""]
        limit = 2000 if section.title == "Evidence annex" else 40
        for caption, frame in section.tables:
            lines += [f"**{_prose(caption)}**", "", table_markdown(frame, limit)]
    lines += ["---", "", f"**{marking}**", ""]
    return "\n".join(lines)
