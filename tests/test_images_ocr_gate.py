"""The OCR text gate (graphbench/images/ocr.py) on generated photos with known answers: photos
without text almost never pass the gate and read as ''; the detected line of a painted number lies on the
band it was painted on; recognition crops from the photo itself, so a large photo is read as well as
a small one; a photo with more lines than MAX_LINES has only its largest lines read."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from photo_generator import item_photo, paint_text, plain_font  # noqa: E402

from graphbench.images import ocr  # noqa: E402
from graphbench.images.identifiers import identifiers_in_text  # noqa: E402


def test_photos_without_text_mostly_stop_at_the_gate_and_read_no_text() -> None:
    photos = [item_photo(seed) for seed in range(700, 710)]
    assert sum(1 for p in photos if ocr.text_lines(p)) <= 1  # a stray box costs one recognition
    assert [ocr.read_text(p) for p in photos] == [""] * len(photos)


def test_the_detected_line_is_where_the_number_was_painted() -> None:
    photo = item_photo(710)
    band = photo.copy()
    draw = ImageDraw.Draw(band)
    font = plain_font(34)
    draw.rectangle([100, 390, 420, 440], fill=(250, 250, 245))
    draw.text((110, 395), "+84 912 345 678", font=font, fill=(15, 15, 20))
    lines = ocr.text_lines(band)
    assert len(lines) == 1
    xs, ys = lines[0][:, 0], lines[0][:, 1]
    assert 95 <= xs.min() <= 130 and 380 <= ys.min() <= 410  # in the photo's own pixels
    assert ys.max() <= 445 and xs.max() <= 425
    assert identifiers_in_text(ocr.read_text(band)).phones == ["+84912345678"]


def test_a_large_photo_is_read_from_its_own_pixels() -> None:
    rng = random.Random(5)
    small = paint_text(item_photo(720), "+66 81 234 5678", rng, size=26)
    large = small.resize((small.width * 3, small.height * 3), Image.Resampling.BICUBIC)
    assert identifiers_in_text(ocr.read_text(large)).phones == ["+66812345678"]


def test_more_lines_than_the_cap_read_the_largest(monkeypatch: pytest.MonkeyPatch) -> None:
    photo = Image.fromarray(np.full((480, 640, 3), 235, dtype=np.uint8))
    draw = ImageDraw.Draw(photo)
    draw.text((20, 20), "CALL 0912345678", font=plain_font(44), fill=(10, 10, 10))
    for row in range(4):
        draw.text((20, 120 + row * 60), f"line {row} small", font=plain_font(30), fill=(10, 10, 10))
    monkeypatch.setattr(ocr, "MAX_LINES", 1)
    text = ocr.read_text(photo)
    assert text.replace(" ", "").upper() == "CALL0912345678"
