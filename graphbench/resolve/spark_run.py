"""``graphbench resolve --engine spark``: resolution with cross-post detection on Apache Spark.

The master is ``--spark-master`` or ``GRAPHBENCH_SPARK_MASTER`` (``spark://host:7077``, ``yarn``,
``k8s://…``), by default ``local[*]`` (every core of this machine). On a cluster, graphbench must be
installed on the workers too (they run its shingling and MinHash functions). The listings and
POSTED table are read through the store port, cross-posts are found on Spark
(:mod:`graphbench.resolve.spark_crossposts`, the same links as in process), and SAME_AS is scored
from them in process (:mod:`graphbench.resolve.same_as`: its inputs are the identifier tables, linear
in the store) and written exactly as ``graphbench resolve`` writes it, verdicts kept.
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any

from graphbench.errors import GraphbenchError
from graphbench.resolve.crossposts import CrossPostSettings
from graphbench.resolve.run import ResolveSummary, resolve_store
from graphbench.store.base import GraphStore


def spark_session(master: str | None = None, app_name: str = "graphbench-resolve") -> Any:
    """A Spark session on ``master`` (default GRAPHBENCH_SPARK_MASTER or local[*]); one sentence when
    pyspark or Java is missing."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise GraphbenchError("--engine spark needs pyspark: pip install pyspark (make install does)") from None
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and os.path.exists(os.path.join(java_home, "bin", "java"))) and not shutil.which("java"):
        raise GraphbenchError("--engine spark needs Java 17 or 21: install it "
                              "(apt-get install openjdk-17-jre-headless) or set JAVA_HOME")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # local workers run this interpreter
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    chosen = master or os.environ.get("GRAPHBENCH_SPARK_MASTER") or "local[*]"
    builder = (SparkSession.builder.master(chosen).appName(app_name)
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.adaptive.enabled", "true"))
    if chosen.startswith("local"):
        # a few partitions per core: each shuffle task starts Python workers, costly on a small machine
        builder = builder.config("spark.sql.shuffle.partitions", "4").config("spark.driver.memory", "4g")
    try:
        return builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - the JVM's many ways to fail: one sentence
        raise GraphbenchError(f"Spark did not start on {chosen} ({type(exc).__name__}: "
                              f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''})") from None


def resolve_store_spark(store: GraphStore, spark: Any,
                        crosspost_settings: CrossPostSettings | None = None) -> ResolveSummary:
    """:func:`graphbench.resolve.run.resolve_store`, with the cross-posts found on ``spark``."""
    from graphbench.resolve.spark_crossposts import find_cross_posts_spark

    def on_spark(listings: Any, posted: Any, settings: CrossPostSettings | None) -> Any:
        return find_cross_posts_spark(spark, listings, posted, settings)

    return resolve_store(store, crosspost_settings, find_cross=on_spark)
