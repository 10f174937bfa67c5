"""The module functions: `imr_llm.summarize`, `ask` and `ingest`, each on a default `Client`.

    >>> summary = imr_llm.summarize("letter.txt")

The default client is made from the settings of the call (by default the environment's) and kept
for the calls that follow, so that the store and its embedding model open once per process; a call
with other settings (another IMR_HOME, say) gets a client of its own in its place. A program that
keeps several stores open, or wants a letter read once for many calls, makes its own `Client`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from .client import Client, IngestResult, Source
from .config import Settings, get_settings
from .models import Answer, DecisionSummary
from .store.index import LetterStore

__all__ = ["ask", "cases", "close", "default_client", "ingest", "open_store", "summarize"]

_default: Client | None = None
_lock = threading.Lock()


def default_client(settings: Settings | None = None) -> Client:
    """The client the module functions use: kept while the settings stay the same."""
    global _default
    settings = settings or get_settings()
    with _lock:
        if _default is None or _default.settings != settings:
            _default = Client(settings)
        return _default


def close() -> None:
    """Let the default client go (its store and caches); the next call makes a new one."""
    global _default
    with _lock:
        client, _default = _default, None
    if client is not None:
        client.close()


def summarize(source: Source, *, model: str | None = None, settings: Settings | None = None) -> DecisionSummary:
    """The typed decision summary of a letter file or an ingested case (see `Client.summarize`)."""
    return default_client(settings).summarize(source, model=model)


def ask(source: Source | None, question: str, *, k: int = 6, model: str | None = None,
        settings: Settings | None = None, filters: dict | None = None) -> Answer:
    """Answer a question about one letter (file or case), or the whole store when source is None."""
    return default_client(settings).ask(source, question, k=k, model=model, filters=filters)


def ingest(paths: Iterable[str | Path], *, settings: Settings | None = None, batch_size: int = 32,
           on_result: Callable[[IngestResult], None] | None = None,
           on_wait: Callable[[str], None] | None = None) -> list[IngestResult]:
    """Ingest letter files and folders; a bad file is reported and skipped (see `Client.ingest`)."""
    return default_client(settings).ingest(paths, batch_size=batch_size, on_result=on_result, on_wait=on_wait)


def cases(settings: Settings | None = None) -> list[dict]:
    """The cases in the default client's store."""
    return default_client(settings).cases()


def open_store(settings: Settings | None = None) -> LetterStore:
    """The default client's store (for scripts, benchmarks and tests that read it directly)."""
    return default_client(settings).store
