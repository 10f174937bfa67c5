"""Overlapping windows: retrieval that does not depend on the reader recognising the letter's layout.

Where the structure is uncertain (no items, a summary flagged for review, an item whose rationale was not
found), `chunk_letter` also indexes windows of whole sentences; a letter read with no items at all is
found in the store at least as well as by a naive fixed-size-chunk RAG.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from imr_llm import api
from imr_llm.store.chunk import WINDOW_OVERLAP, WINDOW_WORDS, chunk_letter, structure_uncertain, windows
from imr_llm.store.load import load_letter
from imr_llm.parse import parse_letter
from imr_llm.parse.text import sentences
from imr_llm.store.retrieve import Filters, retrieve

from conftest import GOLD, GOLD_LETTER, ROOT


def _words(text: str) -> int:
    return len(text.split())


def test_windows_are_whole_sentences_that_overlap_and_cover_the_letter():
    text = load_letter(GOLD_LETTER).text
    spans = windows(text)
    assert len(spans) >= 3
    starts = {s for s, _ in sentences(text)}
    ends = {e for _, e in sentences(text)}
    for (s, e), (s2, e2) in zip(spans, spans[1:]):
        assert s in starts and e in ends  # snapped to sentence boundaries
        assert _words(text[s:e]) <= WINDOW_WORDS
        assert s < s2 < e < e2  # each overlaps the next, and moves on
        assert 0 < _words(text[s2:e]) <= WINDOW_OVERLAP + 40
    for s, e in sentences(text):  # every sentence lies whole inside some window
        assert any(ws <= s and e <= we for ws, we in spans), text[s:e]


def test_a_run_on_without_full_stops_is_still_cut_into_windows():
    table = "\n".join(f"| Item {n} | Tramadol 50mg #{n} | Upheld |" for n in range(200))
    spans = windows(table, size=60, overlap=20)
    assert len(spans) > 10
    assert all(_words(table[s:e]) <= 60 for s, e in spans)
    assert "#199" in table[spans[-1][0] : spans[-1][1]]


def test_a_letter_read_with_certainty_gets_no_windows():
    letter = load_letter(GOLD_LETTER)
    summary = parse_letter(letter)
    assert not structure_uncertain(summary)
    assert all(c.section != "window" for c in chunk_letter(letter, summary))


def test_an_uncertain_letter_also_gets_windows_with_their_spans_and_content_hash_ids():
    letter = load_letter(GOLD_LETTER)
    summary = parse_letter(letter)
    plain = chunk_letter(letter, summary)
    summary.flag("two statements about item 1 disagree")
    chunks = chunk_letter(letter, summary)
    window = [c for c in chunks if c.section == "window"]
    assert window and [c for c in chunks if c.section != "window"] == plain  # the structure chunks stay
    assert all(c.item_index is None and c.decision is None for c in window)  # a window claims no item
    assert all(letter.text[c.start : c.end] == c.text for c in chunks)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    assert [c.chunk_id for c in chunk_letter(letter, summary)] == [c.chunk_id for c in chunks]  # stable

    lost = summary.model_copy(deep=True)
    lost.needs_review, lost.review_reasons = False, []
    lost.items[0].rationale = None  # the reader did not find where the item's rationale is
    assert structure_uncertain(lost) and any(c.section == "window" for c in chunk_letter(letter, lost))


def test_a_letter_with_no_items_is_indexed_as_windows_over_all_of_it():
    letter = load_letter(GOLD_LETTER)
    summary = parse_letter(letter).model_copy(update={"items": []})
    chunks = chunk_letter(letter, summary)
    assert chunks and {c.section for c in chunks} == {"window"}
    covered = "".join(c.text for c in chunks)
    for word in re.findall(r"\w{4,}", letter.text):
        assert word in covered


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_a_letter_the_reader_could_not_structure_is_retrieved_at_least_as_well_as_by_naive_rag():
    """Gold letters read as if no item had been found: evidence hit@5 of the windows against the fixed
    1,000-character chunks of benchmarks/baseline.py, on the same questions, each scoped to its letter."""
    from benchmarks.baseline import NaiveRag

    records = [json.loads(p.read_text()) for p in sorted(GOLD.glob("*.gold.json"))[:8]]
    paths = [GOLD / r["letter"] for r in records]
    store = api.open_store()
    batch = []
    for path in paths:
        letter = load_letter(path)
        summary = parse_letter(letter).model_copy(update={"items": []})
        batch.append((letter, summary, chunk_letter(letter, summary)))
    store.add(batch)
    rag = NaiveRag(store)
    rag.ingest(paths)
    ours = naive = total = 0
    for (letter, summary, _), record in zip(batch, records, strict=True):
        for question in record.get("questions") or []:
            evidence = _squash(question.get("evidence") or "")
            if not evidence:
                continue
            total += 1
            top = retrieve(store, question["question"], k=5,
                           filters=Filters(case_id=summary.case_id, letter_id=letter.letter_id))
            ours += any(evidence in _squash(p.chunk.text) for p in top)
            naive += any(evidence in _squash(t) for t in rag.top(question["question"], 5, letter_id=letter.letter_id))
    assert total >= 30
    assert ours >= naive, (ours, naive, total)
    assert ours / total >= 0.9
