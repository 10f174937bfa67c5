"""imr-llm: California workers' compensation IMR determination letters to typed, grounded
decision summaries, cited answers and plain-language explanations.

    >>> import imr_llm
    >>> summary = imr_llm.summarize("letter.txt")
    >>> answer = imr_llm.ask("letter.txt", "Why was PT overturned?")
"""

from .api import IngestResult, ask, cases, ingest, open_store, summarize
from .config import Settings, get_settings
from .errors import ConfigError, GroundingError, ImrError, LLMError, LoadError, NotALetterError, NotFoundError, ParseError, StoreError
from .store.load import load_letter
from .models import Answer, Chunk, Citation, DecisionSummary, Grounded, ItemDecision, Letter, Passage, Span
from .parse import parse_letter

__version__ = "0.1.0"

__all__ = [
    "Answer",
    "Chunk",
    "Citation",
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
    "ParseError",
    "Passage",
    "Settings",
    "Span",
    "StoreError",
    "ask",
    "cases",
    "get_settings",
    "ingest",
    "load_letter",
    "open_store",
    "parse_letter",
    "summarize",
]
