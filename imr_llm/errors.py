"""Errors raised by imr_llm.

Every error the library raises derives from `ImrError` and carries its context as
attributes, so callers (the CLI, the UI) decide how to show it::

    ImrError
    ├── ConfigError            a setting is missing or malformed (user misuse)
    ├── LoadError              a file cannot be read as an IMR letter (path, reason)
    │   └── NotALetterError    readable text, but not an IMR determination letter
    ├── ParseError             a letter's layout is not recognised or yields no items
    ├── StoreError             the index (Chroma) cannot be reached or written
    ├── NotFoundError          a case or letter id is not in the store
    └── LLMError               an LLM call failed after its retries (model, attempts)
        └── GroundingError     an LLM result disagrees with the letter
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
    "ParseError",
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


class ParseError(ImrError):
    def __init__(self, source: str, reason: str, *, layout: str | None = None):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
        self.layout = layout


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
    def __init__(self, message: str, *, model: str | None = None, attempts: int = 0, cause: str | None = None):
        super().__init__(message)
        self.model = model
        self.attempts = attempts
        self.cause = cause


class GroundingError(LLMError):
    pass
