"""Evaluation reports for people: what changed against a baseline report, and a markdown table.

Both work on the JSON-able report of `imr_llm.evaluation.evaluate.evaluate`, so a report read
back from a file (e.g. the committed evals/reports/baseline.json) compares the same
way as a fresh one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Comparison", "compare_reports", "metric_names", "miss_line", "report_markdown", "review_lines"]

_NOT_METRICS = {"seconds", "letters", "failed_letters"}


def metric_names(report: dict) -> list[str]:
    """Top-level scores of a report, in report order (higher is better unless listed in `lower_is_better`)."""
    return [k for k, v in report.items() if k not in _NOT_METRICS and isinstance(v, float | int) and not isinstance(v, bool)]


def _shown(value: Any, width: int = 160) -> str:
    text = repr(value) if not isinstance(value, str) else repr(" ".join(value.split()))
    return text if len(text) <= width else text[: width - 3] + "..."


def miss_line(letter: str, miss: dict) -> str:
    line = f"{letter}: {miss['metric']}: {miss['what']}: predicted {_shown(miss['predicted'])}, gold {_shown(miss['gold'])}"
    return line + (f" ({miss['note']})" if miss.get("note") else "")


def _misses(report: dict) -> dict[tuple[str, str, str], tuple[str, dict]]:
    return {(letter["letter"], m["metric"], m["what"]): (letter["letter"], m)
            for letter in report.get("per_letter", []) for m in letter.get("misses", [])}


@dataclass
class Comparison:
    improved: list[str] = field(default_factory=list)
    regressed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"note: {n}" for n in self.notes]
        out += [f"REGRESSED  {line}" for line in self.regressed]
        out += [f"improved   {line}" for line in self.improved]
        return out or ["no change against the baseline"]


def compare_reports(current: dict, baseline: dict) -> Comparison:
    """Metric moves, newly failing letters and new/fixed misses of `current` against `baseline`."""
    result = Comparison()
    if current.get("engine") != baseline.get("engine"):
        result.notes.append(f"baseline engine {baseline.get('engine')!r}, this run {current.get('engine')!r}")
    for name in metric_names(current):
        now, before = current.get(name), baseline.get(name)
        if not isinstance(before, float | int) or now is None or abs(now - before) < 1e-9:
            continue
        line = f"{name}: {before:.4f} -> {now:.4f} ({now - before:+.4f})"
        better = now < before if name in current.get("lower_is_better", []) else now > before
        (result.improved if better else result.regressed).append(line)
    errors_now = {letter["letter"]: letter.get("error") for letter in current.get("per_letter", [])}
    errors_before = {letter["letter"]: letter.get("error") for letter in baseline.get("per_letter", [])}
    for letter, error in errors_now.items():
        if error and not errors_before.get(letter):
            result.regressed.append(f"{letter}: now fails: {error}")
        elif errors_before.get(letter) and not error:
            result.improved.append(f"{letter}: no longer fails")
    missing = sorted(set(errors_before) - set(errors_now))
    if missing:
        result.notes.append(f"letters in the baseline but not in this run: {', '.join(missing)}")
    now_misses, before_misses = _misses(current), _misses(baseline)
    for key, (letter, miss) in now_misses.items():
        if key not in before_misses and letter in errors_before:
            result.regressed.append(miss_line(letter, miss))
    for key, (letter, miss) in before_misses.items():
        if key not in now_misses and letter in errors_now:
            result.improved.append(f"now right: {miss_line(letter, miss)}")
    return result


def _cell(value: Any) -> str:
    text = "-" if value is None else (f"{value:.4f}" if isinstance(value, float) else str(value))
    return " ".join(text.split()).replace("|", "\\|")


def review_lines(report: dict) -> list[str]:
    """One line per letter flagged for a person or unreadable, with the reader's reasons."""
    lines = []
    for letter in report.get("per_letter", []):
        if letter.get("unreadable"):
            why = letter.get("error") or "no disputed item with a decision was read"
            lines.append(f"{letter['letter']}: unreadable: {why}")
        if letter.get("needs_review"):
            lines.append(f"{letter['letter']}: needs review: " + ("; ".join(letter.get("review_reasons") or []) or
                                                                  "no reason given"))
    return lines


def report_markdown(report: dict, comparison: Comparison | None = None, bounds: dict[str, str] | None = None) -> str:
    """The report as markdown; `bounds` shows each metric's threshold (e.g. {"decision_accuracy": ">= 0.98"})."""
    bounds = bounds or {}
    lines = [f"# Evaluation of {report.get('gold_dir')}", "",
             f"engine `{report.get('engine')}`, {report.get('letters')} letters "
             f"({report.get('failed_letters', 0)} failed), {report.get('seconds')} s", "",
             "| metric | value | hits / total | threshold |", "| --- | --- | --- | --- |"]
    counts = report.get("counts", {})
    for name in metric_names(report):
        count = counts.get(name)
        shown = f"{count['hits']} / {count['total']}" if count else None
        lines.append(f"| {name} | {_cell(report[name])} | {_cell(shown)} | {_cell(bounds.get(name))} |")
    for name, why in (report.get("ragas_skipped") or {}).items():
        lines.append(f"| {name} | left out: {_cell(why)} | | |")
    lines += ["", "## Letters", "", "| letter | " + " | ".join(counts) + " | review | error |",
              "| --- | " + " | ".join("---" for _ in counts) + " | --- | --- |"]
    for letter in report.get("per_letter", []):
        cells = [f"{c['hits']}/{c['total']}" for c in letter["counts"].values()]
        review = "unreadable" if letter.get("unreadable") else "needs review" if letter.get("needs_review") else ""
        lines.append(f"| {letter['letter']} | " + " | ".join(cells) + f" | {review} | {_cell(letter.get('error'))} |")
    flagged = review_lines(report)
    lines += ["", f"## Letters flagged for a person ({len(flagged)})", ""] + [f"- {_cell(line)}" for line in flagged]
    misses = [(letter["letter"], m) for letter in report.get("per_letter", []) for m in letter.get("misses", [])]
    lines += ["", f"## Misses ({len(misses)})", "", "| letter | metric | what | predicted | gold |",
              "| --- | --- | --- | --- | --- |"]
    lines += [f"| {letter} | {m['metric']} | {_cell(m['what'])} | {_cell(_shown(m['predicted'], 300))} | "
              f"{_cell(_shown(m['gold'], 300))} |" for letter, m in misses]
    if comparison is not None:
        lines += ["", "## Against the baseline", ""] + [f"- {line}" for line in comparison.lines()]
    return "\n".join(lines) + "\n"
