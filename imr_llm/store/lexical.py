"""The corpus-wide lexical index: BM25 over every chunk of the complete letters, kept on disk.

A fresh process answers its first corpus-wide question from the saved index (memory-mapped
arrays) instead of reading and tokenising every chunk of the store again (16 s at 10,000
letters). Ingest adds the letters it wrote; nothing already indexed is tokenised twice.

On disk, beside the vectors: `$IMR_HOME/lexical/<store>/<chunks collection>/`

* `manifest.json`: the vocabulary size, the segments, the letters removed since, and the
  store version the index was last checked against;
* `vocab.json`: the tokens (a token's id is its position; only ever appended to);
* `seg-<id>/`: one immutable segment per ingest (or per 50,000 chunks): postings by term
  (`indptr`, `docs`, `tf`), each chunk's length, id and the metadata the filters use.

Scores are BM25 (Lucene's form, k1 1.5, b 0.75, as bm25s) with the statistics of every live
chunk, however many segments hold them. Many segments are merged into one.

The index follows the store, not the other way round: whenever the store's version differs
from the one the index last saw, the complete letters are compared with the indexed ones;
missing letters are read from the store and added, letters no longer complete are dropped.
A killed ingest, another process's writes, or a store written by an older version all
converge that way. A folder this process cannot write still serves, from memory.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import uuid
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .embed import slug
from ..models import Chunk
from .index import chunk_from_record
from .tokens import lexical_text, tokenize

__all__ = ["LexicalIndex"]

K1, B = 1.5, 0.75
SEGMENT_DOCS = 50_000  # chunks buffered before a segment is written
MAX_SEGMENTS = 8  # past this, all segments are merged into one
_FETCH = 500  # letters read from the store at a time when catching up
_COLUMNS = ("ids", "letter_id", "case_id", "decision")


class _Segment:
    """Immutable postings of some chunks: for term t, docs[indptr[t]:indptr[t+1]] with counts tf."""

    def __init__(self, arrays: dict[str, np.ndarray], name: str | None = None):
        self.name = name
        self.a = arrays
        self.size = len(arrays["lengths"])
        self.families = sorted(k[2:] for k in arrays if k.startswith("g_"))

    @classmethod
    def build(cls, docs: list[tuple[Chunk, list[int]]]) -> "_Segment":
        counts = [Counter(terms) for _, terms in docs]
        n_terms = max((max(c) for c in counts if c), default=-1) + 1
        term = np.fromiter((t for c in counts for t in c.keys()), dtype=np.int64)
        tf = np.fromiter((n for c in counts for n in c.values()), dtype=np.int32)
        doc = np.repeat(np.arange(len(docs), dtype=np.int32), [len(c) for c in counts])
        order = np.argsort(term, kind="stable")
        arrays = {"indptr": np.concatenate([[0], np.cumsum(np.bincount(term, minlength=n_terms))]).astype(np.int64),
                  "docs": doc[order], "tf": np.minimum(tf[order], 65535).astype(np.uint16),
                  "lengths": np.array([len(terms) for _, terms in docs], dtype=np.int32)}
        chunks = [c for c, _ in docs]
        arrays["ids"] = np.array([c.chunk_id for c in chunks], dtype=str)
        for key in ("letter_id", "case_id", "decision"):
            arrays[key] = np.array([getattr(c, key) or "" for c in chunks], dtype=str)
        for family in sorted({f.lower() for c in chunks for f in (c.guideline or "").split()}):
            arrays[f"g_{family}"] = np.array([family in (c.guideline or "").lower().split() for c in chunks])
        return cls(arrays)

    @classmethod
    def load(cls, folder: Path) -> "_Segment":
        return cls({p.stem: np.load(p, mmap_mode="r") for p in folder.glob("*.npy")}, folder.name)

    def save(self, folder: Path) -> None:
        tmp = folder.with_name(folder.name + ".tmp")
        tmp.mkdir(parents=True, exist_ok=True)
        for key, array in self.a.items():
            np.save(tmp / f"{key}.npy", np.asarray(array))
        os.replace(tmp, folder)
        self.name = folder.name

    def postings(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        indptr = self.a["indptr"]
        if term + 1 >= len(indptr):
            return indptr[:0].astype(np.int32), indptr[:0].astype(np.uint16)
        lo, hi = indptr[term], indptr[term + 1]
        return self.a["docs"][lo:hi], self.a["tf"][lo:hi]

    @staticmethod
    def merge(segments: list["_Segment"], live: list[np.ndarray]) -> "_Segment":
        """One segment of the live chunks of several (postings re-sorted by term)."""
        offsets, keep_maps, arrays = 0, [], {}
        terms, docs, tfs = [], [], []
        for seg, alive in zip(segments, live):
            new_index = np.cumsum(alive) - 1 + offsets
            counts = np.diff(seg.a["indptr"])
            seg_terms = np.repeat(np.arange(len(counts)), counts)
            keep = alive[seg.a["docs"]]
            terms.append(seg_terms[keep])
            docs.append(new_index[seg.a["docs"][keep]].astype(np.int32))
            tfs.append(np.asarray(seg.a["tf"])[keep])
            keep_maps.append(alive)
            offsets += int(alive.sum())
        term = np.concatenate(terms) if terms else np.zeros(0, np.int64)
        order = np.argsort(term, kind="stable")
        n_terms = max(len(s.a["indptr"]) - 1 for s in segments)
        arrays["indptr"] = np.concatenate([[0], np.cumsum(np.bincount(term, minlength=n_terms))]).astype(np.int64)
        arrays["docs"] = np.concatenate(docs)[order]
        arrays["tf"] = np.concatenate(tfs)[order].astype(np.uint16)
        for key in ("lengths", *_COLUMNS):
            arrays[key] = np.concatenate([np.asarray(s.a[key])[m] for s, m in zip(segments, keep_maps)])
        families = sorted({f for s in segments for f in s.families})
        for family in families:
            arrays[f"g_{family}"] = np.concatenate([
                np.asarray(s.a[f"g_{family}"])[m] if family in s.families else np.zeros(int(m.sum()), bool)
                for s, m in zip(segments, keep_maps)])
        return _Segment(arrays)


class LexicalIndex:
    """BM25 over the chunks of complete letters, in segments on disk; `for_store` keeps one per store."""

    _cache: dict[str, "LexicalIndex"] = {}
    _cache_lock = threading.Lock()

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.lock = threading.RLock()
        self._reset()

    def _reset(self) -> None:
        """Empty, then what the folder holds."""
        self.vocab: dict[str, int] = {}
        self.tokens: list[str] = []
        self.segments: list[_Segment] = []
        self.dead: set[str] = set()  # letters dropped since their segment was written
        self.store_version: list | None = None
        self._buffer: list[tuple[Chunk, list[int]]] = []
        self._dirty = False
        self._derived: dict | None = None
        self._saved_vocab = -1
        self._base: tuple | None = None
        if self.folder is not None:
            self._read()

    # -- where it lives ---------------------------------------------------------------------------

    @staticmethod
    def folder_for(store) -> Path:
        where = "embedded" if store.embedded else slug(store.settings.chroma_url)
        return store.settings.home / "lexical" / where / store.chunks.name

    @classmethod
    def for_store(cls, store, check: bool = True) -> "LexicalIndex":
        """The store's index, loaded once per process and brought up to date with the store."""
        folder = cls.folder_for(store)
        with cls._cache_lock:
            index = cls._cache.get(str(folder))
            if index is None:
                index = cls._cache[str(folder)] = cls(folder)
        if check:
            index.follow(store)
        return index

    # -- disk ---------------------------------------------------------------------------------------

    def _on_disk(self) -> tuple | None:
        """What the saved manifest names (segments, vocabulary size): None when there is none."""
        try:
            meta = json.loads((self.folder / "manifest.json").read_text(encoding="utf-8"))
            return tuple(meta["segments"]), meta["vocab"]
        except (OSError, ValueError, KeyError):
            return None

    def _read(self) -> None:
        self._base = self._on_disk()
        manifest = self.folder / "manifest.json"
        try:
            meta = json.loads(manifest.read_text(encoding="utf-8"))
            tokens = json.loads((self.folder / "vocab.json").read_text(encoding="utf-8"))[: meta["vocab"]]
            segments = [_Segment.load(self.folder / name) for name in meta["segments"]]
        except (OSError, ValueError, KeyError):
            return  # none yet, or unreadable: built again from the store
        self.tokens, self.vocab = tokens, {t: i for i, t in enumerate(tokens)}
        self._saved_vocab = len(tokens) if len(tokens) == meta["vocab"] else -1
        self.segments, self.dead = segments, set(meta.get("dead", []))
        self.store_version = meta.get("store_version")

    def save(self) -> None:
        """Write buffered chunks as a segment and the manifest; a folder we cannot write is skipped.

        Another process may have saved since this one read the index (two ingests, one after the
        other's batches): then its index is taken as it is, and what this process added is read
        back from the store by the next `follow` (token ids are only valid within one vocabulary)."""
        with self.lock:
            self._flush_buffer()
            if not self._dirty or self.folder is None:
                return
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                with _locked(self.folder / ".lock"):
                    if self._on_disk() != self._base:
                        self._reset()  # theirs, from disk; the store version is checked again
                        self.store_version = None
                        return
                    self._write()
            except OSError:
                pass

    def _write(self) -> None:
        if len(self.segments) > MAX_SEGMENTS:
            self._merge()
        for seg in self.segments:
            if seg.name is None:
                seg.save(self.folder / f"seg-{uuid.uuid4().hex[:12]}")
        if len(self.tokens) != self._saved_vocab:  # append-only: same length, same tokens
            _atomic_write(self.folder / "vocab.json", json.dumps(self.tokens))
            self._saved_vocab = len(self.tokens)
        _atomic_write(self.folder / "manifest.json", json.dumps({
            "schema": "imr-lexical/1", "vocab": len(self.tokens), "segments": [s.name for s in self.segments],
            "dead": sorted(self.dead), "store_version": self.store_version}))
        self._base = self._on_disk()
        self._dirty = False
        self._sweep()

    def _sweep(self) -> None:
        """Remove segment folders the manifest no longer names (merged away)."""
        named = {s.name for s in self.segments}
        for path in self.folder.glob("seg-*"):
            if path.name not in named and path.is_dir():
                with contextlib.suppress(OSError):
                    for f in path.iterdir():
                        f.unlink()
                    path.rmdir()

    def _merge(self) -> None:
        merged = _Segment.merge(self.segments, [self._alive(s) for s in self.segments])
        self.segments, self.dead = [merged], set()
        self._derived = None

    # -- writing ------------------------------------------------------------------------------------

    def _term_ids(self, tokens: list[str]) -> list[int]:
        ids = []
        for token in tokens:
            i = self.vocab.get(token)
            if i is None:
                i = self.vocab[token] = len(self.tokens)
                self.tokens.append(token)
            ids.append(i)
        return ids

    def add(self, chunks: Iterable[Chunk]) -> None:
        """Index the chunks of letters that were just stored complete (kept in memory until `save`)."""
        with self.lock:
            for chunk in chunks:
                tokens = tokenize(lexical_text(chunk.item, chunk.decision, chunk.text)) or ["_"]
                self._buffer.append((chunk, self._term_ids(tokens)))
                self.dead.discard(chunk.letter_id)
            if len(self._buffer) >= SEGMENT_DOCS:
                self._flush_buffer()

    def _flush_buffer(self) -> None:
        if self._buffer:
            self.segments.append(_Segment.build(self._buffer))
            self._buffer = []
            self._dirty = True
            self._derived = None

    def drop(self, letter_ids: Iterable[str]) -> None:
        with self.lock:
            before = len(self.dead)
            self.dead.update(letter_ids)
            if len(self.dead) != before:
                self._dirty, self._derived = True, None

    def letters(self) -> set[str]:
        """Letters with at least one live chunk in the index."""
        with self.lock:
            self._flush_buffer()
            found = set()
            for seg in self.segments:
                found.update(np.unique(np.asarray(seg.a["letter_id"])).tolist())
            return found - self.dead

    def follow(self, store, _again: bool = True) -> None:
        """Bring the index up to date with the store when the store changed since it was last checked."""
        version = _jsonable(store.version())
        with self.lock:
            if version == self.store_version:
                return
            complete = set(store.letters.get(where={"status": "complete"}, include=[])["ids"])
            have = self.letters()
            missing = sorted(complete - have)
            self.drop(have - complete)
            for i in range(0, len(missing), _FETCH):
                part = missing[i : i + _FETCH]
                got = store.chunks.get(where={"letter_id": {"$in": part}}, include=["documents", "metadatas"])
                self.add(chunk_from_record(c, d, m) for c, d, m in zip(got["ids"], got["documents"], got["metadatas"]))
            self.store_version = version
            self._dirty = True
            self.save()
            if self.store_version is None and _again:  # another process saved first: check its index
                self.follow(store, _again=False)

    # -- reading ------------------------------------------------------------------------------------

    def _alive(self, seg: _Segment) -> np.ndarray:
        if not self.dead:
            return np.ones(seg.size, dtype=bool)
        return ~np.isin(np.asarray(seg.a["letter_id"]), list(self.dead))

    def _stats(self) -> dict:
        """Per-segment live masks, and the corpus size and mean length over live chunks."""
        if self._derived is None:
            alive = [self._alive(s) for s in self.segments]
            total = sum(int(m.sum()) for m in alive)
            length = sum(float(np.asarray(s.a["lengths"])[m].sum()) for s, m in zip(self.segments, alive))
            self._derived = {"alive": alive, "n": total, "avgdl": (length / total) if total else 1.0,
                             "offsets": np.cumsum([0] + [s.size for s in self.segments])}
        return self._derived

    @property
    def size(self) -> int:
        with self.lock:
            self._flush_buffer()
            return self._stats()["n"]

    def _mask(self, seg: _Segment, filters: dict) -> np.ndarray | None:
        mask = None
        for key in ("case_id", "letter_id", "decision"):
            if filters.get(key):
                part = np.asarray(seg.a[key]) == filters[key]
                mask = part if mask is None else mask & part
        if filters.get("guideline"):
            family = filters["guideline"].lower()
            part = np.asarray(seg.a[f"g_{family}"]) if family in seg.families else np.zeros(seg.size, bool)
            mask = part if mask is None else mask & part
        return mask

    def top(self, question: str, filters: dict, k: int) -> list[tuple[str, float]]:
        """The k best-scoring live chunks for a question within the filters: (chunk id, score)."""
        with self.lock:
            self._flush_buffer()
            terms = sorted({self.vocab[t] for t in tokenize(question) if t in self.vocab})
            stats = self._stats()
            if not terms or not stats["n"]:
                return []
            postings = [[seg.postings(t) for seg in self.segments] for t in terms]
            n, avgdl = stats["n"], stats["avgdl"]
            scores = []
            for s, seg in enumerate(self.segments):
                total = np.zeros(seg.size, dtype=np.float32)
                lengths = np.asarray(seg.a["lengths"])
                for t, per_segment in enumerate(postings):
                    df = sum(len(d) for d, _ in per_segment)  # counts chunks dropped since, until a merge
                    docs, tf = per_segment[s]
                    if not len(docs):
                        continue
                    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
                    tf = tf.astype(np.float32)
                    norm = K1 * (1 - B + B * lengths[docs] / avgdl)
                    total += np.bincount(docs, weights=idf * tf / (tf + norm), minlength=seg.size).astype(np.float32)
                keep = stats["alive"][s]
                mask = self._mask(seg, filters)
                if mask is not None:
                    keep = keep & mask
                total[~keep] = 0.0
                scores.append(total)
            scores = np.concatenate(scores)
            if k < len(scores):
                best = np.argpartition(-scores, k)[:k]  # O(n), not a full sort
            else:
                best = np.arange(len(scores))
            best = best[np.argsort(-scores[best], kind="stable")]
            out = []
            for i in best:
                if scores[i] <= 0:
                    continue
                s = int(np.searchsorted(stats["offsets"], i, side="right") - 1)
                out.append((str(self.segments[s].a["ids"][i - stats["offsets"][s]]), float(scores[i])))
            return out


@contextlib.contextmanager
def _locked(path: Path):
    """An exclusive advisory lock on a file, between processes (held while the manifest is compared and written)."""
    import fcntl

    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _jsonable(value):
    return json.loads(json.dumps(value, default=str))


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
