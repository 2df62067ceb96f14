"""Text painted on a photo, read offline by RapidOCR (PP-OCRv4 models shipped inside the
``rapidocr-onnxruntime`` wheel, run on onnxruntime's CPU provider; no model is downloaded).

Chosen by measurement on generated adverts with a phone number painted in a plain font
(benchmarks/bench_images.py): RapidOCR read 30 of 30 numbers, Debian's tesseract 5.3 (``--psm 3``,
grey) 27 of 30 at about the same cost per photo (benchmarks/README.md, "Photos"); RapidOCR also
reads Chinese, the language of many code words. The package default scales the *shorter* side up to
736 pixels, twice the work on a phone photo: here the photo is scaled down to ``OCR_SIDE`` instead;
the rotation classifier is off, since adverts carry upright text. One engine per process, built on
first use; onnxruntime is held to one thread (``THREADS``) so a load keeps to one core.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from PIL import Image

# The photo is scaled so its longer side is at most OCR_SIDE pixels before OCR: detection dominates
# the cost and grows with the area (measured on one core: 640 px 1.0 photo/s, 480 px 1.9, 320 px 4.5,
# every painted number still read). At 480 px, text whose letters are 3 % of the photo's longer side
# or more stays at 14 px or more, which PP-OCR reads; smaller print on a large photo may be lost.
OCR_SIDE = 480
DET_SIDE = 960  # the engine's own detection limit (it scales nothing below it)
MIN_SCORE = 0.5  # recognition confidence below which a line is noise
THREADS = 1

_LOCK = threading.Lock()
_ENGINE: Any = None


class OcrUnavailable(RuntimeError):
    """The OCR package is not installed (it is a dependency of graphbench: reinstall)."""


def _engine() -> Any:
    global _ENGINE
    with _LOCK:
        if _ENGINE is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:
                raise OcrUnavailable(f"rapidocr-onnxruntime is not installed ({exc}); "
                                     "run `pip install -e .` in the graphbench folder") from None
            _ENGINE = RapidOCR(det_limit_side_len=DET_SIDE, det_limit_type="max", use_cls=False,
                               text_score=MIN_SCORE, intra_op_num_threads=THREADS, inter_op_num_threads=THREADS,
                               print_verbose=False)
        return _ENGINE


def available() -> bool:
    try:
        _engine()
    except OcrUnavailable:
        return False
    return True


def read_text(image: Image.Image) -> str:
    """The lines of text found on the photo, top to bottom, one per line ('' when none)."""
    engine = _engine()
    small = image.convert("RGB")  # a copy, even of an RGB photo
    if max(small.size) > OCR_SIDE:
        small.thumbnail((OCR_SIDE, OCR_SIDE), Image.Resampling.BILINEAR)
    rgb = np.asarray(small)[:, :, ::-1]  # the engine takes OpenCV's BGR order
    result, _ = engine(np.ascontiguousarray(rgb), use_cls=False)
    if not result:
        return ""
    lines = sorted(result, key=lambda r: (min(p[1] for p in r[0]), min(p[0] for p in r[0])))
    return "\n".join(str(r[1]).strip() for r in lines if str(r[1]).strip())
