"""Errors raised by imr_llm.

Every error the library raises derives from `ImrError` and carries its context as
attributes, so callers (the CLI, the UI) decide how to show it::

    ImrError
    ├── ConfigError            a setting is missing or malformed (user misuse)
    ├── LoadError              a file cannot be read as an IMR letter (path, reason)
    │   └── NotALetterError    readable text, but not an IMR determination letter
    ├── StoreError             the index (Chroma) cannot be reached or written
    ├── NotFoundError          a case or letter id is not in the store
    └── LLMError               the model could not be used: a call failed after its retries (model, attempts)
        └── GroundingError     the model's result disagrees with the letter, so it was rejected

The engine of a model catches `LLMError` (and so `GroundingError`) and answers with the offline
engine instead (`imr_llm.engines.fallback`); the other errors reach the caller. Chroma's own
errors never do: the store turns each into a `StoreError` (`imr_llm.store.index`).
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "GroundingError",
    "ImrError",
    "LLMError",
    "LoadError",
    "NotALetterError",
    "NotFoundError",
    "StoreError",
]


class ImrError(Exception):
    """Root of every error imr_llm raises; `str(err)` is a one-line message for users."""


class ConfigError(ImrError):
    def __init__(self, message: str, *, setting: str | None = None):
        super().__init__(message)
        self.setting = setting


class LoadError(ImrError):
    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class NotALetterError(LoadError):
    pass


class StoreError(ImrError):
    def __init__(self, message: str, *, location: str | None = None):
        super().__init__(message)
        self.location = location


class NotFoundError(ImrError):
    def __init__(self, key: str, what: str = "case"):
        super().__init__(f"no {what} {key!r} in the store; ingest its letter first or pass the file")
        self.key = key
        self.what = what


class LLMError(ImrError):
    """`notes` say why, for a result the offline engine gives in the model's place (none: the message does)."""

    def __init__(self, message: str, *, model: str | None = None, attempts: int = 0, cause: str | None = None,
                 notes: list[str] | None = None):
        super().__init__(message)
        self.model = model
        self.attempts = attempts
        self.cause = cause
        self.notes = list(notes or [])


class GroundingError(LLMError):
    pass
