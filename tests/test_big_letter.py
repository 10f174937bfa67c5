"""Big letters: a stored letter's vectors are reused (never embedded again per question), the work per
question is bounded by a lexical prefilter, and a letter over the size cap is refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from imr_llm import api
from imr_llm import client as client_lib
from imr_llm.cli import app as cli_app
from imr_llm.store.index import embedding_text

from conftest import GOLD_LETTER, LETTERS

FILLER = ("The patient was seen again on follow up. Pain in the neck and left leg was 6/10 with medication. "
          "Examination showed tenderness over the paraspinal muscles and reduced range of motion.\n")


def _padded(tmp_path: Path, size: int, name: str) -> Path:
    """The gold letter with medical-record notes added after its header, to `size` characters."""
    text = GOLD_LETTER.read_text(encoding="utf-8")
    notes = FILLER * ((size - len(text)) // len(FILLER))
    head, tail = text.split("\n\n", 1)
    path = tmp_path / name
    path.write_text(f"{head}\n\nMedical records reviewed:\n{notes}\n{tail}", encoding="utf-8")
    return path


class _Counting:
    """Wraps the store's embedder and records every text it is asked to embed."""

    def __init__(self, embedder):
        self.inner, self.name, self.calls = embedder, embedder.name, []

    def embed(self, texts):
        self.calls.append(list(texts))
        return self.inner.embed(texts)


def test_asking_a_stored_case_never_embeds_its_letters_chunks_again(tmp_path, monkeypatch):
    first = LETTERS / "t02_c_facet_pt.txt"
    second = tmp_path / "second_letter.txt"  # the same case, a second letter (an amended determination)
    second.write_text(first.read_text(encoding="utf-8") + "\nAmended: a copy was also sent to the treater.\n",
                      encoding="utf-8")
    results = api.ingest([first, second])
    assert [r.status for r in results] == ["added", "added"] and results[0].case_id == results[1].case_id
    store = api.open_store()
    chunks, _ = store.case_chunks(results[0].case_id)
    assert len({c.letter_id for c in chunks}) == 2
    stored = {embedding_text(c) for c in chunks}
    counting = _Counting(store.embedder)
    monkeypatch.setattr(store, "embedder", counting)
    questions = ["Why was physical therapy denied?", "What are the diagnoses?", "Which guideline was used?",
                 "Why were the facet injections decided that way?"]
    for question in questions:
        answer = api.ask(results[0].case_id, question)
        assert answer.citations and {c.case_id for c in answer.citations} == {results[0].case_id}
    embedded = [text for call in counting.calls for text in call]
    assert counting.calls[0] == [questions[0]]
    assert not stored & set(embedded)  # no chunk of either letter went through the embedder again


def test_a_letter_over_the_size_cap_is_refused_in_one_line(tmp_path):
    big = _padded(tmp_path, client_lib.MAX_LETTER_CHARS + 5_000, "too_big.txt")
    [result] = api.ingest([big])
    assert result.status == "failed"
    assert result.error.startswith(f"{big}: letter text is ") and result.error.endswith(
        f"characters, over the {client_lib.MAX_LETTER_CHARS:,}-character limit")
    asked = CliRunner().invoke(cli_app, ["ask", str(big), "Why was PT overturned?"])
    assert asked.exit_code == 1
    assert asked.output.strip().splitlines() == [f"error: {result.error}"]
    assert api.cases() == []


@pytest.mark.slow  # embeds a letter near the size cap
def test_a_letter_near_the_cap_is_stored_and_asked_through_a_bounded_set_of_chunks(tmp_path, monkeypatch):
    near = _padded(tmp_path, client_lib.MAX_LETTER_CHARS - 2_000, "near_cap.txt")
    [result] = api.ingest([near])
    assert result.status == "added" and result.chunks > client_lib.QUESTION_CHUNKS
    ranked: list[int] = []
    real_retrieve_in = client_lib.retrieve_in

    def recording(question, chunks, vectors, *args, **kwargs):
        ranked.append(len(chunks))
        assert len(vectors) == len(chunks)
        return real_retrieve_in(question, chunks, vectors, *args, **kwargs)

    monkeypatch.setattr(client_lib, "retrieve_in", recording)
    store = api.open_store()
    counting = _Counting(store.embedder)
    monkeypatch.setattr(store, "embedder", counting)
    stored_answer = api.ask(result.case_id, "Why was PT overturned?")
    assert "leg" in stored_answer.text and stored_answer.citations
    stored = {embedding_text(c) for c in store.case_chunks(result.case_id)[0]}
    assert not stored & {text for call in counting.calls for text in call}
    counting.calls.clear()
    file_answer = api.ask(near, "Why was PT overturned?")  # from the file: only the prefiltered chunks are embedded
    assert file_answer.text == stored_answer.text
    assert sum(len(call) for call in counting.calls) <= client_lib.QUESTION_CHUNKS + 100
    assert ranked and max(ranked) <= client_lib.QUESTION_CHUNKS


def test_a_long_but_ordinary_letter_is_ranked_whole(tmp_path, monkeypatch):
    """Below QUESTION_CHUNKS chunks nothing is prefiltered: every chunk of the letter is ranked."""
    letter = _padded(tmp_path, 30_000, "long.txt")
    [result] = api.ingest([letter])
    ranked: list[int] = []
    real_retrieve_in = client_lib.retrieve_in
    monkeypatch.setattr(client_lib, "retrieve_in", lambda q, chunks, *a, **k: ranked.append(len(chunks))
                        or real_retrieve_in(q, chunks, *a, **k))
    api.ask(result.case_id, "What did the examination show?")
    assert ranked == [result.chunks] and result.chunks <= client_lib.QUESTION_CHUNKS
