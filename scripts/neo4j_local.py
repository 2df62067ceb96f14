#!/usr/bin/env python3
"""Run a real local Neo4j 5.26 server (with APOC core and open-source GDS) built from Maven Central.

No Docker and no tarball: Maven resolves the server and the plugins into `.neo4j/lib` and
`.neo4j/plugins`, and the server runs as a plain `java` process in the background.

    python3 scripts/neo4j_local.py fetch    # resolve jars (skipped when already complete)
    python3 scripts/neo4j_local.py start    # fetch if needed, write conf, set password, start, wait
    python3 scripts/neo4j_local.py status   # does it run, does it answer
    python3 scripts/neo4j_local.py stop     # SIGTERM, SIGKILL after 60 s

Environment: NEO4J_PASSWORD (default graphbench-dev, at least 8 characters),
GRAPHBENCH_NEO4J_PORT (Bolt port, default 7687), JAVA_HOME (optional).
Standard library only, so any python3 can run it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from neo4j_fetch import (  # noqa: E402 - this script's own folder is on sys.path when it runs
    AUTH_FILE,
    CONF_DIR,
    CONSOLE_LOG,
    DATA_DIR,
    ENTRY_POINT,
    LIB_DIR,
    LOGS_DIR,
    NEO4J_HOME,
    PID_FILE,
    PLUGINS_DIR,
    SYSTEM_DB_DIR,
    USER_LOG,
    SetupError,
    fetch,
    fetch_is_complete,
    java_executable,
    running_pid,
    say,
)

IMPORT_DIR = NEO4J_HOME / "import"  # kept empty by graphbench; only bench_ingest.py writes there
HOST = "127.0.0.1"
DEFAULT_PASSWORD = "graphbench-dev"
START_TIMEOUT_S = 180
STOP_TIMEOUT_S = 60

# The JVM flags the neo4j launcher would add from its default neo4j.conf; we start java directly.
JVM_FLAGS = (
    "-Xms2g",
    "-Xmx4g",
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
)


# ---------------------------------------------------------------- environment


def bolt_port() -> int:
    raw = os.environ.get("GRAPHBENCH_NEO4J_PORT", "7687")
    if not raw.isdigit():
        raise SetupError(f"GRAPHBENCH_NEO4J_PORT must be a port number, got {raw!r}")
    return int(raw)


def neo4j_password() -> str:
    password = os.environ.get("NEO4J_PASSWORD", DEFAULT_PASSWORD)
    if len(password) < 8:
        raise SetupError("NEO4J_PASSWORD must have at least 8 characters (Neo4j 5 refuses shorter ones)")
    return password


# ---------------------------------------------------------------- configuration and password


# The extensions the server loads (dbms.security.procedures.allowlist): GDS, which graphbench runs
# (projections, Louvain/Leiden, centralities), and only APOC's version and pure collection, text and map
# functions. apoc.load.*, apoc.import.*, apoc.export.*, apoc.cypher.*, apoc.periodic.* … are not loaded.
EXTENSIONS = "gds.*,apoc.version,apoc.coll.*,apoc.text.*,apoc.map.*"
TRANSACTION_TIMEOUT = "30m"  # a backstop for any runaway transaction; the console sets 30 s itself
TRANSACTION_MEMORY = "1g"  # one transaction's heap; all of them together stay under 2g


def file_import_allowed() -> bool:
    """LOAD CSV from file:/// URLs is off unless GRAPHBENCH_NEO4J_FILE_IMPORT=1 (the LOAD CSV baseline
    of benchmarks/bench_ingest.py needs it; graphbench itself never reads the server's files)."""
    return os.environ.get("GRAPHBENCH_NEO4J_FILE_IMPORT") == "1"


def neo4j_conf(port: int) -> str:
    return f"""# Written by scripts/neo4j_local.py on every start; edit the script, not this file.
server.directories.data={DATA_DIR}
server.directories.logs={LOGS_DIR}
server.directories.plugins={PLUGINS_DIR}
server.directories.lib={LIB_DIR}
server.directories.run={NEO4J_HOME / "run"}
server.directories.import={IMPORT_DIR}
server.default_listen_address={HOST}
server.default_advertised_address={HOST}
server.bolt.enabled=true
server.bolt.listen_address={HOST}:{port}
server.bolt.advertised_address={HOST}:{port}
server.bolt.tls_level=DISABLED
server.http.enabled=false
server.https.enabled=false
dbms.usage_report.enabled=false
dbms.security.auth_enabled=true
# What a query can reach besides the graph (docs/security.md): no file URLs for LOAD CSV, only the
# extensions graphbench uses, and no GDS export folder (gds.graph.export.csv has nowhere to write)
dbms.security.allow_csv_import_from_file_urls={"true" if file_import_allowed() else "false"}
dbms.security.procedures.allowlist={EXTENSIONS}
dbms.security.procedures.unrestricted=gds.*
db.transaction.timeout={TRANSACTION_TIMEOUT}
db.memory.transaction.max={TRANSACTION_MEMORY}
# 24 GiB / 2 cores machine shared with other work: heap 2g..4g, page cache 2g.
# (The heap flags are passed to java by the script; these lines document them.)
server.memory.heap.initial_size=2g
server.memory.heap.max_size=4g
server.memory.pagecache.size=2g
dbms.memory.transaction.total.max=2g
db.tx_log.rotation.retention_policy=2 files
db.tx_log.rotation.size=64M
db.logs.query.enabled=OFF
dbms.routing.enabled=false
"""


# APOC 5 reads its own settings from apoc.conf; these are its defaults, written down so nobody turns them on
APOC_CONF = """# Written by scripts/neo4j_local.py on every start.
apoc.import.file.enabled=false
apoc.export.file.enabled=false
apoc.trigger.enabled=false
"""


def password_matches_auth_file(password: str) -> bool | None:
    """Check a password against `auth.ini` as neo4j-admin writes it; None if there is no such entry."""
    if not AUTH_FILE.exists():
        return None
    for line in AUTH_FILE.read_text().splitlines():
        fields = line.split(":")
        if len(fields) < 2 or fields[0] != "neo4j":
            continue
        algorithm, expected_hash, salt, iterations = fields[1].split(",")
        if algorithm != "SHA-256":
            return None
        digest = hashlib.sha256(bytes.fromhex(salt) + password.encode()).digest()
        for _ in range(int(iterations) - 1):
            digest = hashlib.sha256(digest).digest()
        return digest.hex() == expected_hash
    return None


def set_initial_password(java: str, password: str) -> None:
    environment = os.environ | {"NEO4J_HOME": str(NEO4J_HOME), "NEO4J_CONF": str(CONF_DIR)}
    # Plugins on the classpath too: their settings (gds.*) must be known to the strict config check.
    classpath = f"{LIB_DIR}/*:{PLUGINS_DIR}/*"
    command = [java, "-cp", classpath, "org.neo4j.cli.AdminTool", "dbms", "set-initial-password", password]
    completed = subprocess.run(command, capture_output=True, text=True, env=environment)
    if completed.returncode != 0:
        first_line = (completed.stdout + completed.stderr).strip().splitlines()[:1]
        raise SetupError(f"setting the initial password failed: {' '.join(first_line)}")


# ---------------------------------------------------------------- probing


def bolt_answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def driver_check(port: int, password: str) -> str | None:
    """Run an authenticated `RETURN 1`. None when it works, else a short reason.

    'no-driver' when the `neo4j` package is not importable; 'auth' on a refused password.
    """
    try:
        import neo4j  # noqa: PLC0415 - optional: the script must run with a bare python3
        from neo4j.exceptions import AuthError  # noqa: PLC0415
    except ImportError:
        return "no-driver"
    try:
        with neo4j.GraphDatabase.driver(f"bolt://{HOST}:{port}", auth=("neo4j", password)) as driver:
            records, _, _ = driver.execute_query("RETURN 1 AS one")
            return None if records[0]["one"] == 1 else "wrong answer"
    except AuthError:
        return "auth"
    except Exception as error:  # noqa: BLE001 - any other failure means "not ready yet"
        return type(error).__name__


def log_size() -> int:
    return USER_LOG.stat().st_size if USER_LOG.exists() else 0


def log_says_started(since_offset: int) -> bool:
    """Whether neo4j.log (which keeps earlier runs) reports 'Started.' after the given offset."""
    if not USER_LOG.exists():
        return False
    with USER_LOG.open("rb") as log:
        log.seek(since_offset)
        return b"Started." in log.read()


def last_log_lines(count: int = 30) -> str:
    """The tail of the user log, after whatever the JVM printed itself (crashes before logging starts)."""
    lines = []
    for log_path in (CONSOLE_LOG, USER_LOG):
        if log_path.exists() and log_path.stat().st_size:
            lines += [f"--- {log_path}"] + log_path.read_text(errors="replace").splitlines()[-count:]
    return "\n".join(lines) or f"(nothing in {LOGS_DIR})"


def wrong_password_sentence(port: int) -> str:
    return (
        f"the server on bolt://{HOST}:{port} refuses NEO4J_PASSWORD: {DATA_DIR} was created with another "
        "password (set NEO4J_PASSWORD to it, or stop the server and delete .neo4j/data to start afresh)"
    )


# ---------------------------------------------------------------- start / stop / status


def start() -> int:
    port = bolt_port()
    password = neo4j_password()
    if bolt_answers(port):
        if driver_check(port, password) == "auth":
            raise SetupError(wrong_password_sentence(port))
        say(f"a server already answers on bolt://{HOST}:{port}; not starting another")
        return 0
    java = java_executable()
    if not fetch_is_complete():
        fetch()
    for folder in (CONF_DIR, DATA_DIR, LOGS_DIR, NEO4J_HOME / "run", IMPORT_DIR):
        folder.mkdir(parents=True, exist_ok=True)
    (CONF_DIR / "neo4j.conf").write_text(neo4j_conf(port))
    (CONF_DIR / "apoc.conf").write_text(APOC_CONF)

    if not SYSTEM_DB_DIR.exists():
        if password_matches_auth_file(password) is False:
            say("replacing the initial password in .neo4j/data/dbms/auth.ini (the database was never started)")
        set_initial_password(java, password)
    elif password_matches_auth_file(password) is False:
        # Only a warning: auth.ini keeps the initial password, a later ALTER USER does not update it.
        say(f"warning: {AUTH_FILE} holds another initial password than NEO4J_PASSWORD; the start may end refused")

    command = [java, *JVM_FLAGS, "-cp", f"{LIB_DIR}/*:{PLUGINS_DIR}/*", ENTRY_POINT,
               f"--home-dir={NEO4J_HOME}", f"--config-dir={CONF_DIR}"]  # fmt: skip
    started = time.monotonic()
    log_offset = log_size()
    with CONSOLE_LOG.open("w") as log:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            cwd=NEO4J_HOME, start_new_session=True,
        )  # fmt: skip
    PID_FILE.write_text(f"{process.pid}\n")

    while time.monotonic() - started < START_TIMEOUT_S:
        exit_code = process.poll()
        if exit_code is not None:
            PID_FILE.unlink(missing_ok=True)
            say(f"the server exited during start with code {exit_code}; last lines of its logs:")
            print(last_log_lines(), file=sys.stderr)
            return 1
        if bolt_answers(port):
            outcome = driver_check(port, password)
            if outcome == "auth":
                raise SetupError(f"started (pid {process.pid}), but {wrong_password_sentence(port)}")
            ready = outcome is None or (outcome == "no-driver" and log_says_started(log_offset))
            if ready:
                say(f"started on bolt://{HOST}:{port} in {time.monotonic() - started:.0f} s (pid {process.pid})")
                return 0
        time.sleep(1)

    say(f"the server did not answer on bolt://{HOST}:{port} within {START_TIMEOUT_S} s, so it was stopped; "
        "last lines of its logs:")  # fmt: skip
    print(last_log_lines(), file=sys.stderr)
    stop(quiet=True)
    return 1


def stop(quiet: bool = False) -> int:
    pid = running_pid()
    if pid is None:
        PID_FILE.unlink(missing_ok=True)
        if bolt_answers(bolt_port()):
            say(f"no server of ours runs, but something answers on port {bolt_port()}; left it alone")
        elif not quiet:
            say("not running")
        return 0
    started = time.monotonic()
    os.kill(pid, signal.SIGTERM)
    while time.monotonic() - started < STOP_TIMEOUT_S and Path(f"/proc/{pid}").exists():
        time.sleep(0.5)
    forced = Path(f"/proc/{pid}").exists()
    if forced:
        os.kill(pid, signal.SIGKILL)
    PID_FILE.unlink(missing_ok=True)
    if not quiet:
        how = f"killed after {STOP_TIMEOUT_S} s" if forced else f"in {time.monotonic() - started:.0f} s"
        say(f"stopped (pid {pid}, {how})")
    return 0


def status() -> int:
    port = bolt_port()
    pid = running_pid()
    answers = bolt_answers(port)
    if not answers:
        say(f"runs as pid {pid} but does not answer on port {port} yet" if pid else "not running")
        return 3
    outcome = driver_check(port, neo4j_password())
    owner = f"pid {pid}" if pid else "not started by this script"
    if outcome == "auth":
        say(f"answers on bolt://{HOST}:{port} ({owner}) but refuses NEO4J_PASSWORD")
        return 1
    if outcome not in (None, "no-driver"):
        say(f"answers on bolt://{HOST}:{port} ({owner}) but RETURN 1 failed ({outcome})")
        return 1
    checked = "RETURN 1 works" if outcome is None else "port open; install the neo4j package for a query check"
    say(f"runs and answers on bolt://{HOST}:{port} ({owner}; {checked})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("fetch", "start", "stop", "status"))
    arguments = parser.parse_args(argv)
    actions = {"fetch": fetch, "start": start, "stop": stop, "status": status}
    try:
        return actions[arguments.command]()
    except SetupError as error:
        say(str(error))
        return 2


if __name__ == "__main__":
    sys.exit(main())
