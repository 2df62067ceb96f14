#!/usr/bin/env python3
"""The jars of a real OpenID Connect provider for the sign-in tests: ``no.nav.security:mock-oauth2-server``
from Maven Central, resolved with its dependencies into ``.oidc/lib`` (as scripts/neo4j_fetch.py does for
Neo4j: a throw-away pom and ``mvn dependency:copy-dependencies``).

The provider is run by the tests as ``java -cp '.oidc/lib/*' MAIN_CLASS`` on a free loopback port
(``SERVER_PORT``); it issues signed ID tokens for whatever user the login form is given.

``python3 scripts/oidc_fetch.py`` fetches when missing (``make test`` runs it); it prints one line and exits 1
when Java or Maven is missing or Maven cannot resolve the artifact. Standard library only.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

VERSION = "2.1.10"  # Kotlin/Java 11 bytecode: runs on this machine's Java 17
GROUP, ARTIFACT = "no.nav.security", "mock-oauth2-server"
MAIN_CLASS = "no.nav.security.mock.oauth2.StandaloneMockOAuth2ServerKt"
DEPENDENCY_PLUGIN_VERSION = "3.8.1"

REPO_ROOT = Path(__file__).resolve().parent.parent
HOME = REPO_ROOT / ".oidc"
LIB_DIR = HOME / "lib"
STAMP = HOME / "fetched.json"

POM = f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by scripts/oidc_fetch.py; regenerated on every fetch. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>graphbench.local</groupId><artifactId>oidc-provider</artifactId><version>1</version>
  <packaging>pom</packaging>
  <build><pluginManagement><plugins><plugin>
    <groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId>
    <version>{DEPENDENCY_PLUGIN_VERSION}</version>
  </plugin></plugins></pluginManagement></build>
  <dependencies><dependency><groupId>{GROUP}</groupId><artifactId>{ARTIFACT}</artifactId>
    <version>{VERSION}</version></dependency></dependencies>
</project>
"""


class SetupError(Exception):
    """A problem the user must fix; its text is the one line printed."""


def fetched() -> bool:
    try:
        return json.loads(STAMP.read_text()).get("version") == VERSION and any(LIB_DIR.glob(f"{ARTIFACT}-*.jar"))
    except (OSError, ValueError):
        return False


def fetch() -> Path:
    """``.oidc/lib`` holding the provider and its dependencies (fetched only when missing)."""
    if fetched():
        return LIB_DIR
    if not shutil.which("java"):
        raise SetupError("Java is missing: install it (e.g. `apt-get install openjdk-17-jre-headless`)")
    mvn = shutil.which("mvn")
    if not mvn:
        raise SetupError("Maven is missing: install it (e.g. `apt-get install maven`) to fetch mock-oauth2-server")
    HOME.mkdir(exist_ok=True)
    pom = HOME / "pom.xml"
    pom.write_text(POM)
    if LIB_DIR.exists():
        shutil.rmtree(LIB_DIR)
    done = subprocess.run([mvn, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
                           f"-DoutputDirectory={LIB_DIR}", "-DincludeScope=runtime", "-DexcludeTypes=pom"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        tail = " / ".join((done.stdout + done.stderr).strip().splitlines()[-5:])
        raise SetupError(f"Maven could not resolve {GROUP}:{ARTIFACT}:{VERSION}: {tail}")
    STAMP.write_text(json.dumps({"version": VERSION}))
    return LIB_DIR


def main() -> int:
    try:
        lib = fetch()
    except SetupError as exc:
        print(f"oidc provider: {exc}", file=sys.stderr)
        return 1
    print(f"oidc provider: {GROUP}:{ARTIFACT}:{VERSION} in {lib.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
