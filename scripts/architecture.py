"""The imports between imr_llm's subpackages, computed from the code with `ast` and drawn as a mermaid graph.

    python scripts/architecture.py           # print the diagram
    python scripts/figures.py                # write it (and the figures) into ARCHITECTURE.md
    python scripts/figures.py --check        # exit 1 if a document is out of date

A node is a subpackage (`imr_llm/parse/`, ...) or a top-level module (`imr_llm/api.py`, ...). The leaf
top-level modules, those that import nothing of imr_llm but each other (models, errors, config, ...), are one
node, `core`, which any stage may import; edges into it are not drawn (the text under the diagram names who
uses it). An import at module level is a solid arrow; one inside
a function (imported when called) or under `if TYPE_CHECKING:` is dotted. Imports within a node are
not edges. Cycles are listed twice: among module-level imports (what Python meets on import) and
among all imports.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "imr_llm"
EAGER, DEFERRED = "eager", "deferred"


@dataclass(frozen=True)
class Import:
    source: str  # node of the importing file
    target: str  # node of the imported module
    kind: str  # EAGER or DEFERRED


def node_of(parts: tuple[str, ...], package: Path) -> str:
    """The node of a module named by its parts below the package: a subpackage or a top module."""
    if not parts or parts[0] == "__init__":
        return PACKAGE
    head = parts[0]
    if (package / head).is_dir() or (package / f"{head}.py").is_file():
        return head
    return PACKAGE  # a name defined in imr_llm/__init__.py


def _imported(node: ast.AST, module_parts: tuple[str, ...], is_init: bool) -> Iterator[tuple[str, ...]]:
    """Parts below the package of each imr_llm module an import statement names."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            names = alias.name.split(".")
            if names[0] == PACKAGE:
                yield tuple(names[1:])
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            here = [PACKAGE, *module_parts] if is_init else [PACKAGE, *module_parts[:-1]]
            base = here[: len(here) - (node.level - 1)]
            names = base + (node.module.split(".") if node.module else [])
        else:
            names = (node.module or "").split(".")
        if names[0] != PACKAGE:
            return
        below = tuple(names[1:])
        if below:
            yield below
        else:  # from imr_llm import x: x is a module, or a name of imr_llm/__init__.py
            for alias in node.names:
                yield (alias.name,)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk(node: ast.AST, deferred: bool) -> Iterator[tuple[ast.AST, bool]]:
    for child in ast.iter_child_nodes(node):
        inner = deferred or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) or (
            isinstance(child, ast.If) and _is_type_checking(child.test))
        yield child, deferred
        yield from _walk(child, inner)


def imports(root: Path = ROOT) -> list[Import]:
    """Every import from one node into another, module-level (eager) or deferred."""
    package = root / PACKAGE
    found: set[Import] = set()
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package).with_suffix("").parts
        is_init = parts[-1] == "__init__"
        module_parts = parts[:-1] if is_init else parts
        source = node_of(module_parts, package)
        for node, deferred in _walk(ast.parse(path.read_text(encoding="utf-8")), False):
            for target_parts in _imported(node, module_parts, is_init):
                target = node_of(target_parts, package)
                if target != source:
                    found.add(Import(source, target, DEFERRED if deferred else EAGER))
    return sorted(found, key=lambda i: (i.source, i.target, i.kind))


def core_modules(found: list[Import], root: Path = ROOT) -> list[str]:
    """The top-level modules that import nothing of imr_llm but each other: the leaves every stage may use."""
    core = {p.stem for p in (root / PACKAGE).glob("*.py") if not p.stem.startswith("__")}
    while True:
        leaving = {i.source for i in found if i.source in core and i.target not in core}
        if not leaving:
            return sorted(core)
        core -= leaving


def edges(found: list[Import], core: list[str]) -> dict[tuple[str, str], str]:
    """(source, target) -> EAGER if any import between them is at module level, else DEFERRED; the core
    modules are one node, `core`."""
    kinds: dict[tuple[str, str], str] = {}
    for i in found:
        source, target = ("core" if n in core else n for n in (i.source, i.target))
        if source != target and kinds.get((source, target)) != EAGER:
            kinds[(source, target)] = i.kind
    return kinds


def cycles(kinds: dict[tuple[str, str], str], deferred: bool = False) -> list[list[str]]:
    """Groups of nodes that import each other (strongly connected, more than one node), at module level
    only or, with `deferred`, counting the imports inside functions too."""
    graph: dict[str, list[str]] = {}
    for (a, b), kind in kinds.items():
        if kind == EAGER or deferred:
            graph.setdefault(a, []).append(b)
            graph.setdefault(b, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's algorithm
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(groups)


def _label(node: str, core: list[str]) -> str:
    if node == "core":
        return f"core: {', '.join(core)}"
    if node == PACKAGE:
        return "imr_llm (the package's API)"
    return node if (ROOT / PACKAGE / node).is_dir() else f"{node}.py"


def diagram(root: Path = ROOT) -> str:
    """The mermaid graph and a line on core and on cycles, as markdown."""
    found = imports(root)
    core = core_modules(found, root)
    kinds = edges(found, core)
    nodes = sorted({n for pair in kinds for n in pair})
    lines = ["```mermaid", "flowchart TD"]
    lines += [f'    {n.replace("_", "")}["{_label(n, core)}"]' for n in nodes]
    for (a, b), kind in sorted(kinds.items()):
        if b != "core":
            lines.append(f"    {a.replace('_', '')} {'-->' if kind == EAGER else '-.->'} {b.replace('_', '')}")
    lines.append("```")
    users = sorted(a for (a, b) in kinds if b == "core")
    core_out = sorted(b for (a, b) in kinds if a == "core")
    lines.append("")
    assert not core_out, core_out  # by construction
    lines.append("- `core` is the top-level modules that import nothing of imr_llm but each other; arrows into it are "
                 f"left out: {', '.join(f'`{_label(u, core)}`' for u in users)} import it.")
    for deferred, what in ((False, "module-level imports"), (True, "all imports, deferred ones too")):
        groups = cycles(kinds, deferred)
        lines.append(f"- Cycles among {what}: "
                     + ("none." if not groups else "; ".join(" <-> ".join(group) for group in groups) + "."))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(diagram())
