"""Text painted on a photo, read offline by RapidOCR (PP-OCRv4 models shipped inside the
``rapidocr-onnxruntime`` wheel, run on onnxruntime's CPU provider; no model is downloaded).

Chosen by measurement on generated adverts with a phone number painted in a plain font
(benchmarks/bench_images.py): RapidOCR read 30 of 30 numbers, Debian's tesseract 5.3 (``--psm 3``,
grey) 27 of 30 at about the same cost per photo (benchmarks/README.md, "Photos"); RapidOCR also
reads Chinese, the language of many code words. The rotation classifier is off, since adverts carry
upright text. One engine per process, built on first use; onnxruntime is held to one thread
(``THREADS``, graph optimisations on) so a load keeps to one core.

Two stages, so a photo without text costs little:

1. **Detect** on a copy whose longer side is ``GATE_SIDE`` pixels. The detector is the text-presence
   gate: most listing photos carry no text, and for them this is the whole cost (about a quarter of
   the former single pass at 480 px). It also says where the lines are.
2. **Recognise** only the detected lines, cropped from the photo itself (scaled to at most
   ``REC_SIDE``), so recognition reads the letters at full resolution although detection ran small.

Assumption (stated in the benchmark too): the photos of a listing mostly carry no text — on
marketplaces roughly one photo in ten to one in five has a painted phone, handle or price. Speed per
photo therefore depends on that share; benchmarks/README.md gives figures for an all-text set and a
mixed set. GATE_SIDE, the thresholds and the border were chosen on photos of another seed than the
benchmark's: 90 numbers anywhere on the photo and 40 small ones flush with the top or bottom edge.
224 px read 82 of the 90; 256 px 90 and 35 of the 40; with the grey border 89 and 39 (the former
480 px pass: 90 and 40). What may be lost: the detector finds lines whose capitals are at least
~2.5 % of the photo's longer side (16 px on a 640 px photo, the smallest plain font of the
benchmark), and not every one of those; finer print (a small watermark on a large photo) may be
missed. A photo with more than ``MAX_LINES`` lines (a screenshot of a chat) has its ``MAX_LINES``
largest read.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from PIL import Image

GATE_SIDE = 256  # detection (and the text/no-text decision) on a copy this large (longer side)
# The detector's pixel and box thresholds, lower than the package's 0.3 / 0.5: at GATE_SIDE a small
# line is faint, and a false box costs one recognition (dropped below MIN_SCORE), a missed line its text.
DET_THRESH, DET_BOX_THRESH = 0.2, 0.3
REC_SIDE = 1280  # recognition crops come from a copy at most this large
DET_SIDE = 960  # the engine's own detection limit (it scales nothing below it)
MIN_SCORE = 0.5  # recognition confidence below which a line is noise
MAX_LINES = 16  # lines recognised per photo at most (the largest), to bound the cost of one photo
# A line flush with the top or bottom of the frame (where sellers write) is missed by the detector:
# the gate copy gets this many mid-grey rows above and below (grey, not the edge pixels, which would
# widen a white text band into the frame), then is padded to the multiples of 32 the detector works
# in. Only rows: a wider input costs the detector far more than a taller one (+14 % against +70 %).
GATE_BORDER = 16
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
            _ENGINE = RapidOCR(det_limit_side_len=DET_SIDE, det_limit_type="max", det_thresh=DET_THRESH,
                               det_box_thresh=DET_BOX_THRESH, use_cls=False,
                               text_score=MIN_SCORE, intra_op_num_threads=THREADS, inter_op_num_threads=THREADS,
                               print_verbose=False)
        return _ENGINE


def available() -> bool:
    try:
        _engine()
    except OcrUnavailable:
        return False
    return True


def _bgr(image: Image.Image, side: int) -> np.ndarray:
    """An RGB copy at most ``side`` pixels on its longer side, as the BGR array the engine takes."""
    copy = image.convert("RGB")  # a copy, even of an RGB photo
    if max(copy.size) > side:
        copy.thumbnail((side, side), Image.Resampling.BILINEAR)
    return np.ascontiguousarray(np.asarray(copy)[:, :, ::-1])


def text_lines(image: Image.Image) -> list[np.ndarray]:
    """Where the lines of text are (quadrilaterals in ``image``'s pixels), top to bottom; [] when the
    detector finds none. This is the gate: it costs one detection on a ``GATE_SIDE`` copy."""
    engine = _engine()
    small = _bgr(image, GATE_SIDE)
    height, width = small.shape[0] + 2 * GATE_BORDER, small.shape[1]
    framed = np.pad(small, ((GATE_BORDER, GATE_BORDER + -height % 32), (0, -width % 32), (0, 0)),
                    mode="constant", constant_values=127)
    boxes, _ = engine.text_det(framed)
    if boxes is None or len(boxes) == 0:
        return []
    scale = np.array([image.width / small.shape[1], image.height / small.shape[0]], dtype=np.float32)
    offset = np.array([0, GATE_BORDER], dtype=np.float32)
    lines = [(np.asarray(box, dtype=np.float32) - offset) * scale for box in boxes]
    if len(lines) > MAX_LINES:
        lines = sorted(lines, key=lambda b: -_area(b))[:MAX_LINES]
    return [np.asarray(b, dtype=np.float32) for b in engine.sorted_boxes(np.array(lines))]


def _area(box: np.ndarray) -> float:
    x, y = box[:, 0], box[:, 1]
    return float(abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))) / 2)


def read_text(image: Image.Image) -> str:
    """The lines of text found on the photo, top to bottom, one per line ('' when none)."""
    lines = text_lines(image)
    if not lines:
        return ""
    engine = _engine()
    full = _bgr(image, REC_SIDE)
    scale = np.array([full.shape[1] / image.width, full.shape[0] / image.height], dtype=np.float32)
    crops = engine.get_crop_img_list(full, [np.asarray(b * scale, dtype=np.float32) for b in lines])
    recognised, _ = engine.text_rec(crops)
    texts = [str(text).strip() for text, score in recognised if score >= MIN_SCORE]
    return "\n".join(t for t in texts if t)
