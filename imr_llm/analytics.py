"""Corpus analytics: what the ingested letters decided, by treatment category and guideline.

Everything here reads `DecisionSummary` records (e.g. `api.open_store().summaries()`,
which pages through the store), in one pass, so 10,000 letters take seconds.
Counts are per disputed item unless named `letters`. Rates come with their counts
and a 95% Wilson interval, so a rate drawn from three items is not read as a trend.

Treatment categories come from keywords in the item's own text (`imr_llm.vocabulary.treatment_category`);
an item that matches no keyword is counted as "other", never guessed.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .store.chunk import guideline_families
from .models import DecisionSummary
from .vocabulary import OTHER, TREATMENT_CATEGORIES, treatment_category

__all__ = ["CATEGORIES", "CaseRow", "CategoryRate", "Corpus", "CorpusStats", "ItemRow", "corpus_stats",
           "find_cases", "item_rows", "treatment_category", "wilson_interval"]

CATEGORIES: list[str] = [name for name, _ in TREATMENT_CATEGORIES] + [OTHER]
NO_GUIDELINE = "none named"


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion (0, 1) for n = 0."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class CategoryRate:
    category: str
    items: int
    overturned: int
    rate: float
    low: float
    high: float


@dataclass
class CorpusStats:
    letters: int = 0
    items: int = 0
    by_decision: Counter = field(default_factory=Counter)
    letters_by_outcome: Counter = field(default_factory=Counter)
    by_category: dict[str, Counter] = field(default_factory=dict)
    by_guideline: Counter = field(default_factory=Counter)

    def add(self, summary: DecisionSummary) -> None:
        self.letters += 1
        self.letters_by_outcome[summary.overall or "no items"] += 1
        for item in summary.items:
            decision = item.decision.value
            self.items += 1
            self.by_decision[decision] += 1
            self.by_category.setdefault(treatment_category(item.item.value), Counter())[decision] += 1
            families = guideline_families([g.value for g in item.guidelines]) or [NO_GUIDELINE]
            for family in families:
                self.by_guideline[family] += 1

    def overturn_rates(self) -> list[CategoryRate]:
        """Overturn rate per treatment category, most items first."""
        rates = []
        for category, counts in self.by_category.items():
            n, over = sum(counts.values()), counts["overturned"]
            low, high = wilson_interval(over, n)
            rates.append(CategoryRate(category, n, over, over / n if n else 0.0, low, high))
        return sorted(rates, key=lambda r: (-r.items, r.category))

    def to_dict(self) -> dict:
        return {
            "letters": self.letters,
            "items": self.items,
            "items_by_decision": dict(self.by_decision),
            "letters_by_outcome": dict(self.letters_by_outcome),
            "items_by_guideline": dict(self.by_guideline.most_common()),
            "treatment_categories": [
                {"category": r.category, "items": r.items, "overturned": r.overturned,
                 "upheld": r.items - r.overturned, "overturn_rate": round(r.rate, 4),
                 "overturn_rate_95ci": [round(r.low, 4), round(r.high, 4)]}
                for r in self.overturn_rates()
            ],
        }


def corpus_stats(summaries: Iterable[DecisionSummary]) -> CorpusStats:
    """Counts by decision, treatment category and guideline family, in one pass over the summaries."""
    stats = CorpusStats()
    for summary in summaries:
        stats.add(summary)
    return stats


@dataclass(frozen=True)
class ItemRow:
    """One disputed item of the corpus, with where it is in its letter (for search and drill-down)."""

    case_id: str
    letter_id: str
    index: int
    item: str
    decision: str
    category: str
    start: int | None
    end: int | None


def item_rows(summaries: Iterable[DecisionSummary], *, query: str = "", decision: str = "",
              category: str = "") -> list[ItemRow]:
    """Items matching a case-number / treatment text query, a decision and a category (empty = any)."""
    words = query.lower().split()
    rows = []
    for summary in summaries:
        for item in summary.items:
            row = ItemRow(summary.case_id, summary.letter_id, item.index, item.item.value, item.decision.value,
                          treatment_category(item.item.value), item.item.span.start if item.item.span else None,
                          item.item.span.end if item.item.span else None)
            haystack = f"{row.case_id} {row.item} {row.category}".lower()
            if all(w in haystack for w in words) and decision in ("", row.decision) and category in ("", row.category):
                rows.append(row)
    return rows


@dataclass(frozen=True)
class CaseRow:
    """One letter of the corpus as the case picker lists it."""

    case_id: str
    letter_id: str
    overall: str
    items: tuple[str, ...]
    decisions: tuple[str, ...]

    @property
    def label(self) -> str:
        treatments = "; ".join(self.items)
        return f"{self.case_id} · {self.overall} · {treatments[:90]}{'…' if len(treatments) > 90 else ''}"


def find_cases(summaries: Iterable[DecisionSummary], query: str = "", decision: str = "") -> list[CaseRow]:
    """Letters whose case number, item text or treatment category holds every word of `query`, and whose
    items include `decision` ("upheld", "overturned", or "partial" for letters with both; empty = any)."""
    words = query.lower().split()
    rows = []
    for s in summaries:
        row = CaseRow(s.case_id, s.letter_id, s.overall or "no items", tuple(i.item.value for i in s.items),
                      tuple(i.decision.value for i in s.items))
        haystack = " ".join([row.case_id, *row.items, *map(treatment_category, row.items)]).lower()
        wanted = not decision or decision in row.decisions or decision == row.overall
        if wanted and all(w in haystack for w in words):
            rows.append(row)
    return sorted(rows, key=lambda r: r.case_id)


class Corpus:
    """A store's complete letters' summaries, read once (paging through the store) and re-read when the
    store's version changes: a letter added, completed or removed, by this process or another."""

    def __init__(self, store):
        self.store = store
        self._lock = threading.Lock()
        self._count: object = None  # the store version read; None: not read yet
        self._summaries: list[DecisionSummary] = []

    def summaries(self) -> list[DecisionSummary]:
        with self._lock:
            version = self.store.version()
            if version != self._count:
                self._summaries = list(self.store.summaries())
                self._count = version
            return self._summaries

    def add(self, summary: DecisionSummary) -> None:
        """Take in a letter just ingested without re-reading the whole store."""
        with self._lock:
            if self._count is None:
                return
            if all(s.letter_id != summary.letter_id for s in self._summaries):
                self._summaries = [*self._summaries, summary]
            self._count = self.store.version()

    def invalidate(self) -> None:
        """Forget what was read; the next call re-reads the store."""
        with self._lock:
            self._count = None

    def stats(self) -> CorpusStats:
        return corpus_stats(self.summaries())
