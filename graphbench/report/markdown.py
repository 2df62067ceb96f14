"""The report as Markdown. Figures are PNG files written beside it (``<name>_files/figure-N.png``,
relative links, so the folder can be zipped and mailed) when the report goes to a file; printed to
stdout, they are embedded as data URIs instead so the text stands alone."""

from __future__ import annotations

import base64
from pathlib import Path

import pandas as pd

from graphbench.report.build import Report
from graphbench.report.cells import cell_text, numeric_column
from graphbench.report.marking import marking_definition


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
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _cell(value: object) -> str:
    return _escape(cell_text(value))[:200]


def render_markdown(report: Report, image_dir: Path | None = None) -> str:
    scope = report.scope
    lines = [f"**{scope.marking}**", "", f"# {scope.title}", "",
             f"Cyber-alert report · scope: {scope.describe()} · generated {report.generated_at} · source "
             f"`{report.store or 'graph store'}`", "",
             f"> **{scope.marking}** — {marking_definition(scope.marking)}", "", "## Key findings", ""]
    lines += [f"- {item}" for item in report.key_findings] + ["", "**Contents**", ""]
    lines += [f"{n}. [{s.title}](#{n}-{s.title.lower().replace(' ', '-')})"
              for n, s in enumerate(report.sections, start=1)] + [""]
    counter = 0
    for number, section in enumerate(report.sections, start=1):
        lines += [f"## {number} {section.title}", ""]
        if section.text:
            lines += [section.text, ""]
        lines += [f"- {b}" for b in section.bullets] + ([""] if section.bullets else [])
        for caption, png in section.images:
            counter += 1
            if image_dir is not None:
                image_dir.mkdir(parents=True, exist_ok=True)
                name = f"figure-{counter}.png"
                (image_dir / name).write_bytes(png)
                target = f"{image_dir.name}/{name}"
            else:
                target = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
            lines += [f"![{caption}]({target})", "", f"*Figure {counter}. {caption}*", ""]
        limit = 2000 if section.title == "Evidence annex" else 40
        for caption, frame in section.tables:
            lines += [f"**{caption}**", "", table_markdown(frame, limit)]
    lines += ["---", "", f"**{scope.marking}**", ""]
    return "\n".join(lines)
