"""imr-llm: California workers' compensation IMR determination letters to typed, grounded
decision summaries, cited answers and plain-language explanations.

    >>> import imr_llm
    >>> summary = imr_llm.summarize("letter.txt")
    >>> answer = imr_llm.ask("letter.txt", "Why was PT overturned?")

or, to keep a store of one's own and read a letter once for several calls:

    >>> client = imr_llm.Client(imr_llm.get_settings(home="~/imr"))
    >>> letter = client.open_letter("letter.txt")
    >>> client.summarize(letter), client.ask(letter, "Why was PT overturned?")

The names below are the public API; the submodules are the implementation and may change.
"""

from .api import ask, ingest, summarize
from .client import Client, IngestResult
from .config import Settings, get_settings
from .errors import ConfigError, GroundingError, ImrError, LLMError, LoadError, NotALetterError, NotFoundError, StoreError
from .models import Answer, Chunk, Citation, DecisionSummary, Grounded, ItemDecision, Letter, OpenLetter, Passage, Span

__version__ = "0.1.0"

__all__ = [
    "Answer",
    "Chunk",
    "Citation",
    "Client",
    "ConfigError",
    "DecisionSummary",
    "GroundingError",
    "Grounded",
    "ImrError",
    "IngestResult",
    "ItemDecision",
    "LLMError",
    "Letter",
    "LoadError",
    "NotALetterError",
    "NotFoundError",
    "OpenLetter",
    "Passage",
    "Settings",
    "Span",
    "StoreError",
    "ask",
    "get_settings",
    "ingest",
    "summarize",
]
