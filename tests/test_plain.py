"""Plain-language summaries: the issue's 'done when' lines, as a worker would run them, and the checks that
guard them (they must fail when a template invents a number or turns technical)."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from typer.testing import CliRunner

from imr_llm.plain import offline as plain_lib
from imr_llm.plain import reasons as plain_reasons
from imr_llm.cli import app
from imr_llm.errors import ConfigError
from imr_llm.plain.glossary import explain, glossary_entries
from imr_llm.plain.items import plain_item
from imr_llm.store.load import load_letter
from imr_llm.parse import parse_letter
from imr_llm.plain.summary import plain_offline, plain_summary
from imr_llm.evaluation.plain_eval import outcome_accuracy, stated_outcomes
from imr_llm.plain.checks import fk_grade, spanish_readability, unsupported_numbers, word_count

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
    assert plain["lang"] == "en" and plain["engine"] == "offline" and plain["fallback_from"] is None
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
    assert result.exit_code == 2  # the CLI's usage exit code
    assert result.output.strip().splitlines() == ["error: --lang must be en or es, not 'fr'"]
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("make", [plain_offline, plain_summary], ids=["plain_offline", "plain_summary"])
def test_the_library_rejects_an_unknown_language_with_a_config_error(make):
    letter, summary = _gold()
    with pytest.raises(ConfigError, match="lang must be one of en, es .*'fr'") as caught:
        make(summary, letter.text, "fr")
    assert caught.value.setting == "lang"


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
    plain = plain_offline(summary, letter.text)
    technical_text = plain_lib.compose_text(plain.title, [plain.items[0].model_copy(update={"why": [technical] * 2})])
    assert fk_grade(technical_text) > 8  # the check sees it
    # and the summary leaves out the technical sentence rather than show it (one reason per item instead of two)
    assert technical not in plain.text and fk_grade(plain.text) <= 8


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


# --- reasons that generalise: families of cues, own kind of treatment, own rationale --------------------------

def _item(item: str, decision: str, rationale: str, reason: str | None = None, before: str = "CASE SUMMARY\n"):
    """A one-item summary of a small letter: the item, its decision and its rationale, each with its span."""
    from imr_llm.models import DecisionSummary, Grounded, ItemDecision, Span

    text = f"{before}{item}: {decision.capitalize()}\nRATIONALE\n{rationale}\n"
    start = text.index(rationale)
    grounded = lambda value, at: Grounded(value=value, quote=value, span=Span(start=at, end=at + len(value)))  # noqa: E731
    reason_at = text.index(reason) if reason else None
    decided = ItemDecision(index=1, item=grounded(item, text.index(item)),
                           decision=Grounded(value=decision, quote=decision, span=Span(start=0, end=1)),
                           rationale=grounded(rationale, start),
                           reason=grounded(reason, reason_at) if reason else None)
    return text, DecisionSummary(letter_id="x", case_id="CM00-0000001", items=[decided])


REASON_EXAMPLES = [  # (item, decision, a sentence of its own rationale, the template it must key on)
    ("Physical therapy, 12 sessions", "upheld",
     "She has attended 24 sessions, which exceeds the 9-10 visits the guidelines allow.", "exceeds"),
    ("Chiropractic care, 6 visits", "upheld",
     "There is no documented functional improvement from the 12 prior visits.", "no_improvement"),
    ("Norco 10/325mg #120", "upheld",
     "The records show no objective evidence of functional improvement with ongoing use.", "no_improvement"),
    ("Lidoderm 5% patches #30", "upheld",
     "Topical lidocaine is not recommended for this patient's axial low back pain.", "not_recommended"),
    ("Lumbar MRI", "upheld",
     "The patient does not meet the criteria for repeat imaging.", "criteria_not_met"),
    ("TENS unit, 30 day home trial", "overturned",
     "A one-month home trial is reasonable for this patient's chronic pain.", "trial_reasonable"),
    ("Spinal cord stimulator trial", "upheld",
     "There is no documentation of a psychological screen in the records provided.", "evaluation_missing"),
    ("Functional capacity evaluation", "upheld",
     "The treating physician's notes were not provided for review.", "missing_records"),
    ("Lumbar epidural steroid injection at L4-5", "upheld",
     "The records do not show that first-line conservative treatment was tried.", "first_line_not_tried"),
    ("MRI of the lumbar spine", "upheld",
     "In this case there are no red flags on examination.", "no_red_flags"),
    ("Oxycodone 10mg #120", "upheld",
     "There is no urine drug screening or opioid agreement documented in the records.", "opioid_monitoring"),
    ("Home health aide, 4 hours a day", "upheld",
     "The requested help is for housework and shopping, which is not medical care.", "housework"),
    ("Physical therapy, 6 sessions", "overturned",
     "She has failed conservative care with medication and rest.", "other_care_failed"),
]


@pytest.mark.parametrize("item, decision, rationale, key", REASON_EXAMPLES, ids=[e[3] + "-" + e[0][:12] for e in
                                                                                  REASON_EXAMPLES])
def test_each_family_of_cues_explains_its_own_kind_of_treatment(item, decision, rationale, key):
    text, summary = _item(item, decision, rationale)
    plain = plain_offline(summary, text)
    assert key in plain.items[0].why_kind, plain.items[0]
    assert plain.items[0].sources[0].quote == rationale
    assert unsupported_numbers(plain.text, text) == [] and fk_grade(plain.text) <= 8


def test_a_template_explains_only_the_kind_of_treatment_it_was_written_for():
    """The reported case: a Norco denial whose rationale mentions housework is not about housework."""
    rationale = ("The patient reports she can do some housework with Norco. There is no documented functional "
                 "improvement and no urine drug screen since 2014.")
    text, summary = _item("Norco 10/325mg #90", "upheld", rationale)
    plain = plain_offline(summary, text)
    assert "housework" not in plain.items[0].why_kind and "housework" not in plain.text.lower()
    assert plain.items[0].why_kind[0] in ("no_improvement", "opioid_monitoring")
    text, summary = _item("Home health aide, 4 hours a day, 5 days a week", "upheld", rationale)
    assert "housework" in plain_offline(summary, text).items[0].why_kind  # the same words, its own kind


def test_a_template_keys_only_on_the_items_own_rationale():
    """A cue in the case summary or in another item's rationale says nothing about this item."""
    before = "CASE SUMMARY\nThe patient exceeds the visits the guidelines allow and has no functional improvement.\n"
    text, summary = _item("Physical therapy, 6 sessions", "upheld",
                          "Physical therapy is requested after surgery on the knee for six weeks.", before=before)
    plain = plain_offline(summary, text)
    assert plain.items[0].why_kind in (["general"], ["own_words"])
    assert not {"exceeds", "no_improvement"} & set(plain.items[0].why_kind)
    # a reason sentence the reader picked outside the item's rationale is not used either
    text, summary = _item("Physical therapy, 6 sessions", "upheld", "Physical therapy is requested for the knee.",
                          reason="The patient exceeds the visits the guidelines allow and has no functional "
                                 "improvement.", before=before)
    assert not {"exceeds", "no_improvement"} & set(plain_offline(summary, text).items[0].why_kind)


def test_with_no_template_the_reviewers_own_sentence_is_said_in_shorter_words():
    rationale = ("Because the knee arthroscopy has not been approved in this review (MTUS, Knee Complaints, "
                 "page 345), the 7-day rental of the unit is not medically necessary.")
    text, summary = _item("Paraffin wax bath for home use", "upheld", rationale, reason=rationale)
    plain = plain_offline(summary, text)
    item = plain.items[0]
    assert item.why_kind == ["own_words"], item
    assert item.why == ["Because the knee arthroscopy has not been approved in this review, the 7-day rental of "
                        "the unit is not needed."]
    assert "page" not in item.why[0] and "345" not in item.why[0]  # citations dropped, numbers kept as written
    assert item.sources[0].quote == rationale
    es = plain_offline(summary, text, "es").items[0]
    assert es.why_kind == ["own_words"] and item.why[0] in es.why[0]  # the same words, said to be the reviewer's
    assert unsupported_numbers(plain.text, text) == [] and fk_grade(plain.text) <= 8


def test_the_other_sides_reasons_are_not_the_reviewers():
    """'The UR reviewer denied it because ...' in an approval is what the reviewer disagreed with."""
    rationale = ("The UR reviewer denied the request because there was no documented functional improvement. "
                 "Records now show she walks 20 minutes longer.")
    text, summary = _item("Aquatic therapy, 6 sessions", "overturned", rationale)
    plain = plain_offline(summary, text)
    assert plain.items[0].why_kind == ["general"], plain.items[0]  # nothing of the reviewer's own says why
    assert "improvement" not in " ".join(plain.items[0].why)


def test_simplify_keeps_numbers_and_refuses_a_formula():
    from imr_llm.plain.simplify import simplify

    assert simplify("Therefore, the request for Norco 10/325mg #120 is not medically necessary.") is None
    short = simplify("However, the injured worker has completed 24 sessions (ODG, Low Back, pages 98-99), and the "
                     "treating physician does not explain why more are needed.")
    assert short is not None and "24" in short and "98" not in short and short.startswith("You have completed")
