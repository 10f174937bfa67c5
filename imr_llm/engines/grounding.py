"""The grounding check on every LLM result: is what the model says in the letter?

- `align(quote, text)` finds a quote in the letter: exactly, then ignoring whitespace,
  case and quote marks ("exact": only layout differs), then fuzzily ("fuzzy", rapidfuzz
  partial alignment of at least 90/100), and returns its span; else "unaligned".
- `summary_problems` / `merge_summary`: each item must be a disputed item of the letter
  (the parser's list), its decision must be the one the letter states, and its quotes
  (item, decision, guidelines, reason, rationale) must be in the letter. The problems go
  back to the model once; what is still wrong after that is replaced by the letter's own
  value, and the item is marked `corrected`, with a note.
- `answer_problems` / `merge_answer`: every citation must name a passage the model was
  given and quote it; an answer must not state a decision the letter contradicts.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field
from rapidfuzz import fuzz

from .offline import match_item
from ..models import Alignment, Chunk, Citation, DecisionSummary, Grounded, ItemDecision, Span
from ..parse.text import clean_value
from ..vocabulary import same_item
from ..vocabulary import same_item as _similar  # noqa: F401  (grounding_free's name for it)

__all__ = ["CitedQuote", "align", "answer_problems", "decision_contradiction", "merge_answer", "merge_summary",
           "summary_problems"]

FUZZY_CUTOFF = 90.0
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def _normalised(text: str, lo: int, hi: int) -> tuple[str, list[int]]:
    """text[lo:hi] lower-cased with whitespace runs collapsed, and each character's offset in text."""
    chars: list[str] = []
    where: list[int] = []
    for pos in range(lo, hi):
        ch = text[pos]
        if ch.isspace():
            if chars and chars[-1] == " ":
                continue
            ch = " "
        chars.append(ch.lower().translate(_QUOTES))
        where.append(pos)
    return "".join(chars), where


def align(quote: str, text: str, lo: int = 0, hi: int | None = None) -> tuple[Span | None, Alignment]:
    """The span of `quote` in text[lo:hi], and how well it matched."""
    hi = len(text) if hi is None else hi
    needle = quote.strip().strip("\"'").strip()
    if not needle:
        return None, "unaligned"
    found = text.find(needle, lo, hi)
    if found >= 0:
        return Span(start=found, end=found + len(needle)), "exact"
    hay, where = _normalised(text, lo, hi)
    norm = re.sub(r"\s+", " ", needle.lower().translate(_QUOTES))
    found = hay.find(norm)
    if found >= 0:
        return Span(start=where[found], end=where[found + len(norm) - 1] + 1), "exact"
    if len(norm) >= 12 and hay:
        match = fuzz.partial_ratio_alignment(norm, hay, score_cutoff=FUZZY_CUTOFF)
        if match is not None and match.dest_end > match.dest_start and \
                abs((match.dest_end - match.dest_start) - len(norm)) <= max(3, len(norm) // 5):
            return Span(start=where[match.dest_start], end=where[match.dest_end - 1] + 1), "fuzzy"
    return None, "unaligned"


def _grounded(value, quote: str, text: str, lo: int = 0, hi: int | None = None) -> Grounded | None:
    """A Grounded value whose quote is the letter's own text, or None when the quote is not there."""
    span, alignment = align(quote or str(value), text, lo, hi)
    if span is None:
        return None
    return Grounded(value=value, quote=span.slice(text), span=span, alignment=alignment)


def _match(drafts: list[ItemDecision], parsed: list[ItemDecision]) -> list[tuple[ItemDecision, ItemDecision | None]]:
    """Pair each draft item with the letter item it is (by index and name, else by name), one-to-one."""
    taken: set[int] = set()
    pairs = []
    for draft in drafts:
        names = [draft.item.value, draft.item.quote]
        same_index = next((p for p in parsed if p.index == draft.index and p.index not in taken), None)
        if same_index and any(same_item(n, same_index.item.value, paired=True) for n in names if n):
            match = same_index
        else:
            match = next((p for p in parsed if p.index not in taken
                          and any(same_item(n, p.item.value) for n in names if n)), None)
        if match:
            taken.add(match.index)
        pairs.append((draft, match))
    return pairs


def _label(item: ItemDecision) -> str:
    return f"item {item.index} ({item.item.value})"


def _reason_region(item: ItemDecision) -> tuple[int, int | None]:
    if item.rationale and item.rationale.span:
        return item.rationale.span.start, item.rationale.span.end
    return 0, None


def summary_problems(drafts: list[ItemDecision], summary: DecisionSummary, text: str) -> list[str]:
    """What in the model's items disagrees with the letter, as instructions the model can act on."""
    problems = []
    pairs = _match(drafts, summary.items)
    for draft, item in pairs:
        if item is None:
            problems.append(f"item {draft.index} ({draft.item.value!r}) is not a disputed item of this letter; "
                            "return exactly the items listed, with their index.")
            continue
        if draft.decision.value != item.decision.value:
            problems.append(f"{_label(item)}: the decision is not {draft.decision.value!r}; the letter states "
                            f"{clean_value(item.decision.quote)!r} for this item. Re-read the letter.")
        quotes = [("decision", draft.decision.quote, 0, None)]
        quotes += [(f"guideline {g.value!r}", g.quote or g.value, 0, None) for g in draft.guidelines]
        if draft.reason:
            quotes.append(("reason", draft.reason.quote or draft.reason.value, *_reason_region(item)))
        if draft.rationale and draft.rationale.quote:
            quotes.append(("rationale", draft.rationale.quote, 0, None))
        for what, quote, lo, hi in quotes:
            if quote and align(quote, text, lo, hi)[0] is None:
                where = "this item's rationale" if hi is not None else "the letter"
                problems.append(f"{_label(item)}: the {what} quote {quote[:120]!r} is not in {where}; "
                                "quote the letter verbatim.")
    matched = {item.index for _, item in pairs if item}
    missing = [i for i in summary.items if i.index not in matched]
    if missing:
        problems.append("missing item(s): " + "; ".join(_label(i) for i in missing) + ". Return every listed item.")
    return problems


def _merge_item(draft: ItemDecision, item: ItemDecision, text: str, notes: list[str]) -> ItemDecision:
    corrected = False
    decision = item.decision
    if draft.decision.value != item.decision.value:
        corrected = True
        where = f" (chars {decision.span.start}-{decision.span.end})" if decision.span else ""
        notes.append(f"{_label(item)}: the model said {draft.decision.value}, but the letter says "
                     f"{clean_value(decision.quote)!r}{where}; the letter's decision ({decision.value}) is used.")
    guidelines = [g for g in (_grounded(g.value, g.quote, text) for g in draft.guidelines) if g]
    if len(guidelines) != len(draft.guidelines) or not guidelines:
        if draft.guidelines:
            corrected = True
            notes.append(f"{_label(item)}: a guideline the model named is not cited in the letter; "
                         "the letter's guidelines are used.")
        guidelines = item.guidelines
    reason = item.reason
    if draft.reason:
        lo, hi = _reason_region(item)
        span, alignment = align(draft.reason.quote or draft.reason.value, text, lo, hi)
        if span is not None:
            quote = span.slice(text)
            reason = Grounded(value=clean_value(quote), quote=quote, span=span, alignment=alignment)
        else:
            corrected = True
            notes.append(f"{_label(item)}: the model's reason is not in the letter's rationale; the letter's is used.")
    rationale = item.rationale
    if rationale is None and draft.rationale and draft.rationale.quote:
        found = _grounded(draft.rationale.value, draft.rationale.quote, text)
        rationale = found.model_copy(update={"value": clean_value(found.quote)}) if found else None
    return ItemDecision(index=item.index, item=item.item, decision=decision, guidelines=guidelines,
                        rationale=rationale, reason=reason, corrected=corrected)


def merge_summary(drafts: list[ItemDecision], summary: DecisionSummary,
                  text: str) -> tuple[list[ItemDecision], list[str]]:
    """The letter's items in letter order, each filled from the model where the letter agrees; plus notes."""
    notes: list[str] = []
    by_index: dict[int, ItemDecision] = {}
    for draft, item in _match(drafts, summary.items):
        if item is None:
            notes.append(f"the model named an item this letter does not decide ({draft.item.value!r}); it was dropped.")
        else:
            by_index[item.index] = _merge_item(draft, item, text, notes)
    items = []
    for item in summary.items:
        if item.index not in by_index:
            notes.append(f"{_label(item)}: missing from the model's reply; the letter's own reading is used.")
        items.append(by_index.get(item.index, item))
    return items, notes


_SAYS_AUTHORIZED = re.compile(r"(?<!not )(?<!n't )\b(?:overturned|approved|authori[sz]ed|granted)\b", re.I)
_SAYS_DENIED = re.compile(r"\b(?:upheld|denied|not (?:been )?(?:approved|authori[sz]ed|medically necessary)|"
                          r"non-?certified)\b", re.I)


def decision_contradiction(question: str, answer_text: str, summary: DecisionSummary) -> str | None:
    """A problem when the answer states the opposite of the letter's decision on the item asked about."""
    item = match_item(question, summary.items)
    if item is None:
        return None
    authorized, denied = bool(_SAYS_AUTHORIZED.search(answer_text)), bool(_SAYS_DENIED.search(answer_text))
    wrong = (item.decision.value == "overturned" and denied and not authorized) or \
            (item.decision.value == "upheld" and authorized and not denied)
    if not wrong:
        return None
    return (f"the answer contradicts the letter: {_label(item)} was {item.decision.value} "
            f"({clean_value(item.decision.quote)!r}).")


class CitedQuote(BaseModel):
    """A passage the answer relies on, by the id it was given, and a quote of it."""

    passage_id: str = Field(description="the passage id exactly as given, e.g. 'P2'")
    quote: str = Field(description="one or two sentences copied verbatim from that passage")


def _passage_key(passage_id: str) -> str:
    return passage_id.strip().strip("[]").strip().upper()


def _find(cited: CitedQuote, passages: dict[str, Chunk], text: str) -> tuple[Chunk | None, Span | None, Alignment]:
    chunk = passages.get(_passage_key(cited.passage_id)) or \
        next((c for c in passages.values() if c.chunk_id == cited.passage_id.strip()), None)
    if chunk is None:
        return None, None, "unaligned"
    span, alignment = align(cited.quote, text, chunk.start, chunk.end)
    return chunk, span, alignment


def answer_problems(answered: bool, answer_text: str, citations: list[CitedQuote], passages: dict[str, Chunk],
                    text: str, summary: DecisionSummary, question: str) -> list[str]:
    problems = []
    for cited in citations:
        chunk, span, _ = _find(cited, passages, text)
        if chunk is None:
            problems.append(f"passage {cited.passage_id!r} does not exist; cite only the ids given "
                            f"({', '.join(passages)}).")
        elif span is None:
            problems.append(f"the quote {cited.quote[:120]!r} is not in passage {cited.passage_id}; quote it verbatim.")
    if answered and not citations:
        problems.append("cite the passage(s) the answer relies on.")
    if answered and (contradiction := decision_contradiction(question, answer_text, summary)):
        problems.append(contradiction)
    return problems


def merge_answer(citations: list[CitedQuote], passages: dict[str, Chunk],
                 text: str) -> tuple[list[Citation], list[str]]:
    """The citations that hold, as `Citation`s with their letter spans; notes on those dropped."""
    kept: list[Citation] = []
    notes: list[str] = []
    for cited in citations:
        chunk, span, alignment = _find(cited, passages, text)
        if chunk is None:
            notes.append(f"the model cited a passage it was not given ({cited.passage_id!r}); "
                         "the citation was dropped.")
        elif span is None:
            notes.append(f"a quote the model cited is not in passage {cited.passage_id}; the citation was dropped.")
        elif not any(c.span == span for c in kept):
            kept.append(Citation(passage_id=chunk.chunk_id, letter_id=chunk.letter_id, case_id=chunk.case_id,
                                 quote=span.slice(text), span=span, alignment=alignment, section=chunk.section,
                                 item_index=chunk.item_index))
    return kept, notes
