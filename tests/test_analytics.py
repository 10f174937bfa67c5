"""Corpus analytics: treatment categories, counts, overturn rates, case search, and `imr-llm stats`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from imr_llm import api
from imr_llm.analytics import (CATEGORIES, Corpus, corpus_stats, find_cases, item_rows, treatment_category,
                               wilson_interval)
from imr_llm.cli import app as cli_app
from imr_llm.models import DecisionSummary, Grounded, ItemDecision, Span

from paths import GOLD_LETTER as GOLD_A, GOLD_LETTER_B as GOLD_B


@pytest.mark.parametrize("item, category", [
    ("Physical Therapy (PT), (2) times a week for (4) weeks for the left leg and neck", "physical therapy"),
    ("Post-operative physical therapy 3 times a week for 6 weeks (18 sessions)", "physical therapy"),
    ("Aquatic therapy 2 times a week for 4 weeks for the right knee", "physical therapy"),
    ("Chiropractic treatment 2 times a week for 4 weeks", "chiropractic"),
    ("Acupuncture 6 sessions for the right shoulder", "acupuncture"),
    ("Repeat cervical epidural steroid injection at C5-6", "injections (ESI/facet/RFA)"),
    ("radiofrequency ablation at bilateral L4-5 and L5-S1", "injections (ESI/facet/RFA)"),
    ("Synvisc injections to the right knee", "injections (ESI/facet/RFA)"),
    ("Repeat MRI of the right knee", "imaging (MRI/CT/X-ray)"),
    ("X-rays of the lumbar spine with flexion and extension views", "imaging (MRI/CT/X-ray)"),
    ("EMG/NCV of the bilateral upper extremities", "nerve tests (EMG/NCV)"),
    ("Norco 10/325mg #120", "opioids"),
    ("Hydrocodone/APAP 7.5/325mg #90", "opioids"),
    ("Tramadol ER 150mg #30", "opioids"),
    ("Naproxen sodium 550mg #60", "NSAIDs"),
    ("Cyclobenzaprine 7.5mg #90", "muscle relaxants"),
    ("Compounded topical cream: Flurbiprofen 20%, Baclofen 2%, Lidocaine 5%", "topical compounds / patches"),
    ("Lidoderm 5% patches #30", "topical compounds / patches"),
    ("Omeprazole 20mg #60", "PPIs"),
    ("Gabapentin 600mg #90", "gabapentin"),
    ("TENS unit, 30 day home trial", "durable medical equipment (TENS/H-wave)"),
    ("H-wave unit (purchase)", "durable medical equipment (TENS/H-wave)"),
    ("L4-L5 and L5-S1 anterior and posterior lumbar fusion", "surgery"),
    ("Right knee arthroscopy with partial medial meniscectomy", "surgery"),
    ("Functional restoration program evaluation", "functional restoration"),
    ("Cognitive behavioral therapy, 6 sessions", "psychological (CBT)"),
    ("Urine drug screen", "urine drug screen"),
    ("Home health aide 4 hours a day, 5 days a week", "home health / gym"),
    ("6 month gym membership", "home health / gym"),
    ("Orthopedic surgery consultation", "consultations"),
    ("the disputed items/services", "other"),
])
def test_treatment_category_from_item_text(item, category):
    assert category in CATEGORIES
    assert treatment_category(item) == category


def test_wilson_interval_brackets_the_rate():
    low, high = wilson_interval(5, 10)
    assert round(low, 3) == 0.237 and round(high, 3) == 0.763
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = wilson_interval(0, 4)
    assert low == 0.0 and 0.4 < high < 0.6


def _item(index: int, text: str, decision: str, guidelines: list[str]) -> ItemDecision:
    span = Span(start=10 * index, end=10 * index + len(text))
    return ItemDecision(index=index, item=Grounded[str](value=text, quote=text, span=span),
                        decision=Grounded(value=decision, quote=decision), guidelines=[Grounded[str](value=g) for g in guidelines])


def _summary(case_id: str, *items: tuple[str, str, list[str]]) -> DecisionSummary:
    return DecisionSummary(letter_id=case_id.lower(), case_id=case_id,
                           items=[_item(n, *spec) for n, spec in enumerate(items, start=1)])


CORPUS = [
    _summary("CM14-0000001", ("Physical therapy x 8", "overturned", ["MTUS Chronic Pain Medical Treatment Guidelines"]),
             ("Norco 10/325mg #60", "upheld", ["MTUS", "Official Disability Guidelines (ODG)"])),
    _summary("CM14-0000002", ("Physical therapy x 12", "upheld", ["ACOEM Practice Guidelines"])),
    _summary("CM15-0000003", ("Acupuncture x 6", "upheld", []), ("Tramadol 50mg", "upheld", ["MTUS"])),
]


def test_corpus_stats_counts_items_letters_categories_and_guidelines():
    stats = corpus_stats(CORPUS)
    assert (stats.letters, stats.items) == (3, 5)
    assert dict(stats.by_decision) == {"overturned": 1, "upheld": 4}
    assert dict(stats.letters_by_outcome) == {"partial": 1, "upheld": 2}
    assert dict(stats.by_guideline) == {"MTUS": 3, "ODG": 1, "ACOEM": 1, "none named": 1}
    rates = {r.category: r for r in stats.overturn_rates()}
    assert (rates["physical therapy"].items, rates["physical therapy"].overturned) == (2, 1)
    assert rates["physical therapy"].rate == 0.5 and rates["opioids"].rate == 0.0
    assert [r.category for r in stats.overturn_rates()] == ["opioids", "physical therapy", "acupuncture"]
    as_dict = stats.to_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert sum(row["items"] for row in as_dict["treatment_categories"]) == 5


def test_find_cases_by_case_number_treatment_and_decision():
    assert [r.case_id for r in find_cases(CORPUS, "cm14")] == ["CM14-0000001", "CM14-0000002"]
    assert [r.case_id for r in find_cases(CORPUS, "physical therapy", "overturned")] == ["CM14-0000001"]
    assert [r.case_id for r in find_cases(CORPUS, "opioids")] == ["CM14-0000001", "CM15-0000003"]
    assert [r.case_id for r in find_cases(CORPUS, decision="partial")] == ["CM14-0000001"]
    assert find_cases(CORPUS, "chiropractic") == []


def test_item_rows_keep_each_item_span():
    rows = item_rows(CORPUS, category="physical therapy")
    assert [(r.case_id, r.decision) for r in rows] == [("CM14-0000001", "overturned"), ("CM14-0000002", "upheld")]
    assert all(r.end - r.start == len(r.item) for r in rows)


def test_ten_thousand_letters_are_counted_and_searched():
    """The figures at scale (how fast: benchmarks/, not a wall-clock assert here)."""
    corpus = [CORPUS[n % 3].model_copy(update={"case_id": f"CM{n:08d}"}) for n in range(10_000)]
    stats = corpus_stats(corpus)
    found = find_cases(corpus, "therapy", "overturned")
    assert stats.letters == 10_000 and stats.items == 16_667 and len(found) == 3334


def test_stats_command_reports_overturn_rates_of_the_ingested_letters():
    api.ingest([GOLD_A, GOLD_B])
    summaries = list(api.open_store().summaries())
    result = CliRunner().invoke(cli_app, ["stats", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["letters"] == 2 and data["items"] == sum(len(s.items) for s in summaries)
    pt = next(row for row in data["treatment_categories"] if row["category"] == "physical therapy")
    expected = [i.decision.value for s in summaries for i in s.items if treatment_category(i.item.value) == pt["category"]]
    assert pt["items"] == len(expected) and pt["overturned"] == expected.count("overturned")
    assert pt["overturn_rate"] == round(expected.count("overturned") / len(expected), 4)
    table = CliRunner().invoke(cli_app, ["stats"])
    assert table.exit_code == 0 and "physical therapy" in table.stdout and "overturn rate" in table.stdout


def test_stats_command_lists_the_items_of_a_category_with_spans():
    api.ingest([GOLD_A])
    result = CliRunner().invoke(cli_app, ["stats", "--category", "physical therapy", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    opened = api.default_client().open_letter(rows[0]["case_id"])
    letter, summary = opened.letter, opened.summary
    assert len(rows) == 1 and rows[0]["decision"] == "overturned"
    assert letter.text[rows[0]["start"] : rows[0]["end"]] == rows[0]["item"] == summary.items[0].item.value
    bad = CliRunner().invoke(cli_app, ["stats", "--category", "massage"])
    assert bad.exit_code == 2


def test_corpus_takes_in_new_letters_and_rereads_when_the_store_changes_elsewhere():
    store = api.open_store()
    corpus = Corpus(store)
    assert corpus.stats().letters == 0
    api.ingest([GOLD_A])
    assert corpus.stats().letters == 1  # the letter count changed: re-read
    assert corpus.summaries() is corpus.summaries()  # unchanged: cached
    api.ingest([GOLD_B])
    corpus.add(api.default_client().open_letter(GOLD_B).summary)
    assert sorted(s.case_id for s in corpus.summaries()) == sorted(c["case_id"] for c in store.cases())
    corpus.invalidate()
    assert corpus.stats().letters == 2
