"""Questions a letter does not answer: a treatment it never mentions, one it mentions but does not decide,
a case field it does not state. Both directions are tested on every gold and blind letter: a question about
an absent treatment gets an honest "does not mention", and a question about a disputed item never does."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from imr_llm import api
from imr_llm.engines.offline import answer_offline
from imr_llm.store.chunk import chunk_letter
from imr_llm.config import get_settings
from imr_llm.engines.coverage import silence
from imr_llm.engines.llm import ask_llm
from imr_llm.store.load import load_letter
from imr_llm.models import Passage
from imr_llm.parse import parse_letter

from conftest import BLIND, GOLD, GOLD_LETTER
from scripted_llm import llm_server  # noqa: F401 - fixture

GOLD_SETS = [GOLD, BLIND]
LETTERS = sorted(p for folder in GOLD_SETS for p in folder.glob("*.gold.json"))

# Treatments to ask about, and how this test (not the product) tells that a letter mentions them.
PROBES = {
    "acupuncture": r"acupunct",
    "chiropractic care": r"chiropract|manipulation",
    "a TENS unit": r"\bTENS\b|transcutaneous",
    "a spinal cord stimulator": r"cord\s+stimulat",
    "an epidural steroid injection": r"epidural|\bESI",
    "a gym membership": r"\bgym\b",
    "a shoulder sling": r"\bsling",
    "hyaluronic acid injections": r"hyaluronic|synvisc|viscosupp",
    "a home health aide": r"home\s+health",
    "Norco": r"norco|hydrocodone",
    "an MRI": r"\bMRI\b|magnetic\s+resonance",
    "physical therapy": r"physical\s+therapy|\bPT\b|physiotherapy|aquatic|pool\s+therapy",
    "a cold therapy unit": r"cold\s+therapy|cryotherapy",
    "a functional restoration program": r"functional\s+restoration|\bFRP\b",
}


@cache
def _read(record: Path):
    gold = json.loads(record.read_text(encoding="utf-8"))
    letter = load_letter(record.parent / gold["letter"])
    try:
        summary = parse_letter(letter)
    except Exception:  # noqa: BLE001 - a letter the reader cannot read still gets its questions
        from imr_llm.models import DecisionSummary

        summary = DecisionSummary(letter_id=letter.letter_id, case_id=f"letter-{letter.letter_id}")
    return gold, letter, summary


@pytest.mark.parametrize("record", LETTERS, ids=[p.name.removesuffix(".gold.json") for p in LETTERS])
def test_absent_treatments_are_said_absent_and_disputed_items_never(record):
    gold, letter, summary = _read(record)
    wrong = []
    for thing, pattern in PROBES.items():
        if re.search(pattern, letter.text, re.I):
            continue
        for question in (f"Was {thing} approved?", f"Why was {thing} denied?",
                         f"What did the reviewer decide about {thing}?"):
            found = silence(question, letter.text, summary)  # OCR slips ("physica1 therapy") may read as a mention
            if found is None:
                wrong.append(f"{question!r} gets an answer, but the letter never mentions {thing}")
    for decision in gold["decisions"]:
        item = decision["item"]
        for question in (f"Was {item} approved?", f"Why was the {item} denied?",
                         f"What did the reviewer decide about the request for {item}?"):
            found = silence(question, letter.text, summary)
            if found is not None:
                wrong.append(f"{question!r} about a disputed item is said to be unanswered: {found}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("record", LETTERS, ids=[p.name.removesuffix(".gold.json") for p in LETTERS])
def test_gold_questions_abstain_exactly_when_labelled_unanswerable(record):
    gold, letter, summary = _read(record)
    wrong = []
    for q in gold.get("questions") or []:
        found = silence(q["question"], letter.text, summary)
        if q.get("unanswerable") and found is None:
            wrong.append(f"unanswerable {q['question']!r} gets an answer")
        if not q.get("unanswerable") and found is not None and found.kind != "undecided":
            wrong.append(f"answerable {q['question']!r} is said to be unanswered: {found}")
    assert not wrong, "\n".join(wrong)


def _offline(path, question):
    letter = load_letter(path)
    summary = parse_letter(letter)
    chunks = chunk_letter(letter, summary)
    return answer_offline(question, letter.text, summary, chunks, [])


def test_acupuncture_asked_of_a_physical_therapy_letter():
    answer = api.ask(GOLD_LETTER, "Was acupuncture authorized?")
    assert answer.answered is False and answer.citations == []
    assert answer.text.startswith("The letter does not mention acupuncture.")
    assert "Physical Therapy (PT)" in answer.text  # and it says what the letter does decide


@pytest.mark.parametrize("question", ["Why was PT overturned?", "Was physical therapy approved?",
                                      "Was the physiotherapy authorized?", "Was the physio approved?"])
def test_abbreviations_and_synonyms_of_a_disputed_item_are_answered(question):
    answer = _offline(GOLD_LETTER, question)
    assert answer.answered is True and "overturned" in answer.text


def test_a_shortened_name_is_the_treatment_it_begins():
    letter = load_letter(GOLD_LETTER)
    found = silence("Was the chiro approved?", letter.text, parse_letter(letter))
    assert found is not None and found.kind == "unmentioned"  # chiropractic, which this PT letter never mentions


def test_norco_is_hydrocodone():
    path = BLIND / "b03_2017_closing_sentence_opioids.txt"
    letter = load_letter(path)
    assert "Norco" not in letter.text and "Hydrocodone" in letter.text
    assert silence("Was Norco approved?", letter.text, parse_letter(letter)) is None


def test_a_treatment_mentioned_only_in_the_history_is_not_a_decision():
    path = BLIND / "b13_2019_established_cervical.txt"
    answer = _offline(path, "Was gabapentin approved?")
    assert answer.answered is False
    assert answer.text.startswith("The letter does not say whether gabapentin was approved: it is not one of the "
                                  "disputed items")
    assert [c.quote for c in answer.citations] == ["Medications are gabapentin, ibuprofen, and Flexeril taken "
                                                   "nightly since 2018."]


def test_a_mention_in_prose_that_wraps_onto_a_new_line_is_no_item_heading():
    path = BLIND / "d12_2020_redacted_ocr_overturned.txt"
    letter = load_letter(path)
    assert "including\nphysical therapy, medication" in letter.text
    found = silence("Was post-operative physical therapy authorized?", letter.text, parse_letter(letter))
    assert found is not None and found.kind == "undecided"


def test_a_field_the_letter_does_not_state():
    path = BLIND / "b15_2019_as_such_no_case_number.txt"
    answer = _offline(path, "What is the IMR case number of this letter?")
    assert answer.answered is False and "does not state a case number" in answer.text


def test_the_model_is_not_asked_about_a_treatment_the_letter_never_mentions(llm_server):
    letter = load_letter(GOLD_LETTER)
    summary = parse_letter(letter)
    chunks = chunk_letter(letter, summary)
    passages = [Passage(chunk=c, score=1.0) for c in chunks]
    answer = ask_llm("Was acupuncture authorized?", letter, summary, chunks, passages,
                     get_settings(llm_model="openai/scripted"))
    assert answer.answered is False and "does not mention acupuncture" in answer.text and answer.citations == []
    assert llm_server.requests == [] and "model was not asked" in " ".join(answer.notes)


@pytest.mark.parametrize("stated, silent", [
    ("The injured worker is a forty-five year old man.", False), ("The patient is a 38-year-old woman.", False),
    ("Age: 52", False), ("The injured worker is a  year-old woman.", True)])
def test_an_age_in_words_is_stated_and_a_redacted_one_is_not(stated, silent):
    letter = load_letter(GOLD_LETTER)
    summary = parse_letter(letter).model_copy(update={"patient_age": None})
    text = letter.text.replace("The patient is a 36 year old with", "The patient, with") + "\n" + stated + "\n"
    found = silence("How old is the injured worker?", text, summary)
    assert (found is not None and found.kind == "unstated") is silent
