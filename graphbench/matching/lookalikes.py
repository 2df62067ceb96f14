"""Look-alike identifiers: fold what a reader cannot tell apart, and say what was folded.

A seller who writes ``pаypal`` (Cyrillic а), ``pay\u200dpal`` (a zero-width joiner) or
``ｐａｙｐａｌ`` (fullwidth) slips past keyword filters and shows up as a new account. For keys
and matching graphbench folds such spellings (Unicode TR39 in spirit):

1. default-ignorable and format characters are removed (ZWJ, ZWNJ, ZWSP, word joiner, bidi
   overrides and isolates, soft hyphen, variation selectors, BOM);
2. NFKC folds compatibility forms (fullwidth, mathematical letters, ligatures);
3. a character of another script that TR39's confusables table (via ``confusable_homoglyphs``,
   which ships confusables.txt) gives one ASCII look-alike for is replaced by it — but only when
   the identifier mixes Latin with that script, or when *every* character then reads as ASCII
   (a whole-script spoof such as Cyrillic ``рау``). A handle genuinely written in Cyrillic or
   Thai keeps its letters, and Latin letters with accents (é, ñ) are letters, never folded.

ASCII input is returned unchanged by ``fold_identifier`` apart from lower-casing, so every
plain id stays as it was. ``evasion_flags`` names what was found, for the node's ``evasion``.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Default-ignorable code points outside category Cf (which covers ZWJ/ZWNJ/bidi controls/SHY).
_IGNORABLE_RANGES = (
    (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xE0000, 0xE0FFF),
)
# Scripts written together with Latin in ordinary CJK usage (TR39 "highly restrictive").
_CJK_SCRIPTS = frozenset({"HAN", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO"})
_NEUTRAL_SCRIPTS = frozenset({"COMMON", "INHERITED"})

MIXED_SCRIPT = "mixed_script"
INVISIBLE_CHARS = "invisible_chars"
COMPATIBILITY_CHARS = "compatibility_chars"
LOOKALIKE_CHARS = "lookalike_chars"
EVASION_FLAGS = (MIXED_SCRIPT, INVISIBLE_CHARS, COMPATIBILITY_CHARS, LOOKALIKE_CHARS)


def is_invisible(char: str) -> bool:
    if unicodedata.category(char) == "Cf":
        return True
    code = ord(char)
    return any(first <= code <= last for first, last in _IGNORABLE_RANGES)


def strip_invisible(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in text if not is_invisible(c))


def prepare(text: str) -> str:
    """Invisible characters removed, then NFKC (fullwidth and styled letters to plain ones)."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", strip_invisible(text))


@lru_cache(maxsize=1)
def _ascii_lookalikes() -> dict[str, str]:
    """Non-Latin character → its one ASCII letter or digit look-alike (lower-case preferred)."""
    from confusable_homoglyphs import categories, confusables

    table: dict[str, str] = {}
    for char, glyphs in confusables.confusables_data.items():
        if len(char) != 1 or char.isascii() or categories.alias(char) == "LATIN":
            continue
        ascii_forms = [g["c"] for g in glyphs if len(g["c"]) == 1 and g["c"].isascii() and g["c"].isalnum()]
        if ascii_forms:
            table[char] = min(ascii_forms, key=lambda c: (not c.islower(), not c.isdigit(), c))
    # Keys are compared lower-cased: a small letter whose capital imitates a Latin capital
    # (Cyrillic м from М) reads as the Latin small letter.
    for char, form in list(table.items()):
        small = char.lower()
        if len(small) == 1 and small != char and small not in table and form.isalpha():
            table[small] = form.lower()
    return table


def _script(char: str) -> str:
    from confusable_homoglyphs import categories

    try:
        return categories.alias(char)
    except Exception:  # a code point the table lacks (unassigned): count it as its own script
        return "UNKNOWN"


def scripts_of(text: str) -> set[str]:
    return {_script(c) for c in text if c.isalpha()} - _NEUTRAL_SCRIPTS


def is_mixed_script(text: str) -> bool:
    """Letters from two scripts, other than Latin written with Chinese, Japanese or Korean."""
    return len(scripts_of(text) - _CJK_SCRIPTS) > 1


def _lookalike_folded(text: str) -> str:
    table = _ascii_lookalikes()
    return "".join(table.get(c, c) for c in text)


def fold_identifier(raw: str) -> str:
    """The matching key of an identifier as written: invisibles out, NFKC, lower-case, and
    look-alikes of other scripts read as the Latin letters they imitate (rule 3 above)."""
    if raw.isascii():
        return raw.lower()
    text = prepare(raw).lower()
    if text.isascii():
        return text
    mapped = _lookalike_folded(text)
    if mapped != text and (is_mixed_script(text) or mapped.isascii()):
        return mapped.lower()
    return text


def evasion_flags(raw: str) -> list[str]:
    """What in ``raw`` looks like evasion: ``mixed_script``, ``invisible_chars``,
    ``compatibility_chars`` (fullwidth or styled letters), ``lookalike_chars``."""
    if raw.isascii():
        return []
    flags: list[str] = []
    visible = strip_invisible(raw)
    if visible != raw:
        flags.append(INVISIBLE_CHARS)
    normal = unicodedata.normalize("NFKC", visible)
    if normal != unicodedata.normalize("NFC", visible):
        flags.append(COMPATIBILITY_CHARS)
    if is_mixed_script(normal):
        flags.append(MIXED_SCRIPT)
    lowered = normal.lower()
    if not lowered.isascii() and fold_identifier(raw) != lowered:
        flags.append(LOOKALIKE_CHARS)
    return flags


def fold_mixed_tokens(folded: str, spans: list[tuple[int, int]]) -> str:
    """Text with look-alikes read as Latin inside the given word spans that mix Latin with
    another script (``Маnis`` with a Cyrillic М). One character in, one out: spans keep."""
    table = _ascii_lookalikes()
    pieces: list[str] = []
    last = 0
    for start, end in spans:
        word = folded[start:end]
        if word.isascii() or not is_mixed_script(word):
            continue
        pieces.append(folded[last:start])
        pieces.append("".join(table.get(c, c) if len(table.get(c, c)) == 1 else c for c in word).lower())
        last = end
    if not pieces:
        return folded
    pieces.append(folded[last:])
    return "".join(pieces)
