"""Advert photos: cost per image of each step on one core, beside a reference, and the quality
figures of the issue (near-duplicate precision/recall on held-out photos, phones read by OCR).

    .venv/bin/python benchmarks/bench_images.py [--items 60] [--ocr 30] [--no-tesseract]

Photos are generated (benchmarks/photo_generator.py) with a seed and a transform set the tests never
use (``HELD_OUT_TRANSFORMS``: resize 0.35-0.8, WebP 25-60, JPEG 20-50, crops of 0-8 % per side,
brightness 0.7-1.3, contrast, and combined re-posts). The process is pinned to one core and
onnxruntime to one thread. Steps, per image, each timed over the same JPEG files (640x480):

- decode: Pillow opens and decodes the file (what every step needs first);
- hash: graphbench's photo hashes (pHash of the frame and two centre crops from a 256-pixel copy)
  — reference: ``imagehash.phash`` of the full-size image, what ``image_phash`` exporters compute;
- EXIF: the GPS block read and placed by the packaged gazetteer — reference: ``piexif.load``;
- OCR: RapidOCR (graphbench's engine) — reference: Debian's tesseract 5 through pytesseract
  (``--psm 3``, grey), when installed.

Near-duplicates: every pair of photos of one item is a positive, every other pair a negative (each
item also has a distinct item photographed on its own background). Pairs are found by
``find_cross_posts`` as in a load: graphbench's hash sets (``image_hashes``, photo_max_hamming) beside
the single whole-frame pHash at the image_phash threshold (max_hamming). Prints Markdown tables and
writes benchmarks/out/bench_images.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from itertools import combinations
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import pandas as pd  # noqa: E402
from photo_generator import HELD_OUT_TRANSFORMS, item_photo, near_duplicate_set, paint_text, with_gps  # noqa: E402
from PIL import Image  # noqa: E402

OUT = ROOT / "benchmarks" / "out" / "bench_images.json"
SEED = 2027  # held out: the tests use seeds below 100


def per_second(step: Any, items: list[Any]) -> float:
    start = time.perf_counter()
    for item in items:
        step(item)
    return len(items) / (time.perf_counter() - start)


def near_duplicates(items: int) -> list[dict[str, Any]]:
    from graphbench.images.hashing import photo_hashes
    from graphbench.resolve.crossposts import CrossPostSettings, find_cross_posts

    cases = near_duplicate_set(items, SEED, HELD_OUT_TRANSFORMS)
    ids = [f"Listing:p{k % 5}:L{k}" for k in range(len(cases))]
    posted = pd.DataFrame({"start": [f"Account:p{k % 5}:a{k}" for k in range(len(cases))], "end": ids})
    truth = {frozenset((ids[i], ids[j])) for i, j in combinations(range(len(cases)), 2)
             if cases[i].item == cases[j].item}
    # each photo as a re-poster uploads it: a JPEG file, decoded again
    pictures = []
    for case in cases:
        buffer = io.BytesIO()
        case.picture.save(buffer, "JPEG", quality=92)
        pictures.append(Image.open(io.BytesIO(buffer.getvalue())))
    import imagehash

    rows = []
    for name, column, hashes in (
            ("graphbench: frame + 2 centre crops", "image_hashes", [photo_hashes(p) for p in pictures]),
            ("reference: one pHash (image_phash)", "image_phash", [str(imagehash.phash(p)) for p in pictures])):
        listings = pd.DataFrame({"id": ids, column: hashes})
        pairs = find_cross_posts(listings, posted, CrossPostSettings(include_same_account=True))
        found = {frozenset(p) for p in zip(pairs["start"], pairs["end"], strict=True)}
        hits = len(found & truth)
        rows.append({"hashes": name, "photos": len(cases), "true_pairs": len(truth), "found_pairs": len(found),
                     "precision": round(hits / len(found), 4) if found else None,
                     "recall": round(hits / len(truth), 4)})
    return rows


def step_speeds(count: int, tesseract: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    import imagehash
    import piexif

    from graphbench.images import exif_gps, ocr
    from graphbench.images.gazetteer import Gazetteer
    from graphbench.images.hashing import photo_hashes
    from graphbench.images.identifiers import identifiers_in_text

    rng = random.Random(SEED)
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / "graphbench_bench_images"
    folder.mkdir(exist_ok=True)
    numbers, paths = [], []
    for k in range(count):
        number = rng.choice([f"+84 9{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
                             f"+234 80{rng.randint(1, 9)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                             f"+66 8{rng.randint(1, 9)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"])
        picture = paint_text(item_photo(SEED + k), number, rng, size=rng.choice([22, 28, 34, 40]))
        path = folder / f"advert{k}.jpg"
        with_gps(path, picture, rng.uniform(-35, 60), rng.uniform(-120, 150))
        numbers.append("+" + "".join(c for c in number if c.isdigit()))
        paths.append(path)

    def decode(path: Path) -> Image.Image:
        image = Image.open(path)
        image.load()
        return image

    images = [decode(p) for p in paths]
    gazetteer = Gazetteer.packaged()
    ocr.read_text(images[0])  # the engine is built once per process, not per photo
    speeds = [
        {"step": "decode (Pillow, 640x480 JPEG)", "images_per_s": per_second(decode, paths), "reference": None},
        {"step": "hash: frame + 2 crops from a 256 px copy", "images_per_s": per_second(photo_hashes, images),
         "reference": ("imagehash.phash, full size", per_second(imagehash.phash, images))},
        {"step": "EXIF GPS + gazetteer place", "images_per_s": per_second(
            lambda im: gazetteer.nearest(*exif_gps.gps_position(im)), images),
         "reference": ("piexif.load of the file", per_second(lambda p: piexif.load(str(p)), paths))},
    ]
    texts: list[str] = []
    rapid = per_second(lambda im: texts.append(ocr.read_text(im)), images)
    read = sum(identifiers_in_text(t).phones == [n] for t, n in zip(texts, numbers, strict=True))
    accuracy = [{"engine": "RapidOCR (PP-OCRv4, onnxruntime, 1 thread)", "photos": count, "phones_read": read,
                 "share": round(read / count, 3), "images_per_s": round(rapid, 2)}]
    reference = None
    if tesseract:
        try:
            import pytesseract
            from PIL import ImageOps

            tess_texts: list[str] = []
            speed = per_second(lambda im: tess_texts.append(pytesseract.image_to_string(
                ImageOps.grayscale(im), config="--psm 3")), images)
            tess_read = sum(identifiers_in_text(t).phones == [n] for t, n in zip(tess_texts, numbers, strict=True))
            accuracy.append({"engine": "tesseract 5 (Debian, --psm 3, grey)", "photos": count,
                             "phones_read": tess_read, "share": round(tess_read / count, 3),
                             "images_per_s": round(speed, 2)})
            reference = ("tesseract 5 --psm 3", speed)
        except (ImportError, OSError, RuntimeError) as exc:  # pytesseract or the binary missing
            accuracy.append({"engine": f"tesseract: not run ({type(exc).__name__})", "photos": 0, "phones_read": 0,
                             "share": None, "images_per_s": None})
    speeds.append({"step": "OCR (RapidOCR)", "images_per_s": rapid, "reference": reference})
    return speeds, accuracy


def markdown(rows: list[dict[str, Any]]) -> str:
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join("" if r[k] is None else str(r[k]) for k in head) + " |" for r in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=60, help="held-out items (each with 8 variants and a negative)")
    parser.add_argument("--ocr", type=int, default=30, help="photos with a painted phone number")
    parser.add_argument("--no-tesseract", action="store_true")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    quality = near_duplicates(args.items)
    speeds, accuracy = step_speeds(args.ocr, not args.no_tesseract)
    speed_rows = [{"step": s["step"], "images/s": round(s["images_per_s"], 1),
                   "ms/image": round(1000 / s["images_per_s"], 1),
                   "reference": s["reference"][0] if s["reference"] else "",
                   "reference images/s": round(s["reference"][1], 1) if s["reference"] else None} for s in speeds]
    without_ocr = 1 / sum(1 / s["images_per_s"] for s in speeds[:3])
    everything = 1 / sum(1 / s["images_per_s"] for s in speeds)
    print("## Near-duplicate photos (held-out seed and transforms)\n")
    print(markdown(quality))
    print("\n## Cost per image, one core\n")
    print(markdown(speed_rows))
    print(f"\nAll steps but OCR: {without_ocr:.1f} images/s; with OCR: {everything:.2f} images/s.")
    print("\n## Phones painted in a plain font, read by OCR\n")
    print(markdown(accuracy))
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps({"near_duplicates": quality, "speeds": speed_rows, "ocr": accuracy,
                               "images_per_s_without_ocr": round(without_ocr, 2),
                               "images_per_s_with_ocr": round(everything, 3)}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
