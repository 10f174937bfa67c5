"""Hybrid retrieval: dense vectors plus BM25, fused by reciprocal rank fusion, with metadata filters.

Corpus-wide BM25 comes from the persisted lexical index (`imr_llm.store.lexical`); a letter or case is
scored here, in memory.

Filters fail closed: a case, decision or guideline filter that matches nothing
returns no passages, never the unfiltered corpus.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from .embed import Embedder
from .index import LetterStore, where_clause
from .lexical import LexicalIndex
from .tokens import lexical_text, tokenize
from ..models import Chunk, Passage

__all__ = ["Filters", "retrieve", "retrieve_in", "tokenize"]

RRF_K = 60


class Filters(dict):
    """case_id / decision / guideline / letter_id; unset keys do not filter."""

    def matches(self, chunk: Chunk) -> bool:
        if self.get("case_id") and chunk.case_id != self["case_id"]:
            return False
        if self.get("letter_id") and chunk.letter_id != self["letter_id"]:
            return False
        if self.get("decision") and chunk.decision != self["decision"]:
            return False
        if self.get("guideline") and self["guideline"].upper() not in (chunk.guideline or "").split():
            return False
        return True


def bm25(query: list[str], docs: Sequence[list[str]], k1: float = 1.5, b: float = 0.75) -> list[float]:
    n = len(docs)
    if not n:
        return []
    avg = sum(len(d) for d in docs) / n or 1.0
    df = Counter(t for d in docs for t in set(d))
    scores = []
    for doc in docs:
        tf = Counter(doc)
        score = 0.0
        for term in set(query):
            if term in tf:
                idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
                score += idf * tf[term] * (k1 + 1) / (tf[term] + k1 * (1 - b + b * len(doc) / avg))
        scores.append(score)
    return scores


def _ranks(scores: Sequence[float], positive_only: bool) -> dict[int, int]:
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    return {i: r for r, i in enumerate(order) if not positive_only or scores[i] > 0}


def fuse(chunks: list[Chunk], dense: Sequence[float], lexical: Sequence[float], k: int) -> list[Passage]:
    dense_rank = _ranks(dense, positive_only=False)
    lexical_rank = _ranks(lexical, positive_only=True)
    passages = []
    for i, chunk in enumerate(chunks):
        score = 1.0 / (RRF_K + dense_rank[i]) if i in dense_rank else 0.0
        if i in lexical_rank:
            score += 1.0 / (RRF_K + lexical_rank[i])
        passages.append(Passage(chunk=chunk, score=score, dense_rank=dense_rank.get(i), lexical_rank=lexical_rank.get(i)))
    passages.sort(key=lambda p: -p.score)
    return passages[:k]


def retrieve_in(question: str, chunks: list[Chunk], vectors: list[list[float]], embedder: Embedder,
                k: int = 6, filters: Filters | None = None) -> list[Passage]:
    """Rank an in-memory set of chunks (one letter or case) against a question."""
    filters = filters or Filters()
    keep = [i for i, c in enumerate(chunks) if filters.matches(c)]
    if not keep:
        return []
    chunks = [chunks[i] for i in keep]
    matrix = np.asarray([vectors[i] for i in keep], dtype=np.float32)
    query = np.asarray(embedder.embed([question])[0], dtype=np.float32)
    dense = (matrix @ query).tolist()
    lexical = bm25(tokenize(question), [tokenize(lexical_text(c.item, c.decision, c.text)) for c in chunks])
    return fuse(chunks, dense, lexical, k)


def retrieve(store: LetterStore, question: str, k: int = 6, filters: Filters | None = None,
             candidates: int = 40) -> list[Passage]:
    """Passages from the store for a question, scoped by filters (fail closed)."""
    filters = filters or Filters()
    if filters.get("case_id") and not filters.get("decision") and not filters.get("guideline"):
        chunks, vectors = store.case_chunks(filters["case_id"])
        return retrieve_in(question, chunks, vectors, store.embedder, k, filters) if chunks else []
    vector = store.embedder.embed([question])[0]
    # Found by either search, then one look-up of which letters are complete (a reader never sees a
    # letter being written): three round trips to a Chroma server instead of four.
    dense = store.dense(vector, where_clause(**{k_: v for k_, v in filters.items() if v}), candidates, complete_only=False)
    lexical = LexicalIndex.for_store(store).top(question, filters, candidates)
    by_id: dict[str, Chunk] = {c.chunk_id: c for c, _ in dense}
    missing = [i for i, _ in lexical if i not in by_id]
    if missing:
        by_id.update(store.get_chunks(missing, complete_only=False))
    chunks = [c for c in store.only_complete(list(by_id.values())) if filters.matches(c)]
    if not chunks:
        return []
    dense_score = {c.chunk_id: s for c, s in dense}
    lexical_score = dict(lexical)
    return fuse(chunks, [dense_score.get(c.chunk_id, -1.0) for c in chunks],
                [lexical_score.get(c.chunk_id, 0.0) for c in chunks], k)


def lexical_prefilter(question: str, chunks: list[Chunk], limit: int) -> list[int]:
    """Indices of at most `limit` chunks to rank for a question, in letter order: every item chunk
    (decisions live there) up to half the limit, then the chunks BM25 scores best."""
    items = [i for i, c in enumerate(chunks) if c.item_index is not None][: limit // 2]
    scores = bm25(tokenize(question), [tokenize(lexical_text(c.item, c.decision, c.text)) for c in chunks])
    taken = set(items)
    for i in sorted(range(len(chunks)), key=lambda i: -scores[i]):
        if len(taken) >= limit:
            break
        taken.add(i)
    return sorted(taken)
