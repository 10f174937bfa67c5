"""The web interface through gradio_client against a launched app: ask, summarize, upload, analytics,
and eight simultaneous clients."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from pathlib import Path

import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from typer.testing import CliRunner
from ui_fixtures import GOLD, served_ui  # noqa: F401  (the fixture)

from imr_llm import api
from imr_llm.cli import app as cli_app
from imr_llm.store.load import load_letter

pytestmark = [pytest.mark.slow,
              pytest.mark.filterwarnings("ignore:.*(no_silent_downcasting|copy keyword is deprecated)")]
MARK = re.compile(r'<mark class="(\w+)"[^>]*>(.*?)(?:<sup>.*?</sup>)?</mark>', re.S)
CASE_000 = "000_cf4ccf513f3d2879.txt"


def client(served) -> Client:
    return Client(served.url, analytics_enabled=False, verbose=False)


def gold(name: str) -> dict:
    return json.loads((GOLD / name.replace(".txt", ".gold.json")).read_text(encoding="utf-8"))


def squash(text: str) -> str:
    return " ".join(unescape(text).split())


def last_reply(chat: list[dict]) -> str:
    content = chat[-1]["content"]
    return content if isinstance(content, str) else " ".join(part.get("text", "") for part in content)


def store_letters(served) -> list[dict]:
    return api.open_store(served.settings).cases()


def test_ask_streams_a_cited_answer_and_highlights_the_cited_sentence(served_ui):
    record = gold(CASE_000)
    question = record["questions"][0]
    job = client(served_ui).submit(served_ui.cases[CASE_000], question["question"], api_name="/ask")
    chat, sources, letter_html, cleared = job.result(timeout=60)
    replies = [last_reply(out[0]) for out in job.outputs() if out[0] and out[0][-1]["role"] == "assistant"]
    assert len(replies) >= 3, "the answer should arrive in several steps"
    final = last_reply(chat)
    assert replies[-1] == final and sum(final.startswith(r) and r != final for r in replies) >= 2
    answer = last_reply(chat).lower()
    for alternatives in question["answer_must_mention"]:
        assert any(a.lower() in answer for a in alternatives), alternatives
    assert "engine: offline" in answer and cleared == ""
    assert sources["value"] == 1 and len(sources["choices"]) >= 1
    marks = [(kind, squash(text)) for kind, text in MARK.findall(letter_html)]
    assert [kind for kind, _ in marks].count("focus") == 1
    assert any(squash(question["evidence"]).lower() in text.lower() for _, text in marks), marks
    letter = load_letter(GOLD / CASE_000).text
    assert all(text in squash(letter) for _, text in marks)


def test_conversation_history_is_kept_per_case(served_ui):
    c = client(served_ui)
    first, second = served_ui.cases[CASE_000], served_ui.cases["201_c_lumbar_pt_nsaid.txt"]
    c.predict(first, "Why was PT overturned?", api_name="/ask")
    other = c.predict(second, "Was naproxen authorized?", api_name="/ask")[0]
    again = c.predict(first, "Which guideline was the decision based on?", api_name="/ask")[0]
    assert [last_reply([m]) for m in other if m["role"] == "user"] == ["Was naproxen authorized?"]
    assert [last_reply([m]) for m in again if m["role"] == "user"] == [
        "Why was PT overturned?", "Which guideline was the decision based on?"]
    assert "MTUS" in last_reply(again)


def test_ask_across_all_cases_cites_letters_by_case(served_ui):
    chat, sources, letter_html, _ = client(served_ui).predict("__all__", "Why was physical therapy overturned?",
                                                              api_name="/ask")
    assert served_ui.cases[CASE_000] in last_reply(chat)
    assert sources["choices"] and '<mark class="focus"' in letter_html


def test_summary_table_shows_a_badge_guideline_and_reason_per_item(served_ui):
    record = gold(CASE_000)
    fields, table, letter_html = client(served_ui).predict(served_ui.cases[CASE_000], api_name="/summarize")
    assert served_ui.cases[CASE_000] in fields and "overall: overturned" in fields
    assert table["headers"] == ["#", "Item", "Decision", "Guideline", "Reason"]
    assert len(table["data"]) == len(record["decisions"])
    row, expected = table["data"][0], record["decisions"][0]
    assert row[1] == expected["item"]
    assert "Overturned — authorized" in row[2] and "overturned" in row[2]
    assert row[3] == "; ".join(expected["guidelines"])
    assert "leg symptoms" in row[4]
    marked = dict((squash(text), kind) for kind, text in MARK.findall(letter_html))
    assert any(expected["item"] in text and kind == "overturned" for text, kind in marked.items())


def test_summary_badges_follow_each_item_decision(served_ui):
    case = served_ui.cases["201_c_lumbar_pt_nsaid.txt"]
    _, table, _ = client(served_ui).predict(case, api_name="/summarize")
    summary = api.summarize(case, settings=served_ui.settings)
    badges = ["Overturned — authorized" if i.authorized else "Upheld — not authorized" for i in summary.items]
    assert [b in row[2] for b, row in zip(badges, table["data"], strict=True)] == [True] * len(badges)


def test_upload_good_letter_is_ingested_and_can_be_asked(served_ui):
    before = store_letters(served_ui)
    status, picked, search = client(served_ui).predict(handle_file(GOLD / "107_b_shoulder_mri_pt.txt"),
                                                       api_name="/upload")
    expected_case = gold("107_b_shoulder_mri_pt.txt")["case_number"]
    assert "added as case" in status and expected_case in status
    assert picked["value"] == expected_case and search == expected_case
    after = store_letters(served_ui)
    assert len(after) == len(before) + 1 and expected_case in {c["case_id"] for c in after}
    chat = client(served_ui).predict(expected_case, "Was the MRI authorized?", api_name="/ask")[0]
    assert "MRI" in last_reply(chat)


@pytest.mark.parametrize("name, content, message", [
    ("notes.txt", b"Shopping list: eggs, milk, bread.\n" * 20, "not an IMR determination letter"),
    ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "unreadable PDF"),
    ("empty.txt", b"", "empty file"),
])
def test_upload_bad_file_gets_a_clear_message_and_changes_nothing(served_ui, tmp_path, name, content, message):
    before = store_letters(served_ui)
    path = tmp_path / name
    path.write_bytes(content)
    status, picked, _ = client(served_ui).predict(handle_file(path), api_name="/upload")
    assert status.startswith(f"**Could not add {name}**") and message in status
    assert str(tmp_path) not in status
    assert picked == {"__type__": "update"}
    assert store_letters(served_ui) == before


def test_upload_rejects_other_file_types(served_ui, tmp_path):
    before = store_letters(served_ui)
    doc = tmp_path / "letter.docx"
    doc.write_bytes((GOLD / CASE_000).read_bytes())
    with pytest.raises(AppError, match="Invalid file type"):
        client(served_ui).predict(handle_file(doc), api_name="/upload")
    assert store_letters(served_ui) == before


def test_server_refuses_uploads_over_the_size_cap(served_ui, tmp_path):
    before = store_letters(served_ui)
    big = tmp_path / "huge.txt"
    big.write_bytes(b"IMR " * (3 * 1024 * 1024))  # 12 MB, over the 10 MB cap
    with big.open("rb") as fh:
        response = httpx.post(f"{served_ui.url}/gradio_api/upload", files={"files": ("huge.txt", fh, "text/plain")},
                              timeout=30)
    assert response.status_code == 413
    assert store_letters(served_ui) == before


def test_eight_simultaneous_clients_all_get_answers(served_ui):
    cases = list(served_ui.cases.values())
    questions = ["Why was PT overturned?", "Was naproxen authorized?", "Which guideline was used?",
                 "How many sessions of physical therapy were requested?"]

    def ask(n: int) -> str:
        chat = client(served_ui).predict(cases[n % 2], questions[n % 4], api_name="/ask")[0]
        return last_reply(chat)

    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(ask, range(8)))
    assert len(replies) == 8
    assert all("engine: offline" in r and "Could not answer" not in r for r in replies)


def test_analytics_counts_match_the_store(served_ui):
    summary_md, decisions, categories, guidelines, rates, table = client(served_ui).predict(api_name="/analytics")
    summaries = list(api.open_store(served_ui.settings).summaries())
    n_items = sum(len(s.items) for s in summaries)
    assert f"**{len(summaries)}** letter(s), **{n_items}** disputed item(s)" in summary_md
    assert sum(row[1] for row in decisions["data"]) == n_items
    assert sum(row[2] for row in categories["data"]) == n_items
    assert sum(row[1] for row in table["data"]) == n_items
    pt = next(row for row in table["data"] if row[0] == "physical therapy")
    assert pt[1] >= 2 and pt[2] >= 1


def test_search_finds_cases_by_treatment_and_decision(served_ui):
    picker, note = client(served_ui).predict("physical therapy", "overturned", api_name="/search_cases")
    values = [value for _, value in picker["choices"]]
    assert values[0] == "__all__" and served_ui.cases[CASE_000] in values
    assert note.startswith(f"{len(values) - 1} of ")


def test_server_log_holds_no_letter_text(served_ui, capfd, caplog, tmp_path):
    sentence = "Patient still feels weakness in left leg and dizziness"
    path = tmp_path / "letter.txt"
    path.write_text((GOLD / "202_c_knee_mri_aquatic.txt").read_text(encoding="utf-8"), encoding="utf-8")
    c = client(served_ui)
    c.predict(served_ui.cases[CASE_000], "What symptoms does the patient have?", api_name="/ask")
    c.predict(handle_file(path), api_name="/upload")
    out, err = capfd.readouterr()
    logged = out + err + caplog.text
    letter_202 = squash((GOLD / "202_c_knee_mri_aquatic.txt").read_text(encoding="utf-8"))
    assert sentence not in logged
    assert not any(len(line) > 40 and squash(line) in letter_202 for line in logged.splitlines())


def test_ui_command_refuses_to_serve_beyond_localhost_without_a_login(monkeypatch):
    monkeypatch.delenv("IMR_UI_AUTH", raising=False)
    result = CliRunner().invoke(cli_app, ["ui", "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "IMR_UI_AUTH" in result.output
    result = CliRunner().invoke(cli_app, ["ui", "--share"])
    assert result.exit_code == 2
    monkeypatch.setenv("IMR_UI_AUTH", "no-colon")
    result = CliRunner().invoke(cli_app, ["ui"])
    assert result.exit_code == 2 and "user:password" in result.output


def test_ui_command_passes_the_login_and_never_shares_by_default(monkeypatch):
    import imr_llm.ui.app

    seen = {}
    monkeypatch.setenv("IMR_UI_AUTH", "claims:s3cret")
    monkeypatch.setattr(imr_llm.ui.app, "build_app", lambda: "app")
    monkeypatch.setattr(imr_llm.ui.app, "launch", lambda demo, **kw: seen.update(kw, demo=demo))
    result = CliRunner().invoke(cli_app, ["ui", "--host", "0.0.0.0", "--port", "7999"])
    assert result.exit_code == 0, result.output
    assert seen == {"demo": "app", "host": "0.0.0.0", "port": 7999, "share": False, "auth": ("claims", "s3cret")}



@pytest.mark.parametrize("lang, approved", [("en", "APPROVED"), ("es", "APROBADO")])
def test_plain_language_view_in_english_and_spanish_with_downloads(served_ui, lang, approved):
    from imr_llm.plain.summary import plain_summary

    case = served_ui.cases[CASE_000]
    shown, as_text, as_page = client(served_ui).predict(case, lang, api_name="/plain")
    letter = api.default_client(served_ui.settings).open_letter(case).letter
    expected = plain_summary(api.summarize(case, settings=served_ui.settings), letter.text, lang)
    assert f">{approved}</span>" in shown and "NOT" not in shown.split("</span>")[0]
    assert all(squash(step) in squash(shown.replace("\\", "")) for step in expected.next_steps)
    assert as_text["visible"] and as_page["visible"]
    assert Path(as_text["value"]).read_text(encoding="utf-8") == expected.text
    page = Path(as_page["value"]).read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and f'lang="{lang}"' in page


def test_a_case_must_come_from_the_store_not_a_server_path(served_ui):
    path = str(GOLD / "202_c_knee_mri_aquatic.txt")  # a real letter on the server's disk, never ingested
    chat = client(served_ui).predict(path, "What was decided?", api_name="/ask")[0]
    assert "No case" in last_reply(chat) and "MRI" not in last_reply(chat)
    with pytest.raises(AppError, match="No case"):
        client(served_ui).predict(path, api_name="/summarize")
    with pytest.raises(AppError, match="No case"):
        client(served_ui).predict(path, "en", api_name="/plain")


@pytest.mark.parametrize("model, shown", [(None, "offline"), ("openai/gpt-4o-mini", "openai/gpt-4o-mini")])
def test_the_engine_in_use_is_always_in_the_header(tmp_path, model, shown):
    from imr_llm.config import get_settings
    from imr_llm.ui.app import build_app

    demo = build_app(get_settings(home=tmp_path, llm_model=model))
    header = next(block for block in demo.blocks.values() if block.elem_id == "engine")
    assert f"Engine: **{shown}" in header.value
