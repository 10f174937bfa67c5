"""A real `chroma run` server on 127.0.0.1 for the tests that need one: the benchmark's own starter,
so that tests and benchmarks run the server the same way."""

from __future__ import annotations

import contextlib
from pathlib import Path

from benchmarks.chroma_server import chroma_server as _chroma_server  # the checkout is on sys.path (pyproject)


@contextlib.contextmanager
def chroma_server(path: Path, timeout: float = 60.0):
    """Yield the server's URL; the server is stopped (and its folder kept) on exit."""
    with _chroma_server(path, timeout) as (url, _process):
        yield url
