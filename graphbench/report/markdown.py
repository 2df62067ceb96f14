"""The report as Markdown; images are written beside it (``<name>_files/``) or embedded as data URIs."""

from __future__ import annotations

import base64
from pathlib import Path

import pandas as pd

from graphbench.report.build import Report


def table_markdown(frame: pd.DataFrame, limit: int = 40) -> str:
    if frame is None or frame.empty:
        return "_none_\n"
    shown = frame.head(limit).astype(object).where(frame.head(limit).notna(), "")
    header = "| " + " | ".join(str(c) for c in shown.columns) + " |"
    rule = "|" + "---|" * len(shown.columns)
    lines = [header, rule]
    for row in shown.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


def _cell(value: object) -> str:
    if isinstance(value, float):
        text = f"{value:,.2f}"
    elif isinstance(value, list | tuple):
        text = "; ".join(str(v) for v in value)
    else:
        text = str(value)
    return text.replace("|", "\\|").replace("\n", " ")[:160]


def render_markdown(report: Report, image_dir: Path | None = None) -> str:
    lines = [f"# {report.scope.title}", "", f"**{report.scope.marking}** · generated {report.generated_at} · "
             f"scope: {report.scope.describe()} · store `{report.store}`", ""]
    counter = 0
    for section in report.sections:
        lines += [f"## {section.title}", ""]
        if section.text:
            lines += [section.text, ""]
        for caption, png in section.images:
            counter += 1
            if image_dir is not None:
                image_dir.mkdir(parents=True, exist_ok=True)
                name = f"figure-{counter}.png"
                (image_dir / name).write_bytes(png)
                target = f"{image_dir.name}/{name}"
            else:
                target = "data:image/png;base64," + base64.b64encode(png).decode()
            lines += [f"![{caption}]({target})", "", f"*{caption}*", ""]
        for caption, frame in section.tables:
            lines += [f"**{caption}**", "", table_markdown(frame, 200 if section.title == "Evidence annex" else 40)]
    return "\n".join(lines)
