"""Floors per metric, and each gold letter's decisions and case fields, on evals/gold.

`bound` runs over evals/thresholds.toml and `letter` over the gold letters (see conftest.py).
A failure names the letter, the item or field, and the predicted and gold values.
Question misses (answers, evidence) fail only through their metric's floor; they are
listed in the terminal summary and in evals/reports/latest.md.
"""

from __future__ import annotations

import pytest

from imr_llm.eval_report import miss_line

# What a letter must get exactly right: its decisions, no invented items, its case fields.
EXACT = ("decision_accuracy", "item_precision", "field_accuracy")


def test_metric(evaluation, bound):
    metric, op, limit = bound
    value = evaluation.get(metric)
    if value is None:
        pytest.skip(f"{metric} is not measured in this run (engine {evaluation['engine']})")
    misses = [miss_line(letter["letter"], m) for letter in evaluation["per_letter"] for m in letter["misses"]
              if m["metric"] == metric]
    ok = value >= limit if op == ">=" else value <= limit
    assert ok, f"{metric} = {value:.4f}, not {op} {limit} (evals/thresholds.toml); misses:\n" + "\n".join(misses)


def test_letter(evaluation, letter, record_property):
    result = next(r for r in evaluation["per_letter"] if r["letter"] == letter)
    assert result["error"] is None, f"{letter} failed to load or parse: {result['error']}"
    record_property("question_misses", [miss_line(letter, m) for m in result["misses"] if m["metric"] not in EXACT])
    wrong = [miss_line(letter, m) for m in result["misses"] if m["metric"] in EXACT]
    assert not wrong, "\n".join(wrong)
