"""The code stays ruff-clean (the conventions of docs/architecture.md), and nothing under graphbench/ imports
streamlit (the UI is a shell over the library)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    result = subprocess.run([ruff, "check", "--output-format", "concise", "graphbench", "loaders", "tests",
                             "benchmarks", "sample_data", "scripts", "app_pages", "app.py"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:]


def test_library_never_imports_streamlit() -> None:
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "graphbench").rglob("*.py")
                 if re.search(r"^\s*(import|from)\s+streamlit", path.read_text(encoding="utf-8"), re.M)]
    assert offenders == []


def test_mypy_clean() -> None:
    mypy = shutil.which("mypy") or str(Path(sys.executable).parent / "mypy")
    result = subprocess.run([mypy, "graphbench", "loaders", "--ignore-missing-imports", "--no-error-summary"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:]
