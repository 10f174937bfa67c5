"""The typed records every stage speaks.

Offsets are character offsets into `Letter.text` (the normalised letter text).
A value without a span is a bug; a quote that could not be aligned keeps
`span=None` and `alignment="unaligned"` so that it is shown as such, never hidden.

The same models are the instructor `response_model` of the LLM engine: the model
fills values and verbatim quotes, and the grounding check fills the spans.
"""

from __future__ import annotations

from datetime import date
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, computed_field

__all__ = [
    "Alignment",
    "Answer",
    "Chunk",
    "Citation",
    "Decision",
    "DecisionSummary",
    "Grounded",
    "ItemDecision",
    "Letter",
    "OpenLetter",
    "Passage",
    "Span",
]

Decision = Literal["upheld", "overturned"]
Alignment = Literal["exact", "fuzzy", "unaligned"]
Layout = Literal[
    "issues-decisions-rationales",
    "decisions-and-rationales",
    "maximus-federal-services",
    "medical-professional-review",
    "unknown",
]
T = TypeVar("T")
OFFLINE = "offline"  # the engine that reads the letter by rules and quotes it: no model


def engine_text(engine: str, fallback_from: str | None) -> str:
    """The engine as shown to a person: 'offline (fallback from openai/gpt-4o-mini)' when the model failed."""
    return f"{engine} (fallback from {fallback_from})" if fallback_from else engine


class Span(BaseModel):
    """Half-open character interval [start, end) into `Letter.text`."""

    model_config = ConfigDict(frozen=True)
    start: int = Field(ge=0)
    end: int = Field(ge=0)

    def slice(self, text: str) -> str:
        return text[self.start : self.end]


class Grounded(BaseModel, Generic[T]):
    """A value read from the letter, with the letter text it came from."""

    value: T
    quote: str = Field("", description="verbatim text of the letter that states the value")
    span: Span | None = None
    alignment: Alignment = "exact"


class Letter(BaseModel):
    """One determination letter, its text normalised (LF line ends, no form feeds)."""

    letter_id: str = Field(description="sha256 of the normalised text, first 16 hex digits")
    source: str = Field(description="file path or name the letter was read from")
    text: str
    ocr: bool = Field(False, description="the text was read by OCR from scanned pages, not from a text layer")


class ItemDecision(BaseModel):
    """The expert reviewer's decision on one disputed item (treatment or service)."""

    index: int = Field(ge=1, description="1-based position of the item in the letter")
    item: Grounded[str] = Field(description="the disputed treatment as written in the letter")
    decision: Grounded[Decision] = Field(
        description="upheld = the UR denial stands, NOT authorized; overturned = authorized"
    )
    guidelines: list[Grounded[str]] = Field(default_factory=list, description="guidelines the reviewer relied on")
    guideline_text: Grounded[str] | None = Field(None, description="the reviewer's statement of the guidelines relied on")
    rationale: Grounded[str] | None = Field(None, description="the reviewer's decision rationale")
    reason: Grounded[str] | None = Field(None, description="the one sentence of the rationale that says why")
    corrected: bool = Field(False, description="an LLM value was replaced by the letter's own value")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def authorized(self) -> bool:
        return self.decision.value == "overturned"


class DecisionSummary(BaseModel):
    """Case fields plus one `ItemDecision` per disputed item, in letter order."""

    letter_id: str
    case_id: str = Field(description="case number when printed, else 'letter-' + letter id")
    source: str = ""
    layout: Layout = "unknown"
    engine: str = Field(OFFLINE, description="'offline', or the model that read the letter")
    fallback_from: str | None = Field(None, description="the model that could not be used, when the offline "
                                                         "engine's summary is given in its place")
    case_number: Grounded[str] | None = None
    patient_age: Grounded[int] | None = None
    patient_sex: Grounded[Literal["male", "female"]] | None = None
    date_of_injury: Grounded[date] | None = None
    ur_decision_date: Grounded[date] | None = None
    decision_date: Grounded[date] | None = None
    date_assigned: Grounded[date] | None = None
    application_received: Grounded[date] | None = None
    priority: Grounded[str] | None = None
    reviewer_specialty: Grounded[str] | None = None
    diagnoses: list[Grounded[str]] = Field(default_factory=list)
    items: list[ItemDecision] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="corrections, fallbacks and warnings")
    needs_review: bool = Field(False, description="a person should read the letter: the reader was unsure")
    review_reasons: list[str] = Field(default_factory=list, description="why the summary needs review, one line each")

    @property
    def engine_text(self) -> str:
        return engine_text(self.engine, self.fallback_from)

    def flag(self, reason: str) -> None:
        """Mark the summary for review by a person, saying why (each reason once)."""
        self.needs_review = True
        if reason not in self.review_reasons:
            self.review_reasons.append(reason)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def overall(self) -> Literal["upheld", "overturned", "partial"] | None:
        outcomes = {i.decision.value for i in self.items}
        if not outcomes:
            return None
        return outcomes.pop() if len(outcomes) == 1 else "partial"


class Chunk(BaseModel):
    """A structure-aware piece of a letter, stored in the index."""

    chunk_id: str = Field(description="content hash of letter id, offsets and text")
    letter_id: str
    case_id: str
    section: str = Field(description="e.g. 'header', 'case summary', 'item', 'qualifications'")
    item_index: int | None = None
    item: str | None = None
    decision: Decision | None = None
    guideline: str | None = Field(None, description="guideline families cited, e.g. 'MTUS ODG'")
    start: int
    end: int
    text: str

    def metadata(self) -> dict[str, str | int]:
        meta: dict[str, str | int] = {
            "letter_id": self.letter_id,
            "case_id": self.case_id,
            "section": self.section,
            "start": self.start,
            "end": self.end,
        }
        for key in ("item_index", "item", "decision", "guideline"):
            value = getattr(self, key)
            if value is not None:
                meta[key] = value
        return meta


class Passage(BaseModel):
    """A retrieved chunk with its fused score and rank signals."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None


class Citation(BaseModel):
    """A passage an answer relies on, and the quote from it, aligned to the letter."""

    passage_id: str = Field(description="id of the cited passage (chunk id)")
    letter_id: str = ""
    case_id: str = ""
    quote: str = Field(description="verbatim sentence(s) of the letter supporting the answer")
    span: Span | None = None
    alignment: Alignment = "exact"
    section: str = ""
    item_index: int | None = None


class Answer(BaseModel):
    """An answer to a question about one letter/case (or the whole corpus)."""

    question: str
    text: str
    answered: bool = Field(True, description="False when the letters do not answer the question")
    citations: list[Citation] = Field(default_factory=list)
    engine: str = Field(OFFLINE, description="'offline', or the model that wrote the answer")
    fallback_from: str | None = Field(None, description="the model that could not be used, when the offline "
                                                         "engine's answer is given in its place")
    case_id: str | None = None
    notes: list[str] = Field(default_factory=list)

    @property
    def engine_text(self) -> str:
        return engine_text(self.engine, self.fallback_from)


class OpenLetter(BaseModel):
    """A letter opened once: its text and the offline engine's reading of it, from a file or the store.

    `imr_llm.Client.open_letter` makes one; `summarize` and `ask` take it in place of a source, so that
    a letter summarized and then asked about is loaded and parsed only once."""

    letter: Letter
    summary: DecisionSummary = Field(description="the offline engine's reading (from the store: as stored)")
    stored: bool = Field(False, description="read from the store (its chunks and vectors are there too)")
