"""The engine choice: the offline engine, or a model with the offline engine as its fallback.

Both engines speak one protocol, `Engine`: a summary from a letter and its parsed reading, an
answer from a question and the letter's retrieved passages. `FallbackEngine` wraps a model's
engine the way pydantic-ai's `FallbackModel` wraps models: when the model cannot be used
(`LLMError`: unreachable, failing, past its deadline, or its result rejected by the grounding
check as a `GroundingError`) the offline engine answers instead, the very `OfflineEngine` the
evaluation measures (with the same embedder), and the result says so in two fields:
`engine="offline"` and `fallback_from=<the model>`, with a note saying why.

    engine = choose_engine(settings, embedder)   # OfflineEngine, or FallbackEngine(LLMEngine, OfflineEngine)
    summary = engine.summarize(letter, parsed)
    answer = engine.answer(question, letter, summary, chunks, passages)
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from ..config import Settings
from ..errors import LLMError
from ..models import OFFLINE, Answer, Chunk, DecisionSummary, Letter, Passage
from ..store.embed import Embedder
from .llm import LLMEngine
from .offline import answer_offline

__all__ = ["Engine", "FallbackEngine", "OfflineEngine", "choose_engine"]

R = TypeVar("R", DecisionSummary, Answer)


class Engine(Protocol):
    """What reads a letter: its name is the `engine` of what it returns."""

    @property
    def name(self) -> str: ...

    def summarize(self, letter: Letter, parsed: DecisionSummary) -> DecisionSummary:
        """The summary of a letter, given the rules' reading of it (`parse_letter`)."""
        ...

    def answer(self, question: str, letter: Letter, summary: DecisionSummary, chunks: list[Chunk],
               passages: list[Passage]) -> Answer:
        """An answer from the letter's retrieved passages, citing them."""
        ...


class OfflineEngine:
    """The rules' reading and the extractive answers: no model. The embedder ranks sentences by meaning."""

    name = OFFLINE

    def __init__(self, embedder: Embedder | None):
        self.embedder = embedder

    def summarize(self, letter: Letter, parsed: DecisionSummary) -> DecisionSummary:
        return parsed

    def answer(self, question: str, letter: Letter, summary: DecisionSummary, chunks: list[Chunk],
               passages: list[Passage]) -> Answer:
        return answer_offline(question, letter.text, summary, chunks, passages, self.embedder)


class FallbackEngine:
    """The primary engine, or the fallback's result when the primary raises `LLMError`."""

    def __init__(self, primary: Engine, fallback: Engine):
        self.primary, self.fallback = primary, fallback

    @property
    def name(self) -> str:
        return self.primary.name

    def summarize(self, letter: Letter, parsed: DecisionSummary) -> DecisionSummary:
        try:
            return self.primary.summarize(letter, parsed)
        except LLMError as exc:
            return self._instead(self.fallback.summarize(letter, parsed), exc, "this summary is")

    def answer(self, question: str, letter: Letter, summary: DecisionSummary, chunks: list[Chunk],
               passages: list[Passage]) -> Answer:
        try:
            return self.primary.answer(question, letter, summary, chunks, passages)
        except LLMError as exc:
            return self._instead(self.fallback.answer(question, letter, summary, chunks, passages), exc,
                                 "this answer is")

    def _instead(self, result: R, exc: LLMError, what: str) -> R:
        model = self.primary.name
        notes = exc.notes or [f"The model {model} could not be used ({str(exc).removeprefix(f'{model}: ')}); "
                              f"{what} the {self.fallback.name} engine's, read from the letter."]
        return result.model_copy(update={"engine": self.fallback.name, "fallback_from": model,
                                         "notes": [*result.notes, *notes]})


def choose_engine(settings: Settings, embedder: Embedder | None) -> Engine:
    """The offline engine, or (a model set) the model's engine falling back to that same offline engine."""
    offline = OfflineEngine(embedder)
    return FallbackEngine(LLMEngine(settings), offline) if settings.llm_model else offline
