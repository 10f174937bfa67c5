"""Write the generated parts of the documents, so that they cannot disagree with the code or the reports.

    python scripts/figures.py            # rewrite every generated block
    python scripts/figures.py --check    # exit 1, naming the documents, if a block is out of date

Each block sits between two marker comments, `<!-- figures:NAME:start -->` and `<!-- figures:NAME:end -->`:

- `baselines` (README.md, evals/README.md): the offline engine's figures from the committed baseline reports
  (evals/reports/baseline.json for evals/gold, baseline-blind.json for evals/blind) beside the bounds of
  evals/thresholds.toml ([gold.*], [blind.*] and [plain]);
- `imports` (ARCHITECTURE.md): the imports between the subpackages, from the code (scripts/architecture.py).

Nothing here runs the evaluation: refresh the baselines first (IMR_EVAL_UPDATE_BASELINE=1 pytest evals/),
then run this script and commit the documents with the reports.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "evals" / "reports"
BLOCKS = {"README.md": ["baselines"], "evals/README.md": ["baselines"], "ARCHITECTURE.md": ["imports"]}
Report = dict


def _rate(name: str, none: str = "-") -> Callable[[Report], str]:
    def show(report: Report) -> str:
        value, counts = report.get(name), report.get("counts", {}).get(name, {})
        if value is None:
            return none
        return f"{value:.4f} ({counts['hits']} / {counts['total']})" if counts else f"{value:.4f}"
    return show


def _of_letters(name: str) -> Callable[[Report], str]:
    return lambda report: f"{report[name]} of {report['letters']}"


def _pair(first: str, second: str, words: tuple[str, str] = ("mean", "max")) -> Callable[[Report], str]:
    return lambda report: f"{words[0]} {report[first]}, {words[1]} {report[second]}"


def _generic(report: Report) -> str:
    return f"{report['plain_generic_reason_share']:.4f} ({report['plain_generic_reasons']} items)"


def _ragas(report: Report) -> str:
    return f"{report['ragas_context_precision']:.4f} / {report['ragas_context_recall']:.4f}"


# (the row's label, the metric whose bound the row shows, how the figure is shown from a report)
ROWS: list[tuple[str, str, Callable[[Report], str]]] = [
    ("decision_accuracy", "decision_accuracy", _rate("decision_accuracy")),
    ("item_precision", "item_precision", _rate("item_precision")),
    ("field_accuracy", "field_accuracy", _rate("field_accuracy")),
    ("unreadable_letters (no decision read)", "unreadable_letters", _of_letters("unreadable_letters")),
    ("needs_review_letters (flagged for a person; decisions still scored)", "needs_review_letters",
     _of_letters("needs_review_letters")),
    ("answer_hit_rate", "answer_hit_rate", _rate("answer_hit_rate")),
    ("evidence_hit_rate (answerable questions)", "evidence_hit_rate", _rate("evidence_hit_rate")),
    ("abstention_accuracy (questions the letter does not answer)", "abstention_accuracy",
     _rate("abstention_accuracy", "- (no such question)")),
    ('false_abstentions (answerable, answered "the letter does not say")', "false_abstentions",
     lambda report: str(report["false_abstentions"])),
    ("plain_outcome_accuracy (English + Spanish)", "plain_outcome_accuracy", _rate("plain_outcome_accuracy")),
    ("plain-language grade (Flesch-Kincaid, English)", "plain_grade_max",
     _pair("plain_grade_mean", "plain_grade_max")),
    ("plain-language Spanish (Fernandez-Huerta)", "plain_es_fernandez_huerta_min",
     _pair("plain_es_fernandez_huerta_mean", "plain_es_fernandez_huerta_min", ("mean", "min"))),
    ("words in a plain summary", "plain_words_max", lambda report: f"max {report['plain_words_max']}"),
    ("numbers in plain summaries not in the letter", "plain_unsupported_numbers",
     lambda report: str(report["plain_unsupported_numbers"])),
    ("plain_generic_reason_share (why only a general line)", "plain_generic_reason_share", _generic),
    ("ragas context precision / recall (non-LLM)", "ragas_context", _ragas),
    ("ragas_evidence_similarity", "ragas_evidence_similarity", _rate("ragas_evidence_similarity")),
]


def _number(value: float) -> str:
    return f"{value:g}"


def bound(thresholds: dict, folder: str, metric: str) -> str:
    """The bound `pytest evals/` holds a folder's figure to, as the table shows it."""
    table = thresholds.get(folder, {})
    if metric in table.get("floors", {}):
        return f">= {_number(table['floors'][metric])}"
    if metric in table.get("ceilings", {}):
        return f"<= {_number(table['ceilings'][metric])}"
    plain = thresholds["plain"]
    each = {  # evals/test_plain.py holds every summary of both folders to these
        "plain_grade_max": f"<= {_number(plain['grade_max'])} each summary",
        "plain_es_fernandez_huerta_min": f">= {_number(plain['fernandez_huerta_min'])} each summary",
        "plain_unsupported_numbers": f"<= {_number(plain['unsupported_numbers_max'])}",
        "plain_words_max": (f"{plain['words_min']} to {plain['words_max']['en']} (en), "
                            f"{plain['words_max']['es']} (es); "
                            f"{plain['words_per_further_item']} more an item past {plain['items_within_words_max']}"),
    }
    if metric in each:
        return each[metric]
    if metric == "plain_generic_reason_share" and folder == "gold":  # the evals/gold report only
        return f"<= {_number(plain['generic_reason_share_max'])}"
    return "reported"


def baselines_table(gold: Report, blind: Report, thresholds: dict) -> str:
    lines = [
        f"| metric | evals/gold ({gold['letters']} letters) | evals/blind ({blind['letters']} letters) "
        "| bound gold / blind (`evals/thresholds.toml`) |",
        "| --- | --- | --- | --- |",
    ]
    for label, metric, show in ROWS:
        bounds = [bound(thresholds, folder, metric) for folder in ("gold", "blind")]
        shown = bounds[0] if bounds[0] == bounds[1] else " / ".join(bounds)
        lines.append(f"| {label} | {show(gold)} | {show(blind)} | {shown} |")
    engines = {gold.get("engine"), blind.get("engine")}
    lines.append("")
    lines.append(f"Engine `{'`, `'.join(sorted(map(str, engines)))}`; where a row shows one bound, it holds for "
                 "both folders. Figures from `evals/reports/baseline.json` and `evals/reports/baseline-blind.json`, "
                 "bounds from `evals/thresholds.toml`, written here by `python scripts/figures.py`.")
    return "\n".join(lines) + "\n"


def blocks() -> dict[str, str]:
    """Every generated block's text, by name."""
    gold = json.loads((REPORTS / "baseline.json").read_text(encoding="utf-8"))
    blind = json.loads((REPORTS / "baseline-blind.json").read_text(encoding="utf-8"))
    thresholds = tomllib.loads((ROOT / "evals" / "thresholds.toml").read_text(encoding="utf-8"))
    return {"baselines": baselines_table(gold, blind, thresholds), "imports": _architecture().diagram(ROOT)}


def _architecture():
    """scripts/architecture.py, the script beside this one (scripts/ is not a package)."""
    name = "imr_llm_scripts_architecture"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().with_name("architecture.py"))
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


def marker(name: str, end: str) -> str:
    return f"<!-- figures:{name}:{end} -->"


def rewritten(text: str, name: str, body: str, document: str) -> str:
    pattern = re.compile(re.escape(marker(name, "start")) + r"\n.*?" + re.escape(marker(name, "end")), re.S)
    if len(pattern.findall(text)) != 1:
        raise SystemExit(f"{document}: expected one block between {marker(name, 'start')} and {marker(name, 'end')}")
    return pattern.sub(lambda _: f"{marker(name, 'start')}\n{body}{marker(name, 'end')}", text)


def stale(write: bool = False) -> list[str]:
    """The documents whose generated blocks are out of date (rewritten when `write`)."""
    generated = blocks()
    out_of_date = []
    for document, names in BLOCKS.items():
        path = ROOT / document
        text = path.read_text(encoding="utf-8")
        new = text
        for name in names:
            new = rewritten(new, name, generated[name], document)
        if new != text:
            out_of_date.append(document)
            if write:
                path.write_text(new, encoding="utf-8")
    return out_of_date


def main(argv: list[str]) -> int:
    check = "--check" in argv
    documents = stale(write=not check)
    if check and documents:
        print(f"out of date: {', '.join(documents)}; run python scripts/figures.py", file=sys.stderr)
        return 1
    print(("rewrote " + ", ".join(documents)) if documents else "every document is up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
