"""The grounding check of a free extraction: the model's own reading of a letter the rules could not fully read.

When the parser finds no item, or flags its reading (`needs_review`), the LLM engine asks the
model for every disputed item with its decision and verbatim quotes (`FreeItem`). Each one is
then held to the letter:

- **located**: its item text is found in the letter (`grounding.align`'s matching). Of several
  mentions, the one whose stretch of letter (up to the next mention of another item) holds the
  model's decision quote, else a decision statement, anchors it; the earliest such mention wins.
- **its part** of the letter runs from its anchor to the next item's anchor (the model's items
  and the rules' items alike), or to the end of the letter.
- **supported**: the strongest decision statements the reader finds in that part
  (`imr_llm.parse.decision_statements`, the one cue vocabulary) state the model's decision. The
  letter's overall Final Determination, and a statement that names another item, do not count.

An item that is not located, or whose part states no decision (or both, equally strongly), is
dropped. One whose part states the other decision gets the letter's decision and is marked
corrected. Both flag the summary with a reason naming the item. The rules' items stay; a model
item that is one of them is merged into it (`grounding._merge_item`), and since the rules' reading
is in doubt, a clear statement in the item's part decides its decision over both readings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel, Field, field_validator

from .grounding import _merge_item, _normalised, _QUOTES, _similar, align
from ..models import Alignment, Decision, DecisionSummary, Grounded, ItemDecision, Span
from ..parse.text import clean_value

__all__ = ["FreeItem", "FreeReading", "free_problems", "merge_free", "read_free"]

MAX_ITEM_CHARS = 200


class FreeItem(BaseModel):
    """One disputed item as the model reads it, with the letter's words for it and for its decision."""

    item: str = Field(description="the treatment or service under review, copied verbatim from the letter "
                                  "where its decision is given; only the item, not the sentence around it")
    decision: Decision = Field(description="upheld = the UR denial stands, NOT authorized; overturned = authorized")
    decision_quote: str = Field(description="the sentence of the letter that states this item's decision, verbatim")
    reason: str | None = Field(None, description="one sentence of the reviewer's rationale for this item, verbatim")
    guidelines: list[str] = Field(default_factory=list, description="guidelines the reviewer cites for this item, "
                                                                     "each copied as written (e.g. 'MTUS', 'ODG')")

    @field_validator("decision", mode="before")
    @classmethod
    def _decision_word(cls, value):
        return value.strip().strip(".!\"'").strip().lower() if isinstance(value, str) else value

    @field_validator("guidelines", mode="before")
    @classmethod
    def _no_guidelines(cls, value):
        return [] if value is None else value

    @field_validator("item")
    @classmethod
    def _item_name(cls, value: str) -> str:
        value = value.strip().strip("\"'").strip()
        if not value:
            raise ValueError("give the item's name as the letter writes it")
        if len(value) > MAX_ITEM_CHARS:
            raise ValueError(f"give only the item's name as written (at most {MAX_ITEM_CHARS} characters), "
                             "not the sentence or paragraph around it")
        return value

    @field_validator("decision_quote")
    @classmethod
    def _quote_given(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("quote the letter's sentence that states this item's decision")
        return value.strip()

    @field_validator("reason")
    @classmethod
    def _optional(cls, value: str | None) -> str | None:
        return value.strip() or None if value else None


@dataclass
class FreeReading:
    """What the letter says about one `FreeItem`."""

    draft: FreeItem
    anchor: Span | None = None  # where the item is named: the start of its part
    alignment: Alignment = "unaligned"
    part: tuple[int, int] | None = None
    region: tuple[int, int] | None = None  # where its reason may be: the part and what leads up to it
    statements: list = field(default_factory=list)  # the reader's decision statements in the part
    quote_spans: list[Span] = field(default_factory=list)  # where the model's decision quote is in the letter
    rules_item: ItemDecision | None = None  # the rules' item this one is
    repeat_of: int | None = None  # index (into the drafts) of an earlier draft naming the same mention

    @property
    def name(self) -> str:
        return self.draft.item

    def letter_decision(self) -> tuple[Decision | None, bool]:
        """The decision the strongest statements of the part state; None, True when equally strong ones disagree."""
        if not self.statements:
            return None, False
        top = max(s.strength for s in self.statements)
        decisions = {s.decision for s in self.statements if s.strength == top}
        return (decisions.pop(), False) if len(decisions) == 1 else (None, True)

    def statement(self, decision: Decision):
        """The statement that grounds `decision`: one the model quoted if it did, else the last (the verdict)."""
        top = max(s.strength for s in self.statements if s.decision == decision)
        best = [s for s in self.statements if s.decision == decision and s.strength == top]
        quoted = [s for s in best if any(_overlaps((s.start, s.end), (q.start, q.end)) for q in self.quote_spans)]
        return (quoted or best)[-1]


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


class _Letter:
    """The letter, its normalised form for finding every mention of a quote, and its decision statements."""

    def __init__(self, text: str):
        from ..parse import decision_statements  # the reader's cue table: the one decision vocabulary
        from ..parse.general import read_items

        self.text = text
        self.hay, self.where = _normalised(text, 0, len(text))
        # The overall Final Determination is about the letter, not about the item whose part it falls in.
        overall = read_items(text).overall
        self.statements = [s for s in decision_statements(text)
                           if overall is None or not _overlaps((s.start, s.end), (overall.start, overall.end))]

    def mentions(self, quote: str) -> list[tuple[Span, Alignment]]:
        """Every place the quote is in the letter (ignoring layout, case and quote marks), else its fuzzy match."""
        needle = re.sub(r"\s+", " ", quote.strip().strip("\"'").strip().lower().translate(_QUOTES))
        found: list[tuple[Span, Alignment]] = []
        if needle:
            pos = self.hay.find(needle)
            while pos >= 0:
                found.append((Span(start=self.where[pos], end=self.where[pos + len(needle) - 1] + 1), "exact"))
                pos = self.hay.find(needle, pos + 1)
        if not found:
            span, alignment = align(quote, self.text)
            if span is not None:
                found.append((span, alignment))
        return found

    def statements_in(self, lo: int, hi: int, name: str) -> list:
        """The decision statements in text[lo:hi] that may be about the item `name` (not naming another item)."""
        return [s for s in self.statements if _overlaps((s.start, s.end), (lo, hi)) and self._about(s, name)]

    def _about(self, statement, name: str) -> bool:
        named = getattr(statement, "item", None)
        return not named or _similar(clean_value(self.text[named[0]:named[1]]), name)


def _choose_anchors(readings: list[FreeReading], rules: list[ItemDecision], letter: _Letter) -> None:
    """Anchor each item at the mention whose stretch of letter holds its decision quote, else a decision statement."""
    mentions = [letter.mentions(r.name) for r in readings]
    for n, reading in enumerate(readings):
        reading.quote_spans = [span for span, _ in letter.mentions(reading.draft.decision_quote)]
        others = sorted([span.start for m, found in enumerate(mentions) if m != n for span, _ in found] +
                        [i.item.span.start for i in rules if i.item.span and not _similar(reading.name, i.item.value)])
        best, best_score = None, (-1, -1)
        for span, alignment in mentions[n]:
            window = (span.start, next((pos for pos in others if pos > span.start), len(letter.text)))
            score = (int(any(_overlaps(window, (q.start, q.end)) for q in reading.quote_spans)),
                     int(bool(letter.statements_in(*window, reading.name))))
            if score > best_score:
                best, best_score = (span, alignment), score
        if best:
            reading.anchor, reading.alignment = best


def read_free(drafts: list[FreeItem], rules: DecisionSummary, text: str) -> list[FreeReading]:
    """Each model item located in the letter, its part, the statements in it and the rules' item it is."""
    letter = _Letter(text)
    readings = [FreeReading(draft=d) for d in drafts]
    _choose_anchors(readings, rules.items, letter)
    taken: set[int] = set()
    for n, reading in enumerate(readings):
        if reading.anchor is None:
            continue
        earlier = next((m for m in range(n) if readings[m].anchor == reading.anchor), None)
        if earlier is not None:  # the first reading of a mention is never a repeat itself
            reading.repeat_of = earlier
            continue
        for item in rules.items:
            if item.index in taken:
                continue
            at_same_place = item.item.span is not None and _overlaps((item.item.span.start, item.item.span.end),
                                                                       (reading.anchor.start, reading.anchor.end))
            if at_same_place or _similar(reading.name, item.item.value):
                reading.rules_item = item
                taken.add(item.index)
                break
    for reading in readings:
        if reading.anchor is None:
            continue
        # Where the other items are named: the model's, and the rules' (not this item's own mention).
        starts = sorted({r.anchor.start for r in readings if r.anchor and r.anchor != reading.anchor} |
                        {i.item.span.start for i in rules.items if i.item.span and i is not reading.rules_item})
        end = next((s for s in starts if s > reading.anchor.start), len(text))
        reading.part = (reading.anchor.start, end)
        before = [s for s in starts if s < reading.anchor.start] + \
                 [st.end for st in letter.statements if st.end <= reading.anchor.start]
        reading.region = (max(before, default=0), end)
        reading.statements = letter.statements_in(*reading.part, reading.name)
    return readings


def _problem(reading: FreeReading, text: str) -> str | None:
    name = reading.name
    if reading.anchor is None:
        return (f"item {name!r}: these words are not in the letter. Copy the item exactly as the letter writes it, "
                "and leave out anything the letter does not decide.")
    if reading.repeat_of is not None:
        return None
    decision, disagree = reading.letter_decision()
    if decision is None:
        if reading.rules_item is not None:
            return None  # the rules found this item: the model need not drop it
        if disagree:
            return (f"item {name!r}: its part of the letter (from where it is named to the next item) states both "
                    "decisions. Copy the item's name from the place where its own decision is given.")
        return (f"item {name!r}: no statement of a decision was found in its part of the letter (from where it is "
                "named to the next item). Report only items the reviewer decides, and copy the item's name from "
                "the place where its decision is given.")
    if decision != reading.draft.decision:
        said = reading.statement(decision)
        return (f"item {name!r}: the decision is not {reading.draft.decision!r}; the letter states "
                f"{clean_value(text[said.start:said.end])!r} for this item. Re-read the letter.")
    if not reading.quote_spans:
        return f"item {name!r}: the decision quote {reading.draft.decision_quote[:120]!r} is not in the letter; " \
               "quote it verbatim."
    return None


def free_problems(drafts: list[FreeItem], rules: DecisionSummary, text: str) -> list[str]:
    """What in the model's free reading the letter does not bear out, as instructions the model can act on."""
    return [p for p in (_problem(r, text) for r in read_free(drafts, rules, text)) if p]


def _as_draft(reading: FreeReading, index: int) -> ItemDecision:
    d = reading.draft
    return ItemDecision(index=index, item=Grounded(value=d.item, quote=d.item),
                        decision=Grounded(value=d.decision, quote=d.decision_quote),
                        guidelines=[Grounded(value=g, quote=g) for g in d.guidelines])


def _reason(reading: FreeReading, text: str, notes: list[str]) -> Grounded | None:
    """The model's reason, found in the letter's text on this item (its part, and what leads up to it)."""
    if not reading.draft.reason:
        return None
    lo, hi = reading.region or (0, len(text))
    span, alignment = align(reading.draft.reason, text, lo, hi)
    if span is None:
        notes.append(f"the model's reason for {reading.name!r} is not in the letter's text on it; it was left out.")
        return None
    return Grounded(value=clean_value(span.slice(text)), quote=span.slice(text), span=span, alignment=alignment)


def _new_item(reading: FreeReading, text: str, summary: DecisionSummary, notes: list[str]) -> ItemDecision | None:
    """The model's item grounded in its part of the letter, or None (flagged) when the letter does not bear it out."""
    name, d = reading.name, reading.draft
    if reading.anchor is None:
        summary.flag(f"the model's item {name!r} is not in the letter; it was dropped.")
        return None
    decision, disagree = reading.letter_decision()
    if decision is None:
        summary.flag(f"the model's item {name!r}: " + (
            "its part of the letter states both decisions, equally strongly; it was dropped."
            if disagree else "no decision statement in its part of the letter; it was dropped."))
        return None
    said = reading.statement(decision)
    corrected = decision != d.decision
    if corrected:
        summary.flag(f"the model's item {name!r}: the model said {d.decision}, but its part of the letter says "
                     f"{clean_value(text[said.start:said.end])!r} (chars {said.start}-{said.end}); "
                     f"the letter's decision ({decision}) is used.")
    lo, hi = reading.region or (0, len(text))
    item_quote = reading.anchor.slice(text)
    reason = _reason(reading, text, notes)
    guidelines = []
    for g in d.guidelines:
        span, alignment = align(g, text, lo, hi)
        if span is not None and not any(x.span == span for x in guidelines):
            guidelines.append(Grounded(value=clean_value(span.slice(text)), quote=span.slice(text), span=span,
                                       alignment=alignment))
    return ItemDecision(index=1, item=Grounded(value=clean_value(item_quote), quote=item_quote, span=reading.anchor,
                                               alignment=reading.alignment),
                        decision=Grounded(value=decision, quote=text[said.start:said.end],
                                          span=Span(start=said.start, end=said.end)),
                        guidelines=guidelines, reason=reason, corrected=corrected)


def _merged_item(reading: FreeReading, text: str, summary: DecisionSummary, notes: list[str]) -> ItemDecision:
    """The rules' item filled from the model's, its decision the one its part of the letter states when it is clear.

    The rules' reading is in doubt (or there would be no free reading), so a clear statement in the
    item's part of the letter wins over both the rules and the model; without one the rules' stands.
    """
    item, model_says = reading.rules_item, reading.draft.decision
    assert item is not None
    draft = _as_draft(reading, item.index)
    draft = draft.model_copy(update={"decision": item.decision})  # the decision is settled below
    filled = _merge_item(draft, item, text, notes)
    anchor, span = reading.anchor, item.item.span
    if anchor and span and span.start <= anchor.start and anchor.end <= span.end and anchor != span:
        quote = anchor.slice(text)  # the same mention, cut to the item's own words
        filled.item = Grounded(value=clean_value(quote), quote=quote, span=anchor, alignment=reading.alignment)
    label = f"item {filled.item.value!r}"
    if (reason := _reason(reading, text, notes)) is not None:
        filled.reason = reason  # found in the letter's text on this item
    elif filled.reason and filled.reason.span and reading.region and not \
            reading.region[0] <= filled.reason.span.start < reading.region[1]:
        notes.append(f"{label}: the parser's reason is not in the letter's text on this item; it was left out.")
        filled.reason = None
    part_says, unclear = reading.letter_decision()
    if part_says is None or unclear:
        if model_says != item.decision.value:
            filled.corrected = True
            summary.flag(f"{label}: the model read {model_says}, the parser read {item.decision.value} "
                         f"({clean_value(item.decision.quote)!r}) and its part of the letter does not settle it; "
                         "the parser's reading is kept.")
        return filled
    said = reading.statement(part_says)
    where = f"{clean_value(text[said.start:said.end])!r} (chars {said.start}-{said.end})"
    if part_says != item.decision.value:
        filled.decision = Grounded(value=part_says, quote=text[said.start:said.end],
                                   span=Span(start=said.start, end=said.end))
        filled.corrected = model_says != part_says
        summary.flag(f"{label}: the parser read {item.decision.value}, but its part of the letter says {where}; "
                     f"the letter's decision ({part_says}) is used" +
                     ("." if model_says == part_says else f", not the model's ({model_says})."))
    elif model_says != part_says:
        filled.corrected = True
        summary.flag(f"{label}: the model said {model_says}, but its part of the letter says {where}; "
                     f"the letter's decision ({part_says}) is used.")
    return filled


def merge_free(drafts: list[FreeItem], rules: DecisionSummary, text: str) -> DecisionSummary:
    """The rules' reading with the model's free reading merged in, each item checked against its part of the letter.

    The rules' items stay (filled from a model item that is the same item, the letter winning a
    disagreement); the model's other items are kept only when located and supported. Items are
    in letter order, numbered from 1; what was dropped or corrected flags the summary.
    """
    summary = rules.model_copy(deep=True)
    notes: list[str] = []
    merged: dict[int, ItemDecision] = {}
    new: list[ItemDecision] = []
    for reading in read_free(drafts, rules, text):
        if reading.repeat_of is not None:
            notes.append(f"the model named {reading.name!r} where it named an earlier item; the earlier is used.")
            continue
        if reading.rules_item is not None:
            merged[reading.rules_item.index] = _merged_item(reading, text, summary, notes)
        elif (item := _new_item(reading, text, summary, notes)) is not None:
            new.append(item)
    for item in rules.items:
        if item.index not in merged:
            notes.append(f"item {item.item.value!r}: not in the model's reading; the parser's is kept.")
    if not drafts and not rules.items:
        notes.append("The model found no disputed item with a decision in this letter either.")
    items = [merged.get(i.index, i) for i in rules.items] + new
    items.sort(key=lambda i: i.item.span.start if i.item.span else len(text))
    summary.items = [i.model_copy(update={"index": n}) for n, i in enumerate(items, start=1)]
    summary.notes = [*summary.notes, *notes]
    return summary
