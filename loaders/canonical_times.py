"""Capture times in canonical ``YYYY-MM-DDTHH:MM:SSZ`` text, read straight from an Arrow string array's bytes.

A regex, a parse and a print back cost ~2 s per million values; the form is fixed-width, so the bytes tell
it at once, and its digits, read as the number YYYYMMDDHHMMSS, order as the text (and the times) do. Used by
the column-wise transactions parser (which values need the normaliser) and the channel stage (capture times
as numbers).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

WIDTH = 20
DIGITS = np.array([0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18])
SEPARATORS = {4: ord("-"), 7: ord("-"), 10: ord("T"), 13: ord(":"), 16: ord(":"), 19: ord("Z")}
POWERS = 10 ** np.arange(13, -1, -1, dtype=np.int64)
_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def time_digits(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Per value: whether it has the form (20 bytes, the separators, digits; a null has not), and its
    YYYYMMDDHHMMSS number (0 where it has not the form). The form only: 2024-02-30 has it."""
    n = len(column)
    form = np.zeros(n, dtype=bool)
    number = np.zeros(n, dtype=np.int64)
    if n == 0 or column.null_count == n or column.buffers()[2] is None:
        return form, number
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int32)[column.offset:column.offset + n + 1]
    data = np.frombuffer(column.buffers()[2], dtype=np.uint8)
    form = np.diff(offsets) == WIDTH
    if column.null_count:
        form &= column.is_valid().to_numpy(zero_copy_only=False)
    if form.all():  # the usual column: one slice, no gather
        text = data[offsets[0]:offsets[0] + WIDTH * n].reshape(n, WIDTH)
    else:
        text = data[offsets[:-1][form].astype(np.int64)[:, None] + np.arange(WIDTH)]
    good = np.ones(len(text), dtype=bool)
    for at, byte in SEPARATORS.items():
        good &= text[:, at] == byte
    digits = text[:, DIGITS] - np.uint8(ord("0"))  # a non-digit wraps past 9
    good &= (digits <= 9).all(axis=1)
    where = np.flatnonzero(form)
    form[where] = good
    number[where[good]] = digits[good].astype(np.int64) @ POWERS
    return form, number


def canonical_times(column: pa.Array) -> np.ndarray:
    """Per value: of the form and naming a real UTC second of 1990-2100, so
    :func:`graphbench.normalize.timestamp` would return it unchanged; anything else (nulls, leap seconds,
    24:00) is False and goes to that function."""
    fine, number = time_digits(column)
    year, month, day = number // 10**10, number // 10**8 % 100, number // 10**6 % 100
    hour, minute, second = number // 10**4 % 100, number // 100 % 100, number % 100
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = _DAYS[np.clip(month, 0, 12)] + ((month == 2) & leap)
    return fine & (year >= 1990) & (year <= 2100) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= days) \
        & (hour <= 23) & (minute <= 59) & (second <= 59)
