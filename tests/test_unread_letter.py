"""A letter that is an IMR determination but whose decisions cannot be read is kept, askable and flagged;
only text that is not an IMR letter at all is refused."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from imr_llm.cli import app
from imr_llm.cli.core import UNREAD_EXIT

from paths import TEST_DATA

UNREAD = TEST_DATA / "unread" / "cm19_no_decision.txt"
runner = CliRunner()


def test_summarize_prints_the_case_fields_flags_the_letter_and_exits_3():
    result = runner.invoke(app, ["summarize", str(UNREAD), "--json"])
    assert result.exit_code == UNREAD_EXIT == 3
    summary = json.loads(result.stdout)
    assert summary["items"] == [] and summary["overall"] is None
    assert summary["needs_review"] is True
    assert summary["review_reasons"] == ["the decisions could not be read: a person should read this letter"]
    assert summary["case_number"]["value"] == "CM19-0101010"
    assert summary["ur_decision_date"]["value"] == "2019-03-04"


def test_summarize_table_says_a_person_should_read_it():
    result = runner.invoke(app, ["summarize", str(UNREAD)])
    assert result.exit_code == 3
    assert "NEEDS REVIEW: a person should read this letter." in result.stdout
    assert "review: the decisions could not be read" in result.stdout


def test_ingest_stores_it_and_a_question_about_it_is_answered_from_its_text():
    ingest = runner.invoke(app, ["ingest", str(UNREAD)])
    assert ingest.exit_code == 0, ingest.output
    assert "1 added, 0 unchanged, 0 failed" in ingest.output
    cases = json.loads(runner.invoke(app, ["cases", "--json"]).stdout)
    assert [(c["case_id"], c["items"]) for c in cases] == [("CM19-0101010", 0)]
    answer = json.loads(runner.invoke(app, ["ask", "CM19-0101010", "When was the UR denial?", "--json"]).stdout)
    assert "03/04/2019" in answer["text"] or "2019-03-04" in answer["text"]
    assert answer["citations"] and "03/04/2019" in answer["citations"][0]["quote"]


def test_text_that_is_not_an_imr_letter_is_refused(tmp_path):
    recipe = tmp_path / "recipe.txt"
    recipe.write_text("Banana bread. Mix three bananas with flour, sugar and two eggs, then bake for an hour.\n" * 5)
    result = runner.invoke(app, ["summarize", str(recipe)])
    assert result.exit_code == 1
    assert "not an IMR" in result.output or "not an Independent Medical Review" in result.output
