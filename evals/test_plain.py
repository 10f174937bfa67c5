"""Plain-language summaries on every gold and blind letter, in English and Spanish: readable and faithful.

- English: Flesch-Kincaid grade 8 or lower; Spanish: Fernandez-Huerta 70 or higher ("bastante fácil").
  These bounds and the word limits are read from the [plain] table of evals/thresholds.toml.
- Every number and date is written as the letter writes it (the law's 30-day deadline aside).
- Each item's stated outcome is the typed summary's, and across the folder it matches the gold decisions.
- Every why sentence rests on a sentence of the letter (its span) and explains the outcome it is written for.

With IMR_LLM_MODEL set, `plain_summary` uses the LLM engine and the same checks hold for its output.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from imr_llm.store.load import load_letter
from imr_llm.parse import parse_letter
from imr_llm.plain.summary import plain_summary
from imr_llm.evaluation.plain_eval import outcome_accuracy, stated_outcomes
from imr_llm.plain.checks import fk_grade, spanish_readability, unsupported_numbers, word_count
from imr_llm.plain.reasons import REASONS

from paths import BLIND, GOLD  # BLIND: written independently of this project

RECORDS = sorted(GOLD.glob("*.gold.json"))
ALL_RECORDS = RECORDS + sorted(BLIND.glob("*.gold.json"))
THRESHOLDS = tomllib.loads((Path(__file__).resolve().parent / "thresholds.toml").read_text(encoding="utf-8"))
PLAIN = THRESHOLDS["plain"]  # the plain-language bounds
OUTCOME_FLOOR = THRESHOLDS["gold"]["floors"]["plain_outcome_accuracy"]
_cache: dict[tuple[str, str], tuple] = {}


def _run(record: Path, lang: str):
    key = (record.name, lang)
    if key not in _cache:
        gold = json.loads(record.read_text(encoding="utf-8"))
        letter = load_letter(record.parent / gold["letter"])
        try:
            summary = parse_letter(letter)
        except Exception as exc:  # noqa: BLE001 - test_gold / the eval count an unreadable letter against the reader
            pytest.skip(f"the reader cannot read this letter yet, so it has no plain summary: {exc}")
        _cache[key] = (gold, letter, summary, plain_summary(summary, letter.text, lang))  # type: ignore[arg-type]
    return _cache[key]


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("record", ALL_RECORDS, ids=lambda p: f"{p.parent.name}/{p.name.removesuffix('.gold.json')}")
def test_plain_summary_is_readable_and_faithful(record, lang):
    gold, letter, summary, plain = _run(record, lang)
    text = plain.text
    if lang == "en":
        assert fk_grade(text) <= PLAIN["grade_max"], f"grade {fk_grade(text):.1f}:\n{text}"
    else:
        assert spanish_readability(text) >= PLAIN["fernandez_huerta_min"], \
            f"Fernandez-Huerta {spanish_readability(text):.1f}:\n{text}"
    unsupported = unsupported_numbers(text, letter.text, lang=lang)
    assert len(unsupported) <= PLAIN["unsupported_numbers_max"], unsupported
    further_items = max(0, len(plain.items) - PLAIN["items_within_words_max"])
    words_max = PLAIN["words_max"][lang] + PLAIN["words_per_further_item"] * further_items
    assert PLAIN["words_min"] <= word_count(text) <= words_max, f"{word_count(text)} words:\n{text}"
    assert stated_outcomes(text) == [item.authorized for item in summary.items]
    assert [i.approved for i in plain.items] == [i.authorized for i in summary.items]
    outcomes = {r.key: r.outcome for r in REASONS}
    for item, decision in zip(plain.items, summary.items, strict=True):
        assert item.why
        # a template or the reviewer's own words rests on a sentence of the letter; a general line (true of every
        # such decision) may have none when the reader found no rationale for the item
        assert len(item.sources) == len(item.why) or item.why_kind == ["general"]
        assert all(outcomes.get(kind, decision.decision.value) == decision.decision.value for kind in item.why_kind)
        for source in item.sources:
            assert source.span is not None
            quoted = letter.text[source.span.start : source.span.end]
            assert _words(source.quote) <= _words(quoted) | _words(quoted.replace("-\n", ""))
    if lang == "en":
        assert not re.search(r"\b(?:upheld|overturned)\b", text, re.I)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_plain_outcomes_match_the_gold_decisions(lang):
    scores = [outcome_accuracy(_run(record, lang)[3], _run(record, lang)[0]["decisions"]) for record in RECORDS]
    assert sum(scores) / len(scores) >= OUTCOME_FLOOR, dict(zip((r.name for r in RECORDS), scores, strict=True))


def test_the_evaluation_report_carries_the_plain_figures(evaluation):
    """`imr-llm eval` / `pytest evals/` report: plain_* figures within the same limits (both languages)."""
    assert evaluation["plain_outcome_accuracy"] >= OUTCOME_FLOOR
    assert evaluation["plain_grade_max"] <= PLAIN["grade_max"] and evaluation["plain_grade_mean"] <= PLAIN["grade_max"]
    assert evaluation["plain_es_fernandez_huerta_min"] >= PLAIN["fernandez_huerta_min"]
    assert evaluation["plain_unsupported_numbers"] <= PLAIN["unsupported_numbers_max"]
    assert "plain_grade_max" in evaluation["lower_is_better"]
    assert "plain_generic_reason_share" in evaluation["lower_is_better"]
    # a template or the reviewer's own words for nearly all items
    assert evaluation["plain_generic_reason_share"] <= PLAIN["generic_reason_share_max"]
    row = evaluation["per_letter"][0]["plain"]
    assert set(row) == {"en", "es"} and row["en"]["unsupported"] == [] and row["en"]["grade"] <= PLAIN["grade_max"]
