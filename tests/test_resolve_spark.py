"""Resolution on Apache Spark (local mode) writes the same links as in process.

One Spark session for the module (its start costs seconds). The 100k and 1M comparisons are in
benchmarks/bench_resolve_spark.py: on 2 cores a 100k-listing Spark run takes minutes, so CI compares
6,000 generated listings (planted text twins, re-compressed photos, stock photos, boilerplate) and
the mini fixture end to end through the store.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from generated_listings import generated_listings

from graphbench.resolve.crossposts import CrossPostSettings, find_cross_posts

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture(scope="module")
def spark():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        pytest.fail("pyspark is not installed: `make install` installs it from pyproject.toml")
    if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        pytest.fail("Spark needs Java 17: apt-get install openjdk-17-jre-headless")
    from graphbench.resolve.spark_run import spark_session

    session = spark_session("local[2]")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_spark_finds_the_cross_posts_found_in_process(spark) -> None:
    from graphbench.resolve.spark_crossposts import find_cross_posts_spark

    listings, posted = generated_listings(6_000, seed=3)
    # re-posts kept and marked, so the same-account rule is compared too
    both = CrossPostSettings(include_same_account=True)
    expected = find_cross_posts(listings, posted, both)
    assert set(expected["method"]) == {"image", "text", "image+text"}  # every signal is exercised
    assert expected["same_account"].any() and (~expected["same_account"]).any()
    pd.testing.assert_frame_equal(find_cross_posts_spark(spark, listings, posted, both), expected)


def test_resolve_on_spark_writes_the_links_resolve_writes(spark, tmp_path: Path) -> None:
    from graphbench.resolve import resolve_store
    from graphbench.resolve.spark_run import resolve_store_spark
    from graphbench.store import open_store
    from loaders.load import load_dir

    store = open_store("memory:")
    load_dir(store, MINI, rejects_dir=tmp_path, resolve=False)
    in_process = resolve_store(store)
    links = {t: store.relationships(t) for t in ("CROSS_POSTED_AS", "SAME_AS")}
    assert in_process.cross_posts and in_process.same_as
    assert resolve_store_spark(store, spark) == in_process
    for rel_type, table in links.items():
        pd.testing.assert_frame_equal(store.relationships(rel_type), table)
