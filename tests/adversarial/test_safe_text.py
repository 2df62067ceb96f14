"""Probe 19.5, the rule under the pages: ``markdown_text`` makes any value render as exactly its text
in a CommonMark renderer that passes raw HTML through (the most permissive kind), and ``web_url``
lets only http(s) addresses be links. Fast and browser-free; tests/adversarial/test_render.py checks
the same in Chromium with Streamlit's own renderer (which also autolinks bare addresses)."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from planted_payloads import BAD_URLS, BIO, GOOD_URL, HANDLES, TITLE

from graphbench.viz.safe_text import WORD_JOINER, markdown_text, web_url

RENDERER = MarkdownIt("commonmark", {"html": True}).enable("table")
MARKUP = "*_`[]()!<>#&\\|~$:+-.=@ \n\t" + "abcXYZ019" + "éж穿"


def _shown(source: str) -> str:
    """What a reader sees: the rendered HTML must be one paragraph with no tag inside."""
    out = RENDERER.render(source).strip()
    if not out:
        return ""
    assert out.startswith("<p>") and out.endswith("</p>"), out
    inner = out[3:-4]
    assert "<" not in inner, out  # no element at all: no img, a, script, em, code …
    return html.unescape(inner).replace(WORD_JOINER, "")


@pytest.mark.parametrize("value", [*HANDLES, TITLE, BIO, *BAD_URLS, "1. not a list", "# not a heading",
                                   "    not code", "a  \nb", "&lt;b&gt; &#60;", "x\\", "`a` ``b``"])
def test_planted_values_render_as_their_text(value: str) -> None:
    assert _shown(markdown_text(value)) == " ".join(value.split())


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=MARKUP, max_size=40))
def test_any_value_renders_as_its_text(value: str) -> None:
    assert _shown(markdown_text(value)) == " ".join(value.split())


def test_bare_addresses_get_a_joiner_that_breaks_autolinks() -> None:
    escaped = markdown_text("www.evil.example HTTPS://evil.example a@evil.example")
    assert not re.search(r"(?i)www\\\.|https?\\:|[^\u2060]\\@", escaped)


@pytest.mark.parametrize("url, kept", [
    (GOOD_URL, True), ("http://example.org/a?b=c#d", True), ("HTTPS://EXAMPLE.ORG", True),
    *((bad, False) for bad in BAD_URLS),
    ("java\tscript:alert(1)", False), ("//evil.example/x", False), ("https:evil.example", False),
    ("http://", False), ("http://[::1", False), ("https://evil.example/a b", False), (None, False), (5, False),
])
def test_only_http_and_https_urls_are_links(url, kept: bool) -> None:
    assert (web_url(url) is not None) is kept
