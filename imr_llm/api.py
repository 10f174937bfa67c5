"""The façade: wires load -> parse -> chunk -> index -> retrieve -> answer. No logic of its own."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from . import answer as answer_lib
from .chunk import chunk_letter
from .config import Settings, get_settings
from .errors import ImrError
from .index import LetterStore, embedding_text
from .load import iter_letter_files, load_letter
from .models import Answer, Chunk, DecisionSummary, Letter
from .parse import parse_letter
from .retrieve import Filters, retrieve, retrieve_in

__all__ = ["IngestResult", "ask", "cases", "ingest", "open_store", "resolve", "summarize"]

_stores: dict[tuple, LetterStore] = {}
_vectors: dict[tuple[str, str], tuple[list[str], list]] = {}  # (letter id, embedder) -> (chunk ids, vectors)


def open_store(settings: Settings | None = None) -> LetterStore:
    """The store for these settings (one per process, so the embedding model loads once)."""
    settings = settings or get_settings()
    key = (settings.chroma_url, str(settings.chroma_path), settings.collection, settings.embedding)
    if key not in _stores:
        _stores[key] = LetterStore(settings)
    return _stores[key]


def resolve(source: str | Path, settings: Settings | None = None) -> tuple[Letter, DecisionSummary, LetterStore | None]:
    """A letter and its summary from a file path, or from the store by case number / letter id."""
    path = Path(source)
    if path.is_file() or path.suffix.lower() in (".txt", ".pdf"):
        letter = load_letter(path)
        return letter, parse_letter(letter), None
    store = open_store(settings)
    letter, summary = store.find(str(source))
    return letter, summary, store


def summarize(source: str | Path, *, model: str | None = None, settings: Settings | None = None) -> DecisionSummary:
    """The typed decision summary of a letter file or an ingested case."""
    settings = (settings or get_settings()).with_model(model)
    letter, summary, _ = resolve(source, settings)
    if settings.llm_model:
        from .engine_llm import summarize_llm

        return summarize_llm(letter, summary, settings)
    return summary


def _case_context(source: str | Path, settings: Settings) -> tuple[Letter, DecisionSummary, list[Chunk], list]:
    letter, summary, store = resolve(source, settings)
    if store is not None:
        chunks, vectors = store.case_chunks(summary.case_id)
        chunks = [c for c in chunks if c.letter_id == letter.letter_id] or chunks
        if len(chunks) == len(vectors):
            return letter, summary, chunks, vectors
    chunks = chunk_letter(letter, summary)
    embedder = open_store(settings).embedder
    key, ids = (letter.letter_id, embedder.name), [c.chunk_id for c in chunks]
    if _vectors.get(key, ([], []))[0] != ids:  # a letter's chunks are embedded once per process
        if len(_vectors) >= 64:
            _vectors.clear()
        _vectors[key] = (ids, embedder.embed([embedding_text(c) for c in chunks]))
    return letter, summary, chunks, _vectors[key][1]


def ask(source: str | Path | None, question: str, *, k: int = 6, model: str | None = None,
        settings: Settings | None = None, filters: dict | None = None) -> Answer:
    """Answer a question about one letter (file or case), or the whole store when source is None."""
    settings = (settings or get_settings()).with_model(model)
    if source is None:
        store = open_store(settings)
        scope = Filters(filters) if filters else answer_lib.corpus_filters(question)
        passages = retrieve(store, question, k=k, filters=scope)
        return answer_lib.answer_corpus(question, passages)
    letter, summary, chunks, vectors = _case_context(source, settings)
    embedder = open_store(settings).embedder
    passages = retrieve_in(question, chunks, vectors, embedder, k=k, filters=Filters(filters or {}))
    if settings.llm_model:
        from .engine_llm import ask_llm

        return ask_llm(question, letter, summary, chunks, passages, settings)
    return answer_lib.answer_offline(question, letter.text, summary, chunks, passages, embedder)


@dataclass
class IngestResult:
    path: str
    status: str  # "added" | "unchanged" | "failed"
    case_id: str | None = None
    items: int = 0
    chunks: int = 0
    error: str | None = None


def ingest(paths: Iterable[str | Path], *, settings: Settings | None = None, batch_size: int = 32,
           on_result: Callable[[IngestResult], None] | None = None) -> list[IngestResult]:
    """Ingest letter files and folders; a bad file is reported and skipped, the rest go on."""
    store = open_store(settings)
    store.repair()
    results: list[IngestResult] = []
    pending: list[tuple[Path, Letter, DecisionSummary, list[Chunk]]] = []

    def report(result: IngestResult) -> None:
        results.append(result)
        if on_result:
            on_result(result)

    def flush() -> None:
        if not pending:
            return
        done = store.complete_ids([letter.letter_id for _, letter, _, _ in pending])
        fresh, seen = [], set()
        for path, letter, summary, chunks in pending:
            if letter.letter_id in done or letter.letter_id in seen:
                report(IngestResult(str(path), "unchanged", summary.case_id, len(summary.items), len(chunks)))
            else:
                seen.add(letter.letter_id)
                fresh.append((path, letter, summary, chunks))
        store.write([(letter, summary, chunks) for _, letter, summary, chunks in fresh])
        for path, _, summary, chunks in fresh:
            report(IngestResult(str(path), "added", summary.case_id, len(summary.items), len(chunks)))
        pending.clear()

    for path in iter_letter_files(paths):
        try:
            letter = load_letter(path)
            summary = parse_letter(letter)
            pending.append((path, letter, summary, chunk_letter(letter, summary)))
        except ImrError as exc:
            report(IngestResult(str(path), "failed", error=str(exc)))
            continue
        if len(pending) >= batch_size:
            flush()
    flush()
    return results


def cases(settings: Settings | None = None) -> list[dict]:
    return open_store(settings).cases()
