"""Reading one field of a canonical row: present or not, normalised, or an InvalidRow naming it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from graphbench.errors import InvalidRow
from graphbench.normalize import clean, split_multi

T = TypeVar("T")


def required(row: dict[str, str], name: str, normalise: Callable[[str], T] | None = None) -> Any:
    value = clean(row.get(name))
    if value is None:
        raise InvalidRow(name, "required field is missing")
    return _apply(name, value, normalise)


def optional(row: dict[str, str], name: str, normalise: Callable[[str], T] | None = None) -> Any:
    value = clean(row.get(name))
    if value is None:
        return None
    return _apply(name, value, normalise)


def multi(row: dict[str, str], name: str, normalise: Callable[[str], T] | None = None) -> list[Any]:
    """A ';'-separated cell, each part normalised; duplicates dropped, order kept."""
    values: dict[Any, None] = {}
    for part in split_multi(clean(row.get(name))):
        values.setdefault(_apply(name, part, normalise), None)
    return list(values)


_SUFFIXES = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


def whole_number(raw: str) -> int:
    """A count as exports write it: ``1200``, ``1,200``, ``1.2k``, ``3M``."""
    text = raw.strip().replace(",", "").replace("_", "").lower()
    scale = _SUFFIXES.get(text[-1:], 1) if text else 1
    if scale != 1:
        text = text[:-1]
    try:
        number = round(float(text) * scale, 6)
    except ValueError:
        raise ValueError(f"{raw!r} is not a number") from None
    if number != number or number < 0 or not number.is_integer():
        raise ValueError(f"{raw!r} is not a whole non-negative number")
    return int(number)


def _apply(name: str, value: str, normalise: Callable[[str], T] | None) -> Any:
    if normalise is None:
        return value
    try:
        return normalise(value)
    except ValueError as exc:
        raise InvalidRow(name, str(exc)) from None
