"""The shape of the code, read from its source with ``ast`` (nothing is imported):

- no import cycle among ``registry/`` modules, counting every import: at module level, inside
  functions (a deferred import is not a cure) and under ``if TYPE_CHECKING``;
- no ``registry/`` module over 700 lines;
- ``registry/`` imports no test or benchmark code;
- no test imports a test module (shared helpers live in ``conftest.py`` and ``tests/support/``).

An import ``from registry.x import y`` is an edge to the module ``registry.x.y`` when there is
one, else to ``registry.x``; ``import registry.x.y`` is an edge to ``registry.x.y``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "registry"
TESTS = ROOT / "tests"
BENCH = ROOT / "bench"
MAX_LINES = 700


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    """Every module of the package, by its dotted name."""
    return {_module_name(path, ROOT): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imported(path: Path, name: str) -> Iterator[tuple[str, str | None, int]]:
    """``(module, imported name or None, line)`` for every import in the file, anywhere in it;
    relative imports resolved against the module ``name``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)] if node.level > 1 else anchor
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield base, alias.name, node.lineno


def _edges(modules: dict[str, Path]) -> dict[str, set[str]]:
    """The import graph among the package's modules."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for module, imported, _ in _imported(path, name):
            if imported is not None and f"{module}.{imported}" in modules:
                target = f"{module}.{imported}"
            else:
                target = module
                while target and target not in modules:
                    target = target.rpartition(".")[0]
            if target and target != name and target.split(".")[0] == "registry":
                graph[name].add(target)
    return graph


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _cycle_in(component: list[str], graph: dict[str, set[str]]) -> list[str]:
    """One cycle through the component's first module, to show in a message."""
    members = set(component)
    start = component[0]
    path = [start]
    seen = {start}
    while True:
        successors = sorted(graph[path[-1]] & members)
        if start in successors and len(path) > 1:
            return [*path, start]
        unseen = [s for s in successors if s not in seen]
        if not unseen:
            return [*path, start]
        path.append(unseen[0])
        seen.add(unseen[0])


def _top_level_names(directory: Path) -> set[str]:
    """The names a module under ``directory`` can be imported by when the directory (or one of
    its folders) is on ``sys.path``, and the directory's own name."""
    names = {directory.name}
    for path in directory.rglob("*.py"):
        names.add(path.stem if path.name != "__init__.py" else path.parent.name)
    return names - {"__init__"}


# -- the tests -----------------------------------------------------------------------------


def test_the_walk_sees_imports_at_module_level_in_functions_and_relative_ones(tmp_path: Path) -> None:
    """The reader itself: an import inside a function is an edge, a relative one is resolved,
    and ``from package import module`` is an edge to the module."""
    source = tmp_path / "registry" / "store" / "thing.py"
    source.parent.mkdir(parents=True)
    source.write_text(
        "import json\nfrom registry.store import remote\nfrom .base import Store\n"
        "def later():\n    from registry import errors\n    import registry.web.app\n"
    )
    found = sorted((m, n) for m, n, _ in _imported(source, "registry.store.thing"))
    assert found == [
        ("json", None), ("registry", "errors"), ("registry.store", "remote"), ("registry.store.base", "Store"),
        ("registry.web.app", None),
    ]
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _strongly_connected(graph) == [["a", "b", "c"]]
    assert _cycle_in(["a", "b", "c"], graph) == ["a", "b", "c", "a"]


def test_no_import_cycle_among_registry_modules() -> None:
    modules = _modules()
    graph = _edges(modules)
    components = _strongly_connected(graph)
    shown = "\n".join(
        f"- {', '.join(component)} (e.g. {' -> '.join(_cycle_in(component, graph))})" for component in components
    )
    assert not components, f"import cycles among registry/ modules (strongly connected components):\n{shown}"


def test_no_registry_module_is_over_700_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): count
        for path in _modules().values()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_registry_imports_no_test_or_bench_code() -> None:
    forbidden = _top_level_names(TESTS) | _top_level_names(BENCH)
    modules = _modules()
    found = [
        f"{modules[name].relative_to(ROOT)}:{line}: {module or '.'}"
        for name in modules
        for module, _, line in _imported(modules[name], name)
        if module.split(".")[0] in forbidden
    ]
    assert not found, f"registry/ imports test or bench code: {found}"


def test_no_test_imports_a_test_module() -> None:
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        name = _module_name(path, TESTS)
        for module, imported, line in _imported(path, name):
            parts = [*module.split("."), *([imported] if imported else [])]
            if any(part.startswith("test_") for part in parts):
                found.append(f"{path.relative_to(ROOT)}:{line}: {module}{'.' + imported if imported else ''}")
    assert not found, f"test modules imported by others (move what they share to tests/support/): {found}"


# -- the README's map -----------------------------------------------------------------------


def _part(module: str) -> str:
    """The part of the README's map a module belongs to: its package (``store/``) or itself."""
    parts = module.split(".")
    if len(parts) == 1:
        return "registry"
    if (PACKAGE / parts[1]).is_dir():
        return f"{parts[1]}/"
    return parts[1]


def _map() -> dict[str, set[str]]:
    """The table under "### Where things live" in the README: each part (a row may name
    several) and what it may import."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Where things live") :]
    allowed: dict[str, set[str]] = {}
    for line in section.splitlines()[1:]:
        if line.startswith("#"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        names = {name.strip().strip("`") for name in cells[0].split(",")}
        may = set() if cells[2] == "nothing" else {name.strip().strip("`") for name in cells[2].split(",")}
        for name in names:
            allowed[name] = may
    return allowed


def test_the_readmes_map_names_every_part_and_every_import_it_makes() -> None:
    allowed = _map()
    modules = _modules()
    unmapped = sorted({_part(name) for name in modules} - set(allowed) - {"registry", "__version__"})
    assert not unmapped, f"parts of registry/ missing from the README's map: {unmapped}"
    wrong = []
    for name, targets in _edges(modules).items():
        source = _part(name)
        for target in targets:
            part = _part(target)
            if part in (source, "registry"):
                continue
            if part not in allowed.get(source, set()):
                wrong.append(f"{name} imports {target}: the README's map lets {source} import {sorted(allowed.get(source, set()))}")
    assert not wrong, "\n".join(wrong)
