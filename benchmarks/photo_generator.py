"""Photos with known answers: advert pictures of made-up items, their near-duplicates across
platforms, GPS in EXIF, a phone number painted on the picture.

An *item* is drawn from its seed: a background (two-colour gradient with soft noise) and an object
made of overlapping ellipses and polygons with their own colours and stripes, then a slight blur and
sensor noise, so the picture has the low-frequency structure a photo has. Two seeds give two items.
A *hard negative* keeps the background of another item (the same table, another animal), because
sellers photograph many items in one place.

A *variant* is what a re-poster does to a photo: resize, recompress (JPEG / WebP at a quality),
crop a few per cent off some edges, change brightness or contrast. The tests and the benchmark use
different seeds and different transform sets (``TEST_TRANSFORMS`` / ``HELD_OUT_TRANSFORMS``), so the
benchmark's precision and recall are measured on photos no default was chosen on.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

Transform = Callable[[Image.Image, random.Random], Image.Image]


def item_photo(seed: int, size: tuple[int, int] = (640, 480), background_seed: int | None = None) -> Image.Image:
    """The photo of item ``seed`` (on the background of ``background_seed`` when given)."""
    width, height = size
    bg = np.random.default_rng((seed if background_seed is None else background_seed) + 1_000_003)
    c1, c2 = bg.integers(40, 220, 3), bg.integers(40, 220, 3)
    t = np.linspace(0, 1, width)[None, :, None] * 0.6 + np.linspace(0, 1, height)[:, None, None] * 0.4
    base = c1 * (1 - t) + c2 * t
    coarse = bg.normal(0, 18, (6, 8, 3))
    base += np.asarray(Image.fromarray(np.uint8(np.clip(coarse + 128, 0, 255))).resize(size, Image.BICUBIC),
                       dtype=float) - 128
    picture = Image.fromarray(np.uint8(np.clip(base, 0, 255)))
    draw = ImageDraw.Draw(picture)
    rng = random.Random(seed)
    cx, cy = width * rng.uniform(0.35, 0.65), height * rng.uniform(0.35, 0.65)
    for _ in range(rng.randint(4, 8)):
        colour = tuple(rng.randint(0, 255) for _ in range(3))
        w, h = width * rng.uniform(0.08, 0.35), height * rng.uniform(0.08, 0.35)
        x, y = cx + rng.uniform(-0.25, 0.25) * width, cy + rng.uniform(-0.25, 0.25) * height
        if rng.random() < 0.5:
            draw.ellipse([x - w / 2, y - h / 2, x + w / 2, y + h / 2], fill=colour)
        else:
            points = [(x + rng.uniform(-w, w) / 2, y + rng.uniform(-h, h) / 2) for _ in range(rng.randint(3, 6))]
            draw.polygon(points, fill=colour)
        if rng.random() < 0.4:  # scales, stripes: texture a hash must not depend on
            stripe = tuple(max(0, c - 60) for c in colour)
            for k in range(int(x - w / 2), int(x + w / 2), rng.randint(6, 14)):
                draw.line([(k, y - h / 3), (k + 5, y + h / 3)], fill=stripe, width=2)
    picture = picture.filter(ImageFilter.GaussianBlur(1.2))
    noise = np.random.default_rng(seed + 7).normal(0, 4, (height, width, 3))
    return Image.fromarray(np.uint8(np.clip(np.asarray(picture, dtype=float) + noise, 0, 255)))


def recompress(picture: Image.Image, fmt: str, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    picture.convert("RGB").save(buffer, fmt, quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def resize(picture: Image.Image, scale: float) -> Image.Image:
    return picture.resize((max(8, round(picture.width * scale)), max(8, round(picture.height * scale))),
                          Image.LANCZOS)


def crop(picture: Image.Image, left: float, top: float, right: float, bottom: float) -> Image.Image:
    w, h = picture.size
    return picture.crop((round(w * left), round(h * top), round(w * (1 - right)), round(h * (1 - bottom))))


def brightness(picture: Image.Image, factor: float) -> Image.Image:
    return ImageEnhance.Brightness(picture).enhance(factor)


def contrast(picture: Image.Image, factor: float) -> Image.Image:
    return ImageEnhance.Contrast(picture).enhance(factor)


TEST_TRANSFORMS: dict[str, Transform] = {
    "resized": lambda p, r: resize(p, 0.5),
    "jpeg40": lambda p, r: recompress(p, "JPEG", 40),
    "cropped": lambda p, r: crop(p, 0.06, 0.04, 0.02, 0.05),
    "brighter": lambda p, r: brightness(p, 1.2),
    "reposted": lambda p, r: recompress(crop(resize(p, 0.7), 0.03, 0.03, 0.03, 0.03), "JPEG", 60),
}

HELD_OUT_TRANSFORMS: dict[str, Transform] = {
    "resized": lambda p, r: resize(p, r.uniform(0.35, 0.8)),
    "webp": lambda p, r: recompress(p, "WEBP", r.randint(25, 60)),
    "jpeg": lambda p, r: recompress(p, "JPEG", r.randint(20, 50)),
    "cropped": lambda p, r: crop(p, *(r.uniform(0.0, 0.08) for _ in range(4))),
    "darker": lambda p, r: brightness(p, r.uniform(0.7, 0.9)),
    "brighter": lambda p, r: brightness(p, r.uniform(1.1, 1.3)),
    "contrast": lambda p, r: contrast(p, r.uniform(0.75, 1.3)),
    "reposted": lambda p, r: recompress(brightness(crop(resize(p, r.uniform(0.5, 0.9)),
                                                        *(r.uniform(0.0, 0.05) for _ in range(4))),
                                                   r.uniform(0.85, 1.15)), "JPEG", r.randint(35, 75)),
}


def plain_font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """Pillow's own bundled font (the same on every machine), at ``size`` pixels."""
    return ImageFont.load_default(size=size)


def paint_text(picture: Image.Image, text: str, rng: random.Random, size: int = 34) -> Image.Image:
    """``text`` painted in a plain font on a light band, as sellers write a number on a photo."""
    out = picture.copy()
    draw = ImageDraw.Draw(out)
    font = plain_font(size)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    x = rng.randint(10, max(10, out.width - (right - left) - 20))
    y = rng.choice([rng.randint(8, 30), out.height - (bottom - top) - rng.randint(16, 40)])
    draw.rectangle([x - 8, y - 6 + top, x + right - left + 8, y + bottom + 6], fill=(250, 250, 245))
    draw.text((x, y), text, font=font, fill=(15, 15, 20))
    return out


def with_gps(path: Path, picture: Image.Image, lat: float, lon: float, fmt: str = "JPEG", quality: int = 88) -> None:
    """Save ``picture`` to ``path`` with GPS latitude/longitude in its EXIF (degrees, minutes, seconds)."""
    import piexif

    def dms(value: float) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
        value = abs(value)
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        seconds = round(((value - degrees) * 60 - minutes) * 60 * 100)
        return (degrees, 1), (minutes, 1), (seconds, 100)

    gps = {
        piexif.GPSIFD.GPSLatitudeRef: b"N" if lat >= 0 else b"S",
        piexif.GPSIFD.GPSLatitude: dms(lat),
        piexif.GPSIFD.GPSLongitudeRef: b"E" if lon >= 0 else b"W",
        piexif.GPSIFD.GPSLongitude: dms(lon),
    }
    exif = piexif.dump({"0th": {}, "Exif": {}, "GPS": gps, "1st": {}, "thumbnail": None})
    picture.convert("RGB").save(path, fmt, quality=quality, exif=exif)


@dataclass(frozen=True)
class PhotoCase:
    """One photo of the near-duplicate set: which item it shows, and how it was changed."""

    item: int
    variant: str  # "original", a transform name, or "negative" (another item on the same background)
    picture: Image.Image


def near_duplicate_set(items: int, seed: int, transforms: dict[str, Transform],
                       hard_negatives: bool = True, size: tuple[int, int] = (640, 480)) -> list[PhotoCase]:
    """Each item's original and one variant per transform; with ``hard_negatives``, for every item a
    different item photographed on the same background (a distinct item, not a duplicate)."""
    rng = random.Random(seed)
    cases: list[PhotoCase] = []
    for k in range(items):
        item_seed = seed * 10_000 + k
        original = item_photo(item_seed, size)
        cases.append(PhotoCase(item_seed, "original", original))
        for name, transform in transforms.items():
            cases.append(PhotoCase(item_seed, name, transform(original, rng)))
        if hard_negatives:
            other = seed * 10_000 + 5_000 + k
            cases.append(PhotoCase(other, "negative", item_photo(other, size, background_seed=item_seed)))
    return cases
