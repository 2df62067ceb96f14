"""Reading one field of a canonical row: present or not, normalised, or set aside.

A *required* field that fails raises ``InvalidRow`` (the row goes to the rejects file). An
*optional* field that fails never loses its row: it is recorded on the row's context as a
warning (file, row, field, reason, value) and read as missing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from graphbench.errors import InvalidRow
from graphbench.normalize import clean, split_multi
from loaders.context import RowContext

T = TypeVar("T")


def required(row: dict[str, str], name: str, normalise: Callable[[str], T] | None = None) -> Any:
    value = clean(row.get(name))
    if value is None:
        raise InvalidRow(name, "required field is missing")
    return _apply(name, value, normalise)


def optional(row: dict[str, str], name: str, normalise: Callable[[str], T] | None = None,
             ctx: RowContext | None = None) -> Any:
    """The normalised value, or None when missing — or when it fails, which ``ctx`` records.

    Without a context a failure raises ``InvalidRow``, for callers that validate strictly.
    """
    value = clean(row.get(name))
    if value is None:
        return None
    return _soft(name, value, normalise, ctx)


def multi(row: dict[str, str], name: str, normalise: Callable[[str], T] | None = None,
          ctx: RowContext | None = None) -> list[Any]:
    """A ';'-separated cell, each part normalised; duplicates dropped, order kept. A part that
    fails is set aside on ``ctx`` (the other parts stay); without a context it raises."""
    values: dict[Any, None] = {}
    for part in split_multi(clean(row.get(name))):
        value = _soft(name, part, normalise, ctx)
        if value is not None:
            values.setdefault(value, None)
    return list(values)


_SUFFIXES = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


def whole_number(raw: str) -> int:
    """A count as exports write it: ``1200``, ``1,200``, ``1.2k``, ``3M``, ``1.2 K``."""
    text = raw.strip().replace(",", "").replace("_", "").replace(" ", "").replace("\u00a0", "").lower()
    text = text.removesuffix("+")  # "10k+"
    scale = _SUFFIXES.get(text[-1:], 1) if text else 1
    if scale != 1:
        text = text[:-1]
    try:
        number = round(float(text) * scale, 6)
    except (ValueError, OverflowError):
        raise ValueError(f"{raw!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")) or number < 0 or not number.is_integer():
        raise ValueError(f"{raw!r} is not a whole non-negative number")
    return int(number)


def _soft(name: str, value: str, normalise: Callable[[str], T] | None, ctx: RowContext | None) -> Any:
    if ctx is None:
        return _apply(name, value, normalise)
    try:
        return _apply(name, value, normalise)
    except InvalidRow as exc:
        ctx.warn(name, exc.reason, value)
        return None


def _apply(name: str, value: str, normalise: Callable[[str], T] | None) -> Any:
    if normalise is None:
        return value
    try:
        return normalise(value)
    except ValueError as exc:
        raise InvalidRow(name, str(exc)) from None
