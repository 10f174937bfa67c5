"""The documents agree with the repository: generated blocks current, links inside the clone, module paths real.

No network and no import of the package: links and paths are checked on disk, names with `ast`.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import pytest

from paths import ROOT
DOCUMENTS = sorted({ROOT / "README.md", ROOT / "ARCHITECTURE.md", ROOT / "evals" / "README.md",
                    ROOT / "evals" / "GOLD_FORMAT.md", *(ROOT / "docs").glob("*.md")})
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
MODULE_PATH = re.compile(r"\bimr_llm/[\w/.-]*")  # imr_llm/store/load.py, imr_llm/parse/, imr_llm/llm/prompts/...
MODULE_NAME = re.compile(r"(?<![\w/.])imr_llm(?:\.\w+)+")  # imr_llm.store.load.MAX_LETTER_BYTES
REPO_PATH = re.compile(r"(?<![\w/.$-])((?:evals|tests|scripts|docs|benchmarks|requirements)/[\w./-]*)")
PACKAGE = ROOT / "imr_llm"


def _figures():
    """scripts/figures.py (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("figures", ROOT / "scripts" / "figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


def test_every_document_exists():
    missing = [str(p.relative_to(ROOT)) for p in DOCUMENTS if not p.is_file()]
    assert not missing


def test_generated_blocks_are_current():
    """README's and evals/README's figures are the committed baselines'; ARCHITECTURE's diagram is the code's."""
    stale = _figures().stale(write=False)
    assert stale == [], f"out of date: {stale}; run python scripts/figures.py"


def test_the_figures_table_shows_the_baseline_and_the_bounds():
    figures = _figures()
    table = figures.blocks()["baselines"]
    gold = (ROOT / "evals" / "reports" / "baseline.json").read_text(encoding="utf-8")
    hits = re.search(r'"decision_accuracy": \{\s*"hits": (\d+),\s*"total": (\d+)', gold)
    assert hits and f"({hits[1]} / {hits[2]})" in table.splitlines()[2]
    assert "| <= 8 each summary |" in table  # the [plain] bound of thresholds.toml


def _anchors(markdown: str) -> set[str]:
    """GitHub's anchors of a document's headings."""
    headings = re.findall(r"^#+\s+(.+?)\s*$", markdown, re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("document", DOCUMENTS, ids=_ids(DOCUMENTS))
def test_relative_links_resolve_inside_the_repository(document):
    text = document.read_text(encoding="utf-8")
    assert "../shared" not in text, "a clone has no ../shared: link to a copy inside the repository"
    broken = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        resolved = (document.parent / path).resolve() if path else document
        if ROOT not in resolved.parents and resolved != ROOT:
            broken.append(f"{target}: outside the repository")
        elif not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved.read_text(encoding="utf-8")):
            broken.append(f"{target}: no such heading")
    assert broken == []


def _top_level_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def _module_name_exists(dotted: str) -> bool:
    """imr_llm.a.b.c: a module or package, or a name defined at the top of the module its prefix names."""
    parts = dotted.split(".")[1:]
    here = PACKAGE
    for i, part in enumerate(parts):
        if (here / part).is_dir():
            here = here / part
            continue
        if (here / f"{part}.py").is_file():
            here = here / f"{part}.py"
            rest = parts[i + 1:]
        else:
            rest = parts[i:]
        if not rest:
            return True
        source = here / "__init__.py" if here.is_dir() else here
        return source.is_file() and rest[0] in _top_level_names(source)
    return True


@pytest.mark.parametrize("document", DOCUMENTS, ids=_ids(DOCUMENTS))
def test_module_paths_and_names_exist(document):
    """imr_llm/... and evals/, tests/, scripts/... paths are files or folders; imr_llm.x.y names are defined."""
    text = document.read_text(encoding="utf-8")
    missing = []
    for path in set(MODULE_PATH.findall(text)) | set(REPO_PATH.findall(text)):
        path = path.rstrip(".")
        if not (ROOT / path).exists():
            missing.append(path)
    for name in set(MODULE_NAME.findall(text)):
        if not _module_name_exists(name):
            missing.append(name)
    assert sorted(missing) == []


def test_architecture_names_every_module():
    """ARCHITECTURE.md has a line for each module of the package, by its path below imr_llm/."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    written = re.sub(r"<!-- figures:(\w+):start -->.*?<!-- figures:\1:end -->", "", text, flags=re.S)  # by hand
    modules = [p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
               if p.name not in ("__init__.py", "__main__.py") or p.parent.name == "prompts"]
    unnamed = sorted(m for m in modules if not re.search(rf"(?<![\w/]){re.escape(m)}(?!\w)", written))
    assert unnamed == []


def test_the_checks_see_what_they_check():
    """The patterns find the links, paths and names the documents hold, and a wrong name is caught."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert {"docs/llm.md", "ARCHITECTURE.md", "evals/README.md"} <= set(LINK.findall(readme))
    assert "imr_llm/models.py" in MODULE_PATH.findall(readme)
    assert "evals/thresholds.toml" in REPO_PATH.findall(readme)
    assert _module_name_exists("imr_llm.store.load.MAX_LETTER_BYTES")
    assert _module_name_exists("imr_llm.present.markup")
    assert not _module_name_exists("imr_llm.markup")  # the module before the layout of issue 12
    assert not _module_name_exists("imr_llm.store.load.NO_SUCH_NAME")
    assert _anchors("# Quality\n## evals/holdout\n") == {"quality", "evalsholdout"}
