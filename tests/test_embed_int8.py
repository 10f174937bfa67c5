"""The int8 ONNX build of the bundled model: made offline from the package's weights into the data
folder, its vectors point where the float model's do, and its store never mixes with the float one."""

from __future__ import annotations

import numpy as np
import pytest

from imr_llm import api
from imr_llm.store.chunk import chunk_letter
from imr_llm.config import get_settings
from imr_llm.store.embed import MiniLMEmbedder, MiniLMInt8Embedder, get_embedder
from imr_llm.store.index import embedding_text
from imr_llm.store.load import load_letter
from imr_llm.store.onnx_build import MODEL_FILE
from imr_llm.parse import parse_letter
from imr_llm.store.retrieve import Filters, retrieve

from paths import GOLD

LETTERS = sorted(GOLD.glob("*.txt"))[:3]

pytestmark = pytest.mark.slow


def _texts() -> list[str]:
    texts = []
    for path in LETTERS:
        letter = load_letter(path)
        texts += [embedding_text(c) for c in chunk_letter(letter, parse_letter(letter))]
    return texts


def test_the_model_is_built_into_the_data_folder_offline(imr_home, monkeypatch):
    monkeypatch.setattr(MiniLMInt8Embedder, "_session", None)  # as a new process on a new data folder
    vectors = MiniLMInt8Embedder().embed(["Physical therapy was upheld.", "Norco 10/325mg #60"])
    built = imr_home / "models" / MODEL_FILE
    assert built.is_file() and 10_000_000 < built.stat().st_size < 40_000_000  # int8 weights: about 23 MB
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_int8_vectors_point_where_the_float_vectors_do():
    texts = _texts()
    ours = np.asarray(get_embedder("all-MiniLM-L6-v2-int8").embed(texts))
    exact = np.asarray(MiniLMEmbedder(bf16=False).embed(texts))
    cosine = (ours * exact).sum(axis=1)
    assert len(texts) >= 15 and cosine.min() > 0.97 and cosine.mean() > 0.985
    # Activations are quantized per batch, so a text's vector moves a little with its batch-mates;
    # alone or in a batch it points the same way, and the same batch gives the same vectors.
    alone = np.asarray(get_embedder("all-MiniLM-L6-v2-int8").embed(texts[:1]))
    assert float(alone[0] @ ours[0]) > 0.99
    assert np.array_equal(np.asarray(get_embedder("all-MiniLM-L6-v2-int8").embed(texts)), ours)


def test_int8_and_float_stores_never_mix(imr_home, monkeypatch):
    monkeypatch.setenv("IMR_EMBEDDING", "all-MiniLM-L6-v2-int8")
    added = api.ingest(LETTERS)
    assert {r.status for r in added} == {"added"}
    int8_store = api.open_store()
    assert int8_store.embedder.name == "all-MiniLM-L6-v2-int8" and int8_store.count()[0] == len(LETTERS)
    case = added[0].case_id
    assert retrieve(int8_store, "Why was it denied?", k=3, filters=Filters(case_id=case))

    monkeypatch.setenv("IMR_EMBEDDING", "all-MiniLM-L6-v2")
    float_store = api.open_store(get_settings())
    assert float_store.chunks.name != int8_store.chunks.name
    assert float_store.count() == (0, 0), "the float model's collections hold none of the int8 vectors"
