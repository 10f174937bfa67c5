"""The evaluation harness itself: matching rules, field normalisation, failing letters, flipped gold,
a broken parser, ragas with and without an LLM, and `imr-llm eval`.

Gold folders here are copies of a few evals/gold letters in tmp_path; most copies drop
their questions so that no embedding runs and the tests stay fast.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from imr_llm import client as client_lib
from imr_llm.cli import app
from imr_llm.evaluation.report import compare_reports, miss_line, report_markdown, review_lines
from imr_llm.evaluation.evaluate import LetterRun, QuestionRun, evaluate, review_report, score_decisions, score_fields
from imr_llm.evaluation.gold import GoldError, GoldLetter, item_similarity, load_gold, match_items, normalise_field
from imr_llm.store.load import load_letter
from imr_llm.models import Answer, Citation
from imr_llm.parse import parse_letter

from paths import GOLD, ROOT
NORCO = "101_a_norco_two_doses"  # layout A, 4 items, same drug at two doses
CHIRO = "105_a_chiro_one_line"  # layout A, 1 item upheld
SYNVISC = "112_b_knee_synvisc_overturn"  # layout B (decisions-and-rationales), 1 item overturned
runner = CliRunner()


def copy_gold(folder: Path, names: list[str], *, questions: int = 0, edit=None) -> Path:
    """Copy letters and their records; keep the first `questions` questions; `edit(name, record)` may change a record."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(GOLD / f"{name}.txt", folder / f"{name}.txt")
        record = json.loads((GOLD / f"{name}.gold.json").read_text(encoding="utf-8"))
        record["questions"] = record["questions"][:questions]
        if edit:
            edit(name, record)
        (folder / f"{name}.gold.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
    return folder


# --- matching rules -----------------------------------------------------------------------------

def test_items_match_at_a_token_set_similarity_of_80_and_not_below():
    assert item_similarity("Physical therapy 12 sessions", "Physical therapy x 12 sessions, lumbar") >= 80
    assert item_similarity("Lumbar MRI", "Cervical MRI") < 80
    assert match_items(["Lumbar MRI"], ["Cervical MRI"]) == {}
    assert match_items(["Physical therapy 12 sessions"], ["Physical therapy, 12 sessions!"]) == {0: 0}


def test_containment_matches_whole_words_whatever_the_case_and_punctuation():
    assert item_similarity("MRI", "MRI of the right knee") == 100
    assert item_similarity("1. Is the request for X-rays of the lumbar spine", "x-rays of the LUMBAR spine") == 100
    assert item_similarity("PT", "Aptitude testing") < 80


def test_matching_is_one_to_one_and_pairs_each_dose_with_its_own_item():
    gold = ["Norco 10/325mg #60", "Norco 10/325mg #120"]
    assert item_similarity(gold[0], gold[1]) >= 80  # the trap: the two doses look alike
    assert match_items(gold, ["Norco 10/325mg #120", "Norco 10/325mg #60"]) == {0: 1, 1: 0}
    assert match_items(gold, ["Norco 10/325mg #60"]) == {0: 0}  # one prediction matches one gold item only
    # the most pairs first: the evaluation can only match X, so the aide hours take Y
    gold = ["Home health aide 4 hours a day", "Home health aide evaluation"]
    predicted = ["Home health aide 4 hours a day evaluation", "Home health aide 4 hours daily"]
    assert item_similarity(gold[1], predicted[1]) < 80 <= item_similarity(gold[0], predicted[1])
    assert match_items(gold, predicted) == {0: 1, 1: 0}


def test_fields_are_normalised_before_they_are_compared():
    assert normalise_field("date_of_injury", "03/05/2014") == "2014-03-05"
    assert normalise_field("case_number", " cm14-0031234 ") == "CM14-0031234"
    assert normalise_field("patient_sex", "Female") == "female"
    assert normalise_field("patient_age", "52") == 52
    assert normalise_field("overall", None) is None


def _run_of(name: str, **record_changes) -> LetterRun:
    record = json.loads((GOLD / f"{name}.gold.json").read_text(encoding="utf-8")) | record_changes
    summary = parse_letter(load_letter(GOLD / f"{name}.txt"))
    return LetterRun(GoldLetter(f"{name}.txt", GOLD / f"{name}.txt", record), summary=summary)


def test_null_gold_fields_are_skipped_and_a_wrong_field_is_a_miss_with_both_values():
    full = score_fields(_run_of(CHIRO))
    assert (full.hits, full.total) == (6, 6)
    skipped = score_fields(_run_of(CHIRO, case_number=None, date_of_injury=None))
    assert (skipped.hits, skipped.total, skipped.misses) == (4, 4, [])
    wrong = score_fields(_run_of(CHIRO, patient_age=99))
    assert (wrong.hits, wrong.total) == (5, 6)
    assert [(m.what, m.predicted, m.gold) for m in wrong.misses] == [("patient_age", 29, 99)]


def test_gold_records_that_break_the_format_are_named(tmp_path):
    with pytest.raises(GoldError, match="no \\*.gold.json"):
        load_gold(tmp_path)
    (tmp_path / "x.gold.json").write_text('{"schema": "imr-gold/1", "decisions": [{"item": "PT", "decision": "denied"}]}')
    with pytest.raises(GoldError, match="x.gold.json: decision 1"):
        load_gold(tmp_path)


# --- whole evaluations --------------------------------------------------------------------------

@pytest.mark.slow  # an evaluation run with questions
def test_a_letter_that_fails_to_parse_counts_as_all_wrong_and_the_run_goes_on(tmp_path):
    folder = copy_gold(tmp_path / "gold", [CHIRO])
    (folder / "broken.txt").write_text("Dear Sir, thank you for your order of garden furniture.\n")
    (folder / "broken.gold.json").write_text(json.dumps({
        "schema": "imr-gold/1", "letter": "broken.txt", "case_number": "CM13-0000001", "patient_age": None,
        "overall": "partial", "decisions": [{"item": "MRI", "decision": "upheld"}, {"item": "PT", "decision": "overturned"}],
        "questions": [{"question": "Why was PT approved?", "answer_must_mention": [["therapy"]], "evidence": "PT"}],
    }))
    report = evaluate(folder, ragas=False)
    assert (report["letters"], report["failed_letters"]) == (2, 1)
    assert report["decision_accuracy"] == pytest.approx(1 / 3, abs=1e-4)  # CHIRO's one item right, both broken items wrong
    assert report["counts"]["field_accuracy"] == {"hits": 6, "total": 8}
    assert report["answer_hit_rate"] == 0.0 and report["evidence_hit_rate"] == 0.0
    broken = next(r for r in report["per_letter"] if r["letter"] == "broken.txt")
    assert "not an IMR determination letter" in broken["error"]
    readme_metrics = ("decision_accuracy", "item_precision", "field_accuracy", "answer_hit_rate", "evidence_hit_rate")
    assert [(m["metric"], m["predicted"], m["gold"]) for m in broken["misses"] if m["metric"] in readme_metrics] == [
        ("decision_accuracy", None, "upheld"), ("decision_accuracy", None, "overturned"),
        ("field_accuracy", None, "CM13-0000001"), ("field_accuracy", None, "partial"),
        ("answer_hit_rate", None, [["therapy"]]), ("evidence_hit_rate", None, "PT"),
    ]
    chiro = next(r for r in report["per_letter"] if r["letter"] == f"{CHIRO}.txt")
    assert chiro["error"] is None and chiro["misses"] == []


@pytest.mark.slow  # an evaluation run with questions, through the CLI
def test_eval_cli_on_a_copy_with_one_gold_decision_flipped_names_that_letter_and_item(tmp_path):
    def flip(name, record):
        if name == NORCO:
            record["decisions"][1]["decision"] = "overturned"  # the #120 was upheld in the letter
            record["overall"] = "partial"

    folder = copy_gold(tmp_path / "gold", [NORCO, CHIRO])
    result = runner.invoke(app, ["eval", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    clean = json.loads(result.stdout)
    for key in ("letters", "engine", "decision_accuracy", "item_precision", "field_accuracy", "answer_hit_rate",
                "evidence_hit_rate", "per_letter", "ragas_context_precision", "ragas_context_recall"):
        assert key in clean
    assert clean["decision_accuracy"] == 1.0 and clean["engine"] == "offline"

    flipped = copy_gold(tmp_path / "flipped", [NORCO, CHIRO], questions=1, edit=flip)
    result = runner.invoke(app, ["eval", str(flipped), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["decision_accuracy"] == pytest.approx(4 / 5)
    norco = next(r for r in report["per_letter"] if r["letter"] == f"{NORCO}.txt")
    decision_misses = [m for m in norco["misses"] if m["metric"] == "decision_accuracy"]
    assert len(decision_misses) == 1
    assert "Norco 10/325mg #120" in decision_misses[0]["what"]
    assert (decision_misses[0]["predicted"], decision_misses[0]["gold"]) == ("upheld", "overturned")

    assert report["counts"]["answer_hit_rate"]["total"] == 2 and report["ragas_context_recall"] is not None
    table = runner.invoke(app, ["eval", str(copy_gold(tmp_path / "flipped-no-questions", [NORCO, CHIRO], edit=flip))])
    assert table.exit_code == 0, table.output
    assert f"{NORCO}.txt: decision_accuracy: decision of item 2 'Norco 10/325mg #120': " \
           "predicted 'upheld', gold 'overturned'" in table.stdout


def test_eval_cli_on_a_folder_without_gold_records_fails_with_a_message(tmp_path):
    result = runner.invoke(app, ["eval", str(tmp_path)])
    assert result.exit_code == 1
    assert "no *.gold.json records" in result.output


def test_new_metrics_producers_and_reporters_join_the_report_and_its_comparison(tmp_path, monkeypatch):
    from imr_llm.evaluation import evaluate as evaluate_lib

    def produce_length(run, settings):
        run.extra["length"] = len(run.gold.letter_path.read_text())

    def score_length(run):
        tally = evaluate_lib.Tally()
        tally.add(run.extra["length"] > 100, evaluate_lib.Miss("long_enough", "letter length", run.extra["length"], 100))
        return tally

    monkeypatch.setattr(evaluate_lib, "PRODUCERS", [produce_length])
    monkeypatch.setitem(evaluate_lib.METRICS, "long_enough", score_length)
    monkeypatch.setattr(evaluate_lib, "REPORTERS", [lambda runs, rows: {"words_max": 10.0,
                                                                          "lower_is_better": ["words_max"]}])
    report = evaluate(copy_gold(tmp_path / "gold", [CHIRO]), ragas=False)
    assert report["long_enough"] == 1.0 and report["counts"]["long_enough"] == {"hits": 1, "total": 1}
    assert report["words_max"] == 10.0 and report["lower_is_better"] == ["words_max"]
    assert compare_reports(report | {"words_max": 12.0}, report).regressed == ["words_max: 10.0000 -> 12.0000 (+2.0000)"]
    assert compare_reports(report | {"words_max": 8.0}, report).improved == ["words_max: 10.0000 -> 8.0000 (-2.0000)"]


def _swap_in(layout: str):
    """A parser that swaps upheld and overturned in one layout."""
    real = parse_letter

    def broken(letter):
        summary = real(letter)
        if summary.layout == layout:
            for item in summary.items:
                item.decision.value = "overturned" if item.decision.value == "upheld" else "upheld"
        return summary

    return broken


def test_a_broken_parser_makes_the_report_name_the_regressed_letters_and_fields(tmp_path, monkeypatch):
    folder = copy_gold(tmp_path / "gold", [CHIRO, SYNVISC])
    baseline = evaluate(folder, ragas=False)
    monkeypatch.setattr(client_lib, "parse_letter", _swap_in("decisions-and-rationales"))
    broken = evaluate(folder, ragas=False)
    assert broken["decision_accuracy"] == 0.5
    regressed = compare_reports(broken, baseline).regressed
    assert "decision_accuracy: 1.0000 -> 0.5000 (-0.5000)" in regressed
    assert any(line.startswith(f"{SYNVISC}.txt: decision_accuracy: decision of item 1 ") and
               "predicted 'upheld', gold 'overturned'" in line for line in regressed)
    assert f"{SYNVISC}.txt: field_accuracy: overall: predicted 'upheld', gold 'overturned'" in regressed
    assert not any(CHIRO in line for line in regressed)
    markdown = report_markdown(broken, compare_reports(broken, baseline))
    assert "REGRESSED" in markdown and SYNVISC in markdown


@pytest.mark.slow
def test_pytest_evals_fails_on_a_broken_parser_and_names_what_regressed(tmp_path):
    folder = copy_gold(tmp_path / "gold", [CHIRO, SYNVISC])
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "baseline.json").write_text(json.dumps(evaluate(folder, ragas=False)))
    (tmp_path / "broken_parser.py").write_text(  # a pytest plugin that breaks the parser of layout B
        "from imr_llm import client as client_lib\n"
        "real = client_lib.parse_letter\n"
        "def broken(letter):\n"
        "    summary = real(letter)\n"
        "    for item in summary.items if summary.layout == 'decisions-and-rationales' else []:\n"
        "        item.decision.value = {'upheld': 'overturned', 'overturned': 'upheld'}[item.decision.value]\n"
        "    return summary\n"
        "client_lib.parse_letter = broken\n")
    env = {k: v for k, v in os.environ.items() if k != "IMR_LLM_MODEL"}
    env.update(PYTHONPATH=str(tmp_path), IMR_EVAL_GOLD=str(folder),
               IMR_EVAL_REPORTS=str(reports))
    done = subprocess.run([sys.executable, "-m", "pytest", "evals/test_gold.py", "-p", "broken_parser", "-q",
                           "-p", "no:cacheprovider"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert f"FAILED evals/test_gold.py::test_letter[gold-{SYNVISC}.txt]" in out
    assert f"{SYNVISC}.txt: decision_accuracy: decision of item 1 'Series of three Synvisc injections to the " \
           "right knee': predicted 'upheld', gold 'overturned'" in out
    assert "FAILED evals/test_gold.py::test_metric[gold-decision_accuracy>=0.98]" in out
    assert "REGRESSED  decision_accuracy: 1.0000 -> 0.5000" in out
    assert f"test_letter[gold-{CHIRO}.txt]" not in out.split("short test summary")[-1]
    assert "blind" not in out.split("short test summary")[-1]  # IMR_EVAL_GOLD replaces both folders
    assert (reports / "latest.json").is_file() and (reports / "latest.md").is_file()


# --- unanswerable questions, flagged and unreadable letters ---------------------------------------

def test_unanswerable_questions_count_for_abstention_and_answers_never_for_evidence(tmp_path):
    def add_questions(name, record):
        record["questions"] = [
            {"question": "Was acupuncture authorized?", "evidence": None, "unanswerable": True,
             "answer_must_mention": [["does not mention", "does not say"]]},
            # labelled unanswerable although the letter answers it: the product answers, so an abstention miss
            {"question": "Why was chiropractic treatment denied?", "evidence": None, "unanswerable": True,
             "answer_must_mention": [["does not mention", "does not say"]]},
            record["questions"][0],
        ]

    report = evaluate(copy_gold(tmp_path / "gold", [CHIRO], questions=1, edit=add_questions))
    assert report["counts"]["abstention_accuracy"] == {"hits": 1, "total": 2} and report["abstention_accuracy"] == 0.5
    assert report["counts"]["evidence_hit_rate"]["total"] == 1  # only the answerable question
    assert report["counts"]["answer_hit_rate"]["total"] == 3
    assert report["false_abstentions"] == 0 and "false_abstentions" in report["lower_is_better"]
    [row] = report["per_letter"]
    [miss] = [m for m in row["misses"] if m["metric"] == "abstention_accuracy"]
    assert miss["what"] == "Why was chiropractic treatment denied?" and "upheld" in miss["predicted"]
    acupuncture = row["questions"][0]
    assert acupuncture["answered"] is False and acupuncture["citations"] == 0 and acupuncture["unanswerable"]
    assert "ragas" not in acupuncture and "ragas" in row["questions"][2]  # ragas scores answerable questions only


def test_flagged_letters_are_counted_with_their_reasons_and_their_decisions_still_scored():
    flagged, plain = _run_of(NORCO), _run_of(CHIRO)
    flagged.summary.flag("two readings of the letter disagree on its items or decisions")
    rows = [{"letter": run.gold.name, "error": None, "counts": {}, "misses": []} for run in (flagged, plain)]
    figures = review_report([flagged, plain], rows)
    assert (figures["needs_review_letters"], figures["needs_review_share"], figures["unreadable_letters"]) == (1, 0.5, 0)
    assert rows[0]["needs_review"] and rows[0]["review_reasons"] == [
        "two readings of the letter disagree on its items or decisions"]
    assert not rows[1]["needs_review"] and rows[1]["review_reasons"] == []
    assert score_decisions(flagged).hits == score_decisions(flagged).total == 4
    report = {"gold_dir": "x", "per_letter": rows, "counts": {}, **figures}
    assert review_lines(report) == [f"{NORCO}.txt: needs review: two readings of the letter disagree on its items "
                                    "or decisions"]
    markdown = report_markdown(report)
    assert "## Letters flagged for a person (1)" in markdown and "two readings of the letter disagree" in markdown


def test_eval_cli_prints_flagged_and_unreadable_letters(tmp_path, monkeypatch):
    folder = copy_gold(tmp_path / "gold", [NORCO, CHIRO])
    (folder / "broken.txt").write_text("Dear Sir, thank you for your order of garden furniture.\n")
    (folder / "broken.gold.json").write_text(json.dumps({
        "schema": "imr-gold/1", "letter": "broken.txt", "overall": "upheld",
        "decisions": [{"item": "MRI", "decision": "upheld"}]}))
    real = client_lib.parse_letter

    def flagging(letter):  # the reader as it will be: unsure of the Norco letter
        summary = real(letter)
        if "Norco" in letter.text:
            summary.flag("the overall determination contradicts the items")
        return summary

    monkeypatch.setattr(client_lib, "parse_letter", flagging)
    as_json = json.loads(runner.invoke(app, ["eval", str(folder), "--json"]).stdout)
    assert (as_json["needs_review_letters"], as_json["unreadable_letters"], as_json["letters"]) == (1, 1, 3)
    assert as_json["needs_review_share"] == pytest.approx(0.3333)
    norco = next(r for r in as_json["per_letter"] if r["letter"] == f"{NORCO}.txt")
    assert norco["review_reasons"] == ["the overall determination contradicts the items"]
    assert norco["counts"]["decision_accuracy"] == {"hits": 4, "total": 4}
    table = runner.invoke(app, ["eval", str(folder)])
    assert table.exit_code == 0, table.output
    assert "1 letter(s) need review, 1 unreadable" in table.stdout
    assert f"{NORCO}.txt: needs review: the overall determination contradicts the items" in table.stdout
    assert "broken.txt: unreadable:" in table.stdout


# --- ragas ----------------------------------------------------------------------------------------

def _ragas_run(retrieved: list[str], quote: str) -> LetterRun:
    gold = {"question": "Why was PT denied?", "answer_must_mention": [["visits"]], "evidence": "exceeds the 10 visits"}
    answer = Answer(question=gold["question"], text=f'The letter says: "{quote}"',
                    citations=[Citation(passage_id="c1", quote=quote)])
    question = QuestionRun(gold, answer=answer, cited=[quote], retrieved=retrieved,
                           evidence_passages=["The request exceeds the 10 visits the MTUS allows."])
    return LetterRun(GoldLetter("x.txt", Path("x.txt"), {"questions": [gold]}), questions=[question])


def test_offline_ragas_scores_retrieval_and_quotes_without_an_llm_and_says_what_it_left_out():
    from imr_llm.config import get_settings
    from imr_llm.evaluation.ragas_metrics import score_runs

    good = _ragas_run(["The request exceeds the 10 visits the MTUS allows.", "Header of the letter."],
                      "exceeds the 10 visits")
    late = _ragas_run(["Header of the letter.", "The request exceeds the 10 visits the MTUS allows."],
                      "unrelated words entirely")
    scores = score_runs([good], get_settings())  # the socket guard of tests/conftest.py fails any network use
    assert scores["ragas_context_precision"] == pytest.approx(1.0)
    assert scores["ragas_context_recall"] == 1.0 and scores["ragas_evidence_similarity"] == 1.0
    assert "ragas_faithfulness" not in scores and "needs an LLM" in scores["ragas_skipped"]["ragas_faithfulness"]
    worse = score_runs([late], get_settings())
    assert worse["ragas_context_precision"] == pytest.approx(0.5) and worse["ragas_context_recall"] == 1.0
    assert worse["ragas_evidence_similarity"] < 0.5


def test_with_an_llm_ragas_adds_faithfulness_and_answer_relevancy_through_the_gateway(monkeypatch):
    from ragas.embeddings.base import BaseRagasEmbedding
    from ragas.metrics.collections.answer_relevancy.util import AnswerRelevanceOutput
    from ragas.metrics.collections.faithfulness.util import NLIStatementOutput, StatementGeneratorOutput

    from imr_llm.config import get_settings
    from imr_llm.evaluation.ragas_metrics import score_runs

    from imr_llm.llm import gateway as llm
    calls = []

    def scripted_complete(messages, response_model, *, settings, prompt_id, **kwargs):
        """The judge: two statements, one supported by the context; every generated question is the asked one."""
        calls.append((settings.llm_model, prompt_id))
        if response_model is StatementGeneratorOutput:
            value = StatementGeneratorOutput(statements=["PT was denied.", "The sky is green."])
        elif response_model is NLIStatementOutput:
            value = NLIStatementOutput.model_validate({"statements": [
                {"statement": "PT was denied.", "reason": "stated", "verdict": 1},
                {"statement": "The sky is green.", "reason": "not stated", "verdict": 0}]})
        else:
            value = AnswerRelevanceOutput(question="Why was PT denied?", noncommittal=0)
        return llm.LLMResult(value, settings.llm_model, cache_hit=False, requests=1, replies=1)

    class SameVector(BaseRagasEmbedding):
        def embed_text(self, text, **kwargs):
            return [1.0, 0.0]

        async def aembed_text(self, text, **kwargs):
            return [1.0, 0.0]

    monkeypatch.setattr(llm, "complete", scripted_complete)
    run = _ragas_run(["The request exceeds the 10 visits the MTUS allows."], "exceeds the 10 visits")
    scores = score_runs([run], get_settings(llm_model="openai/judge"), embeddings=SameVector())
    assert scores["ragas_faithfulness"] == 0.5
    assert scores["ragas_answer_relevancy"] == pytest.approx(1.0)
    assert "ragas_faithfulness" not in scores["ragas_skipped"]
    assert {model for model, _ in calls} == {"openai/judge"}
    assert {prompt for _, prompt in calls} == {"ragas/StatementGeneratorOutput", "ragas/NLIStatementOutput",
                                               "ragas/AnswerRelevanceOutput"}


def test_miss_lines_name_letter_metric_item_and_both_values():
    miss = {"metric": "field_accuracy", "what": "patient_age", "predicted": 44, "gold": 45, "note": ""}
    assert miss_line("a.txt", miss) == "a.txt: field_accuracy: patient_age: predicted 44, gold 45"
