"""The evaluation behind `pytest evals/`: run once per session on evals/gold, write a report, compare it.

Offline (the default) no test may reach the network: a socket guard fails any
connection that leaves this machine. With IMR_LLM_MODEL set (run `pytest evals/` on
its own: tests/conftest.py unsets it for unit tests) the same tests score that model.

Each run writes evals/reports/latest.json and latest.md, and prints what improved and
what regressed against the committed evals/reports/baseline.json (baseline-<model>.json
for an LLM). IMR_EVAL_UPDATE_BASELINE=1 makes this run the new baseline.
IMR_EVAL_GOLD and IMR_EVAL_REPORTS point the same tests at another gold folder and
another reports folder.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import socket
import tomllib
from pathlib import Path

import pytest

EVALS = Path(__file__).resolve().parent
GOLD = Path(os.environ.get("IMR_EVAL_GOLD") or EVALS / "gold")  # any imr-gold/1 folder
REPORTS = Path(os.environ.get("IMR_EVAL_REPORTS") or EVALS / "reports")
_THRESHOLDS = tomllib.loads((EVALS / "thresholds.toml").read_text(encoding="utf-8"))
FLOORS: dict[str, float] = _THRESHOLDS.get("floors", {})
CEILINGS: dict[str, float] = _THRESHOLDS.get("ceilings", {})  # for metrics where lower is better
BOUNDS = {m: f">= {v}" for m, v in FLOORS.items()} | {m: f"<= {v}" for m, v in CEILINGS.items()}
MODEL = os.environ.get("IMR_LLM_MODEL") or None
_state: dict = {}

if MODEL is None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    _connect = socket.socket.connect

    def _local(address) -> bool:
        host = address[0] if isinstance(address, tuple) else address
        host = host.decode() if isinstance(host, bytes) else host
        if not isinstance(host, str) or host in ("", "localhost"):
            return True
        try:
            return ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            return False

    def _guarded(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(address):
            raise RuntimeError(f"an offline evaluation tried to reach the network: {address!r}")
        return _connect(self, address)

    if getattr(socket.socket.connect, "__name__", "") not in ("_guarded", "_guarded_connect"):
        socket.socket.connect = _guarded


def pytest_generate_tests(metafunc) -> None:
    """In test_gold.py, `bound` runs over thresholds.toml ((metric, '>=' or '<=', value), id: the metric)
    and `letter` over the gold letters."""
    if metafunc.module.__name__.rpartition(".")[2] != "test_gold":
        return
    if "bound" in metafunc.fixturenames:
        bounds = [(m, ">=", v) for m, v in FLOORS.items()] + [(m, "<=", v) for m, v in CEILINGS.items()]
        metafunc.parametrize("bound", bounds, ids=[f"{m}{op}{v}" for m, op, v in bounds])
    if "letter" in metafunc.fixturenames:
        from imr_llm.evaluate import load_gold

        metafunc.parametrize("letter", [gold.name for gold in load_gold(GOLD)])


def baseline_path() -> Path:
    if MODEL is None:
        return REPORTS / "baseline.json"
    return REPORTS / f"baseline-{re.sub(r'[^a-z0-9]+', '-', MODEL.lower()).strip('-')}.json"


@pytest.fixture(scope="session")
def evaluation(tmp_path_factory) -> dict:
    """The report of one evaluation of evals/gold, shared by every test of the session."""
    from imr_llm.eval_report import compare_reports, report_markdown
    from imr_llm.evaluate import evaluate

    patch = pytest.MonkeyPatch()
    patch.setenv("IMR_HOME", str(tmp_path_factory.mktemp("imr-home")))
    try:
        report = evaluate(GOLD, model=MODEL)
    finally:
        patch.undo()
    report["gold_dir"] = os.environ.get("IMR_EVAL_GOLD") or "evals/gold"
    baseline_file = baseline_path()
    comparison = None
    if baseline_file.is_file():
        comparison = compare_reports(report, json.loads(baseline_file.read_text(encoding="utf-8")))
    REPORTS.mkdir(exist_ok=True)
    text = json.dumps(report, indent=2, default=str) + "\n"
    (REPORTS / "latest.json").write_text(text, encoding="utf-8")
    (REPORTS / "latest.md").write_text(report_markdown(report, comparison, BOUNDS), encoding="utf-8")
    if os.environ.get("IMR_EVAL_UPDATE_BASELINE") == "1":
        baseline_file.write_text(text, encoding="utf-8")
        baseline_file.with_suffix(".md").write_text(report_markdown(report, None, BOUNDS), encoding="utf-8")
    _state.update(report=report, comparison=comparison, baseline=baseline_file)
    return report


def pytest_terminal_summary(terminalreporter) -> None:
    report = _state.get("report")
    if report is None:
        return
    from imr_llm.eval_report import metric_names, miss_line

    write = terminalreporter.write_line
    terminalreporter.section(f"evaluation of {report['gold_dir']}, engine {report['engine']}, {report['seconds']} s")
    for name in metric_names(report):
        value, floor, ceiling = report[name], FLOORS.get(name), CEILINGS.get(name)
        shown = "-" if value is None else f"{value:.4f}"
        bound = f"   (floor {floor})" if floor is not None else f"   (ceiling {ceiling})" if ceiling is not None else ""
        write(f"{name:32} {shown}{bound}")
    for name, why in (report.get("ragas_skipped") or {}).items():
        write(f"{name:32} left out: {why}")
    questions = [miss_line(letter["letter"], m) for letter in report["per_letter"] for m in letter["misses"]
                 if m["metric"] in ("answer_hit_rate", "evidence_hit_rate")]
    if questions:
        write(f"question misses ({len(questions)}), not failures unless a floor is crossed:")
        for line in questions:
            write(f"  {line}")
    comparison = _state.get("comparison")
    if comparison is None:
        write(f"no baseline at {_state['baseline']}: run with IMR_EVAL_UPDATE_BASELINE=1 to make one")
    else:
        write(f"against {_state['baseline'].name}:")
        for line in comparison.lines():
            write(f"  {line}")
    write(f"report: {REPORTS / 'latest.md'} and latest.json")
