"""The CLI as a user runs it: exit codes, JSON shapes, spans, and the core issue's 'done when' lines."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from imr_llm.cli import app

from conftest import GOLD_LETTER, LETTERS

runner = CliRunner()


def _span_text(text: str, value: dict) -> str:
    return text[value["span"]["start"] : value["span"]["end"]]


def test_summarize_json_of_the_real_letter():
    result = runner.invoke(app, ["summarize", str(GOLD_LETTER), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    text = GOLD_LETTER.read_text()  # LF-only UTF-8, so offsets into the file equal offsets into the letter
    item = summary["items"][0]
    assert item["decision"]["value"] == "overturned" and item["authorized"] is True
    assert _span_text(text, item["decision"]) == "Overturned"
    assert _span_text(text, item["item"]).startswith("Physical Therapy (PT)")
    assert item["guidelines"][0]["value"].startswith("MTUS") and _span_text(text, item["guidelines"][0]).startswith("MTUS")
    assert summary["patient_age"]["value"] == 36 and _span_text(text, summary["patient_age"]) == "36"
    assert summary["date_of_injury"]["value"] == "2013-08-26" and _span_text(text, summary["date_of_injury"]) == "8/26/13"
    assert summary["ur_decision_date"]["value"] == "2014-02-28" and _span_text(text, summary["ur_decision_date"]) == "2/28/14"
    assert summary["overall"] == "overturned"


def test_ask_why_pt_was_overturned_cites_the_sentence():
    result = runner.invoke(app, ["ask", str(GOLD_LETTER), "Why was PT overturned?", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    text = GOLD_LETTER.read_text()
    assert answer["engine"] == "offline" and answer["answered"] is True
    assert "leg" in answer["text"] and "not appear to have been addressed" in answer["text"]
    cited = [_span_text(text, c) for c in answer["citations"]]
    assert any("leg symptoms which does not appear to have been addressed previously" in " ".join(c.split())
               for c in cited)
    for citation, quote in zip(answer["citations"], cited):
        assert quote == citation["quote"]


def test_ask_something_the_letter_does_not_say():
    result = runner.invoke(app, ["ask", str(GOLD_LETTER), "What is the claimant's favourite colour?", "--json"])
    assert result.exit_code == 0
    answer = json.loads(result.stdout)
    assert answer["answered"] is False and answer["citations"] == []
    assert "does not answer" in answer["text"]


def test_summarize_table_output():
    result = runner.invoke(app, ["summarize", str(LETTERS / "t10_b_unnumbered.txt")])
    assert result.exit_code == 0
    assert "Cyclobenzaprine" in result.stdout and "Omeprazole" in result.stdout
    assert "UPHELD" in result.stdout and "OVERTURNED" in result.stdout
    assert "CM13-0017345" in result.stdout


def test_errors_are_one_line_with_exit_code_1(tmp_path):
    missing = tmp_path / "nope.txt"
    result = runner.invoke(app, ["summarize", str(missing)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {missing}: no such file"
    unknown = runner.invoke(app, ["ask", "CM99-0000001", "Why?"])
    assert unknown.exit_code == 1 and "no case 'CM99-0000001' in the store" in unknown.stderr


def test_ingest_then_summarize_by_case_number_and_html(tmp_path):
    result = runner.invoke(app, ["ingest", str(LETTERS / "t10_b_unnumbered.txt"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["status"] == "added"
    page = tmp_path / "case.html"
    result = runner.invoke(app, ["summarize", "CM13-0017345", "--json", "--html", str(page)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["case_id"] == "CM13-0017345"
    html = page.read_text()
    assert '<mark class="upheld"' in html and '<mark class="overturned"' in html
    cases = runner.invoke(app, ["cases", "--json"])
    assert [c["case_id"] for c in json.loads(cases.stdout)] == ["CM13-0017345"]
