"""The LLM engine of plain summaries against the scripted OpenAI-compatible server, over real HTTP.

Each test scripts what "the model" replies and asserts what the worker would read: the model's words
when they pass the checks, the offline summary (and a note saying so) when they do not.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from imr_llm.cli import app
from imr_llm.config import get_settings
from imr_llm.store.load import load_letter
from imr_llm.parse import parse_letter
from imr_llm.plain.html import plain_page
from imr_llm.plain.summary import plain_offline, plain_summary
from imr_llm.ui.views import plain_markdown
from imr_llm.plain.checks import fk_grade, spanish_readability, unsupported_numbers

from conftest import GOLD_LETTER

import scripted_llm as _scripted
free_port, llm_server, reply_json = _scripted.free_port, _scripted.llm_server, _scripted.reply_json

MODEL = "openai/scripted"
SOURCE = ("However, the treater's request is to address the patient's leg symptoms which does not appear to "
          "have been addressed previously.")
GOOD_EN = {"items": [{"index": 1, "approved": True,
                      "item": "Physical therapy for your left leg and neck, 2 times a week for 4 weeks",
                      "why": ["Your leg pain was not treated before.", "A short course of therapy makes sense."],
                      "source_quote": SOURCE}]}
GOOD_ES = {"items": [{"index": 1, "approved": True,
                      "item": "Terapia física para la pierna izquierda y el cuello, 2 veces por semana durante 4 "
                              "semanas",
                      "why": ["El dolor de su pierna no se había tratado antes.", "Un tratamiento corto es razonable."],
                      "source_quote": SOURCE}]}


def _with(**changes) -> dict:
    item = {**GOOD_EN["items"][0], **changes}
    return {"items": [item]}


@pytest.fixture(scope="module", autouse=True)
def _warm_imports():
    """litellm and instructor take seconds to import the first time; not inside a call's deadline."""
    import instructor  # noqa: F401
    import litellm  # noqa: F401


@pytest.fixture
def gold():
    letter = load_letter(GOLD_LETTER)
    return letter, parse_letter(letter)


def settings():
    return get_settings(llm_model=MODEL)


def test_a_checked_reply_is_shown_with_its_source_span(llm_server, gold):
    letter, summary = gold
    llm_server.enqueue(reply_json(GOOD_EN))
    plain = plain_summary(summary, letter.text, "en", settings=settings())
    assert plain.engine == MODEL and plain.notes == [], plain.notes
    item = plain.items[0]
    assert item.approved and item.why == GOOD_EN["items"][0]["why"]
    assert "Decision: APPROVED." in plain.text and "Your leg pain was not treated before." in plain.text
    assert "within 30 days of the date" in plain.text  # the next steps stay the fixed text
    source = item.sources[0]
    assert source.alignment == "exact" and " ".join(letter.text[source.span.start:source.span.end].split()) == SOURCE
    assert fk_grade(plain.text) <= 8 and unsupported_numbers(plain.text, letter.text) == []
    sent = llm_server.messages()
    assert "Outcome: APPROVED" in sent[1]["content"] and "<<<ITEMS" in sent[1]["content"]
    assert len(llm_server.requests) == 1


def test_spanish_reply(llm_server, gold):
    letter, summary = gold
    llm_server.enqueue(reply_json(GOOD_ES))
    plain = plain_summary(summary, letter.text, "es", settings=settings())
    assert plain.engine == MODEL
    assert "Decisión: APROBADO." in plain.text and "El dolor de su pierna no se había tratado antes." in plain.text
    assert spanish_readability(plain.text) >= 70
    assert "Spanish" in llm_server.messages()[0]["content"]


def test_a_wrong_outcome_goes_back_once_then_the_offline_text_is_used(llm_server, gold):
    letter, summary = gold
    wrong = _with(approved=False)
    llm_server.enqueue(reply_json(wrong), reply_json(wrong))
    plain = plain_summary(summary, letter.text, "en", settings=settings())
    assert len(llm_server.requests) == 2
    assert "its outcome is APPROVED" in json.dumps(llm_server.messages())  # the re-ask said what was wrong
    assert (plain.engine, plain.fallback_from) == ("offline", MODEL)
    assert plain.engine_text == f"offline (fallback from {MODEL})"
    assert plain.text == plain_offline(summary, letter.text, "en").text
    assert "Decision: APPROVED." in plain.text
    assert any("failed the checks" in note and "APPROVED" in note for note in plain.notes)


def test_an_invented_number_is_sent_back_and_the_corrected_reply_used(llm_server, gold):
    letter, summary = gold
    invented = _with(why=["You may have 12 more visits.", "A short course of therapy makes sense."])
    llm_server.enqueue(reply_json(invented), reply_json(GOOD_EN))
    plain = plain_summary(summary, letter.text, "en", settings=settings())
    assert len(llm_server.requests) == 2
    assert "12 is not in the letter" in json.dumps(llm_server.messages())
    assert plain.engine == MODEL and "12" not in plain.text


@pytest.mark.parametrize("bad, problem", [
    (_with(why=["Your IMR was overturned.", "A short course of therapy makes sense."]), "not \\\"upheld\\\""),
    (_with(source_quote="The patient loves physical therapy."), "source_quote"),
    (_with(why=["Notwithstanding documented myofascial symptomatology, continuation necessitates objective "
                "functional substantiation consistent with evidence-based utilization recommendations."]), "grade"),
])
def test_replies_that_break_a_rule_fall_back(llm_server, gold, bad, problem):
    letter, summary = gold
    llm_server.enqueue(reply_json(bad), reply_json(bad))
    plain = plain_summary(summary, letter.text, "en", settings=settings())
    assert problem in json.dumps(llm_server.messages())
    assert (plain.engine, plain.fallback_from) == ("offline", MODEL)
    assert plain.text == plain_offline(summary, letter.text, "en").text


def test_an_unreachable_model_falls_back_and_says_so(monkeypatch, gold):
    letter, summary = gold
    monkeypatch.setenv("IMR_LLM_API_BASE", f"http://127.0.0.1:{free_port()}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy-key-000")
    monkeypatch.setenv("IMR_LLM_DEADLINE", "3")
    plain = plain_summary(summary, letter.text, "en", settings=get_settings(llm_model=MODEL))
    assert (plain.engine, plain.fallback_from) == ("offline", MODEL)
    assert any("could not be used" in note for note in plain.notes)
    assert "Decision: APPROVED." in plain.text


def _typed_reply(summary) -> dict:
    """The model's typed summary of the gold letter: its one item, as the offline reader read it."""
    item = summary.items[0]
    return {"items": [{"index": 1, "item": {"value": item.item.value, "quote": item.item.quote},
                       "decision": {"value": "overturned", "quote": item.decision.quote},
                       "guidelines": [{"value": g.value, "quote": g.quote} for g in item.guidelines],
                       "reason": {"value": item.reason.value, "quote": item.reason.value}, "rationale": None}]}


def test_cli_plain_with_a_model(llm_server, gold):
    letter, summary = gold
    llm_server.enqueue(reply_json(_typed_reply(summary)), reply_json(GOOD_EN))
    result = CliRunner().invoke(app, ["summarize", str(GOLD_LETTER), "--plain", "--model", MODEL])
    assert result.exit_code == 0, result.output
    assert "Your leg pain was not treated before." in result.stdout
    assert f"(engine: {MODEL})" in result.stdout


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_cli_plain_fallback_says_so_in_words_and_json_has_two_fields(llm_server, gold, as_json):
    letter, summary = gold
    wrong = _with(approved=False)
    llm_server.enqueue(reply_json(_typed_reply(summary)), reply_json(wrong), reply_json(wrong))
    flags = ["--json"] if as_json else []
    result = CliRunner().invoke(app, ["summarize", str(GOLD_LETTER), "--plain", "--model", MODEL, *flags])
    assert result.exit_code == 0, result.output
    assert len(llm_server.requests) == 3  # the typed summary, the plain reply and its one re-ask
    if as_json:
        shown = json.loads(result.stdout)
        assert (shown["engine"], shown["fallback_from"]) == ("offline", MODEL)
    else:
        assert f"(engine: offline (fallback from {MODEL}))" in result.stdout
        assert "note: The model" in result.stdout


def test_the_screen_and_the_page_show_the_fallback_in_words(gold):
    letter, summary = gold
    plain = plain_offline(summary, letter.text, "en").model_copy(update={"fallback_from": MODEL})
    wording = f"offline (fallback from {MODEL})"
    assert f"engine: {wording}" in plain_markdown(plain)
    assert f"imr-llm ({wording})" in plain_page(plain)
    assert "fallback from" not in plain_markdown(plain_offline(summary, letter.text, "en"))
