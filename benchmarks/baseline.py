"""The naive RAG baseline the benchmark compares against: what a first attempt would build.

Fixed 1,000-character chunks with 200 characters of overlap, embedded with the same
embedder as the product, in their own Chroma collection, retrieved by dense similarity
only. No parsing, no sections or items, no metadata but the letter id, no BM25.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from imr_llm.store.embed import slug
from imr_llm.store.index import LetterStore
from imr_llm.store.load import load_letter

__all__ = ["NaiveRag", "fixed_chunks"]

SIZE, OVERLAP = 1000, 200


def fixed_chunks(text: str, size: int = SIZE, overlap: int = OVERLAP) -> list[tuple[int, int]]:
    """[start, end) windows of `size` characters, each starting `size - overlap` after the last."""
    step = size - overlap
    spans = []
    for start in range(0, max(len(text) - overlap, 1), step):
        spans.append((start, min(start + size, len(text))))
    return spans


class NaiveRag:
    """Its own collection on the product store's Chroma client (embedded folder or server)."""

    def __init__(self, store: LetterStore, batch_letters: int = 32, embedder=None, suffix: str = ""):
        store.chunks  # connect
        self.embedder = embedder or store.embedder
        self.batch_letters = batch_letters
        name = f"{store.settings.collection}-naive{suffix}-{slug(self.embedder.name)}"
        self.collection = store._client.get_or_create_collection(name, metadata={"hnsw:space": "cosine"},
                                                                 embedding_function=None)

    def ingest(self, paths: Iterable[str | Path]) -> int:
        """Load, cut, embed and write letters, a batch of letters per embedding call; returns chunks written."""
        written = 0
        pending: list[tuple[str, str, str]] = []  # (id, letter id, text)

        def flush() -> None:
            nonlocal written
            if not pending:
                return
            vectors = self.embedder.embed([text for _, _, text in pending])
            self.collection.upsert(ids=[i for i, _, _ in pending], documents=[t for _, _, t in pending],
                                   embeddings=vectors, metadatas=[{"letter_id": lid} for _, lid, _ in pending])
            written += len(pending)
            pending.clear()

        for n, path in enumerate(paths, start=1):
            letter = load_letter(path)
            for start, end in fixed_chunks(letter.text):
                chunk_id = hashlib.sha256(f"{letter.letter_id}:{start}:{end}".encode()).hexdigest()[:24]
                pending.append((chunk_id, letter.letter_id, letter.text[start:end]))
            if n % self.batch_letters == 0:
                flush()
        flush()
        return written

    def top(self, question: str, k: int = 5, letter_id: str | None = None) -> list[str]:
        """Texts of the k passages nearest the question (within one letter when given)."""
        vector = self.embedder.embed([question])[0]
        got = self.collection.query(query_embeddings=[vector], n_results=k, include=["documents"],
                                    where={"letter_id": letter_id} if letter_id else None)
        return got["documents"][0]
