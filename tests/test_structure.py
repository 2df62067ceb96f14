"""The house stays easy to find one's way in (issue 15's goals, checked on every run):
no import cycles between modules, no module much over 400 lines, and no test of a store's
``kind`` string outside ``graphbench/store/`` (what only a server can do is a typed capability)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("graphbench", "loaders")
# Everything a person maintains; sample_data/ holds a generator that is data more than code.
MAINTAINED = ("graphbench", "loaders", "app_pages", "scripts", "benchmarks", "tests")
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    """Modules of ours that ``path`` imports, at module level or inside functions (a deferred
    import keeps start-up fast but is still a dependency: ``cli`` ↔ ``cli_analysis`` through one
    broke ``python -m``); ``if TYPE_CHECKING:`` blocks are left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found: set[str] = set()
    skipped = {id(node) for top in ast.walk(tree) if isinstance(top, ast.If)
               and "TYPE_CHECKING" in ast.unparse(top.test) for node in ast.walk(top)}
    for node in ast.walk(tree):
        if id(node) not in skipped:
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                names = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                while name and name not in known:
                    name = name.rpartition(".")[0]
                if name:
                    found.add(name)
    found.discard(_module_name(path))
    return found


def test_no_import_cycles() -> None:
    files = [path for package in PACKAGES for path in (ROOT / package).rglob("*.py")]
    known = {_module_name(path) for path in files}
    graph = nx.DiGraph()
    for path in files:
        module = _module_name(path)
        graph.add_node(module)
        for target in _imports(path, known):
            # importing a package's submodule imports the package first: that edge is not a cycle
            if not module.startswith(target + "."):
                graph.add_edge(module, target)
    cycles = sorted(sorted(cycle) for cycle in nx.simple_cycles(graph))
    assert cycles == [], f"import cycles: {cycles}"


def test_no_module_over_the_size_limit() -> None:
    too_long = {}
    for folder in MAINTAINED:
        for path in (ROOT / folder).rglob("*.py"):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                too_long[str(path.relative_to(ROOT))] = lines
    assert too_long == {}, f"modules over {MAX_LINES} lines: {too_long}"


STORE_KIND_TEST = re.compile(r"""(\.kind\s*[!=]=|[!=]=\s*\w*\.kind\b|\bkind\s*[!=]=\s*["'](neo4j|embedded)["'])""")


def test_no_store_kind_checks_outside_the_store_package() -> None:
    offenders = []
    for folder in ("graphbench", "loaders", "app_pages"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.is_relative_to(ROOT / "graphbench" / "store"):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if "store" in line and STORE_KIND_TEST.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    offenders += [f"app.py: {line.strip()}" for line in app.splitlines() if STORE_KIND_TEST.search(line)]
    assert offenders == [], "\n".join(offenders)
