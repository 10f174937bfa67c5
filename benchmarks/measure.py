"""Measuring helpers for the benchmark: stage clocks, percentiles, disk usage, the machine."""

from __future__ import annotations

import os
import platform
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

__all__ = ["Clock", "TimedCollection", "TimedEmbedder", "disk_bytes", "machine", "percentiles"]


class Clock(defaultdict):
    """Seconds spent per stage name."""

    def __init__(self):
        super().__init__(float)

    def reset(self) -> None:
        self.clear()


class TimedEmbedder:
    """An embedder that adds the time of each call to clock["embed"]; with keep_texts, it also keeps
    the texts of each call in `calls` (for the benchmark to embed them again, alone)."""

    def __init__(self, inner, clock: Clock, keep_texts: bool = False):
        self.inner = inner
        self.clock = clock
        self.name = inner.name
        self.keep_texts = keep_texts
        self.calls: list[list[str]] = []
        self.embed_only_letters = 0

    def embed(self, texts: list[str]) -> list[list[float]]:
        if self.keep_texts:
            self.calls.append(list(texts))
        start = time.perf_counter()
        try:
            return self.inner.embed(texts)
        finally:
            self.clock["embed"] += time.perf_counter() - start


class TimedCollection:
    """A Chroma collection whose method calls add their time to clock["chroma"]."""

    def __init__(self, inner, clock: Clock):
        self._inner = inner
        self._clock = clock

    def __getattr__(self, name):
        value = getattr(self._inner, name)
        if not callable(value):
            return value

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return value(*args, **kwargs)
            finally:
                self._clock["chroma"] += time.perf_counter() - start

        return timed


def percentiles(ms: list[float]) -> dict:
    arr = np.asarray(ms, dtype=float)
    return {"n": int(arr.size), "p50_ms": round(float(np.percentile(arr, 50)), 2),
            "p95_ms": round(float(np.percentile(arr, 95)), 2), "mean_ms": round(float(arr.mean()), 2),
            "max_ms": round(float(arr.max()), 2)}


def disk_bytes(path: Path) -> int:
    """Bytes the files under a folder occupy on disk (allocated blocks, not apparent size)."""
    total = 0
    for folder, _, names in os.walk(path):
        for name in names:
            try:
                total += os.stat(os.path.join(folder, name)).st_blocks * 512
            except OSError:
                pass
    return total


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def machine() -> dict:
    import chromadb
    import torch

    return {"nproc": os.cpu_count(), "memory_gb": _memory_gb(), "cpu": _cpu_model(), "python": platform.python_version(),
            "torch": torch.__version__, "torch_threads": torch.get_num_threads(), "chromadb": chromadb.__version__,
            "loadavg_start": list(os.getloadavg())}
