"""imr_llm's own imports form no cycle, and importing imr_llm changes no process-wide state.

The graph is read from the source with `ast`, so an import inside a function (or under `if TYPE_CHECKING:`)
counts like one at the top: moving an import into a function does not hide a cycle. Imports are resolved
relative to the importing module; `from pkg import name` is an edge to `pkg.name` when that is a module,
else to `pkg`.

The environment checks run in a fresh interpreter, so what this test process imported does not matter.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import imr_llm
from imr_llm import environment
from imr_llm.plain import checks

PACKAGE = Path(imr_llm.__file__).resolve().parent


# --- the import graph -------------------------------------------------------------------------------------

def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path) -> dict[str, dict[str, list[int]]]:
    """{module: {imported module of the same package: [line numbers]}} for every .py file under `package`."""
    root = package.parent
    modules = {_module_name(path, root): path for path in sorted(package.rglob("*.py"))}
    graph: dict[str, dict[str, list[int]]] = {}
    for name, path in modules.items():
        edges: dict[str, list[int]] = {}
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here[: len(here) - (node.level - 1)]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                targets = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
                           for alias in node.names]
            for target in targets:
                while target and target not in modules:  # `import a.b.c` of a missing c: the nearest module
                    target = target.rpartition(".")[0]
                if target and target != name and node.lineno not in edges.get(target, []):
                    edges.setdefault(target, []).append(node.lineno)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, dict[str, list[int]]]) -> list[list[str]]:
    """One cycle (a list of modules, the first repeated at the end) per strongly connected component."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph) + 100))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    found = []
    for component in components:
        start = min(component)
        paths = {start: [start]}
        queue = [start]
        while queue:  # the shortest way round from `start` within the component
            node = queue.pop(0)
            for nxt in sorted(graph[node]):
                if nxt == start:
                    found.append(paths[node] + [start])
                    queue = []
                    break
                if nxt in component and nxt not in paths:
                    paths[nxt] = paths[node] + [nxt]
                    queue.append(nxt)
    return sorted(found)


def _shown(cycle: list[str], graph: dict[str, dict[str, list[int]]]) -> str:
    def where(module: str, lines: list[int]) -> str:
        path = PACKAGE.parent.joinpath(*module.split("."))
        path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        return f"{path.relative_to(PACKAGE.parent)}:{','.join(map(str, lines))}"

    return "\n".join(f"  {a} -> {b}  ({where(a, graph[a][b])})" for a, b in zip(cycle, cycle[1:]))


def test_imr_llm_has_no_import_cycle():
    graph = import_graph(PACKAGE)
    assert "imr_llm.evaluation.plain_eval" in graph["imr_llm.evaluation.evaluate"]  # the graph is read
    found = cycles(graph)
    assert not found, "import cycles in imr_llm:\n" + "\n\n".join(_shown(c, graph) for c in found)


def test_the_graph_sees_an_import_inside_a_function(tmp_path):
    """The check itself: a cycle closed by an import in a function body, or by `from . import module`, counts."""
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from .sub import b\n")
    (package / "sub" / "b.py").write_text("def later():\n    from ..a import thing\n    return thing\n")
    (package / "c.py").write_text("from . import d\n")
    (package / "d.py").write_text("import pkg.c\n")
    graph = import_graph(package)
    assert graph["pkg.a"] == {"pkg.sub.b": [1]} and graph["pkg.sub.b"] == {"pkg.a": [2]}
    assert cycles(graph) == [["pkg.a", "pkg.sub.b", "pkg.a"], ["pkg.c", "pkg.d", "pkg.c"]]
    (package / "sub" / "b.py").write_text("X = 1\n")
    (package / "d.py").write_text("from pkg import sub\n")
    assert cycles(import_graph(package)) == []


# --- process-wide state -----------------------------------------------------------------------------------

# Set by the user: each differs from imr_llm's default, and none lets a library reach the network.
USER_VALUES = {
    "RAGAS_DO_NOT_TRACK": "false",
    "GRADIO_ANALYTICS_ENABLED": "True",
    "LITELLM_LOCAL_MODEL_COST_MAP": "true",
    "LITELLM_OFFLINE_MODE": "TRUE",
    "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS": "true",
    "HF_HUB_OFFLINE": "true",
    "TRANSFORMERS_OFFLINE": "yes",
    "TOKENIZERS_PARALLELISM": "true",
    "ONEDNN_PRIMITIVE_CACHE_CAPACITY": "32",
}

# Run in a fresh interpreter with no way to the network; prints what it saw as JSON.
_PROBE = r"""
import json, os, socket, sys

def _refuse(self, address):
    raise OSError("no network in this test")
socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse

STUB = "langchain_community.chat_models.vertexai"
seen = {}
before = dict(os.environ)

def changed():
    return sorted(k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k))

for name in json.loads(sys.argv[1]):  # every module but the web interface's (gradio)
    __import__(name)
seen["after_import"] = {"changed": changed(), "stub": STUB in sys.modules}

from imr_llm import environment
from imr_llm.evaluation import ragas_metrics
from imr_llm.llm import gateway
ragas_metrics.import_ragas()
gateway._litellm()
environment.for_local_models()
import imr_llm.ui.app  # imports gradio
seen["after_libraries"] = {"changed": changed(), "stub": STUB in sys.modules,
                           "ragas": "ragas.llms.base" in sys.modules, "gradio": "gradio" in sys.modules,
                           "env": {k: os.environ.get(k) for k in environment.DEFAULTS}}
print("PROBE" + json.dumps(seen))
"""


def _probe(env: dict[str, str], tmp_path: Path) -> dict:
    env = {**env, "IMR_HOME": str(tmp_path / "home"), "PYTHONPATH": str(PACKAGE.parent)}
    modules = [name for name in import_graph(PACKAGE)
               if not name.endswith("__main__") and name != "imr_llm.ui" and not name.startswith("imr_llm.ui.")]
    done = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(modules)], env=env, capture_output=True, text=True, timeout=900,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("PROBE"))
    return json.loads(line[len("PROBE"):])


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in environment.DEFAULTS}


def test_every_variable_imr_llm_sets_is_in_the_environment_table():
    table = environment.__doc__ or ""
    assert set(environment.DEFAULTS) == set(USER_VALUES)
    for name, value in environment.DEFAULTS.items():
        assert f"| {name} | {value} |" in table, name


@pytest.mark.slow  # imports litellm, ragas and gradio in a fresh interpreter: 20-60 s
def test_imr_llm_never_overwrites_a_variable_the_user_set(tmp_path):
    seen = _probe({**_clean_env(), **USER_VALUES}, tmp_path)
    after = seen["after_libraries"]
    assert after["ragas"] and after["gradio"]  # the libraries were really imported
    assert after["env"] == USER_VALUES
    assert after["changed"] == []


@pytest.mark.slow  # as above
def test_importing_imr_llm_sets_nothing_and_leaves_no_stub(tmp_path):
    seen = _probe(_clean_env(), tmp_path)
    assert seen["after_import"] == {"changed": [], "stub": False}
    after = seen["after_libraries"]
    # Importing the optional libraries through imr_llm gives each of its variables the default ...
    assert after["env"] == environment.DEFAULTS
    assert after["changed"] == sorted(environment.DEFAULTS)
    # ... and ragas imports with the stand-in module for langchain-community, which is gone again afterwards.
    assert after["ragas"] and not after["stub"]


def test_nltk_data_is_written_under_the_data_folder(imr_home, monkeypatch):
    import nltk

    monkeypatch.setattr(nltk.data, "path", [])  # no dictionary anywhere yet
    checks._ensure_cmudict()
    root = imr_home / "nltk_data"
    assert (root / "corpora" / "cmudict" / "cmudict").stat().st_size > 1_000_000
    assert nltk.data.path == [str(root)]
    assert nltk.data.find("corpora/cmudict").path.startswith(str(root))
    assert 0 < checks.fk_grade("The doctor asked for six visits. The reviewer said no.") < 8
