"""The persistent store: letters and their chunks in Chroma, embedded (a local folder) or a server.

Two collections, both named after the embedding model so that vectors of different
models never mix:

* `<name>-chunks-<model>`: one record per chunk (id = content hash), its vector, text and metadata;
* `<name>-letters-<model>`: one record per letter (id = letter id), its text and typed summary.

A letter is written in three steps: its record with status "pending" (with its writer and
a lease), its chunks, then its record with status "complete". Readers see only complete
letters: the case view, corpus retrieval (dense and lexical) and the analytics all drop
chunks of a letter that is not complete. Writers never lose each other's work: see
`imr_llm.store.writelock` (an exclusive lock on an embedded store, writer leases on a server).
`repair()` removes only what a dead writer left pending.

Every Chroma failure leaves here as a one-line `StoreError` naming the store, made in one place
(`LetterStore.failure`): no Chroma exception reaches the caller.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import functools
import logging
import os
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from ..config import Settings
from .embed import Embedder, get_embedder, slug
from ..errors import ImrError, NotFoundError, StoreError
from ..models import Chunk, DecisionSummary, Letter
from .writelock import WriteLock, bump_generation, generation_stamp, writer_alive, writer_id

__all__ = ["LetterStore"]

log = logging.getLogger(__name__)
_PAGE = 5000


def reason(exc: BaseException) -> str:
    """A one-line reason for an exception: its own message, else its cause's, else its type."""
    for e in (exc, exc.__cause__, exc.__context__):
        if e is None:
            continue
        if isinstance(e, OSError) and e.errno == errno.ENOSPC:
            return "no space left on device"
        text = " ".join(str(e).split())
        if text:
            return text[:300]
    return type(exc).__name__


def _stale(exc: BaseException) -> bool:
    """Chroma's in-process index lags behind what another process wrote."""
    return "error finding id" in str(exc).lower()


def _guarded(method):
    """Chroma errors become one-line StoreErrors; a stale index is reopened and the call retried once."""

    @functools.wraps(method)
    def wrapper(self: "LetterStore", *args, **kwargs):
        try:
            try:
                return method(self, *args, **kwargs)
            except ImrError:
                raise
            except Exception as exc:
                if not _stale(exc) or self.settings.chroma_url:
                    raise
                self.reopen()
                return method(self, *args, **kwargs)
        except ImrError:
            raise
        except Exception as exc:
            raise self.failure(exc, "the Chroma store at {store} failed") from exc

    return wrapper


_snapshots: dict[str, tuple[tuple | None, Path]] = {}


def _read_only_copy(folder: Path) -> Path:
    """A private copy of a store folder this process may not write (Chroma writes when it opens a store)."""
    stamp = generation_stamp(folder)
    known = _snapshots.get(str(folder))
    if known and known[0] == stamp and known[1].exists():
        return known[1]
    copy = Path(tempfile.mkdtemp(prefix="imr-readonly-")) / "chroma"
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("imr-write.*"))
    for path in (copy, *copy.rglob("*")):
        path.chmod(path.stat().st_mode | 0o200)
    atexit.register(shutil.rmtree, copy.parent, True)
    _snapshots[str(folder)] = (stamp, copy)
    return copy


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
        self._stamp: tuple | None = None
        self._open_lock = threading.RLock()
        self._holding = threading.local()

    @property
    def location(self) -> str:
        return self.settings.chroma_url or str(self.settings.chroma_path)

    def failure(self, exc: BaseException, doing: str, then: str = "") -> StoreError:
        """The one mapping of a Chroma (or file system) failure to the error users see: what failed, at
        which store (`doing` names it as {store}), and why, on one line."""
        return StoreError(f"{doing.format(store=self.location)}: {reason(exc)}{then}", location=self.location)

    @property
    def embedded(self) -> bool:
        return not self.settings.chroma_url

    def read_only(self) -> bool:
        """An embedded store in a folder this process may not write."""
        path = self.settings.chroma_path
        while not path.exists() and path != path.parent:
            path = path.parent
        return self.embedded and not os.access(path, os.W_OK)

    def _connect(self):
        with self._open_lock:
            if self._client is not None and (not self.embedded or self._stamp == generation_stamp(self.settings.chroma_path)):
                return
            self._open()

    def reopen(self) -> None:
        """Drop the Chroma handles; the next call opens the store afresh (and sees other processes' writes)."""
        with self._open_lock:
            self._client = self._chunks = self._letters = None
            self._open()

    def _open(self) -> None:
        import chromadb
        from chromadb.api.shared_system_client import SharedSystemClient
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            if self.settings.chroma_url:
                host, port, ssl = self.settings.chroma_host_port()
                try:
                    self._client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
                except Exception as exc:
                    raise self.failure(exc, "cannot reach the Chroma server at {store}") from exc
            else:
                folder = self.settings.chroma_path
                self._stamp = generation_stamp(folder)
                if self.read_only():
                    if not folder.exists():
                        raise StoreError(f"no store at {folder}, and its folder is read-only", location=str(folder))
                    folder = _read_only_copy(folder)
                folder.mkdir(parents=True, exist_ok=True)
                # Chroma keeps one in-process system per folder and its index never sees other processes'
                # writes: forget it so that this client reads the folder as it is now.
                SharedSystemClient._identifier_to_system.pop(str(folder), None)
                SharedSystemClient._identifier_to_refcount.pop(str(folder), None)
                self._client = chromadb.PersistentClient(path=str(folder), settings=chroma_settings)
            base = f"{self.settings.collection}-{{kind}}-{slug(self.embedder.name)}"
            space = {"hnsw:space": "cosine"}
            self._chunks = self._client.get_or_create_collection(base.format(kind="chunks"), metadata=space,
                                                                 embedding_function=None)
            self._letters = self._client.get_or_create_collection(base.format(kind="letters"), metadata=space,
                                                                  embedding_function=None)
        except ImrError:
            self._client = None
            raise
        except Exception as exc:
            self._client = None
            raise self.failure(exc, "cannot open the Chroma store at {store}") from exc

    @property
    def chunks(self):
        self._connect()
        return self._chunks

    @property
    def letters(self):
        self._connect()
        return self._letters

    @_guarded
    def version(self) -> tuple:
        """Changes whenever a letter is added, completed or removed (for caches of what the store holds)."""
        if self.embedded:
            return generation_stamp(self.settings.chroma_path), self.count()[0]
        return self.count()[0], len(self._complete_where({"status": "complete"}))

    # -- writing -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
        """Exclusive right to write (embedded store): waits for another writer, saying so, up to
        IMR_WRITE_WAIT seconds. Against a server, writers run side by side, kept apart by leases."""
        if getattr(self._holding, "on", False) or not self.embedded:
            yield
            return
        folder = self.settings.chroma_path
        if self.read_only():
            raise StoreError(f"the store at {folder} is read-only: cannot add letters (reading still works)",
                             location=str(folder))
        folder.mkdir(parents=True, exist_ok=True)
        with WriteLock(folder, self.settings.write_wait).hold(on_wait):
            self._holding.on, self._holding.changed = True, False
            try:
                self._connect()  # another process may have written since: never write through a stale index
                yield
            finally:
                self._holding.on = False
                if self._holding.changed:
                    with contextlib.suppress(OSError):
                        self._stamp = bump_generation(folder)

    @_guarded
    def complete_ids(self, letter_ids: list[str]) -> set[str]:
        """Which of these letters are stored and complete."""
        ids = sorted(set(letter_ids))
        if not ids:
            return set()
        # By id, then the status read here: Chroma scans every letter's metadata for a where-filter
        # (7.3 against 5.6 ms for 40 ids among 286 letters, and it grows with the store).
        got = self.letters.get(ids=ids, include=["metadatas"])
        return {i for i, meta in zip(got["ids"], got["metadatas"]) if (meta or {}).get("status") == "complete"}

    def add(self, batch: list[tuple[Letter, DecisionSummary, list[Chunk]]],
            on_wait: Callable[[str], None] | None = None) -> set[str]:
        """Write the letters of a batch that are not stored yet, holding the write lock; their ids."""
        with self.writing(on_wait):
            self.repair()
            done = self.complete_ids([letter.letter_id for letter, _, _ in batch])
            fresh: dict[str, tuple[Letter, DecisionSummary, list[Chunk]]] = {}
            for letter, summary, chunks in batch:
                if letter.letter_id not in done:
                    fresh.setdefault(letter.letter_id, (letter, summary, chunks))
            self.write(list(fresh.values()))
        return set(fresh)

    def write(self, batch: list[tuple[Letter, DecisionSummary, list[Chunk]]]) -> None:
        """Write letters and their chunks (embedding the chunks in one batch); call it holding `writing()`.
        On failure nothing of the batch stays visible and a one-line StoreError says why."""
        if not batch:
            return
        with self.writing():
            try:
                self._write(batch)
            except Exception as exc:
                ids = [letter.letter_id for letter, _, _ in batch]
                with contextlib.suppress(Exception):
                    self._remove(ids)
                raise self.failure(exc, f"could not write {len(ids)} letter(s) to the store at {{store}}",
                                   "; none of them was kept") from exc

    def _changing(self) -> None:
        """Mark the store as changed before the first change of a hold, so that a writer killed mid-write
        still makes other processes reopen the store (and the marker is written again on release)."""
        if not getattr(self._holding, "changed", True) and self.embedded:
            self._holding.changed = True
            with contextlib.suppress(OSError):
                self._stamp = bump_generation(self.settings.chroma_path)

    def _write(self, batch: list[tuple[Letter, DecisionSummary, list[Chunk]]]) -> None:
        self._changing()
        writer, lease = writer_id(), time.time() + self.settings.write_lease

        def letter_meta(letter: Letter, summary: DecisionSummary) -> dict:
            return {"case_id": summary.case_id, "source": letter.source, "status": "pending", "layout": summary.layout,
                    "n_items": len(summary.items), "overall": summary.overall or "",
                    "summary": summary.model_dump_json(), "writer": writer, "lease_until": lease}

        ids = [letter.letter_id for letter, _, _ in batch]
        self.letters.upsert(ids=ids, documents=[letter.text for letter, _, _ in batch], embeddings=[[1.0]] * len(batch),
                            metadatas=[{**letter_meta(letter, summary), "n_chunks": len(cs)}
                                       for letter, summary, cs in batch])
        chunks = [c for _, _, cs in batch for c in cs]
        vectors = self.embedder.embed([embedding_text(c) for c in chunks])
        for i in range(0, len(chunks), _PAGE):
            part = chunks[i : i + _PAGE]
            self.chunks.upsert(ids=[c.chunk_id for c in part], documents=[c.text for c in part],
                               embeddings=vectors[i : i + _PAGE], metadatas=[_flags(c) for c in part])
        # Only the status changes: an update of that one key (merged) rewrites no text or summary.
        self.letters.update(ids=ids, metadatas=[{"status": "complete"} for _ in ids])

    def _remove(self, letter_ids: list[str]) -> None:
        if letter_ids:
            self._changing()
        for letter_id in letter_ids:
            self.chunks.delete(where={"letter_id": letter_id})
        if letter_ids:
            self.letters.delete(ids=letter_ids)

    @_guarded
    def repair(self) -> int:
        """Remove letters (and their chunks) that a dead writer left pending; returns how many.

        Embedded: holding the write lock, every pending letter is a dead writer's. Server: only
        pending letters whose lease ran out, or whose writer ran on this host and is gone."""
        with self.writing():
            got = self.letters.get(where={"status": "pending"}, include=["metadatas"])
            now = time.time()
            dead = []
            for letter_id, meta in zip(got["ids"], got["metadatas"]):
                writer, lease = (meta or {}).get("writer"), (meta or {}).get("lease_until") or 0
                if self.embedded or not writer or lease < now or writer_alive(writer) is False:
                    dead.append(letter_id)
            self._remove(dead)
        if dead:
            log.warning("removed %d half-written letter(s) left by a writer that stopped", len(dead))
        return len(dead)

    # -- reading -------------------------------------------------------------------------------

    def _complete_where(self, where: dict) -> list[str]:
        return self.letters.get(where=where, include=[])["ids"]

    def _only_complete(self, chunks: list[Chunk]) -> list[bool]:
        """For each chunk, whether its letter is complete (a reader never sees a letter being written)."""
        done = self.complete_ids([c.letter_id for c in chunks])
        return [c.letter_id in done for c in chunks]

    @_guarded
    def count(self) -> tuple[int, int]:
        return self.letters.count(), self.chunks.count()

    @_guarded
    def cases(self) -> list[dict]:
        out: list[dict] = []
        for offset in range(0, max(self.letters.count(), 1), _PAGE):
            got = self.letters.get(where={"status": "complete"}, include=["metadatas"], limit=_PAGE, offset=offset)
            for letter_id, meta in zip(got["ids"], got["metadatas"]):
                out.append({"case_id": meta["case_id"], "letter_id": letter_id, "source": meta["source"],
                            "layout": meta["layout"], "items": meta["n_items"], "overall": meta["overall"]})
        return sorted(out, key=lambda c: c["case_id"])

    @_guarded
    def summaries(self) -> list[DecisionSummary]:
        out = []
        for offset in range(0, max(self.letters.count(), 1), _PAGE):
            got = self.letters.get(where={"status": "complete"}, include=["metadatas"], limit=_PAGE, offset=offset)
            out.extend(DecisionSummary.model_validate_json(meta["summary"]) for meta in got["metadatas"])
        return out

    @_guarded
    def find(self, key: str) -> tuple[Letter, DecisionSummary]:
        """A complete letter and its summary by case number, case id or letter id."""
        include = ["documents", "metadatas"]
        got = self.letters.get(ids=[key.removeprefix("letter-")], where={"status": "complete"}, include=include)
        for case_id in dict.fromkeys([key, key.upper()]):
            if not got["ids"]:
                got = self.letters.get(where={"$and": [{"case_id": case_id}, {"status": "complete"}]},
                                       include=include, limit=1)
        if not got["ids"]:
            raise NotFoundError(key)
        meta = got["metadatas"][0]
        letter = Letter(letter_id=got["ids"][0], source=meta["source"], text=got["documents"][0])
        return letter, DecisionSummary.model_validate_json(meta["summary"])

    @_guarded
    def case_chunks(self, case_id: str, letter_id: str | None = None) -> tuple[list[Chunk], list[list[float]]]:
        """The stored chunks of a case (or of one of its letters) and their vectors, complete letters only,
        each letter whole: a letter completed by another process while this one's Chroma index lagged
        (its chunk count short of the count recorded with it) makes the store reopen and read again."""
        for attempt in (0, 1):
            done = self.letters.get(ids=[letter_id] if letter_id else None, include=["metadatas"],
                                    where={"$and": [{"status": "complete"}, {"case_id": case_id}]})
            expected = {i: (m or {}).get("n_chunks") for i, m in zip(done["ids"], done["metadatas"])}
            got = self.chunks.get(where=where_clause(case_id=case_id, letter_id=letter_id),
                                  include=["documents", "metadatas", "embeddings"])
            chunks = [chunk_from_record(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]
            vectors = [list(v) for v in got["embeddings"]] if chunks else []
            found = Counter(c.letter_id for c in chunks)
            whole = {i for i, n in expected.items() if n is None and found[i] or n == found[i]}
            if whole == set(expected) or attempt or not self.embedded:
                break
            self.reopen()
        keep = [c.letter_id in whole for c in chunks]
        return [c for c, k in zip(chunks, keep) if k], [v for v, k in zip(vectors, keep) if k]

    @_guarded
    def dense(self, vector: list[float], where: dict | None, k: int, *, complete_only: bool = True) -> list[tuple[Chunk, float]]:
        """The k nearest chunks; with complete_only=False the caller checks completeness (once, for all it found)."""
        got = self.chunks.query(query_embeddings=[vector], n_results=k, where=where,
                                include=["documents", "metadatas", "distances"])
        hits = [(chunk_from_record(i, d, m), 1.0 - dist) for i, d, m, dist in
                zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0])]
        if not complete_only:
            return hits
        keep = self._only_complete([c for c, _ in hits])
        return [hit for hit, k_ in zip(hits, keep) if k_]

    @_guarded
    def iter_chunk_records(self) -> list[tuple[str, str, dict]]:
        out: list[tuple[str, str, dict]] = []
        for offset in range(0, self.chunks.count(), _PAGE):
            got = self.chunks.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            out.extend(zip(got["ids"], got["documents"], got["metadatas"]))
        return out

    @_guarded
    def get_chunks(self, ids: list[str], *, complete_only: bool = True) -> dict[str, Chunk]:
        """Chunks by id, of complete letters only (unless the caller checks that itself)."""
        got = self.chunks.get(ids=ids, include=["documents", "metadatas"])
        chunks = [chunk_from_record(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]
        keep = self._only_complete(chunks) if complete_only else [True] * len(chunks)
        return {c.chunk_id: c for c, k in zip(chunks, keep) if k}

    def only_complete(self, chunks: list[Chunk]) -> list[Chunk]:
        """The chunks whose letter is stored complete (one look-up for all of them)."""
        return [c for c, k in zip(chunks, self._only_complete(chunks)) if k]


def embedding_text(chunk: Chunk) -> str:
    """What is embedded for a chunk: its text, led by the item and decision it belongs to."""
    if chunk.item:
        return f"{chunk.item} ({chunk.decision}): {chunk.text}"
    return chunk.text


def chunk_from_record(chunk_id: str, text: str, meta: dict) -> Chunk:
    fields = {k: meta[k] for k in ("letter_id", "case_id", "section", "start", "end", "item_index", "item",
                                   "decision", "guideline") if k in meta}
    return Chunk(chunk_id=chunk_id, text=text, **fields)
