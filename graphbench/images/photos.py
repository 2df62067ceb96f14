"""One advert photo read whole: its hashes, its EXIF position and place, its text.

``read_photo`` never raises for a bad photo: what could not be read is a sentence in
``problems`` (the loader writes each as a warning on ``image_files``), and what could be read is
kept — a photo whose EXIF is corrupt still gets its hashes and its text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from graphbench.images import exif_gps, hashing, ocr
from graphbench.images.files import PhotoError, open_photo, photo_path
from graphbench.images.gazetteer import Gazetteer, Place


@dataclass
class PhotoReading:
    name: str  # the path as the export wrote it
    hashes: list[str] = field(default_factory=list)
    position: tuple[float, float] | None = None
    place: Place | None = None
    text: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def read(self) -> bool:
        return bool(self.hashes)


@dataclass(frozen=True)
class PhotoSteps:
    """Which steps run (all by default; the benchmark times them one by one)."""

    hashes: bool = True
    exif: bool = True
    ocr: bool = True


def read_photo(folder: Path, name: str, steps: PhotoSteps = PhotoSteps()) -> PhotoReading:
    reading = PhotoReading(name)
    try:
        image = open_photo(photo_path(folder, name))
    except PhotoError as exc:
        reading.problems.append(str(exc))
        return reading
    if steps.hashes:
        reading.hashes = hashing.photo_hashes(image)
    if steps.exif:
        try:
            reading.position = exif_gps.gps_position(image)
        except ValueError as exc:
            reading.problems.append(f"{name}: {exc}; no position read")
        if reading.position:
            reading.place = Gazetteer.packaged().nearest(*reading.position)
    if steps.ocr:
        try:
            reading.text = ocr.read_text(image)
        except ocr.OcrUnavailable as exc:
            reading.problems.append(f"{name}: no text read: {exc}")
        except Exception as exc:  # noqa: BLE001 - an engine failure on one photo must not lose the listing
            reading.problems.append(f"{name}: the OCR engine failed on it ({type(exc).__name__}); no text read")
    return reading
