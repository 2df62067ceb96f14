"""Opening a photo named by an export: only JPEG, PNG or WebP files inside the load folder.

A photo path comes from data, so it is treated like any other input: it must resolve inside the
load folder (no ``../``, no symbolic link out), be a regular file no larger than ``MAX_BYTES``, and
decode as one of the three formats with at most ``MAX_PIXELS`` pixels (a decompression bomb is
refused before it is decoded). Each refusal is a ``PhotoError`` carrying one sentence.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image

FORMATS = ("JPEG", "PNG", "WEBP")
MAX_BYTES = 40 * 1024 * 1024  # a phone photo is 2-12 MB; a 40 MB "photo" is something else
MAX_PIXELS = 60_000_000  # 60 MP: above any phone camera; Pillow's own bomb check starts at 89 MP


class PhotoError(ValueError):
    """A photo that cannot be read, with the reason as one sentence."""


def photo_path(folder: Path, relative: str) -> Path:
    """The file ``relative`` names inside ``folder``, or ``PhotoError`` if it leaves the folder."""
    name = relative.strip()
    if not name:
        raise PhotoError("the photo path is empty")
    candidate = folder / name
    if Path(name).is_absolute():
        raise PhotoError(f"{name} is an absolute path; photo paths are relative to the load folder")
    if candidate.is_symlink():
        raise PhotoError(f"{name} is a symbolic link; only regular files in the load folder are read")
    try:
        resolved = candidate.resolve(strict=True)
    except OSError:
        raise PhotoError(f"{name} does not exist in the load folder") from None
    if not resolved.is_relative_to(folder.resolve()):
        raise PhotoError(f"{name} resolves outside the load folder; it was not read")
    if not resolved.is_file():
        raise PhotoError(f"{name} is not a file")
    if resolved.stat().st_size > MAX_BYTES:
        raise PhotoError(f"{name} is larger than {MAX_BYTES // (1024 * 1024)} MB; it was not read")
    return resolved


def open_photo(path: Path) -> Image.Image:
    """The decoded photo (EXIF kept on ``image.getexif()``), or ``PhotoError``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
            if image.format not in FORMATS:
                raise PhotoError(f"{path.name} is {image.format or 'not an image'}, not JPEG, PNG or WebP")
            if image.width * image.height > MAX_PIXELS:
                raise PhotoError(f"{path.name} has {image.width}x{image.height} pixels, more than "
                                 f"{MAX_PIXELS:,}; it was not decoded")
            image.load()
    except PhotoError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise PhotoError(f"{path.name} cannot be decoded as a photo ({type(exc).__name__}: {exc})") from None
    return image
