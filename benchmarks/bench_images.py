"""Advert photos: cost per image of each step on one core, beside a reference, and the quality
figures of the issue (near-duplicate precision/recall on held-out photos, phones read by OCR).

    .venv/bin/python benchmarks/bench_images.py [--items 60] [--ocr 30] [--text-share 0.15] [--no-tesseract]

Photos are generated (benchmarks/photo_generator.py) with a seed and a transform set the tests never
use (``HELD_OUT_TRANSFORMS``: resize 0.35-0.8, WebP 25-60, JPEG 20-50, crops of 0-8 % per side,
brightness 0.7-1.3, contrast, and combined re-posts). The process is pinned to one core and
onnxruntime to one thread. Steps, per image, each timed over the same JPEG files (640x480), as
wall-clock and as this process's CPU time (what a free core would take; the machine is shared):

- decode: Pillow opens and decodes the file (what every step needs first);
- hash: graphbench's photo hashes (pHash of the frame and two centre crops from a 256-pixel copy)
  — reference: ``imagehash.phash`` of the full-size image, what ``image_phash`` exporters compute;
- EXIF: the GPS block read and placed by the packaged gazetteer — reference: ``piexif.load``;
- OCR: RapidOCR as graphbench runs it (detection on a small copy as the text gate, recognition of
  the detected lines only), timed apart on photos with and without text — reference: the former
  single pass (the whole engine on the photo scaled to 480 px) and Debian's tesseract 5 through
  pytesseract (``--psm 3``, grey), when installed.

The whole pipeline (``read_photo``: decode, hashes, EXIF + place, OCR on by default) is timed on two
sets: every photo carries a painted phone, and a mixed set in which ``--text-share`` of the photos
do. Assumption: listing photos mostly carry no text (roughly one in ten to one in five carries a
painted phone, handle or price), so the mixed set is the figure for a load and the all-text set the
worst case. Phones read are counted in the same runs.

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


def _phone(rng: random.Random) -> str:
    return rng.choice([f"+84 9{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
                       f"+234 80{rng.randint(1, 9)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                       f"+66 8{rng.randint(1, 9)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"])


def photo_sets(count: int, share: float) -> tuple[Path, list[str], dict[str, str], list[str]]:
    """``count`` adverts with a phone painted on them and enough plain item photos for a mixed set
    in which ``share`` of the photos carry text; JPEG files with EXIF GPS (640x480)."""
    rng = random.Random(SEED)
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / "graphbench_bench_images"
    folder.mkdir(exist_ok=True)
    texts, numbers = [], {}
    for k in range(count):
        number = _phone(rng)
        picture = paint_text(item_photo(SEED + k), number, rng, size=rng.choice([22, 28, 34, 40]))
        name = f"advert{k}.jpg"
        with_gps(folder / name, picture, rng.uniform(-35, 60), rng.uniform(-120, 150))
        texts.append(name)
        numbers[name] = "+" + "".join(c for c in number if c.isdigit())
    plain = []
    for k in range(round(count * (1 - share) / share)):
        name = f"plain{k}.jpg"
        with_gps(folder / name, item_photo(SEED + 10_000 + k), rng.uniform(-35, 60), rng.uniform(-120, 150))
        plain.append(name)
    return folder, texts, numbers, plain


def timed(step: Any, items: list[Any]) -> tuple[list[Any], float, float]:
    """The step's results, and its cost per item: wall-clock and this process's CPU seconds (one
    thread on one core, so CPU time is what a free core would take; wall-clock includes waiting for
    the core while other work runs)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = [step(item) for item in items]
    return out, (time.perf_counter() - wall) / len(items), (time.process_time() - cpu) / len(items)


def legacy_ocr(image: Image.Image) -> str:
    """The former OCR step (before the detection gate): the whole engine on the photo scaled to 480 px."""
    import numpy as np

    from graphbench.images import ocr

    small = image.convert("RGB")
    small.thumbnail((480, 480), Image.Resampling.BILINEAR)
    result, _ = ocr._engine()(np.ascontiguousarray(np.asarray(small)[:, :, ::-1]), use_cls=False)
    return "\n".join(str(r[1]).strip() for r in (result or []))


def step_speeds(count: int, share: float, tesseract: bool) -> dict[str, Any]:
    import imagehash
    import piexif

    from graphbench.images import exif_gps, ocr
    from graphbench.images.gazetteer import Gazetteer
    from graphbench.images.hashing import photo_hashes
    from graphbench.images.identifiers import identifiers_in_text
    from graphbench.images.photos import read_photo

    folder, texts, numbers, plain = photo_sets(count, share)

    def decode(path: Path) -> Image.Image:
        image = Image.open(path)
        image.load()
        return image

    images = [decode(folder / n) for n in texts]
    plain_images = [decode(folder / n) for n in plain]
    gazetteer = Gazetteer.packaged()
    ocr.read_text(images[0])  # the engine is built once per process, not per photo

    def row(step: str, seconds: tuple[float, float | None], reference: str = "",
            ref: tuple[float, float] | None = None) -> dict:
        return {"step": step, "images/s": round(1 / seconds[0], 1), "ms/image": round(1000 * seconds[0], 1),
                "CPU ms/image": round(1000 * seconds[1], 1) if seconds[1] is not None else None,
                "reference": reference, "reference images/s": round(1 / ref[0], 1) if ref else None,
                "reference CPU ms/image": round(1000 * ref[1], 1) if ref else None}

    def cost(step: Any, items: list[Any]) -> tuple[float, float]:
        return timed(step, items)[1:]

    phones = [numbers[n] for n in texts]

    def read(texts_out: list[str]) -> int:
        return sum(identifiers_in_text(t).phones == [n] for t, n in zip(texts_out, phones, strict=True))

    ocr_texts, *ocr_text_cost = timed(ocr.read_text, images)
    ocr_plain, *ocr_plain_cost = timed(ocr.read_text, plain_images)
    legacy_texts, *legacy_cost = timed(legacy_ocr, images)
    legacy_plain_cost = cost(legacy_ocr, plain_images[:max(5, len(plain_images) // 4)])
    steps = [
        row("decode (Pillow, 640x480 JPEG)", cost(decode, [folder / n for n in texts])),
        row("hash: frame + 2 crops from a 256 px copy", cost(photo_hashes, images),
            "imagehash.phash, full size", cost(imagehash.phash, images)),
        row("EXIF GPS + gazetteer place", cost(lambda im: gazetteer.nearest(*exif_gps.gps_position(im)), images),
            "piexif.load of the file", cost(lambda n: piexif.load(str(folder / n)), texts)),
        row(f"OCR, photo with text: detect {ocr.GATE_SIDE} px + read the lines", tuple(ocr_text_cost),
            "former OCR: whole engine at 480 px", tuple(legacy_cost)),
        row(f"OCR, photo without text: detect {ocr.GATE_SIDE} px only", tuple(ocr_plain_cost),
            "former OCR: whole engine at 480 px", legacy_plain_cost),
    ]
    accuracy = [
        {"engine": f"RapidOCR: detect {ocr.GATE_SIDE} px, read lines from the photo (graphbench)", "photos": count,
         "phones_read": read(ocr_texts), "share": round(read(ocr_texts) / count, 3),
         "text on photos without any": f"{sum(1 for t in ocr_plain if t)} / {len(plain)}",
         "phones on photos without any": sum(len(identifiers_in_text(t).phones) for t in ocr_plain)},
        {"engine": "RapidOCR: former pass, whole engine at 480 px", "photos": count,
         "phones_read": read(legacy_texts), "share": round(read(legacy_texts) / count, 3),
         "text on photos without any": "", "phones on photos without any": None},
    ]
    if tesseract:
        try:
            import pytesseract
            from PIL import ImageOps

            tess_texts, *tess_cost = timed(lambda im: pytesseract.image_to_string(
                ImageOps.grayscale(im), config="--psm 3"), images)
            accuracy.append({"engine": "tesseract 5 (Debian, --psm 3, grey)", "photos": count,
                             "phones_read": read(tess_texts), "share": round(read(tess_texts) / count, 3),
                             "text on photos without any": "", "phones on photos without any": None})
            # tesseract runs in a subprocess: this process's CPU time does not see it
            steps.append(row("OCR reference: tesseract 5 --psm 3 (full size, photo with text)", (tess_cost[0], None)))
        except (ImportError, OSError, RuntimeError) as exc:  # pytesseract or the binary missing
            accuracy.append({"engine": f"tesseract: not run ({type(exc).__name__})", "photos": 0, "phones_read": 0,
                             "share": None, "text on photos without any": "", "phones on photos without any": None})

    # the whole pipeline as a load runs it (read_photo: decode, hashes, EXIF + place, OCR), per set
    mixed = texts + plain
    random.Random(SEED).shuffle(mixed)
    pipeline = []
    for label, names in ((f"all {len(texts)} photos carry a painted phone", texts),
                         (f"mixed: {len(texts)} of {len(mixed)} photos ({len(texts) / len(mixed):.0%}) carry text", mixed)):
        readings, wall, cpu = timed(lambda n: read_photo(folder, n), names)
        got = sum(identifiers_in_text(r.text).phones == [numbers[n]] for r, n in zip(readings, names, strict=True)
                  if n in numbers)
        pipeline.append({"set": label, "photos": len(names), "images/s": round(1 / wall, 1),
                         "CPU ms/image": round(1000 * cpu, 1), "images/s on a free core": round(1 / cpu, 1),
                         "phones read": f"{got} / {len(texts)}", "share": round(got / len(texts), 3)})
    return {"steps": steps, "ocr": accuracy, "pipeline": pipeline}


def markdown(rows: list[dict[str, Any]]) -> str:
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join("" if r[k] is None else str(r[k]) for k in head) + " |" for r in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=60, help="held-out items (each with 8 variants and a negative)")
    parser.add_argument("--ocr", type=int, default=30, help="photos with a painted phone number")
    parser.add_argument("--text-share", type=float, default=0.15,
                        help="share of photos that carry text in the mixed set (assumed for listing photos)")
    parser.add_argument("--no-tesseract", action="store_true")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    load_before = os.getloadavg()
    quality = near_duplicates(args.items)
    result = step_speeds(args.ocr, args.text_share, not args.no_tesseract)
    load_after = os.getloadavg()
    print("## Near-duplicate photos (held-out seed and transforms)\n")
    print(markdown(quality))
    print("\n## Cost per image, one core\n")
    print(markdown(result["steps"]))
    print("\n## The whole pipeline (read_photo: decode, hashes, EXIF + place, OCR), one core\n")
    print(markdown(result["pipeline"]))
    print("\n## Phones painted in a plain font, read by OCR\n")
    print(markdown(result["ocr"]))
    print(f"\nLoad average (1 min) before / after: {load_before[0]:.1f} / {load_after[0]:.1f} "
          f"on {os.cpu_count()} cores.")
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps({"near_duplicates": quality, **result, "text_share": args.text_share,
                               "load_average": [round(load_before[0], 2), round(load_after[0], 2)]}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
