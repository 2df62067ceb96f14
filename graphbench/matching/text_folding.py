"""Fold text so the same word written with other case, accents or punctuation compares equal.

Folding is length-preserving on NFC text (one character in, one character out), so a
span found in the folded text is also the span of the words as written.
"""

from __future__ import annotations

import re
import unicodedata

from graphbench.matching.lookalikes import prepare

# Latin-1 Supplement, Latin Extended-A/B and Latin Extended Additional (Vietnamese).
_LATIN_WITH_MARKS = ((0x00C0, 0x024F), (0x1E00, 0x1EFF))
# Letters whose base form is not reached by removing combining marks.
_EXTRA_FOLDS = {"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ı": "i", "ħ": "h"}
# Scripts written without spaces between words: matched as substrings, not tokens.
_UNSPACED_RANGES = (
    "\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff"  # Thai, Lao, Myanmar, Khmer
    "\u2e80-\u2fff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK, kana
)
_UNSPACED_SCRIPT = re.compile(f"[{_UNSPACED_RANGES}]")
# Word tokens stop where an unspaced script starts: "出售Turbinicarpus" gives "turbinicarpus".
_TOKEN = re.compile(f"[^\\W_{_UNSPACED_RANGES}]+")


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for first, last in _LATIN_WITH_MARKS:
        for code_point in range(first, last + 1):
            char = chr(code_point)
            base = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            if len(base) == 1 and base != char:
                table[code_point] = base
    table.update({ord(k): v for k, v in _EXTRA_FOLDS.items()})
    return table


_FOLD_TABLE = _build_fold_table()


def fold(text: str) -> str:
    """Lower-case and strip accents from Latin letters; other scripts pass through."""
    return unicodedata.normalize("NFC", text).translate(_FOLD_TABLE).lower()


def tokens(folded: str) -> list[re.Match[str]]:
    """Word tokens of folded text, as regex matches (so their spans stay known)."""
    return list(_TOKEN.finditer(folded))


def has_unspaced_script(text: str) -> bool:
    return _UNSPACED_SCRIPT.search(text) is not None


def term_key(term: str) -> str:
    """The lookup key of a term: folded tokens joined by one space, or, for terms in an
    unspaced script (Chinese, Thai, ...), the folded term without spaces."""
    folded = fold(prepare(term))
    if has_unspaced_script(folded):
        return "".join(folded.split())
    return " ".join(m.group() for m in _TOKEN.finditer(folded))
