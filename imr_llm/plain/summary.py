"""Plain-language summaries of an IMR letter for the injured worker, in English or Spanish.

`plain_summary(summary, letter_text, lang)` says, for each disputed item, what it is in everyday words,
whether it was approved, and why in one or two short sentences; then what the worker can do next.

The offline engine (`imr_llm.plain.offline`) writes from templates: the item through the glossary
(`plain.items`), the why from the patterns of the reviewer's rationale (`plain.reasons`), each with the letter
sentence it rests on. Numbers are copied as the letter writes them. With an LLM model set, the LLM engine
(`imr_llm.plain.llm`) rewrites the items and reasons; its result is checked like the offline one and replaced
by it when a check fails. The shape of a summary (`PlainSummary`) and its fixed words are the offline module's,
re-exported here.
"""

from __future__ import annotations

from ..config import Settings, get_settings
from ..models import DecisionSummary
from .llm import plain_llm
from .offline import (
    Lang,
    PlainItem,
    PlainSource,
    PlainSummary,
    compose_text,
    next_steps,
    outcome_word,
    phrases,
    plain_offline,
)

__all__ = ["Lang", "PlainItem", "PlainSource", "PlainSummary", "compose_text", "next_steps", "outcome_word", "phrases",
           "plain_offline", "plain_summary"]


def plain_summary(summary: DecisionSummary, letter_text: str, lang: Lang = "en", *, model: str | None = None,
                  settings: Settings | None = None) -> PlainSummary:
    """The plain summary of a letter: the LLM engine when a model is set, else the offline one."""
    settings = (settings or get_settings()).with_model(model)
    if settings.llm_model:
        return plain_llm(summary, letter_text, lang, settings)
    return plain_offline(summary, letter_text, lang)
