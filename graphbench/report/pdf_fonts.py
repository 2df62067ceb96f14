"""Fonts for the PDF: text in many scripts without black boxes.

Listings are written in Vietnamese, Chinese, Thai …; reportlab's built-in Helvetica covers Latin-1
only. The body font is DejaVu Sans, shipped inside matplotlib (always installed with graphbench),
embedded as a subset. Runs of characters it lacks go to the first installed font that has them
(any CJK / Thai TrueType font matplotlib finds), and CJK with no such font to reportlab's built-in
CID font STSong-Light (no file needed, text stays extractable). Characters no font has (emoji) are
left out: the evidence annex points to the source record holding the original text.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import matplotlib
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

BODY, BOLD, ITALIC, BOLD_ITALIC, MONO = "GB-Sans", "GB-Sans-Bold", "GB-Sans-Oblique", "GB-Sans-BoldOblique", \
    "GB-Mono"
CID_FONT = "STSong-Light"
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
# installed families worth embedding for what DejaVu lacks, best first
_FALLBACK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
                      "Droid Sans Fallback", "Noto Sans Thai", "Garuda", "Loma", "Norasi")


@cache
def register() -> tuple[tuple[str, frozenset[int]], ...]:
    """Register the fonts once; returns (font name, the code points it draws) in fallback order."""
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    files = {BODY: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf", ITALIC: "DejaVuSans-Oblique.ttf",
             BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf", MONO: "DejaVuSansMono.ttf"}
    for name, file in files.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    addMapping(BODY, 0, 0, BODY)
    addMapping(BODY, 1, 0, BOLD)
    addMapping(BODY, 0, 1, ITALIC)
    addMapping(BODY, 1, 1, BOLD_ITALIC)
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    chain = [(BODY, frozenset(pdfmetrics.getFont(BODY).face.charToGlyph))]
    for index, path in enumerate(_installed_fallbacks()):
        try:
            font = TTFont(f"GB-Fallback-{index}", path)
        except Exception:  # noqa: BLE001 - a font reportlab cannot read (CFF-based OTF …) is skipped
            continue
        pdfmetrics.registerFont(font)
        chain.append((font.fontName, frozenset(font.face.charToGlyph)))
    return tuple(chain)


def _installed_fallbacks() -> list[str]:
    from matplotlib.font_manager import fontManager

    by_family = {f.name: f.fname for f in fontManager.ttflist if f.fname.lower().endswith((".ttf", ".ttc"))}
    return [by_family[name] for name in _FALLBACK_FAMILIES if name in by_family]


def markup(text: object) -> str:
    """``text`` escaped for a reportlab Paragraph, with each run the body font lacks set in a font that has it."""
    chain = register()
    out: list[str] = []
    current: str | None = None
    run: list[str] = []

    def flush() -> None:
        if run:
            body = "".join(run)
            out.append(body if current == BODY else f'<font name="{current}">{body}</font>')
            run.clear()

    for ch in str(text):
        code = ord(ch)
        font = next((name for name, covered in chain if code in covered), None)
        if font is None and _CJK.match(ch):
            font = CID_FONT
        if font is None:
            if ch in "\n\t":
                font, ch = BODY, " "
            else:
                continue  # no installed font draws it (emoji …)
        if font != current:
            flush()
            current = font
        run.append(ch.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
    flush()
    return "".join(out)
