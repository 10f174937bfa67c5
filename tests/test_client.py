"""`imr_llm.Client`: it owns its store, embedder and caches; a letter opened once serves every call;
the engine is the offline one or a model falling back to exactly that offline engine."""

from __future__ import annotations

import pytest

from imr_llm import Client, ConfigError, NotFoundError, OpenLetter, api, get_settings
from imr_llm import client as client_lib
from imr_llm.engines.fallback import FallbackEngine, OfflineEngine

from conftest import GOLD_LETTER, LETTERS
from scripted_llm import llm_server, status  # noqa: F401 - fixture

MODEL = "openai/scripted"
# The offline engine ranks this question's sentences by meaning (with the embedder): the answer
# without the embedder differs, so a fallback that dropped it would show here.
EXAMINATION = "What did the examination show?"


class Counting:
    """An embedder that counts the texts it embeds."""

    def __init__(self, inner):
        self.inner, self.name, self.texts = inner, inner.name, 0

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.texts += len(texts)
        return self.inner.embed(texts)


def test_a_failing_model_gives_exactly_the_offline_engines_answer(llm_server):
    offline = Client(get_settings()).ask(GOLD_LETTER, EXAMINATION)
    llm_server.enqueue(status(401, "no such key"))  # an authentication error is not retried
    fell_back = Client(get_settings(llm_model=MODEL)).ask(GOLD_LETTER, EXAMINATION)
    assert len(llm_server.requests) == 1
    assert (offline.engine, offline.fallback_from) == ("offline", None)
    assert (fell_back.engine, fell_back.fallback_from) == ("offline", MODEL)
    assert fell_back.engine_text == f"offline (fallback from {MODEL})"
    assert fell_back.text == offline.text and fell_back.citations == offline.citations
    assert fell_back.answered == offline.answered
    assert any(f"The model {MODEL} could not be used" in note for note in fell_back.notes)
    assert fell_back.model_copy(update={"fallback_from": None, "notes": offline.notes}) == offline


def test_a_failing_model_gives_the_offline_engines_summary(llm_server):
    offline = Client(get_settings()).summarize(GOLD_LETTER)
    llm_server.enqueue(status(401, "no such key"))
    fell_back = Client(get_settings()).summarize(GOLD_LETTER, model=MODEL)  # a model for one call
    assert (fell_back.engine, fell_back.fallback_from) == ("offline", MODEL)
    assert fell_back.items == offline.items and fell_back.notes[:-1] == offline.notes


def test_the_engine_is_chosen_by_the_settings_or_the_call():
    offline, model = Client(get_settings()), Client(get_settings(llm_model=MODEL))
    assert isinstance(offline.engine(), OfflineEngine) and offline.engine().name == "offline"
    assert isinstance(model.engine(), FallbackEngine) and model.engine().name == MODEL
    assert isinstance(model.engine(model=""), OfflineEngine)  # '' asks for the offline engine
    assert model.engine().fallback.embedder is model.embedder  # the fallback is the offline engine as measured


def test_a_letter_opened_once_is_read_once(monkeypatch):
    parsed = []
    real = client_lib.parse_letter
    monkeypatch.setattr(client_lib, "parse_letter", lambda letter: parsed.append(letter.letter_id) or real(letter))
    client = Client()
    letter = client.open_letter(GOLD_LETTER)
    assert isinstance(letter, OpenLetter) and not letter.stored and parsed == [letter.letter.letter_id]
    summary = client.summarize(letter)
    first = client.ask(letter, "Why was PT overturned?")
    client.ask(letter, "What are the patient's diagnoses?")
    assert len(parsed) == 1
    assert summary.case_id == first.case_id == letter.summary.case_id and "leg" in first.text
    summary.items.clear()  # the caller's copy: the opened letter keeps its reading
    assert letter.summary.items


def test_a_stored_letter_opens_from_the_store_with_its_own_vectors():
    client = Client()
    [result] = client.ingest([GOLD_LETTER])
    counting = Counting(client.store.embedder)
    client.store.embedder = counting
    letter = client.open_letter(result.case_id)
    assert letter.stored and letter.summary.case_id == result.case_id
    chunks, vectors = client.chunks(letter)
    assert chunks and len(vectors) == len(chunks) and counting.texts == 0  # nothing embedded again
    assert "leg" in client.ask(letter, "Why was PT overturned?").text and counting.texts == 1  # the question


def test_a_files_chunks_are_embedded_once_per_client():
    client = Client(embedder=Counting(Client().embedder))
    client.ask(GOLD_LETTER, "Why was PT overturned?")
    after_first = client.embedder.texts
    client.ask(GOLD_LETTER, "Why was PT overturned?")
    assert client.embedder.texts - after_first == 1  # the question only
    other = Client(embedder=Counting(Client().embedder))
    other.ask(GOLD_LETTER, "Why was PT overturned?")
    assert other.embedder.texts == after_first  # no cache shared between clients


def test_clients_own_their_stores(tmp_path):
    first, second = Client(get_settings(home=tmp_path / "a")), Client(get_settings(home=tmp_path / "b"))
    [added] = first.ingest([GOLD_LETTER])
    assert [c["case_id"] for c in first.cases()] == [added.case_id] and second.cases() == []
    with pytest.raises(NotFoundError):
        second.open_letter(added.case_id)
    with first:
        pass  # closing lets the store go; the next call opens it again
    assert [c["case_id"] for c in first.cases()] == [added.case_id]


def test_the_module_functions_share_one_default_client(tmp_path, monkeypatch):
    client = api.default_client()
    assert api.default_client() is client and api.open_store() is client.store
    api.ingest([LETTERS / "t02_c_facet_pt.txt"])
    assert api.default_client() is client and len(api.cases()) == 1
    monkeypatch.setenv("IMR_HOME", str(tmp_path / "elsewhere"))
    assert api.default_client() is not client and api.cases() == []  # other settings: a client of their own


def test_misuse_is_an_imr_error():
    client = Client()
    with pytest.raises(ConfigError, match="at least 1"):
        client.ask(GOLD_LETTER, "Why was PT overturned?", k=0)
    with pytest.raises(ConfigError, match="not int"):
        client.open_letter(42)  # type: ignore[arg-type]
    with pytest.raises(NotFoundError):
        client.summarize("CM99-999999")
