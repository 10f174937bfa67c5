"""The structure parser on every layout, clean and noisy: items, decisions, case fields and spans."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from imr_llm.parse import parse_letter
from imr_llm.store.load import load_letter
from imr_llm.store.load import letter_from_text
from imr_llm.models import DecisionSummary, Grounded

from conftest import GOLD_LETTER, LETTERS

FIXTURES = sorted(LETTERS.glob("*.gold.json"))


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9#/.% ]", " ", text.lower())).strip()


def grounded_values(summary: DecisionSummary) -> list[tuple[str, Grounded]]:
    out = []
    for name in ("case_number", "patient_age", "patient_sex", "date_of_injury", "ur_decision_date", "decision_date",
                 "date_assigned", "application_received", "priority", "reviewer_specialty"):
        value = getattr(summary, name)
        if value is not None:
            out.append((name, value))
    out += [(f"diagnosis {i}", d) for i, d in enumerate(summary.diagnoses)]
    for item in summary.items:
        out += [(f"item {item.index}", item.item), (f"decision {item.index}", item.decision)]
        out += [(f"guideline {item.index}", g) for g in item.guidelines]
        out += [(f"{n} {item.index}", g) for n, g in (("rationale", item.rationale), ("reason", item.reason)) if g]
    return out


@pytest.mark.parametrize("gold_path", FIXTURES, ids=lambda p: p.name.removesuffix(".gold.json"))
def test_fixture_letters_parse_exactly(gold_path: Path):
    gold = json.loads(gold_path.read_text())
    summary = parse_letter(load_letter(gold_path.parent / gold["letter"]))
    assert len(summary.items) == len(gold["decisions"])
    for item, expected in zip(summary.items, gold["decisions"]):
        similar = fuzz.token_set_ratio(_norm(item.item.value), _norm(expected["item"]))
        assert similar >= 80 or _norm(expected["item"]) in _norm(item.item.value), (item.item.value, expected["item"])
        assert item.decision.value == expected["decision"], expected["item"]
    assert summary.overall == gold["overall"]
    for field in ("case_number", "patient_age", "patient_sex", "date_of_injury", "ur_decision_date"):
        if gold[field] is None:
            continue
        value = getattr(summary, field)
        assert value is not None, field
        assert str(value.value) == str(gold[field]), field


@pytest.mark.parametrize("gold_path", FIXTURES, ids=lambda p: p.name.removesuffix(".gold.json"))
def test_every_span_points_at_its_quote(gold_path: Path):
    letter = load_letter(gold_path.parent / json.loads(gold_path.read_text())["letter"])
    summary = parse_letter(letter)
    for name, value in grounded_values(summary):
        assert value.span is not None, name
        assert letter.text[value.span.start : value.span.end] == value.quote, name


def test_real_letter_summary(gold_letter):
    letter = load_letter(gold_letter)
    summary = parse_letter(letter)
    text = letter.text
    assert summary.layout == "issues-decisions-rationales"
    assert [i.decision.value for i in summary.items] == ["overturned"]
    item = summary.items[0]
    assert item.item.value == "Physical Therapy (PT), (2) times a week for (4) weeks for the left leg and neck"
    assert text[item.decision.span.start : item.decision.span.end] == "Overturned"
    assert [g.value for g in item.guidelines] == ["MTUS Chronic Pain Treatment Guidelines"]
    # The guideline is the reviewer's (MAXIMUS guideline line), not the claims administrator's.
    assert text.rfind("MAXIMUS guideline", 0, item.guidelines[0].span.start) > text.find("Claims Administrator guideline")
    assert summary.patient_age.value == 36 and text[slice(summary.patient_age.span.start, summary.patient_age.span.end)] == "36"
    assert summary.date_of_injury.value == date(2013, 8, 26) and summary.date_of_injury.quote == "8/26/13"
    assert summary.ur_decision_date.value == date(2014, 2, 28) and summary.ur_decision_date.quote == "2/28/14"
    assert summary.reviewer_specialty.value == "Physical Medicine and Rehabilitation"
    assert [d.value for d in summary.diagnoses] == ["postconcussion syndrome", "pain in left leg"]
    assert "does not appear to have been addressed previously" in item.reason.value
    assert summary.case_number is None and summary.case_id == f"letter-{letter.letter_id}"


def test_page_footer_and_hyphenation_are_not_part_of_values():
    text = (
        "IMR ISSUES, DECISIONS AND RATIONALES\n"
        "The Final Determination was based on decisions for the disputed items/services set forth below:\n\n"
        "Cyclobenzaprine 7.5mg #90:  Upheld\n\n"
        "Claims Administrator guideline: Decision based on MTUS Chronic Pain Medical Treatment Guidelines.\n"
        "MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment Guidelines, page 41.\n"
        "Decision rationale: Muscle relaxants are recommended for short-term use only. The physi-\n"
        "Page 2 of 3\n"
        "cian has prescribed it for 9 months. The request is not medically necessary.\n\n"
        "Acupuncture x6 for the neck:  Overturned\n\n"
        "MAXIMUS guideline: Decision based on MTUS Acupuncture Medical Treatment Guidelines.\n"
        "Decision rationale: A trial of 3 to 6 treatments is allowed; the patient has had none.\n"
    )
    summary = parse_letter(letter_from_text(text))
    assert [(i.item.value, i.decision.value) for i in summary.items] == [
        ("Cyclobenzaprine 7.5mg #90", "upheld"), ("Acupuncture x6 for the neck", "overturned")]
    rationale = summary.items[0].rationale.value
    assert "physician has prescribed it for 9 months" in rationale and "Page 2" not in rationale


def test_upheld_item_whose_rationale_says_overturned_stays_upheld():
    summary = parse_letter(load_letter(LETTERS / "t07_a_wrapped_crlf.txt"))
    brace = summary.items[1]
    assert "overturned" in brace.rationale.value
    assert brace.decision.value == "upheld"


def test_same_drug_two_doses_are_two_items():
    text = (
        "IMR ISSUES, DECISIONS AND RATIONALES\n\n"
        "Norco 10/325mg #60:  Overturned\n"
        "MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment Guidelines.\n"
        "Decision rationale: A weaning supply is reasonable.\n\n"
        "Norco 10/325mg #120:  Upheld\n"
        "MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment Guidelines.\n"
        "Decision rationale: There is no documented functional improvement with opioids.\n"
    )
    summary = parse_letter(letter_from_text(text))
    assert [(i.item.value, i.decision.value) for i in summary.items] == [
        ("Norco 10/325mg #60", "overturned"), ("Norco 10/325mg #120", "upheld")]


def test_summary_list_and_detailed_section_count_each_item_once():
    summary = parse_letter(load_letter(LETTERS / "t08_b_2013_regarding.txt"))
    assert [i.decision.value for i in summary.items] == ["upheld", "overturned"]
    # The rationale comes from the "Regarding the request for ..." block, not the summary list.
    assert "land-based exercise" in summary.items[0].rationale.value
    assert "30 day trial is reasonable" in summary.items[1].rationale.value


def test_letter_whose_decisions_cannot_be_read_is_kept_and_flagged_for_a_person():
    text = ("Independent Medical Review of the claims administrator's utilization review. The MTUS guideline "
            "was considered by the expert reviewer and the request was discussed at length.")
    summary = parse_letter(letter_from_text(text, "odd.txt"))
    assert summary.items == []
    assert summary.needs_review is True
    assert summary.review_reasons == ["the decisions could not be read: a person should read this letter"]
    assert summary.source == "odd.txt"


def test_windows_line_endings_give_the_same_summary_as_unix():
    raw = (LETTERS / "t07_a_wrapped_crlf.txt").read_bytes()
    assert b"\r\n" in raw
    crlf = parse_letter(letter_from_text(raw.decode()))
    unix = parse_letter(letter_from_text(raw.decode().replace("\r\n", "\n")))
    assert crlf.model_dump() == unix.model_dump()
