"""Plain-language summaries: the issue's 'done when' lines, as a worker would run them, and the checks that
guard them (they must fail when a template invents a number or turns technical)."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from typer.testing import CliRunner

from imr_llm import plain as plain_lib
from imr_llm import plain_reasons
from imr_llm.cli import app
from imr_llm.glossary import explain, glossary_entries, plain_item
from imr_llm.load import load_letter
from imr_llm.parse import parse_letter
from imr_llm.plain import plain_offline
from imr_llm.plain_checks import (
    fk_grade,
    outcome_accuracy,
    spanish_readability,
    stated_outcomes,
    unsupported_numbers,
    word_count,
)

from conftest import GOLD_LETTER

runner = CliRunner()
GOLD_DECISIONS = json.loads(GOLD_LETTER.with_name(GOLD_LETTER.stem + ".gold.json").read_text())["decisions"]


def _plain_text(stdout: str) -> str:
    return stdout.split("\n(engine:")[0]


def _gold():
    letter = load_letter(GOLD_LETTER)
    return letter, parse_letter(letter)


def test_plain_english_says_approved_why_and_the_appeal_route():
    result = runner.invoke(app, ["summarize", str(GOLD_LETTER), "--plain"])
    assert result.exit_code == 0, result.output
    text = _plain_text(result.stdout)
    assert "Physical Therapy (exercise treatment with a therapist), 2 times a week for 4 weeks" in text
    assert "Decision: APPROVED." in text and "NOT APPROVED" not in text
    assert "Your leg symptoms had not been treated before." in text
    assert "A short course of treatment is reasonable." in text
    assert "Workers' Compensation Appeals Board (WCAB)" in text and "within 30 days of the date" in text
    assert "Information & Assistance (I&A)" in text
    assert not re.search(r"\b(?:upheld|overturned)\b", text, re.I)
    assert fk_grade(text) <= 8
    assert 120 <= word_count(text) <= 250
    assert unsupported_numbers(text, GOLD_LETTER.read_text()) == []
    assert "(engine: offline)" in result.stdout


def test_plain_spanish_says_the_same_in_spanish():
    result = runner.invoke(app, ["summarize", str(GOLD_LETTER), "--plain", "--lang", "es"])
    assert result.exit_code == 0, result.output
    text = _plain_text(result.stdout)
    assert "Terapia física (ejercicios con un terapeuta) para la pierna izquierda y el cuello, 2 veces por semana " \
           "durante 4 semanas" in text
    assert "Decisión: APROBADO." in text and "NO APROBADO" not in text
    assert "Los síntomas de su pierna no se habían tratado antes." in text
    assert "Un tratamiento corto es razonable." in text
    assert "Junta de Apelaciones de Compensación de Trabajadores (WCAB)" in text
    assert "dentro de los 30 días siguientes a la fecha" in text
    assert "unidad de Información y Asistencia (I&A) de la DWC" in text
    assert spanish_readability(text) >= 70
    assert unsupported_numbers(text, GOLD_LETTER.read_text(), lang="es") == []


def test_plain_json_carries_the_letter_spans_of_each_item_and_reason():
    result = runner.invoke(app, ["summarize", str(GOLD_LETTER), "--plain", "--json"])
    assert result.exit_code == 0, result.output
    plain = json.loads(result.stdout)
    text = GOLD_LETTER.read_text()
    item = plain["items"][0]
    assert plain["lang"] == "en" and plain["engine"] == "offline"
    assert item["approved"] is True and item["outcome"] == "approved"
    assert text[item["item_span"]["start"] : item["item_span"]["end"]] == item["source_item"]
    assert text[item["decision_span"]["start"] : item["decision_span"]["end"]] == "Overturned"
    assert len(item["sources"]) == len(item["why"]) == 2
    for source in item["sources"]:
        quoted = text[source["span"]["start"] : source["span"]["end"]]
        assert " ".join(quoted.split()) == source["quote"]
    assert "addressed previously" in item["sources"][0]["quote"]
    assert "short course of therapy" in item["sources"][1]["quote"]


@pytest.mark.parametrize("lang, approved, label", [("en", "APPROVED", "Physical Therapy"),
                                                    ("es", "APROBADO", "Terapia física")])
def test_plain_html_is_one_page_in_large_type(tmp_path, lang, approved, label):
    out = tmp_path / "plain.html"
    result = runner.invoke(app, ["summarize", str(GOLD_LETTER), "--plain", "--lang", lang, "--html", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in page
    size = re.search(r"html\{font-size:(\d+)px\}", page)
    assert size and int(size[1]) >= 18
    assert "@media print" in page and "@page" in page
    assert '<section class="item yes" id="item-1">' in page and label in page
    assert f'<span class="outcome">{approved}</span>' in page
    assert "A short course of therapy to address the patient&#x27;s leg symptoms" in page  # the source sentence


def test_plain_rejects_an_unknown_language():
    result = runner.invoke(app, ["summarize", str(GOLD_LETTER), "--plain", "--lang", "fr"])
    assert result.exit_code == 2
    assert "--lang must be en or es" in result.output


# --- the checks fail when a template goes wrong ------------------------------------------------------------

def _patch_reason(monkeypatch, key: str, **changes):
    reasons = tuple(dataclasses.replace(r, **changes) if r.key == key else r for r in plain_reasons.REASONS)
    monkeypatch.setattr(plain_reasons, "REASONS", reasons)


def test_faithfulness_check_catches_a_template_that_invents_a_number(monkeypatch):
    letter, summary = _gold()
    assert unsupported_numbers(plain_offline(summary, letter.text).text, letter.text) == []
    _patch_reason(monkeypatch, "short_course", en="A short course of 12 visits is reasonable.",
                  es="Un tratamiento corto de doce visitas es razonable.")
    assert unsupported_numbers(plain_offline(summary, letter.text).text, letter.text) == ["12"]
    assert unsupported_numbers(plain_offline(summary, letter.text, "es").text, letter.text, lang="es") == ["doce"]


def test_readability_check_catches_a_technical_template(monkeypatch):
    letter, summary = _gold()
    assert fk_grade(plain_offline(summary, letter.text).text) <= 8
    technical = ("Notwithstanding documented myofascial symptomatology, continuation of physical medicine "
                 "modalities necessitates objective functional improvement substantiated by standardized "
                 "longitudinal assessment, consistent with evidence-based utilization recommendations.")
    _patch_reason(monkeypatch, "short_course", en=technical)
    _patch_reason(monkeypatch, "not_treated_before", en=technical)
    assert fk_grade(plain_offline(summary, letter.text).text) > 8


def test_outcome_check_catches_a_text_that_says_the_wrong_outcome(monkeypatch):
    letter, summary = _gold()
    assert outcome_accuracy(plain_offline(summary, letter.text), GOLD_DECISIONS) == 1.0
    words = {lang: dict(w) for lang, w in plain_lib._WORDS.items()}
    words["en"]["yes"] = "NOT APPROVED"
    monkeypatch.setattr(plain_lib, "_WORDS", words)
    wrong = plain_offline(summary, letter.text)
    assert stated_outcomes(wrong.text) == [False]
    assert outcome_accuracy(wrong, GOLD_DECISIONS) == 0.0


# --- the pieces -------------------------------------------------------------------------------------------

def test_numbers_must_be_written_as_the_letter_writes_them():
    letter = GOLD_LETTER.read_text()
    assert unsupported_numbers("Injured on 8/26/13; 8 sessions; guidelines allow 8-10.", letter) == []
    assert unsupported_numbers("Injured on August 26, 2013.", letter) == ["26", "2013"]
    assert unsupported_numbers("You had twelve visits.", letter) == ["twelve"]
    assert unsupported_numbers("Appeal within 30 days of the date it was mailed.", letter) == []
    assert unsupported_numbers("You had 30 visits.", letter) == ["30"]


def test_items_in_everyday_words():
    item = "Physical Therapy (PT), (2) times a week for (4) weeks for the left leg and neck"
    assert plain_item(item) == ("Physical Therapy (exercise treatment with a therapist), 2 times a week for 4 weeks "
                                "for the left leg and neck")
    assert plain_item(item, "es") == ("Terapia física (ejercicios con un terapeuta) para la pierna izquierda y el "
                                      "cuello, 2 veces por semana durante 4 semanas")
    assert plain_item("EMG/NCV of the bilateral upper extremities") == (
        "Nerve tests (EMG/NCV: tests of how well your nerves and muscles work) of both arms")
    assert plain_item("2. Is the request for Hydrocodone/APAP 7.5/325mg #90", "es") == (
        "Hidrocodona con acetaminofén 7.5/325mg (un medicamento opioide para el dolor), cantidad: 90")
    # a word the Spanish rules do not know: the item is kept as the letter writes it, not guessed
    assert plain_item("Vestibular rehabilitation therapy for dizziness", "es") == (
        'Tratamiento pedido: "Vestibular rehabilitation therapy for dizziness"')
    assert plain_item("MRI of the brain with gadolinium", "es").endswith(
        '(en la carta: "MRI of the brain with gadolinium")')


def test_glossary_explains_the_jargon_in_both_languages():
    for key in ("UR", "IMR", "MTUS", "ODG", "ACOEM", "upheld", "overturned", "medically necessary", "PT", "ESI",
                "EMG/NCV", "NSAID", "TENS", "FRP", "UDS", "MRI", "CBT", "Norco", "opioid"):
        assert explain(key) and explain(key, "es")
    assert explain("upheld") .startswith("not approved")
    assert explain("overturned", "es").startswith("aprobado")
    rows = {row["term"]: row for row in glossary_entries("es")}
    assert rows["WCAB"]["plain"] == "Junta de Apelaciones de Compensación de Trabajadores (WCAB)"
    used = {row["term"] for row in glossary_entries("en", GOLD_LETTER.read_text())}
    assert {"IMR", "UR", "MTUS", "PT"} <= used and "Norco" not in used


def test_every_reason_explains_only_the_outcome_it_was_written_for():
    letter, summary = _gold()
    upheld = summary.model_copy(deep=True)
    upheld.items[0].decision.value = "upheld"  # the same rationale read as a denial
    plain = plain_offline(upheld, letter.text)
    kinds = {r.key: r.outcome for r in plain_reasons.REASONS}
    assert plain.items[0].approved is False
    assert all(kinds.get(kind, "upheld") == "upheld" for kind in plain.items[0].why_kind)
    assert "Decision: NOT APPROVED." in plain.text
