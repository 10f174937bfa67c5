"""`Client`: one reader of IMR letters, owning its settings, its store, its embedder and its caches.

    client = imr_llm.Client(imr_llm.get_settings(home="~/imr"))
    letter = client.open_letter("letter.pdf")         # loaded and read once
    summary = client.summarize(letter)
    answer = client.ask(letter, "Why was PT overturned?")

It wires load -> parse -> chunk -> index -> retrieve -> engine, with no reading logic of its own.
A source is a letter file (.txt/.pdf), a case number or letter id already ingested, or an
`OpenLetter`. The engine is the offline one, or with a model (`settings.llm_model`, or `model=`
per call) the model with the offline engine as its fallback (`imr_llm.engines.fallback`).
The store (and its embedding model) opens on first use; `close()` lets it go.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .config import Settings, get_settings
from .engines.fallback import Engine, choose_engine
from .engines.offline import answer_corpus, corpus_filters
from .errors import ConfigError, ImrError, LoadError
from .models import Answer, Chunk, DecisionSummary, Letter, OpenLetter
from .parse import parse_letter
from .store.chunk import chunk_letter
from .store.embed import Embedder
from .store.index import LetterStore, embedding_text
from .store.lexical import LexicalIndex
from .store.load import iter_letter_files, load_letter
from .store.ocr import mark_ocr
from .store.retrieve import Filters, lexical_prefilter, retrieve, retrieve_in

__all__ = ["MAX_LETTER_CHARS", "QUESTION_CHUNKS", "Client", "IngestResult", "Source"]

# A letter's text is read, indexed and asked up to this size (real IMR letters run 5-50 thousand
# characters); at the cap, ingest takes seconds on two cores, not minutes (see README, Configuration).
MAX_LETTER_CHARS = 250_000
# A question ranks at most this many chunks of one letter: a cheap lexical prefilter picks them.
QUESTION_CHUNKS = 120
# Vectors of chunks of letters read from files (not from the store) a client keeps; past it, it starts afresh.
VECTOR_CACHE = 20_000

Source = str | Path | OpenLetter


@dataclass
class IngestResult:
    path: str
    status: str  # "added" | "unchanged" | "failed"
    case_id: str | None = None
    items: int = 0
    chunks: int = 0
    error: str | None = None


class Client:
    """Summaries, answers and ingest against one store; safe to share between threads."""

    def __init__(self, settings: Settings | None = None, *, embedder: Embedder | None = None):
        self.settings = settings or get_settings()
        self._embedder = embedder  # None: the one the settings name
        self._store: LetterStore | None = None
        self._vectors: dict[str, list[float]] = {}  # chunk id -> vector, for letters read from files
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Client(store={self.settings.chroma_url or str(self.settings.chroma_path)!r})"

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Let the store and the cached vectors go; the next call opens the store again."""
        with self._lock:
            self._store = None
            self._vectors.clear()

    @property
    def store(self) -> LetterStore:
        with self._lock:
            if self._store is None:
                self._store = LetterStore(self.settings, self._embedder)
            return self._store

    @property
    def embedder(self) -> Embedder:
        return self.store.embedder

    def engine(self, model: str | None = None) -> Engine:
        """The engine a call uses: `model` ('' for the offline engine) or the settings' model, else offline."""
        return choose_engine(self.settings.with_model(model), self.embedder)

    # -- one letter ----------------------------------------------------------------------------

    def open_letter(self, source: Source) -> OpenLetter:
        """A letter and the offline engine's reading of it, from a file or from the store (case number / letter id)."""
        if isinstance(source, OpenLetter):
            return source
        if not isinstance(source, (str, Path)):
            raise ConfigError(f"a letter is a file path, a case number or a letter id, not {type(source).__name__}")
        path = Path(source)
        if path.is_file() or path.suffix.lower() in (".txt", ".pdf"):
            letter, summary = _read(path)
            return OpenLetter(letter=letter, summary=summary)
        letter, summary = mark_ocr(*self.store.find(str(source)))
        return OpenLetter(letter=letter, summary=summary, stored=True)

    def summarize(self, source: Source, *, model: str | None = None) -> DecisionSummary:
        """The typed decision summary of a letter."""
        opened = self.open_letter(source)
        return self.engine(model).summarize(opened.letter, opened.summary.model_copy(deep=True))

    def chunks(self, source: Source, question: str | None = None) -> tuple[list[Chunk], list[list[float]]]:
        """A letter's chunks and their vectors, as `ask` ranks them: a stored letter's own (never embedded
        again), a file's embedded once per client. With a question, a long letter's chunks are first
        narrowed to the QUESTION_CHUNKS a lexical prefilter ranks best, so that the work per question is bounded."""
        opened = self.open_letter(source)
        chunks: list[Chunk] = []
        vectors: list[list[float]] = []
        if opened.stored:
            chunks, vectors = self.store.case_chunks(opened.summary.case_id, opened.letter.letter_id)
        if not chunks or len(chunks) != len(vectors):
            chunks, vectors = chunk_letter(opened.letter, opened.summary), []
        if question is not None and len(chunks) > QUESTION_CHUNKS:
            keep = lexical_prefilter(question, chunks, QUESTION_CHUNKS)
            chunks, vectors = [chunks[i] for i in keep], [vectors[i] for i in keep] if vectors else []
        return chunks, vectors or self._embed(chunks)

    def _embed(self, chunks: list[Chunk]) -> list[list[float]]:
        embedder = self.embedder
        with self._lock:
            known = {c.chunk_id: self._vectors[c.chunk_id] for c in chunks if c.chunk_id in self._vectors}
            missing = [c for c in chunks if c.chunk_id not in known]
            if len(self._vectors) + len(missing) > VECTOR_CACHE:
                self._vectors.clear()
                known, missing = {}, chunks
        fresh = dict(zip((c.chunk_id for c in missing), embedder.embed([embedding_text(c) for c in missing])))
        with self._lock:
            self._vectors.update(fresh)
        known.update(fresh)
        return [known[c.chunk_id] for c in chunks]

    def ask(self, source: Source | None, question: str, *, k: int = 6, model: str | None = None,
            filters: dict | None = None) -> Answer:
        """Answer a question about one letter, or about every letter of the store when `source` is None."""
        if k < 1:
            raise ConfigError(f"k (the passages to retrieve) must be at least 1, not {k}")
        if source is None:
            store = self.store
            store.count()  # an unreachable or broken store fails here, before the embedding model loads
            scope = Filters(filters) if filters else corpus_filters(question)
            return answer_corpus(question, retrieve(store, question, k=k, filters=scope))
        opened = self.open_letter(source)
        chunks, vectors = self.chunks(opened, question)
        passages = retrieve_in(question, chunks, vectors, self.embedder, k=k, filters=Filters(filters or {}))
        return self.engine(model).answer(question, opened.letter, opened.summary, chunks, passages)

    # -- the store -----------------------------------------------------------------------------

    def cases(self) -> list[dict]:
        """The cases in the store: case id, letter id, source, layout, items and overall decision."""
        return self.store.cases()

    def ingest(self, paths: Iterable[str | Path], *, batch_size: int = 32,
               on_result: Callable[[IngestResult], None] | None = None,
               on_wait: Callable[[str], None] | None = None) -> list[IngestResult]:
        """Ingest letter files and folders; a bad file is reported and skipped, the rest go on.

        Each batch is written holding the store's write lock (`on_wait` hears it when another writer
        holds it); a letter is reported "added" only once it is stored complete. A store that cannot be
        written (read-only, disk full, another writer past IMR_WRITE_WAIT) raises StoreError, and the
        letters of the failed batch are not kept."""
        store = self.store
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
                    letter, summary = _read(path)
                    pending.append((path, letter, summary, chunk_letter(letter, summary)))
                except ImrError as exc:
                    report(IngestResult(str(path), "failed", error=str(exc)))
            flush()
        lexicon.save()
        return results


def _read(path: Path) -> tuple[Letter, DecisionSummary]:
    """A letter file, within the size cap, and the rules' reading of it."""
    letter = load_letter(path)
    if len(letter.text) > MAX_LETTER_CHARS:
        raise LoadError(letter.source, f"letter text is {len(letter.text):,} characters, over the "
                                       f"{MAX_LETTER_CHARS:,}-character limit")
    return mark_ocr(letter, parse_letter(letter))
