"""A real seizure dataset: CITES Trade Database records of pangolin (Manidae) specimens with source
code I (confiscated or seized), 2008–2011, as published (tests/data/seizures_real/README.md).

The expected tops were counted by hand from the vendored CSV with awk, independently of graphbench
(the commands are in the README): destination = Importer; origin = Origin, or Exporter when Origin
is blank; transit = Exporter when Origin is given and differs; ``XX`` (unknown) and blanks counted
for nobody. The file is loaded as published: ``XX`` and blank cells go through the converter to the
seizures loader, which sets them aside."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphbench.analytics.seizures import top_countries
from graphbench.store import open_store
from loaders.cites_trade import convert
from loaders.load import load_dir

DATA = Path(__file__).resolve().parent / "data" / "seizures_real" / "cites_manidae_source_I_2008_2011.csv"

# counted by hand (awk over the 88 data rows, see README): seized in / destination, origin, transit
HAND_SEIZED = [("US", 76), ("NZ", 8)]
HAND_DESTINATION = [("US", 76), ("NZ", 8)]
HAND_ORIGIN = [("CN", 23), ("VN", 8), ("LA", 7)]
HAND_TRANSIT = [("CN", 11), ("VN", 11), ("TH", 4), ("MX", 3)]  # CN and VN tie; ties go by code


@pytest.fixture(scope="module")
def summary(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from graphbench.cli import main

    root = tmp_path_factory.mktemp("real")
    (root / "in").mkdir()
    assert convert(DATA, root / "in" / "seizures.csv") == 88
    store = open_store(f"file:{root / 'ws'}")
    report = load_dir(store, root / "in", rejects_dir=root / "rejects").files[0]
    store.close()
    assert (report.rows, report.loaded, report.rejected) == (88, 88, 0)  # XX and odd units only warn
    assert report.warnings > 0
    import contextlib
    import io
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--store", f"file:{root / 'ws'}", "seizures", "--json", "--all"]) == 0
    return json.loads(out.getvalue())


def test_top_countries_match_the_hand_count(summary: dict) -> None:
    assert top_countries(summary, "seizures", 2) == HAND_SEIZED
    assert top_countries(summary, "as_destination", 2) == HAND_DESTINATION
    assert top_countries(summary, "as_origin", 3) == HAND_ORIGIN
    assert top_countries(summary, "as_transit", 4) == HAND_TRANSIT


def test_unknown_countries_are_nobody(summary: dict) -> None:
    codes = {c["country"] for c in summary["countries"]}
    assert "XX" not in codes and "" not in codes
    # the busiest route: derivatives made in China seized on arrival in the US
    assert summary["routes"][0]["origin"] == "CN" and summary["routes"][0]["destination"] == "US"
    assert summary["routes"][0]["via"] == []


def test_a_file_that_is_not_a_comptab_export_is_one_sentence(tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("seizure_id,date,country\nS1,2024-01-01,VN\n")
    with pytest.raises(ValueError, match=r"other\.csv: not a CITES comptab export \(no column Year"):
        convert(other, tmp_path / "seizures.csv")
