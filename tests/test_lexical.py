"""The persisted corpus-wide lexical index: what a fresh process reads from disk ranks exactly as BM25
over the store's chunks (bm25s as the oracle), it grows with each ingest without re-reading what it
holds, and it follows the store: chunks of a letter that is not complete are never returned."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import bm25s
import numpy as np
import pytest

from imr_llm import api
from imr_llm.store import lexical
from imr_llm.store.lexical import LexicalIndex
from imr_llm.store.retrieve import Filters, lexical_text, retrieve, tokenize

from paths import GOLD

FIRST = sorted(GOLD.glob("*.txt"))[:6]
SECOND = sorted(GOLD.glob("*.txt"))[6:10]
QUESTIONS = ["Why was physical therapy denied?", "Norco 10/325mg functional improvement", "MRI of the lumbar spine",
             "acupuncture overturned", "Which guideline was used for the injection?"]


@pytest.fixture(autouse=True)
def fresh_cache():
    LexicalIndex._cache.clear()
    yield
    LexicalIndex._cache.clear()


def _oracle(store, question: str, k: int, filters: Filters | None = None) -> list[str]:
    """bm25s (Lucene BM25, k1 1.5, b 0.75) over the chunks of complete letters, read from Chroma."""
    done = set(store.letters.get(where={"status": "complete"}, include=[])["ids"])
    got = store.chunks.get(include=["documents", "metadatas"])
    rows = [(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"]) if m["letter_id"] in done]
    model = bm25s.BM25()
    model.index([tokenize(lexical_text(m.get("item"), m.get("decision"), d)) or ["_"] for _, d, m in rows],
                show_progress=False)
    tokens = [t for t in tokenize(question) if t in model.vocab_dict]
    scores = model.get_scores(tokens)
    for i, (_, _, meta) in enumerate(rows):
        if filters and any(meta.get(key) != value for key, value in filters.items() if value):
            scores[i] = 0
    order = np.argsort(-scores, kind="stable")[:k]
    return [rows[i][0] for i in order if scores[i] > 0]


def _index_files(home: Path) -> list[Path]:
    return sorted((home / "lexical").rglob("manifest.json"))


def _fresh(store) -> LexicalIndex:
    """The index as a new process sees it: read from disk, nothing cached."""
    LexicalIndex._cache.clear()
    return LexicalIndex.for_store(store)


def _same_ranking(ours: list[tuple[str, float]], oracle: list[str]) -> None:
    assert [i for i, _ in ours][: len(oracle)] == oracle or sorted(i for i, _ in ours) == sorted(oracle)


def test_ingest_saves_the_index_and_a_new_process_ranks_as_bm25(imr_home):
    api.ingest(FIRST)
    manifests = _index_files(imr_home)
    assert len(manifests) == 1, "ingest writes the lexical index beside the store"
    store = api.open_store()
    index = _fresh(store)
    assert index.size == store.count()[1]
    for question in QUESTIONS:
        ours = index.top(question, Filters(), 10)
        assert ours, question
        _same_ranking(ours, _oracle(store, question, 10))


def test_a_second_ingest_adds_a_segment_and_the_whole_corpus_is_scored(imr_home):
    api.ingest(FIRST)
    api.ingest(SECOND)
    manifest = json.loads(_index_files(imr_home)[0].read_text())
    assert len(manifest["segments"]) == 2, "the second ingest wrote only its own letters"
    store = api.open_store()
    index = _fresh(store)
    assert index.size == store.count()[1]
    for question in QUESTIONS:
        _same_ranking(index.top(question, Filters(), 10), _oracle(store, question, 10))
    case = api.ingest([SECOND[0]])[0].case_id
    filtered = index.top("medically necessary", Filters(case_id=case), 50)
    assert filtered and {store.get_chunks([i])[i].case_id for i, _ in filtered} == {case}


def test_a_lost_index_is_rebuilt_from_the_store(imr_home):
    api.ingest(FIRST)
    store = api.open_store()
    expected = LexicalIndex.for_store(store).top(QUESTIONS[0], Filters(), 10)
    shutil.rmtree(imr_home / "lexical")
    rebuilt = _fresh(store)
    assert rebuilt.top(QUESTIONS[0], Filters(), 10) == expected
    assert _index_files(imr_home), "the rebuilt index is saved again"


def test_chunks_of_a_letter_that_is_not_complete_are_never_returned(imr_home):
    results = api.ingest(FIRST)
    store = api.open_store()
    index = _fresh(store)
    victim = results[1]  # 101_a_norco_two_doses: a case number, items "medically necessary"
    letter_id = store.find(victim.case_id)[0].letter_id
    assert any(store.get_chunks([i]).get(i) and store.get_chunks([i])[i].letter_id == letter_id
               for i, _ in index.top("medically necessary", Filters(case_id=victim.case_id), 5))
    with store.writing():  # as a writer re-writing the letter would, mid-way
        store._holding.changed = True
        store.letters.update(ids=[letter_id], metadatas=[{"status": "pending"}])
    after = _fresh(store).top("medically necessary", Filters(case_id=victim.case_id), 5)
    assert after == []
    everywhere = LexicalIndex.for_store(store).top(" ".join(QUESTIONS), Filters(), 200)
    chunk_letters = {c.letter_id for c in store.get_chunks([i for i, _ in everywhere]).values()}
    assert letter_id not in chunk_letters


def test_many_segments_are_merged_without_changing_a_ranking(imr_home, monkeypatch):
    monkeypatch.setattr(lexical, "MAX_SEGMENTS", 2)
    for path in FIRST[:4]:
        api.ingest([path])
    store = api.open_store()
    manifest = json.loads(_index_files(imr_home)[0].read_text())
    assert len(manifest["segments"]) <= 2
    index = _fresh(store)
    assert index.size == store.count()[1]
    for question in QUESTIONS:
        _same_ranking(index.top(question, Filters(), 10), _oracle(store, question, 10))
    assert len(list(_index_files(imr_home)[0].parent.glob("seg-*"))) == len(manifest["segments"])


def test_corpus_retrieval_uses_the_saved_index(imr_home):
    api.ingest(FIRST + SECOND)
    store = api.open_store()
    LexicalIndex._cache.clear()
    passages = retrieve(store, "Why was physical therapy denied?", k=6)
    assert passages and any(p.lexical_rank is not None for p in passages)


def test_two_processes_saving_at_once_lose_nothing(imr_home):
    """Two ingests in two processes each extend the index they read; the second to save takes the
    first's index from disk and reads its own letters back from the store, never mixing vocabularies."""
    api.ingest(FIRST[:2])
    store = api.open_store()
    folder = LexicalIndex.folder_for(store)
    mine, theirs = LexicalIndex(folder), LexicalIndex(folder)  # both opened before either saves
    api.ingest(FIRST[2:4])  # writes the store and, through the cached index, its own segment
    added = [c for path in FIRST[2:4] for c in store.case_chunks(api.ingest([path])[0].case_id)[0]]
    theirs.add(c for c in added if c.letter_id in {c.letter_id for c in added})
    theirs.save()
    mine.add(added[:3])
    mine.save()  # the folder changed since `mine` read it: it takes the folder's index instead
    LexicalIndex._cache.clear()
    index = LexicalIndex.for_store(store)
    assert index.size == store.count()[1]
    for question in QUESTIONS:
        _same_ranking(index.top(question, Filters(), 10), _oracle(store, question, 10))
