"""Cross-post detection in process against Apache Spark (local mode), on generated listings.

    .venv/bin/python benchmarks/bench_resolve_spark.py [--sizes 100000 1000000] [--master local[2]]

Listings from tests/generated_listings.py (planted text twins, re-compressed photos, stock photos,
boilerplate). Per size: wall time of ``find_cross_posts`` and of ``find_cross_posts_spark`` (the
session started beforehand, untimed; its start is printed), peak memory of this process (the driver;
Spark's JVM and Python workers are other processes), and whether the two give the same links
(``pandas.testing.assert_frame_equal``). Prints a Markdown table, writes
benchmarks/out/bench_resolve_spark.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
OUT = ROOT / "benchmarks" / "out"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    from generated_listings import generated_listings

    from graphbench.resolve.crossposts import find_cross_posts
    from graphbench.resolve.spark_crossposts import find_cross_posts_spark
    from graphbench.resolve.spark_run import spark_session

    started = time.perf_counter()
    spark = spark_session(args.master)
    spark.sparkContext.setLogLevel("ERROR")
    session_seconds = time.perf_counter() - started
    rows = []
    for size in args.sizes:
        listings, posted = generated_listings(size, seed=11)
        started = time.perf_counter()
        expected = find_cross_posts(listings, posted)
        in_process = time.perf_counter() - started
        started = time.perf_counter()
        found = find_cross_posts_spark(spark, listings, posted)
        on_spark = time.perf_counter() - started
        try:
            pd.testing.assert_frame_equal(found, expected)
            same = True
        except AssertionError:
            same = False
        rows.append({"listings": size, "pairs": len(expected), "in_process_s": round(in_process, 1),
                     "spark_s": round(on_spark, 1), "same_links": same,
                     "driver_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    spark.stop()
    lines = [f"Spark {args.master}, session start {session_seconds:.0f} s (untimed below)", "",
             "| listings | cross-post pairs | in process s | Spark s | same links | driver peak MB |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {r['listings']:,} | {r['pairs']:,} | {r['in_process_s']} | {r['spark_s']} | "
              f"{'yes' if r['same_links'] else 'NO'} | {r['driver_peak_mb']:,.0f} |" for r in rows]
    table = "\n".join(lines)
    print(table)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench_resolve_spark.json").write_text(json.dumps({"rows": rows, "markdown": table}, indent=2))
    return 0 if all(r["same_links"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
