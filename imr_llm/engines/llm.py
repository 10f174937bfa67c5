"""The LLM engine: summaries and answers from a model, checked against the letter.

`api.summarize` / `api.ask` call these when a model is configured. The model gets the
letter (or the retrieved passages, with ids) as delimited data, and the parser's item
list as the skeleton to fill, so no item of a long letter can be dropped. A letter the
rules could not fully read (no item, or a flagged reading) goes to the model as a free
extraction instead (`summarize/free-v1`): every item it returns must be named in the
letter and decided by a statement in its own part of it (`grounding_free.py`). Every reply
goes through the grounding check (`grounding.py`) as a validator: what disagrees with
the letter goes back to the model once; what is still wrong then is replaced by the
letter's own value, marked `corrected`, and said in `notes`. When the model cannot be
used (unreachable, failing, past the deadline) these raise `LLMError`, and an answer the check
rejects raises `GroundingError`: `engines.fallback.FallbackEngine` then gives the offline
engine's result instead, and says so.
"""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, Field, ValidationInfo, model_validator

from . import grounding
from . import grounding_free
from ..llm import gateway as llm
from .offline import silent_answer
from ..config import Settings
from ..errors import ConfigError, GroundingError, LLMError
from .grounding import CitedQuote
from ..models import Answer, Chunk, DecisionSummary, ItemDecision, Letter, Passage
from ..llm.prompts import render

__all__ = ["ANSWER_PROMPT", "FREE_PROMPT", "SUMMARIZE_PROMPT", "AnswerDraft", "FreeDraft", "LLMEngine", "SummaryDraft",
           "ask_llm", "needs_free_reading", "summarize_free", "summarize_llm"]

SUMMARIZE_PROMPT = "summarize/v1"
FREE_PROMPT = "summarize/free-v1"
ANSWER_PROMPT = "answer/v1"
REASKS = 1  # a reply that disagrees with the letter goes back to the model this many times


def _reask(context: dict, problems: list[str]) -> None:
    """Reject the reply (instructor re-asks with this message) while the budget lasts; then accept it."""
    if not problems or context.get("from_cache") or context.get("reasks_left", 0) <= 0:
        return
    context["reasks_left"] -= 1
    raise ValueError("The reply disagrees with the letter:\n- " + "\n- ".join(problems) +
                     "\nCorrect these points and reply again with the whole JSON.")


class SummaryDraft(BaseModel):
    """The model's reading of a letter: one `ItemDecision` per item of the skeleton, in order."""

    items: list[ItemDecision] = Field(description="one entry per disputed item listed, same index and order")

    @model_validator(mode="after")
    def _agrees_with_letter(self, info: ValidationInfo) -> "SummaryDraft":
        context = llm.validation_context(info)
        if "summary" in context:
            _reask(context, grounding.summary_problems(self.items, context["summary"], context["letter"]))
        return self


class FreeDraft(BaseModel):
    """The model's own reading of a letter the rules could not fully read: every disputed item it finds."""

    items: list[grounding_free.FreeItem] = Field(description="every item the reviewer decides, in letter order")

    @model_validator(mode="after")
    def _borne_out_by_letter(self, info: ValidationInfo) -> "FreeDraft":
        context = llm.validation_context(info)
        if "rules" in context:
            _reask(context, grounding_free.free_problems(self.items, context["rules"], context["letter"]))
        return self


class AnswerDraft(BaseModel):
    """The model's answer, citing the passages it used by their ids."""

    text: str = Field(description="the answer, in at most four plain sentences")
    answered: bool = Field(description="false when the passages do not answer the question")
    citations: list[CitedQuote] = Field(default_factory=list)

    @model_validator(mode="after")
    def _cites_given_passages(self, info: ValidationInfo) -> "AnswerDraft":
        context = llm.validation_context(info)
        if "passages" in context:
            _reask(context, grounding.answer_problems(self.answered, self.text, self.citations, context["passages"],
                                                      context["letter"], context["summary"], context["question"]))
        return self


def _fence(text: str) -> str:
    """A marker suffix the delimited text cannot contain (it derives from that text)."""
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def needs_free_reading(summary: DecisionSummary) -> bool:
    """The rules found no item, or are unsure of their reading: the model reads the letter freely."""
    return not summary.items or summary.needs_review


def summarize_free(letter: Letter, parsed_summary: DecisionSummary, settings: Settings) -> DecisionSummary:
    """The rules' reading with the model's free reading merged in; what the letter does not bear out flags it.
    Raises `LLMError` when the model cannot be used."""
    model = settings.llm_model or ""
    prompt = render(FREE_PROMPT, letter=letter.text, fence=_fence(letter.text))
    context = {"rules": parsed_summary, "letter": letter.text, "reasks_left": REASKS}
    result = llm.complete(prompt.messages, FreeDraft, settings=settings, prompt_id=prompt.ref,
                          validation_context=context)
    summary = grounding_free.merge_free(result.value.items, parsed_summary, letter.text)
    summary.engine = model
    return summary


def summarize_llm(letter: Letter, parsed_summary: DecisionSummary, settings: Settings) -> DecisionSummary:
    """The summary with each item's decision, guidelines and reason read by the model and checked against the letter.
    Raises `LLMError` when the model cannot be used."""
    if needs_free_reading(parsed_summary):
        return summarize_free(letter, parsed_summary, settings)
    model = settings.llm_model or ""
    skeleton = "\n".join(f"{item.index}. {item.item.value}" for item in parsed_summary.items)
    prompt = render(SUMMARIZE_PROMPT, letter=letter.text, fence=_fence(letter.text), items=skeleton)
    context = {"summary": parsed_summary, "letter": letter.text, "reasks_left": REASKS}
    result = llm.complete(prompt.messages, SummaryDraft, settings=settings, prompt_id=prompt.ref,
                          validation_context=context)
    items, notes = grounding.merge_summary(result.value.items, parsed_summary, letter.text)
    return parsed_summary.model_copy(update={"items": items, "engine": model, "notes": [*parsed_summary.notes, *notes]})


def _describe(chunk: Chunk) -> str:
    parts = [chunk.section]
    if chunk.item:
        parts.append(f"item {chunk.item_index}: {chunk.item}" + (f", {chunk.decision}" if chunk.decision else ""))
    return "; ".join(parts)


def ask_llm(question: str, letter: Letter, summary: DecisionSummary, chunks: list[Chunk], passages: list[Passage],
            settings: Settings) -> Answer:
    """An answer from the model, citing the retrieved passages by id; checked against the letter.

    A question the letter does not answer gets the offline engine's honest answer, and the model is not
    asked. Raises `LLMError` when the model cannot be used (or no passage matched the question), and
    `GroundingError` when its answer contradicts the letter or cites nothing of it that holds."""
    model = settings.llm_model or ""
    silent = silent_answer(question, letter.text, summary, chunks)
    if silent is not None:  # e.g. a treatment the letter never mentions: no model can answer it from this letter
        return silent.model_copy(update={"notes": ["The letter does not answer this question, so the model was not asked."]})
    given = {f"P{n}": p.chunk for n, p in enumerate(passages, start=1)}
    if not given:
        raise LLMError(f"{model}: no passage of the letter matched the question", model=model,
                       notes=["No passage of the letter matched the question, so the model was not asked."])
    block = "\n\n".join(f"[{pid}] ({_describe(chunk)})\n{letter.text[chunk.start:chunk.end]}"
                        for pid, chunk in given.items())
    decisions = "\n".join(f"{i.index}. {i.item.value}: {i.decision.value}" for i in summary.items) or "(none found)"
    prompt = render(ANSWER_PROMPT, question=question, decisions=decisions, passages=block, fence=_fence(block))
    context = {"passages": given, "letter": letter.text, "summary": summary, "question": question,
               "reasks_left": REASKS}
    result = llm.complete(prompt.messages, AnswerDraft, settings=settings, prompt_id=prompt.ref,
                          validation_context=context)
    draft = result.value
    citations, notes = grounding.merge_answer(draft.citations, given, letter.text)
    if draft.answered:
        contradiction = grounding.decision_contradiction(question, draft.text, summary)
        if contradiction or not citations:
            why = contradiction or "it cited no passage of the letter that holds."
            raise GroundingError(f"{model}: the answer was rejected: {why}", model=model, notes=[
                *notes, f"The model's answer was rejected: {why} This answer is the offline engine's."])
    return Answer(question=question, text=draft.text, answered=draft.answered, citations=citations, engine=model,
                  case_id=summary.case_id, notes=notes)


class LLMEngine:
    """The model's engine (`settings.llm_model`): raises `LLMError` where `FallbackEngine` takes over."""

    def __init__(self, settings: Settings):
        if not settings.llm_model:
            raise ConfigError("the LLM engine needs a model: set --model or IMR_LLM_MODEL", setting="IMR_LLM_MODEL")
        self.settings = settings

    @property
    def name(self) -> str:
        return self.settings.llm_model or ""

    def summarize(self, letter: Letter, parsed: DecisionSummary) -> DecisionSummary:
        return summarize_llm(letter, parsed, self.settings)

    def answer(self, question: str, letter: Letter, summary: DecisionSummary, chunks: list[Chunk],
               passages: list[Passage]) -> Answer:
        return ask_llm(question, letter, summary, chunks, passages, self.settings)
