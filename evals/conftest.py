"""The evaluations behind `pytest evals/`: evals/gold and evals/blind, each run once per session, reported apart.

evals/gold holds letters written beside the parser; evals/blind holds letters written by people
who never read it, so it measures reading rather than memory. Each folder has its own bounds in
thresholds.toml ([gold.*] / [blind.*]), its own baseline and its own reports:

    folder        baseline                       last run
    evals/gold    reports/baseline.json, .md      reports/latest.json, .md
    evals/blind   reports/baseline-blind.json     reports/latest-blind.json

(an LLM run: baseline-<model>.json and baseline-blind-<model>.json). Each run prints what
improved and what regressed against its folder's baseline; IMR_EVAL_UPDATE_BASELINE=1 makes this
run the new baselines.

Offline (the default) no test may reach the network: tests/network_guard.py (the guard of tests/
too) fails any connection or name lookup that would leave this machine. With IMR_LLM_MODEL set
(run `pytest evals/` on its own: tests/conftest.py unsets it for unit tests) the same tests score
that model.

IMR_EVAL_GOLD points the same tests at one other gold folder instead (scored against the
[gold.*] bounds), IMR_EVAL_REPORTS at another reports folder.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path

import pytest

from network_guard import go_offline  # tests/network_guard.py: tests/ is on sys.path (pyproject)
from paths import BLIND, EVALS, GOLD

if os.environ.get("IMR_EVAL_GOLD"):  # any imr-gold/1 folder, on its own
    FOLDERS = {"gold": Path(os.environ["IMR_EVAL_GOLD"])}
else:
    FOLDERS = {"gold": GOLD, "blind": BLIND}
REPORTS = Path(os.environ.get("IMR_EVAL_REPORTS") or EVALS / "reports")
THRESHOLDS = tomllib.loads((EVALS / "thresholds.toml").read_text(encoding="utf-8"))
MODEL = os.environ.get("IMR_LLM_MODEL") or None
_state: dict[str, dict] = {}

if MODEL is None:
    go_offline()


def bounds_of(folder: str) -> list[tuple[str, str, float]]:
    """(metric, '>=' or '<=', value) for a folder, from its [<folder>.floors] and [<folder>.ceilings]."""
    table = THRESHOLDS.get(folder, {})
    return ([(m, ">=", v) for m, v in table.get("floors", {}).items()]
            + [(m, "<=", v) for m, v in table.get("ceilings", {}).items()])


def shown_bounds(folder: str) -> dict[str, str]:
    return {m: f"{op} {v}" for m, op, v in bounds_of(folder)}


def pytest_generate_tests(metafunc) -> None:
    """In test_gold.py, `bound` runs over each folder's bounds ((folder, metric, op, value), id: folder-metric)
    and `letter` over each folder's letters ((folder, letter name))."""
    if metafunc.module.__name__.rpartition(".")[2] != "test_gold":
        return
    if "bound" in metafunc.fixturenames:
        bounds = [(folder, *bound) for folder in FOLDERS for bound in bounds_of(folder)]
        metafunc.parametrize("bound", bounds, ids=[f"{f}-{m}{op}{v}" for f, m, op, v in bounds])
    if "letter" in metafunc.fixturenames:
        from imr_llm.evaluation.evaluate import load_gold

        letters = [(folder, gold.name) for folder, path in FOLDERS.items() for gold in load_gold(path)]
        metafunc.parametrize("letter", letters, ids=[f"{f}-{name}" for f, name in letters])


def _suffix(folder: str) -> str:
    parts = ([] if folder == "gold" else [folder]) + ([re.sub(r"[^a-z0-9]+", "-", MODEL.lower()).strip("-")]
                                                     if MODEL else [])
    return "".join(f"-{p}" for p in parts)


def baseline_path(folder: str = "gold") -> Path:
    return REPORTS / f"baseline{_suffix(folder)}.json"


def latest_path(folder: str = "gold") -> Path:
    return REPORTS / f"latest{_suffix(folder)}.json"


def _evaluate(folder: str, home: Path) -> dict:
    from imr_llm.evaluation.report import compare_reports, report_markdown
    from imr_llm.evaluation.evaluate import evaluate

    patch = pytest.MonkeyPatch()
    patch.setenv("IMR_HOME", str(home))
    try:
        report = evaluate(FOLDERS[folder], model=MODEL)
    finally:
        patch.undo()
    report["gold_dir"] = os.environ.get("IMR_EVAL_GOLD") or f"evals/{folder}"
    baseline_file = baseline_path(folder)
    comparison = None
    if baseline_file.is_file():
        comparison = compare_reports(report, json.loads(baseline_file.read_text(encoding="utf-8")))
    REPORTS.mkdir(exist_ok=True)
    text = json.dumps(report, indent=2, default=str) + "\n"
    latest = latest_path(folder)
    latest.write_text(text, encoding="utf-8")
    latest.with_suffix(".md").write_text(report_markdown(report, comparison, shown_bounds(folder)), encoding="utf-8")
    if os.environ.get("IMR_EVAL_UPDATE_BASELINE") == "1":
        baseline_file.write_text(text, encoding="utf-8")
        baseline_file.with_suffix(".md").write_text(report_markdown(report, None, shown_bounds(folder)),
                                                    encoding="utf-8")
    _state[folder] = {"report": report, "comparison": comparison, "baseline": baseline_file}
    return report


@pytest.fixture(scope="session")
def evaluations(tmp_path_factory):
    """`evaluations(folder)`: the report of one evaluation of that folder, run once per session (when first asked)."""

    def get(folder: str) -> dict:
        if folder not in _state:
            _evaluate(folder, tmp_path_factory.mktemp(f"imr-home-{folder}"))
        return _state[folder]["report"]

    return get


@pytest.fixture(scope="session")
def baselines():
    """`baselines(folder)`: the folder's committed baseline report, or None."""

    def get(folder: str) -> dict | None:
        path = baseline_path(folder)
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    return get


@pytest.fixture(scope="session")
def evaluation(evaluations) -> dict:
    """The report of evals/gold (or IMR_EVAL_GOLD)."""
    return evaluations("gold")


def pytest_terminal_summary(terminalreporter) -> None:
    if not _state:
        return
    from imr_llm.evaluation.report import metric_names, miss_line, review_lines

    write = terminalreporter.write_line
    for folder, state in _state.items():
        report = state["report"]
        bounds = shown_bounds(folder)
        terminalreporter.section(f"evaluation of {report['gold_dir']}, engine {report['engine']}, {report['seconds']} s")
        for name in metric_names(report):
            value = report[name]
            shown = "-" if value is None else f"{value:.4f}" if isinstance(value, float) else str(value)
            write(f"{name:32} {shown}" + (f"   ({bounds[name]})" if name in bounds else ""))
        for name, why in (report.get("ragas_skipped") or {}).items():
            write(f"{name:32} left out: {why}")
        flagged = review_lines(report)
        if flagged:
            write(f"letters flagged for a person ({len(flagged)}), their decisions still scored:")
            for line in flagged:
                write(f"  {line}")
        questions = [miss_line(letter["letter"], m) for letter in report["per_letter"] for m in letter["misses"]
                     if m["metric"] in ("answer_hit_rate", "evidence_hit_rate", "abstention_accuracy")]
        if questions:
            write(f"question misses ({len(questions)}), not failures unless a bound is crossed:")
            for line in questions:
                write(f"  {line}")
        comparison = state["comparison"]
        if comparison is None:
            write(f"no baseline at {state['baseline']}: run with IMR_EVAL_UPDATE_BASELINE=1 to make one")
        else:
            write(f"against {state['baseline'].name}:")
            for line in comparison.lines():
                write(f"  {line}")
        write(f"report: {latest_path(folder).with_suffix('.md')} and .json")
