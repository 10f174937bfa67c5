"""The façade: wires load -> parse -> chunk -> index -> retrieve -> answer. No logic of its own."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .engines import offline as answer_lib
from .store.chunk import chunk_letter
from .config import Settings, get_settings
from .errors import ImrError, LoadError
from .store.index import LetterStore, embedding_text
from .store.lexical import LexicalIndex
from .store.load import iter_letter_files, load_letter
from .models import Answer, Chunk, DecisionSummary, Letter
from .store.ocr import mark_ocr
from .parse import parse_letter
from .store.retrieve import Filters, lexical_prefilter, retrieve, retrieve_in

__all__ = ["MAX_LETTER_CHARS", "IngestResult", "ask", "cases", "ingest", "open_store", "resolve", "summarize"]

# A letter's text is read, indexed and asked up to this size (real IMR letters run 5-50 thousand
# characters); at the cap, ingest takes seconds on two cores, not minutes (see README, Configuration).
MAX_LETTER_CHARS = 250_000
# A question ranks at most this many chunks of one letter: a cheap lexical prefilter picks them.
QUESTION_CHUNKS = 120

_stores: dict[tuple, LetterStore] = {}
_vectors: dict[tuple[str, str], list[float]] = {}  # (embedder, chunk id) -> vector of a letter read from a file


def open_store(settings: Settings | None = None) -> LetterStore:
    """The store for these settings (one per process, so the embedding model loads once)."""
    settings = settings or get_settings()
    key = (settings.chroma_url, str(settings.chroma_path), settings.collection, settings.embedding)
    if key not in _stores:
        _stores[key] = LetterStore(settings)
    return _stores[key]


def _within_cap(letter: Letter) -> Letter:
    if len(letter.text) > MAX_LETTER_CHARS:
        raise LoadError(letter.source, f"letter text is {len(letter.text):,} characters, over the "
                                       f"{MAX_LETTER_CHARS:,}-character limit")
    return letter


def resolve(source: str | Path, settings: Settings | None = None) -> tuple[Letter, DecisionSummary, LetterStore | None]:
    """A letter and its summary from a file path, or from the store by case number / letter id."""
    path = Path(source)
    if path.is_file() or path.suffix.lower() in (".txt", ".pdf"):
        letter = _within_cap(load_letter(path))
        return *mark_ocr(letter, parse_letter(letter)), None
    store = open_store(settings)
    letter, summary = mark_ocr(*store.find(str(source)))
    return letter, summary, store


def summarize(source: str | Path, *, model: str | None = None, settings: Settings | None = None) -> DecisionSummary:
    """The typed decision summary of a letter file or an ingested case."""
    settings = (settings or get_settings()).with_model(model)
    letter, summary, _ = resolve(source, settings)
    if settings.llm_model:
        from .engines.llm import summarize_llm

        return summarize_llm(letter, summary, settings)
    return summary


def _case_context(source: str | Path, settings: Settings,
                  question: str | None = None) -> tuple[Letter, DecisionSummary, list[Chunk], list]:
    """A letter, its summary, its chunks and their vectors: a stored letter's own (never embedded again),
    a file's embedded once per process. With a question, a long letter's chunks are first narrowed to
    the QUESTION_CHUNKS a lexical prefilter ranks best, so that the work per question is bounded."""
    letter, summary, store = resolve(source, settings)
    chunks, vectors = store.case_chunks(summary.case_id, letter.letter_id) if store is not None else ([], [])
    if not chunks or len(chunks) != len(vectors):
        chunks, vectors = chunk_letter(letter, summary), []
    if question is not None and len(chunks) > QUESTION_CHUNKS:
        keep = lexical_prefilter(question, chunks, QUESTION_CHUNKS)
        chunks, vectors = [chunks[i] for i in keep], [vectors[i] for i in keep] if vectors else []
    if not vectors:
        embedder = open_store(settings).embedder
        missing = [c for c in chunks if (embedder.name, c.chunk_id) not in _vectors]
        if len(_vectors) + len(missing) > 20_000:
            _vectors.clear()
            missing = chunks
        for chunk, vector in zip(missing, embedder.embed([embedding_text(c) for c in missing])):
            _vectors[(embedder.name, chunk.chunk_id)] = vector
        vectors = [_vectors[(embedder.name, c.chunk_id)] for c in chunks]
    return letter, summary, chunks, vectors


def ask(source: str | Path | None, question: str, *, k: int = 6, model: str | None = None,
        settings: Settings | None = None, filters: dict | None = None) -> Answer:
    """Answer a question about one letter (file or case), or the whole store when source is None."""
    settings = (settings or get_settings()).with_model(model)
    if source is None:
        store = open_store(settings)
        store.count()  # an unreachable or broken store fails here, before the embedding model loads
        scope = Filters(filters) if filters else answer_lib.corpus_filters(question)
        passages = retrieve(store, question, k=k, filters=scope)
        return answer_lib.answer_corpus(question, passages)
    letter, summary, chunks, vectors = _case_context(source, settings, question)
    embedder = open_store(settings).embedder
    passages = retrieve_in(question, chunks, vectors, embedder, k=k, filters=Filters(filters or {}))
    if settings.llm_model:
        from .engines.llm import ask_llm

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
           on_result: Callable[[IngestResult], None] | None = None,
           on_wait: Callable[[str], None] | None = None) -> list[IngestResult]:
    """Ingest letter files and folders; a bad file is reported and skipped, the rest go on.

    Each batch is written holding the store's write lock (`on_wait` hears it when another writer
    holds it); a letter is reported "added" only once it is stored complete. A store that cannot be
    written (read-only, disk full, another writer past IMR_WRITE_WAIT) raises StoreError, and the
    letters of the failed batch are not kept."""
    store = open_store(settings)
    lexicon = LexicalIndex.for_store(store, check=False)  # the letters written are added to it, tokenised once
    results: list[IngestResult] = []
    pending: list[tuple[Path, Letter, DecisionSummary, list[Chunk]]] = []

    def report(result: IngestResult) -> None:
        results.append(result)
        if on_result:
            on_result(result)

    def flush() -> None:
        if not pending:
            return
        written = store.add([(letter, summary, chunks) for _, letter, summary, chunks in pending], on_wait)
        lexicon.add(c for chunks in {l.letter_id: cs for _, l, _, cs in pending if l.letter_id in written}.values()
                    for c in chunks)
        for path, letter, summary, chunks in pending:
            status = "added" if letter.letter_id in written else "unchanged"
            written.discard(letter.letter_id)  # the same letter twice in a batch: added once
            report(IngestResult(str(path), status, summary.case_id, len(summary.items), len(chunks)))
        pending.clear()

    files = iter(iter_letter_files(paths))
    # One batch at a time, in this thread. Reading the next batch in a thread while this one is
    # embedded was measured slower (9.9 against 12.7 letters/s, 200 letters, idle): the parser holds
    # the GIL between the model's operations, and the model already keeps both cores busy.
    while batch := list(itertools.islice(files, batch_size)):
        for path in batch:
            try:
                pending.append((path, *_prepare(path)))
            except ImrError as exc:
                report(IngestResult(str(path), "failed", error=str(exc)))
        flush()
    lexicon.save()
    return results


def _prepare(path: Path) -> tuple[Letter, DecisionSummary, list[Chunk]]:
    letter = _within_cap(load_letter(path))
    letter, summary = mark_ocr(letter, parse_letter(letter))
    return letter, summary, chunk_letter(letter, summary)


def cases(settings: Settings | None = None) -> list[dict]:
    return open_store(settings).cases()
