"""The persistent store: letters and their chunks in Chroma, embedded (a local folder) or a server.

Two collections, both named after the embedding model so that vectors of different
models never mix:

* `<name>-chunks-<model>`: one record per chunk (id = content hash), its vector, text and metadata;
* `<name>-letters-<model>`: one record per letter (id = letter id), its text and typed summary.

A letter is written in three steps: its record with status "pending", its chunks,
then its record with status "complete". `repair()` removes what a killed process left
pending, so the store is always consistent and a rerun completes the ingest.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from .config import Settings
from .embed import Embedder, get_embedder, slug
from .errors import ImrError, NotFoundError, StoreError
from .models import Chunk, DecisionSummary, Letter

__all__ = ["LetterStore"]

log = logging.getLogger(__name__)
_PAGE = 5000


def _flags(chunk: Chunk) -> dict:
    meta = chunk.metadata()
    for family in (chunk.guideline or "").split():
        meta[f"g_{family.lower()}"] = True
    return meta


def where_clause(case_id: str | None = None, decision: str | None = None, guideline: str | None = None,
                 letter_id: str | None = None) -> dict | None:
    terms: list[dict] = []
    if case_id:
        terms.append({"case_id": case_id})
    if letter_id:
        terms.append({"letter_id": letter_id})
    if decision:
        terms.append({"decision": decision})
    if guideline:
        terms.append({f"g_{guideline.lower()}": True})
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else {"$and": terms}


class LetterStore:
    def __init__(self, settings: Settings, embedder: Embedder | None = None):
        self.settings = settings
        self.embedder = embedder or get_embedder(settings.embedding, settings.llm_api_base)
        self._client = None
        self._chunks = None
        self._letters = None

    @property
    def location(self) -> str:
        return self.settings.chroma_url or str(self.settings.chroma_path)

    def _connect(self):
        if self._client is not None:
            return
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            if self.settings.chroma_url:
                host, port, ssl = self.settings.chroma_host_port()
                self._client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
            else:
                self.settings.chroma_path.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=str(self.settings.chroma_path), settings=chroma_settings)
            base = f"{self.settings.collection}-{{kind}}-{slug(self.embedder.name)}"
            space = {"hnsw:space": "cosine"}
            self._chunks = self._client.get_or_create_collection(base.format(kind="chunks"), metadata=space,
                                                                 embedding_function=None)
            self._letters = self._client.get_or_create_collection(base.format(kind="letters"), metadata=space,
                                                                  embedding_function=None)
        except ImrError:
            raise
        except Exception as exc:
            self._client = None
            raise StoreError(f"cannot open the Chroma store at {self.location}: {exc}", location=self.location) from exc

    @property
    def chunks(self):
        self._connect()
        return self._chunks

    @property
    def letters(self):
        self._connect()
        return self._letters

    # -- writing -------------------------------------------------------------------------------

    def complete_ids(self, letter_ids: list[str]) -> set[str]:
        if not letter_ids:
            return set()
        got = self.letters.get(ids=letter_ids, include=["metadatas"])
        return {i for i, m in zip(got["ids"], got["metadatas"]) if m and m.get("status") == "complete"}

    def write(self, batch: list[tuple[Letter, DecisionSummary, list[Chunk]]]) -> None:
        """Write letters and their chunks (embedding the chunks in one batch)."""
        if not batch:
            return

        def letter_meta(letter: Letter, summary: DecisionSummary, status: str) -> dict:
            return {"case_id": summary.case_id, "source": letter.source, "status": status, "layout": summary.layout,
                    "n_items": len(summary.items), "overall": summary.overall or "",
                    "summary": summary.model_dump_json()}

        ids = [letter.letter_id for letter, _, _ in batch]
        docs = [letter.text for letter, _, _ in batch]
        one = [[1.0]] * len(batch)
        self.letters.upsert(ids=ids, documents=docs, embeddings=one,
                            metadatas=[letter_meta(l, s, "pending") for l, s, _ in batch])
        chunks = [c for _, _, cs in batch for c in cs]
        vectors = self.embedder.embed([embedding_text(c) for c in chunks])
        for i in range(0, len(chunks), _PAGE):
            part = chunks[i : i + _PAGE]
            self.chunks.upsert(ids=[c.chunk_id for c in part], documents=[c.text for c in part],
                               embeddings=vectors[i : i + _PAGE], metadatas=[_flags(c) for c in part])
        # Only the status changes: an update of that one key (merged) rewrites no text or summary.
        self.letters.update(ids=ids, metadatas=[{"status": "complete"} for _ in ids])

    def repair(self) -> int:
        """Remove letters (and their chunks) that a killed ingest left pending; returns how many."""
        pending = self.letters.get(where={"status": "pending"}, include=[])["ids"]
        for letter_id in pending:
            self.chunks.delete(where={"letter_id": letter_id})
        if pending:
            self.letters.delete(ids=pending)
            log.warning("removed %d half-written letter(s) left by an interrupted ingest", len(pending))
        return len(pending)

    # -- reading -------------------------------------------------------------------------------

    def count(self) -> tuple[int, int]:
        return self.letters.count(), self.chunks.count()

    def cases(self) -> list[dict]:
        out: list[dict] = []
        for offset in range(0, max(self.letters.count(), 1), _PAGE):
            got = self.letters.get(where={"status": "complete"}, include=["metadatas"], limit=_PAGE, offset=offset)
            for letter_id, meta in zip(got["ids"], got["metadatas"]):
                out.append({"case_id": meta["case_id"], "letter_id": letter_id, "source": meta["source"],
                            "layout": meta["layout"], "items": meta["n_items"], "overall": meta["overall"]})
        return sorted(out, key=lambda c: c["case_id"])

    def summaries(self) -> Iterable[DecisionSummary]:
        for offset in range(0, max(self.letters.count(), 1), _PAGE):
            got = self.letters.get(where={"status": "complete"}, include=["metadatas"], limit=_PAGE, offset=offset)
            for meta in got["metadatas"]:
                yield DecisionSummary.model_validate_json(meta["summary"])

    def find(self, key: str) -> tuple[Letter, DecisionSummary]:
        """A letter and its summary by case number, case id or letter id."""
        got = self.letters.get(ids=[key.removeprefix("letter-")], include=["documents", "metadatas"])
        if not got["ids"]:
            got = self.letters.get(where={"case_id": key}, include=["documents", "metadatas"], limit=1)
        if not got["ids"] and key.upper() != key:
            got = self.letters.get(where={"case_id": key.upper()}, include=["documents", "metadatas"], limit=1)
        if not got["ids"] or got["metadatas"][0].get("status") != "complete":
            raise NotFoundError(key)
        meta = got["metadatas"][0]
        letter = Letter(letter_id=got["ids"][0], source=meta["source"], text=got["documents"][0])
        return letter, DecisionSummary.model_validate_json(meta["summary"])

    def case_chunks(self, case_id: str) -> tuple[list[Chunk], list[list[float]]]:
        got = self.chunks.get(where={"case_id": case_id}, include=["documents", "metadatas", "embeddings"])
        chunks = [chunk_from_record(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]
        return chunks, [list(v) for v in got["embeddings"]] if len(chunks) else []

    def dense(self, vector: list[float], where: dict | None, k: int) -> list[tuple[Chunk, float]]:
        got = self.chunks.query(query_embeddings=[vector], n_results=k, where=where,
                                include=["documents", "metadatas", "distances"])
        return [(chunk_from_record(i, d, m), 1.0 - dist) for i, d, m, dist in
                zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0])]

    def iter_chunk_records(self) -> Iterable[tuple[str, str, dict]]:
        total = self.chunks.count()
        for offset in range(0, total, _PAGE):
            got = self.chunks.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            yield from zip(got["ids"], got["documents"], got["metadatas"])

    def get_chunks(self, ids: list[str]) -> dict[str, Chunk]:
        got = self.chunks.get(ids=ids, include=["documents", "metadatas"])
        return {i: chunk_from_record(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])}


def embedding_text(chunk: Chunk) -> str:
    """What is embedded for a chunk: its text, led by the item and decision it belongs to."""
    if chunk.item:
        return f"{chunk.item} ({chunk.decision}): {chunk.text}"
    return chunk.text


def chunk_from_record(chunk_id: str, text: str, meta: dict) -> Chunk:
    fields = {k: meta[k] for k in ("letter_id", "case_id", "section", "start", "end", "item_index", "item",
                                   "decision", "guideline") if k in meta}
    return Chunk(chunk_id=chunk_id, text=text, **fields)
