"""The LLM engine for plain summaries: the model rewrites each item and its why; the result is checked.

The model gets each item as the letter writes it, its outcome (decided by the typed summary, never by the
model) and the reviewer's rationale, as delimited data, through the project's one gateway (`llm.complete`,
prompt `prompts/plain/v1.yaml`). `plain_problems` checks its reply: one entry per item, in order; every
outcome equal to the typed summary's; no number or number word the letter lacks; each why resting on a
sentence of that item's rationale; no bare "upheld"/"overturned"; the whole text at grade 8 or lower
(Spanish: Fernandez-Huerta 70 or more). A reply that fails goes back to the model once with the problems;
if it still fails, or the model cannot be used, the offline summary is returned and its notes say why.
The introduction and the next steps (the law's appeal route) are always the fixed, checked text.
"""

from __future__ import annotations

import hashlib
import re

from pydantic import BaseModel, Field, ValidationInfo, model_validator

from ..config import Settings
from ..engines.grounding import align
from ..errors import LLMError
from ..llm import gateway as llm
from ..llm.prompts import render
from ..models import DecisionSummary
from .checks import fk_grade, spanish_readability, unsupported_numbers
from .glossary import glossary_entries
from .offline import Lang, PlainItem, PlainSource, PlainSummary, compose_text, outcome_word, plain_offline
from .reasons import rationale_sentences

__all__ = ["PLAIN_PROMPT", "PlainDraft", "PlainItemDraft", "plain_llm", "plain_problems"]

PLAIN_PROMPT = "plain/v1"
REASKS = 1
MAX_GRADE = 8.0
MIN_SPANISH_EASE = 70.0
_LANGUAGE = {"en": "English", "es": "Spanish (español)"}


class PlainItemDraft(BaseModel):
    index: int = Field(description="the item's number, as given")
    item: str = Field(description="what was asked for, in everyday words")
    approved: bool = Field(description="copied from the item's outcome: true for APPROVED")
    why: list[str] = Field(min_length=1, max_length=2, description="one or two short sentences")
    source_quote: str = Field("", description="the rationale sentence the why rests on, verbatim")


class PlainDraft(BaseModel):
    items: list[PlainItemDraft]

    @model_validator(mode="after")
    def _checked(self, info: ValidationInfo) -> "PlainDraft":
        context = llm.validation_context(info)
        if "summary" not in context or context.get("from_cache") or context.get("reasks_left", 0) <= 0:
            return self
        problems = plain_problems(self, context["summary"], context["letter"], context["lang"])
        if problems:
            context["reasks_left"] -= 1
            raise ValueError("The reply breaks these rules:\n- " + "\n- ".join(problems) +
                             "\nFix them and reply again with the whole JSON.")
        return self


def _source_span(draft: PlainItemDraft, summary: DecisionSummary, letter_text: str):
    item = next((i for i in summary.items if i.index == draft.index), None)
    region = item.rationale.span if item and item.rationale and item.rationale.span else None
    lo, hi = (region.start, region.end) if region else (0, len(letter_text))
    return align(draft.source_quote, letter_text, lo, hi) if draft.source_quote.strip() else (None, "unaligned")


def _items(draft: PlainDraft, summary: DecisionSummary, letter_text: str, lang: Lang) -> list[PlainItem]:
    out = []
    for d, item in zip(draft.items, summary.items, strict=True):
        span, alignment = _source_span(d, summary, letter_text)
        quote = " ".join(letter_text[span.start : span.end].split()) if span else d.source_quote
        why = [" ".join(s.split()) for s in d.why]
        out.append(PlainItem(index=item.index, source_item=item.item.value, item=" ".join(d.item.split()).rstrip("."),
                             approved=d.approved, outcome=outcome_word(d.approved, lang), why=why,
                             why_kind=["llm"] * len(why), item_span=item.item.span, decision_span=item.decision.span,
                             sources=[PlainSource(quote=quote, span=span, alignment=alignment)] * len(why)))
    return out


def plain_problems(draft: PlainDraft, summary: DecisionSummary, letter_text: str, lang: Lang) -> list[str]:
    """What in a model's reply breaks the rules of a plain summary (empty: it may be shown)."""
    want = [i.index for i in summary.items]
    have = [d.index for d in draft.items]
    if have != want:
        return [f"Return exactly one entry per item, with indices {want} in this order (you gave {have})."]
    problems = []
    for d, item in zip(draft.items, summary.items, strict=True):
        if d.approved != item.authorized:
            outcome = "APPROVED" if item.authorized else "NOT APPROVED"
            problems.append(f"Item {d.index}: its outcome is {outcome}; set \"approved\" to "
                            f"{str(item.authorized).lower()}.")
        written = " ".join([d.item, *d.why])
        missing = unsupported_numbers(written, letter_text, lang=lang)
        if missing:
            problems.append(f"Item {d.index}: {', '.join(missing)} is not in the letter; copy numbers exactly as the "
                            "letter writes them, or leave them out.")
        if lang == "en" and re.search(r"\b(?:upheld|overturned|non-?certified)\b", written, re.I):
            problems.append(f"Item {d.index}: say \"approved\" or \"not approved\", not \"upheld\" or \"overturned\".")
        if _source_span(d, summary, letter_text)[0] is None:
            problems.append(f"Item {d.index}: \"source_quote\" must be one sentence of that item's rationale, copied "
                            "verbatim.")
    if problems:
        return problems
    text = compose_text("", _items(draft, summary, letter_text, lang), lang)
    if lang == "en" and fk_grade(text) > MAX_GRADE:
        problems.append(f"The text reads at grade {fk_grade(text):.1f}; use shorter sentences and common words "
                        f"(grade {MAX_GRADE:g} or lower).")
    if lang == "es" and spanish_readability(text) < MIN_SPANISH_EASE:
        problems.append(f"The text scores {spanish_readability(text):.0f} on Fernandez-Huerta; use shorter "
                        f"sentences and common words ({MIN_SPANISH_EASE:g} or more).")
    return problems


def _items_block(summary: DecisionSummary) -> str:
    blocks = []
    for item in summary.items:
        rationale = " ".join(s.text for s in rationale_sentences(item))
        if not rationale and item.reason:
            rationale = " ".join(item.reason.value.split())
        outcome = "APPROVED" if item.authorized else "NOT APPROVED"
        blocks.append(f"Item {item.index}: {item.item.value}\nOutcome: {outcome}\n"
                      f"Reviewer's rationale: {rationale or '(none printed)'}")
    return "\n\n".join(blocks)


def _fallback(offline: PlainSummary, model: str, why: str) -> PlainSummary:
    note = f"The model {model}'s plain summary was not used ({why}); this text is the offline engine's, " \
           "from templates and the letter's own sentences."
    return offline.model_copy(update={"engine": "offline", "fallback_from": model, "notes": [*offline.notes, note]})


def plain_llm(summary: DecisionSummary, letter_text: str, lang: Lang, settings: Settings) -> PlainSummary:
    """The plain summary written by the model and checked; the offline one when the check or the model fails."""
    offline = plain_offline(summary, letter_text, lang)
    model = settings.llm_model or ""
    if not summary.items:
        return offline
    block = _items_block(summary)
    words = "\n".join(f"{t['term']}: {t['plain']}: {t['meaning']}" for t in glossary_entries(lang, letter_text))
    prompt = render(PLAIN_PROMPT, fence=hashlib.sha256(block.encode()).hexdigest()[:12], glossary=words or "(none)",
                    items=block, language=_LANGUAGE[lang])
    context = {"summary": summary, "letter": letter_text, "lang": lang, "reasks_left": REASKS}
    fk_grade(offline.text) if lang == "en" else spanish_readability(offline.text)  # load textstat before the deadline
    try:
        result = llm.complete(prompt.messages, PlainDraft, settings=settings, prompt_id=prompt.ref,
                              validation_context=context)
    except LLMError as exc:
        return _fallback(offline, model, f"the model could not be used: {exc.cause or 'error'}")
    problems = plain_problems(result.value, summary, letter_text, lang)
    if problems:
        return _fallback(offline, model, "its reply failed the checks: " + " ".join(problems[:3]))
    items = _items(result.value, summary, letter_text, lang)
    case_number = summary.case_number.value if summary.case_number else None
    return offline.model_copy(update={"items": items, "engine": model,
                                      "text": compose_text(offline.title, items, lang, case_number)})

