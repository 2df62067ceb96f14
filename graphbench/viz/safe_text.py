"""Values from data shown to a person: as text, never as markup, and URLs as links only when they are
web addresses.

A handle, a title or a bio is written by the person under investigation. Rendered as Markdown it could
make the analyst's browser fetch an image (``![](http://…)``: the fetch tells the account's owner that
someone is looking, and breaks an air gap), run a link (``[x](javascript:…)``) or inject HTML.
``markdown_text`` escapes a value so every Markdown renderer (CommonMark, GitHub's, Streamlit's with its
``:colour[…]``, ``:emoji:`` and ``$maths$`` extensions) shows it character for character; ``web_url``
is the one rule every export uses before it writes a value as a link.
"""

from __future__ import annotations

import re
import string
from typing import Any
from urllib.parse import urlsplit

# CommonMark lets a backslash escape any ASCII punctuation character and then shows it literally; escaping
# all of them leaves no construct that can start: no emphasis, link, image, HTML tag, entity, table pipe,
# Streamlit directive or maths.
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
# GFM turns bare www., http(s):// and e-mail addresses into links even when their punctuation is escaped
# (Streamlit's renderer does): an invisible WORD JOINER after the scheme / "www" and before "@" stops it
_AUTOLINK = re.compile(r"(?i)(https?(?=:)|www(?=\.))|(?=@)")
WORD_JOINER = "\u2060"

WEB_SCHEMES = ("http", "https")
# a browser drops these before it reads a scheme ("java\tscript:" runs): a URL holding any is not a web URL
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]")


def markdown_text(value: Any) -> str:
    """``value`` as Markdown source that renders as exactly its text, on one line (white space, line
    breaks included, becomes single spaces). The rendered text reads the same; copied, it carries a few
    invisible word joiners."""
    text = "" if value is None else str(value)
    # runs of white space become one space (as HTML shows them anyway): no line break, and no indented
    # code block or hard break can start
    text = _AUTOLINK.sub(lambda match: (match.group(1) or "") + WORD_JOINER, " ".join(text.split()))
    return _PUNCTUATION.sub(r"\\\1", text)


def web_url(value: Any) -> str | None:
    """``value`` if it is an absolute http(s) URL with a host, else None.

    Anything else — ``javascript:``, ``data:``, ``vbscript:``, ``file:``, a protocol-relative ``//host``,
    a URL with spaces or control characters in it — is not written as a link by any export."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or _CONTROL_OR_SPACE.search(text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
        return None
    return text
