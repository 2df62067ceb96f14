"""Is the committed bundle built from the committed sources? ``frontend/canvas/build.mjs`` writes
``bundle/SOURCE_HASH``, the SHA-256 over each source file's name and bytes in name order; this is
the same recipe in Python, so a test (and the app) can say "run make canvas" without npm."""

from __future__ import annotations

import hashlib
from pathlib import Path

BUNDLE_DIR = Path(__file__).resolve().parent / "bundle"
FRONTEND_DIR = Path(__file__).resolve().parents[3] / "frontend" / "canvas"
SOURCE_FILES = ("build.mjs", "package.json", "package-lock.json")


def source_hash(frontend: Path = FRONTEND_DIR) -> str:
    files = [*SOURCE_FILES, *(f"src/{p.name}" for p in (frontend / "src").iterdir() if p.is_file())]
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0")
        digest.update((frontend / name).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def bundle_is_current(frontend: Path = FRONTEND_DIR, bundle: Path = BUNDLE_DIR) -> bool:
    """True when the bundle exists and its SOURCE_HASH matches the sources (an installed wheel, which
    has no sources beside it, counts as current when its bundle is there)."""
    if not (bundle / "canvas.js").is_file() or not (bundle / "SOURCE_HASH").is_file():
        return False
    if not (frontend / "src").is_dir():
        return True
    return (bundle / "SOURCE_HASH").read_text().strip() == source_hash(frontend)
