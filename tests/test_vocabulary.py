"""The shared vocabulary (imr_llm/vocabulary.py): one rule for "the same item", one treatment table, one set of
why-cues, one sentence splitter, and no other module of imr_llm with its own copy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import imr_llm
from imr_llm import vocabulary
from imr_llm.vocabulary import (CASE_CUES, MATCH_THRESHOLD, WHY_CUES, item_similarity, same_item, sentences,
                                treatment_category, treatment_kinds)

PACKAGE = Path(imr_llm.__file__).resolve().parent


# --- items ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    ("Norco 10/325mg #60", "Norco 10/325mg #120"),  # another count
    ("Norco 10/325mg #60", "Norco 5/325mg #60"),  # another dose
    ("MRI lumbar spine", "physical therapy lumbar spine"),  # the same place, another treatment
    ("Lumbar MRI", "Cervical MRI"),
    ("Physical therapy 12 sessions", "Acupuncture 12 sessions"),
    ("", "MRI"),
])
def test_two_items(a, b):
    assert not same_item(a, b) and not same_item(b, a)


@pytest.mark.parametrize("a, b", [
    ("Norco 10/325mg #60", "the request for Norco 10/325mg #60"),
    ("EMG/NCV bilateral lower", "EMG/NCV of the bilateral lower extremities"),  # fewer 'where' words
    ("Retrospective request for urine drug screen", "Urine drug screen"),
    ("Lumbar fusion at L4-L5", "Lumbar fusion at L4-L5 with 3-day inpatient stay"),  # the beginning of the other
    ("Physical therapy x 12 sessions for the lumbar spine", "Physical therapy 12 sessions lumbar spine"),
    ("Omeprazole 20mg #60", "OMEPRAZOLE 20 MG #60"),
])
def test_one_item_reworded(a, b):
    assert same_item(a, b) and same_item(b, a)


def test_a_pair_already_matched_by_place_needs_only_alike_names():
    assert not same_item("Norco 10/325mg #90", "Norco 10/325 #60")
    assert same_item("Norco 10/325mg #90", "Norco 10/325 #60", paired=True)
    assert not same_item("Acupuncture", "Lumbar MRI", paired=True)


def test_the_evaluation_score_forgives_what_the_reader_must_not():
    assert item_similarity("Norco", "Norco 10/325mg #60") == 100  # a short gold label, whole words
    assert item_similarity("Norco 10/325mg #60", "Norco 10/325mg #120") >= MATCH_THRESHOLD
    assert not same_item("Norco 10/325mg #60", "Norco 10/325mg #120")
    assert item_similarity("PT", "Aptitude testing") < MATCH_THRESHOLD  # whole words, not letters
    assert item_similarity("", "MRI") == 0.0


# --- treatments -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("item, category", [
    ("Lidocaine 5% cream", "topical compounds / patches"),
    ("EMG/NCV of the bilateral upper extremities", "nerve tests (EMG/NCV)"),
    ("Post-operative physical therapy x 12", "physical therapy"),
    ("Norco 10/325mg #60", "opioids"),
    ("Knee arthroscopy with meniscectomy", "surgery"),
    ("Something unheard of", "other"),
])
def test_treatment_categories(item, category):
    assert treatment_category(item) == category


def test_treatment_kinds_from_glossary_terms_and_words():
    assert treatment_kinds("Vicodin 5/300mg #30") == {"opioid", "medicine"}
    assert treatment_kinds("Norco", [("Norco", "medicine")]) == {"opioid", "medicine"}
    assert treatment_kinds("Urine drug screen", [("UDS", "test")]) == {"drug_test"}
    assert treatment_kinds("a review", [("IMR", "review")]) == frozenset()
    assert treatment_kinds("Lidocaine pad", [("lidocaine", "medicine")]) == {"medicine"}


# --- why ------------------------------------------------------------------------------------------------------------

def test_why_cues_and_case_cues():
    assert len(WHY_CUES.findall("However, there is no documentation of improvement, and it exceeds the maximum.")) == 5
    assert not WHY_CUES.search("The patient is a 45-year-old man.")
    assert CASE_CUES.search("The injured worker reports pain.") and not CASE_CUES.search("Guidelines recommend it.")


# --- sentences ------------------------------------------------------------------------------------------------------

def test_sentences_yield_exact_letter_offsets():
    text = "Intro.  Dr. Smith saw him on 1/2/2014. 2 sessions were done!\n\nnext para? Yes: e.g. ice.\n"
    got = [text[s:e] for s, e in sentences(text)]
    assert got == ["Intro.", "Dr. Smith saw him on 1/2/2014.", "2 sessions were done!", "next para?",
                   "Yes: e.g. ice."]
    assert list(sentences(text, 8, 38)) == [(8, 38)]
    assert [text[s:e] for s, e in sentences(text, 39)] == ["2 sessions were done!", "next para?", "Yes: e.g. ice."]
    assert list(sentences("  .  ")) == []


# --- one copy -------------------------------------------------------------------------------------------------------

def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name != "vocabulary.py":
            yield path.relative_to(PACKAGE).as_posix(), path.read_text(encoding="utf-8")


@pytest.mark.parametrize("copy", [
    r"fuzz\.token_set_ratio",  # an item similarity of its own
    r"\bdef (?:same_item|similar|_similar|item_similarity)\b",
    r"^def sentences\b|_BOUNDARY\s*=|_SENTENCE_END\s*=",  # a sentence splitter of its own
    r"_WHY(?:_CUES)?\s*=\s*re\.compile\(r",  # why-cues written out again
    r"_CATEGORY_PATTERNS|_TERM_KINDS|_WORD_KINDS|_SYNONYMS\s*=|_TREATMENT\s*=",  # a treatment table of its own
])
def test_no_module_keeps_its_own_copy(copy):
    found = [name for name, source in _sources() if re.search(copy, source, re.MULTILINE)]
    assert found == [], f"{copy!r} outside imr_llm/vocabulary.py: {found}"


def test_the_vocabulary_is_a_leaf():
    imports = re.findall(r"^\s*(?:from|import)\s+(\S+)", (PACKAGE / "vocabulary.py").read_text(), re.MULTILINE)
    assert all(not name.startswith((".", "imr_llm")) or name.lstrip(".") in ("models", "errors") for name in imports)
    assert vocabulary.SAME_ITEM_THRESHOLD == 85
