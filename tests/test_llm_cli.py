"""The issue's "done when" checks, through the `imr-llm` command line and a scripted model server."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from imr_llm.cli import app
from imr_llm.store.load import load_letter
from imr_llm.parse import parse_letter

from conftest import GOLD_LETTER
from scripted_llm import draft_of, free_port, llm_server, reply_json  # noqa: F401 - fixture

runner = CliRunner()


def imr(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_summarize_corrects_a_model_that_contradicts_the_letter_and_caches_it(llm_server):
    parsed = parse_letter(load_letter(GOLD_LETTER))
    upheld = reply_json(draft_of(parsed, {1: "upheld"}))  # the PT item is overturned in the letter
    llm_server.enqueue(upheld, upheld)
    out = imr("summarize", str(GOLD_LETTER), "--model", "openai/x")
    assert "OVERTURNED" in out and "UPHELD" not in out and "(corrected)" in out
    assert "layout / engine" in out and "openai/x" in out
    assert "note: item 1 (Physical Therapy (PT)" in out and "the model said upheld" in out
    data = json.loads(imr("summarize", str(GOLD_LETTER), "--model", "openai/x", "--json"))
    assert data["items"][0]["decision"]["value"] == "overturned" and data["items"][0]["corrected"] is True
    assert len(llm_server.requests) == 2  # the second summarize came from the cache
    rows = json.loads(imr("log", "--json", "-n", "5"))
    assert [(r["cache_hit"], r["requests"], r["outcome"]) for r in rows] == [(1, 0, "ok"), (0, 2, "ok")]
    table = imr("log")
    assert "hit" in table and "miss" in table and "2 call(s) shown" in table


def test_ask_with_the_server_down_answers_offline_within_the_deadline(monkeypatch):
    monkeypatch.setenv("IMR_LLM_API_BASE", f"http://127.0.0.1:{free_port()}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy-key-000")
    monkeypatch.setenv("IMR_LLM_DEADLINE", "3")
    out = imr("ask", str(GOLD_LETTER), "Why was PT overturned?", "--model", "openai/x")
    assert "leg" in out and "(engine: offline (fallback from openai/x))" in out
    assert "note: The model openai/x could not be used" in out
    [row] = json.loads(imr("log", "--json"))
    assert row["outcome"] == "error" and row["latency_ms"] <= 3000 + 500  # the model part kept to its deadline
    data = json.loads(imr("ask", str(GOLD_LETTER), "Why was PT overturned?", "--model", "openai/x", "--json"))
    assert (data["engine"], data["fallback_from"]) == ("offline", "openai/x")  # two fields, not one string
    assert data["text"] == json.loads(imr("ask", str(GOLD_LETTER), "Why was PT overturned?", "--json"))["text"]


def test_log_is_empty_before_any_call():
    assert "0 call(s) shown" in imr("log")
    assert json.loads(imr("log", "--json")) == []
