"""Perceptual hashes of a photo that survive what re-posters do: resize, recompress, brighten, crop.

pHash (``imagehash.phash``: the signs of the 8x8 lowest DCT frequencies of a 32x32 grey image)
already ignores size, JPEG/WebP quality and brightness. It does not ignore a crop: cutting 6 % off
one side moves the picture under the DCT, and on the held-out set of ``benchmarks/bench_images.py``
only 15 % of cropped copies stayed within 5 bits. So a photo gets a *set* of hashes — the whole
frame and its centre with ``CROPS`` cut off every side — and two photos match when any hash of one
is within ``CrossPostSettings.photo_max_hamming`` bits of any hash of the other. A copy cropped by
a few per cent then lines up with one of the other photo's crops (measured figures in
benchmarks/README.md, "Photos").

Hashes are taken from a grey copy reduced to about ``THUMBNAIL`` pixels: pHash looks at 32x32 grey
pixels anyway, and hashing three crops of the small copy costs less than one pHash of the full photo.
"""

from __future__ import annotations

import imagehash
from PIL import Image

CROPS = (0.0, 0.05, 0.10)  # share cut off each side; 0.0 is the whole frame
THUMBNAIL = 256  # pixels on the longer side of the copy that is hashed


def small_grey(image: Image.Image, size: int = THUMBNAIL) -> Image.Image:
    """A grey copy reduced by a whole factor (box filter) to about ``size`` pixels on its longer side:
    pHash greys and shrinks to 32x32 anyway, and the box reduction is 7x cheaper than a thumbnail."""
    grey = image.convert("L")
    factor = max(1, max(grey.size) // size)
    return grey.reduce(factor) if factor > 1 else grey


def photo_hashes(image: Image.Image) -> list[str]:
    """16-hex-digit pHashes of the whole frame and of each centre crop in ``CROPS`` (duplicates dropped)."""
    small = small_grey(image)
    width, height = small.size
    hashes: dict[str, None] = {}
    for cut in CROPS:
        dx, dy = round(width * cut), round(height * cut)
        part = small.crop((dx, dy, width - dx, height - dy)) if cut else small
        hashes.setdefault(str(imagehash.phash(part)), None)
    return list(hashes)
