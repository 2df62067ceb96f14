"""What the ingest benchmarks share: the 100x sample set, and the batches ``load_dir`` would write,
captured without a store (the parse, measured alone)."""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graphbench.batch import GraphBatch  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
BIG_STORE = OUT / "cache" / "big-embedded"  # read by bench_graph_build
DEFAULT_DATA = ROOT / "sample_data" / "big"
BATCH_SIZES = (1_000, 10_000, 50_000)
ONE_ROW_ROWS = 2_000
LOAD_CSV_FILE = "graphbench_bench_transfers.csv"
TRANSFER_COLUMNS = ("tx_id", "start", "end", "start_type", "start_cid", "end_type", "end_cid", "amount",
                    "currency", "ts", "reference", "source_file", "source_row", "sha256", "seen")


class CapturingStore:
    """A stand-in store that keeps the batches ``load_dir`` would write: the parse, measured alone."""

    kind = "capture"
    url = "capture:"

    def __init__(self) -> None:
        self.batches: list[GraphBatch] = []

    def upsert(self, batch: GraphBatch) -> None:
        self.batches.append(batch)



def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def ensure_big_set(folder: Path) -> None:
    if (folder / "transactions.csv").exists():
        return
    print(f"generating the 100x sample set into {folder} (~35 s)", file=sys.stderr)
    subprocess.run([sys.executable, str(ROOT / "sample_data" / "generate.py"), "--seed", "7", "--scale", "100",
                    "--out", str(folder)], check=True)


def capture(folder: Path, write_batch: int | None = None) -> tuple[list[GraphBatch], int, float]:
    """The batches ``load_dir`` sends to a store, the source rows read, and the seconds it took."""
    import loaders.load as load

    saved = load.WRITE_BATCH
    load.WRITE_BATCH = write_batch or saved
    try:
        store = CapturingStore()
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as rejects:
            report = load.load_dir(store, folder, rejects_dir=rejects, resolve=False)
        return store.batches, report.rows, time.perf_counter() - started
    finally:
        load.WRITE_BATCH = saved


# -- embedded ---------------------------------------------------------------------------------------
