"""The structure somu's docs promise (docs/developing.md), checked by reading the source.

- core is the foundation every app builds on: it imports no app (its few type-only references
  to org's models sit under ``TYPE_CHECKING`` and never run);
- the pure packages (``somu.rules``) import neither Django nor any app;
- no two packages import each other, directly or around a circle, and no two modules either;
- no module outside migrations and tests is longer than 600 lines.

Imports are read with ``ast`` (module-level and inside functions alike); what only the type
checker reads (``if TYPE_CHECKING:``) is left out. Tests are left out too: a test may use any
app's fixtures.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import somu

ROOT = Path(somu.__file__).parent
MAX_LINES = 600
# core may lean on these (pure packages); everything else in somu is built on core.
CORE_MAY_IMPORT = {"core", "rules"}


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "tests" in parts or "migrations" in parts:
            continue
        name = ".".join(("somu", *parts)).removesuffix(".__init__")
        yield name, path


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, module: str) -> Iterator[str]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from (name for child in node.orelse for name in _imports(child, module))
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing module's package
                base = module.split(".")[: -node.level]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target
            # ``from somu.procedures import services`` imports the module somu.procedures.services
            yield from (f"{target}.{alias.name}" for alias in node.names)
        yield from _imports(node, module)


@cache
def import_graph() -> dict[str, set[str]]:
    """Module → the somu modules it imports (only those that exist)."""
    names = {name for name, _path in _modules()}
    graph: dict[str, set[str]] = {}
    for name, path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        # ``import somu`` reads the version from the distribution's namespace: not an app.
        graph[name] = {target for target in _imports(tree, name)
                       if target in names and target not in (name, "somu")}
    return graph


def package_of(module: str) -> str:
    """``somu.procedures.engine.spec`` → ``procedures``; the top-level modules → ``somu``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and (ROOT / parts[1]).is_dir()) \
        else "somu"


def package_graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for module, targets in import_graph().items():
        source = package_of(module)
        edges.setdefault(source, set()).update(
            package_of(t) for t in targets if package_of(t) != source)
    return edges


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_core_imports_no_app():
    outside = {(module, target) for module, targets in import_graph().items()
               if package_of(module) == "core"
               for target in targets if package_of(target) not in CORE_MAY_IMPORT}
    assert outside == set()


def test_no_package_imports_another_in_a_circle():
    assert cycles(package_graph()) == []


def test_no_module_imports_another_in_a_circle():
    assert cycles(import_graph()) == []


def test_no_module_is_longer_than_600_lines():
    long = {name: n for name, path in _modules()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_the_walk_sees_the_imports_it_is_meant_to_see():
    # The checks above are only as good as the walk: it must find a plain import, a function-
    # level import, and leave out a TYPE_CHECKING one.
    graph = import_graph()
    assert "somu.core.registry" in graph["somu.core.api"]
    assert "somu.org.selectors" in graph["somu.org.middleware"]
    assert "somu.org.models" not in graph["somu.core.permissions"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# Pure packages: file formats, arithmetic and rules any app can use and test without a database.
PURE_PACKAGES = ("somu.rules", "somu.expenses.formats", "somu.expenses.checks",
                 "somu.survey.analysis", "somu.plans.engine")


def _third_party_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_the_pure_packages_import_neither_django_nor_an_app():
    graph = import_graph()
    for name, path in _modules():
        if not name.startswith(PURE_PACKAGES):
            continue
        assert "django" not in _third_party_imports(path), name
        apps_used = {t for t in graph[name] if not t.startswith(PURE_PACKAGES)}
        assert apps_used == set(), name
