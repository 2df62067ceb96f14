#!/usr/bin/env python3
"""The jars of the local Neo4j 5.26 server (with APOC core and open-source GDS), resolved from Maven Central.

No Docker and no tarball: Maven resolves the server and the plugins into `.neo4j/lib` and
`.neo4j/plugins`. Used by `scripts/neo4j_local.py fetch` / `start`, which run the server; this module
holds the versions, the paths under `.neo4j/`, the Java and Maven checks and the fetch itself.
Standard library only, so any python3 can run it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

NEO4J_VERSION = "5.26.19"  # newest 5.26.x for which an APOC core of the same version is on Central
APOC_VERSION = "5.26.19"
GDS_VERSION = "2.13.9"  # the only 2.13.x with all four open GDS artifacts on Central
GDS_ARTIFACTS = ("proc", "opengds-extension", "open-model-catalog", "open-write-services")
DEPENDENCY_PLUGIN_VERSION = "3.8.1"

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_HOME = REPO_ROOT / ".neo4j"  # the jars (lib, plugins) and the fetch stamp, shared by every instance
# Another instance (its own conf, data, logs, pid) beside the team's: GRAPHBENCH_NEO4J_HOME, with its own port
NEO4J_HOME = Path(os.environ.get("GRAPHBENCH_NEO4J_HOME") or SHARED_HOME).resolve()
LIB_DIR = SHARED_HOME / "lib"
PLUGINS_DIR = SHARED_HOME / "plugins"
CONF_DIR = NEO4J_HOME / "conf"
DATA_DIR = NEO4J_HOME / "data"
LOGS_DIR = NEO4J_HOME / "logs"
BUILD_DIR = SHARED_HOME / "build"
STAMP_FILE = SHARED_HOME / "fetched.json"
PID_FILE = NEO4J_HOME / "neo4j.pid"
CONSOLE_LOG = LOGS_DIR / "console.log"  # JVM output; Neo4j itself logs to neo4j.log when detached
USER_LOG = LOGS_DIR / "neo4j.log"
AUTH_FILE = DATA_DIR / "dbms" / "auth.ini"
SYSTEM_DB_DIR = DATA_DIR / "databases" / "system"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"


class SetupError(Exception):
    """A problem the user must fix; its text is the one line we print."""


def say(message: str) -> None:
    print(f"neo4j: {message}", flush=True)


# ---------------------------------------------------------------- environment


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
