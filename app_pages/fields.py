"""Text fields whose bad input is one sentence under the field, never a traceback.

Each renders its ``st.text_input`` in a container (a column, the page) and returns the parsed value,
or None when the field is empty or wrong; when wrong, the sentence is shown right below it and the
page carries on without that value.
"""

from __future__ import annotations

from typing import Any

from graphbench import normalize
from graphbench.viz.safe_text import markdown_text


def date_field(container: Any, label: str, end_of_day: bool = False, **kwargs: Any) -> str | None:
    """A date/time as ISO UTC text (``2024-03-05T00:00:00Z``), or None. ``end_of_day``: a bare date
    (no time written) gives just ``2024-03-05``, which as an upper bound keeps that whole day
    (``"2024-03-05T10:00:00Z" <= "2024-03-05~"``)."""
    text = container.text_input(label, placeholder=kwargs.pop("placeholder", "2024-03-05"), **kwargs)
    return parse_date(container, label, text, end_of_day)


def parse_date(container: Any, label: str, text: str, end_of_day: bool = False) -> str | None:
    if not text or not text.strip():
        return None
    try:
        value = normalize.timestamp(text)
    except ValueError:
        container.error(f"{markdown_text(label.split(' (')[0])}: {markdown_text(repr(text.strip()))} is not a date; "
                        "write one such as 2024-03-05 (year, month and day), or leave it empty.")
        return None
    bare = len(text.strip()) <= 10 and ":" not in text
    return value[:10] if end_of_day and bare else value
