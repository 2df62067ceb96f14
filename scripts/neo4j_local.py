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
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

NEO4J_VERSION = "5.26.19"  # newest 5.26.x for which an APOC core of the same version is on Central
APOC_VERSION = "5.26.19"
GDS_VERSION = "2.13.9"  # the only 2.13.x with all four open GDS artifacts on Central
GDS_ARTIFACTS = ("proc", "opengds-extension", "open-model-catalog", "open-write-services")
DEPENDENCY_PLUGIN_VERSION = "3.8.1"

REPO_ROOT = Path(__file__).resolve().parent.parent
NEO4J_HOME = REPO_ROOT / ".neo4j"
LIB_DIR = NEO4J_HOME / "lib"
PLUGINS_DIR = NEO4J_HOME / "plugins"
CONF_DIR = NEO4J_HOME / "conf"
DATA_DIR = NEO4J_HOME / "data"
LOGS_DIR = NEO4J_HOME / "logs"
BUILD_DIR = NEO4J_HOME / "build"
STAMP_FILE = NEO4J_HOME / "fetched.json"
PID_FILE = NEO4J_HOME / "neo4j.pid"
CONSOLE_LOG = LOGS_DIR / "console.log"  # JVM output; Neo4j itself logs to neo4j.log when detached
USER_LOG = LOGS_DIR / "neo4j.log"
AUTH_FILE = DATA_DIR / "dbms" / "auth.ini"
SYSTEM_DB_DIR = DATA_DIR / "databases" / "system"

HOST = "127.0.0.1"
DEFAULT_PASSWORD = "graphbench-dev"
START_TIMEOUT_S = 180
STOP_TIMEOUT_S = 60
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"

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


class SetupError(Exception):
    """A problem the user must fix; its text is the one line we print."""


def say(message: str) -> None:
    print(f"neo4j: {message}", flush=True)


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


def java_executable() -> str:
    java_home = os.environ.get("JAVA_HOME")
    candidate = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not candidate or not Path(candidate).exists():
        raise SetupError("Java 17 or 21 is missing: install it (e.g. `apt-get install openjdk-17-jre-headless`)")
    version_text = subprocess.run([candidate, "-version"], capture_output=True, text=True).stderr
    match = re.search(r'version "(\d+)', version_text)
    major = int(match.group(1)) if match else 0
    if major not in (17, 21):
        raise SetupError(
            f"Neo4j 5.26 needs Java 17 or 21 but {candidate} is Java {major}: "
            "install openjdk-17-jre-headless or point JAVA_HOME at a Java 17/21"
        )
    return candidate


def maven_executable() -> str:
    mvn = shutil.which("mvn")
    if not mvn:
        raise SetupError("Maven is missing: install it (e.g. `apt-get install maven`) to fetch the Neo4j jars")
    return mvn


# ---------------------------------------------------------------- fetch


def dependency_xml(group: str, artifact: str, version: str, classifier: str = "") -> str:
    classifier_xml = f"<classifier>{classifier}</classifier>" if classifier else ""
    return (
        f"<dependency><groupId>{group}</groupId><artifactId>{artifact}</artifactId>"
        f"<version>{version}</version>{classifier_xml}</dependency>"
    )


def pom_xml(name: str, dependencies: list[str], managed: list[str]) -> str:
    managed_xml = (
        "<dependencyManagement><dependencies>" + "\n".join(managed) + "</dependencies></dependencyManagement>"
        if managed
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by scripts/neo4j_local.py; regenerated on every fetch. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>graphbench.local</groupId>
  <artifactId>{name}</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <build><pluginManagement><plugins><plugin>
    <groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId>
    <version>{DEPENDENCY_PLUGIN_VERSION}</version>
  </plugin></plugins></pluginManagement></build>
  {managed_xml}
  <dependencies>
{chr(10).join(dependencies)}
  </dependencies>
</project>
"""


def parse_dependency_list(path: Path) -> list[dict[str, str]]:
    """Read `mvn dependency:list -DoutputFile` lines `group:artifact:type[:classifier]:version:scope`."""
    artifacts = []
    for line in path.read_text().splitlines():
        token = line.strip().split(" ")[0]
        parts = token.split(":")
        if len(parts) not in (5, 6):
            continue
        group, artifact, kind = parts[0], parts[1], parts[2]
        classifier = parts[3] if len(parts) == 6 else ""
        version = parts[-2]
        artifacts.append(
            {"group": group, "artifact": artifact, "type": kind, "classifier": classifier, "version": version}
        )
    return artifacts


def jar_file_name(entry: dict[str, str]) -> str:
    suffix = f"-{entry['classifier']}" if entry["classifier"] else ""
    return f"{entry['artifact']}-{entry['version']}{suffix}.{entry['type']}"


def resolve_into(mvn: str, pom_path: Path, output_dir: Path, list_path: Path) -> list[dict[str, str]]:
    if output_dir.exists():
        shutil.rmtree(output_dir)
    command = [
        mvn, "-q", "-B", "-f", str(pom_path),
        "dependency:copy-dependencies", "dependency:list",
        f"-DoutputDirectory={output_dir}", f"-DoutputFile={list_path}",
        "-DincludeScope=runtime", "-DexcludeTypes=pom",
    ]  # fmt: skip
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        tail = "\n".join((completed.stdout + completed.stderr).strip().splitlines()[-15:])
        raise SetupError(f"Maven could not resolve {pom_path.name}; its last lines:\n{tail}")
    return parse_dependency_list(list_path)


def plugin_coordinates() -> list[tuple[str, str, str, str]]:
    """(group, artifact, version, classifier) of every plugin we ask Maven for."""
    # Up to 5.26.5 APOC core shipped a self-contained jar with classifier `core`. From 5.26.12 on only
    # the thin jar exists, and its pom omits apoc-common (apoc.result.*), without which it fails to load.
    if tuple(int(part) for part in APOC_VERSION.split(".")) < (5, 26, 12):
        coordinates = [("org.neo4j.procedure", "apoc-core", APOC_VERSION, "core")]
    else:
        coordinates = [
            ("org.neo4j.procedure", "apoc-core", APOC_VERSION, ""),
            ("org.neo4j.procedure", "apoc-common", APOC_VERSION, ""),
        ]
    return coordinates + [("org.neo4j.gds", name, GDS_VERSION, "") for name in GDS_ARTIFACTS]


def class_entries(jar_path: Path) -> set[str]:
    with zipfile.ZipFile(jar_path) as jar:
        return {
            name
            for name in jar.namelist()
            if name.endswith(".class") and not name.startswith("META-INF/") and "module-info" not in name
        }


def find_class_clashes(lib_dir: Path, plugins_dir: Path) -> list[str]:
    """Pairs of jars (server, plugin) that both ship a class: these would shadow each other."""
    owner_of_class: dict[str, str] = {}
    for jar_path in sorted(lib_dir.glob("*.jar")):
        for name in class_entries(jar_path):
            owner_of_class.setdefault(name, jar_path.name)
    clashes = set()
    for jar_path in sorted(plugins_dir.glob("*.jar")):
        for name in class_entries(jar_path):
            if name in owner_of_class:
                clashes.add(f"{owner_of_class[name]} <> {jar_path.name}")
    return sorted(clashes)


def wanted_stamp() -> dict[str, object]:
    return {"neo4j": NEO4J_VERSION, "plugins_requested": [":".join(c).rstrip(":") for c in plugin_coordinates()]}


def fetch_is_complete() -> bool:
    if not STAMP_FILE.exists():
        return False
    try:
        stamp = json.loads(STAMP_FILE.read_text())
    except json.JSONDecodeError:
        return False
    if any(stamp.get(key) != value for key, value in wanted_stamp().items()):
        return False
    expected = [LIB_DIR / name for name in stamp.get("lib", [])] + [PLUGINS_DIR / n for n in stamp.get("plugins", [])]
    return bool(expected) and all(path.exists() for path in expected)


def fetch() -> int:
    if fetch_is_complete():
        say(f"jars already fetched (neo4j {NEO4J_VERSION}, apoc {APOC_VERSION}, gds {GDS_VERSION}); nothing to do")
        return 0
    java_executable()
    mvn = maven_executable()
    if running_pid() is not None:
        raise SetupError("the server runs from .neo4j/lib and .neo4j/plugins: stop it before fetching other jars")
    started = time.monotonic()
    BUILD_DIR.mkdir(parents=True, exist_ok=True)

    server_pom = BUILD_DIR / "server-pom.xml"
    server_pom.write_text(pom_xml("neo4j-server", [dependency_xml("org.neo4j", "neo4j", NEO4J_VERSION)], []))
    lib_staging = BUILD_DIR / "lib"
    server_artifacts = resolve_into(mvn, server_pom, lib_staging, BUILD_DIR / "server-deps.txt")

    # Pin every artifact the server already has to the server's version, so that a plugin's
    # transitive copy (jackson, slf4j, commons, ...) resolves to the very same jar and can be dropped.
    managed = [dependency_xml(a["group"], a["artifact"], a["version"], a["classifier"]) for a in server_artifacts]
    # apoc-common asks for HdrHistogram 2.1.9, GDS for 2.2.2; nearest-wins would pick the older one.
    managed.append(dependency_xml("org.hdrhistogram", "HdrHistogram", "2.2.2"))
    plugins_pom = BUILD_DIR / "plugins-pom.xml"
    plugins_pom.write_text(pom_xml("neo4j-plugins", [dependency_xml(*c) for c in plugin_coordinates()], managed))
    plugins_staging = BUILD_DIR / "plugins"
    plugin_artifacts = resolve_into(mvn, plugins_pom, plugins_staging, BUILD_DIR / "plugins-deps.txt")

    server_keys = {(a["group"], a["artifact"]) for a in server_artifacts}
    for entry in plugin_artifacts:
        if (entry["group"], entry["artifact"]) in server_keys:
            (plugins_staging / jar_file_name(entry)).unlink(missing_ok=True)

    for final_dir, staging_dir in ((LIB_DIR, lib_staging), (PLUGINS_DIR, plugins_staging)):
        if final_dir.exists():
            shutil.rmtree(final_dir)
        staging_dir.rename(final_dir)

    clashes = find_class_clashes(LIB_DIR, PLUGINS_DIR)
    stamp = wanted_stamp() | {
        "lib": sorted(p.name for p in LIB_DIR.glob("*.jar")),
        "plugins": sorted(p.name for p in PLUGINS_DIR.glob("*.jar")),
        "class_clashes": clashes,
    }
    STAMP_FILE.write_text(json.dumps(stamp, indent=1) + "\n")
    seconds = time.monotonic() - started
    say(
        f"fetched neo4j {NEO4J_VERSION} ({len(stamp['lib'])} jars), apoc {APOC_VERSION} and gds {GDS_VERSION} "
        f"({len(stamp['plugins'])} plugin jars) in {seconds:.0f} s"
    )
    if clashes:
        say(f"warning: {len(clashes)} server/plugin jar pairs ship the same classes (listed in {STAMP_FILE})")
    return 0


# ---------------------------------------------------------------- configuration and password


def neo4j_conf(port: int) -> str:
    return f"""# Written by scripts/neo4j_local.py on every start; edit the script, not this file.
server.directories.data={DATA_DIR}
server.directories.logs={LOGS_DIR}
server.directories.plugins={PLUGINS_DIR}
server.directories.lib={LIB_DIR}
server.directories.run={NEO4J_HOME / "run"}
server.directories.import={NEO4J_HOME / "import"}
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
dbms.security.procedures.unrestricted=apoc.*,gds.*
dbms.security.procedures.allowlist=apoc.*,gds.*
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
gds.export.location={NEO4J_HOME / "import"}
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


def running_pid() -> int | None:
    """The pid from the pid file if that process is alive and is our Neo4j."""
    if not PID_FILE.exists():
        return None
    try:
        pid = int(PID_FILE.read_text().strip())
        command_line = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (ValueError, OSError):
        return None
    return pid if ENTRY_POINT.encode() in command_line else None


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
    for folder in (CONF_DIR, DATA_DIR, LOGS_DIR, NEO4J_HOME / "run", NEO4J_HOME / "import"):
        folder.mkdir(parents=True, exist_ok=True)
    (CONF_DIR / "neo4j.conf").write_text(neo4j_conf(port))

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
