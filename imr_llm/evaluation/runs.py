"""What one evaluation records: each letter's run of the product, and each metric's tally of hits and misses.

`imr_llm.evaluation.evaluate` fills these; its metrics, producers and reporters (and those of
`plain_eval` and `ragas_metrics`) read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..models import Answer, DecisionSummary
from .gold import GoldLetter, match_items

__all__ = ["LetterRun", "Miss", "QuestionRun", "Tally"]


@dataclass
class QuestionRun:
    gold: dict
    answer: Answer | None = None
    error: str | None = None
    cited: list[str] = field(default_factory=list)  # texts of the passages the answer cites
    retrieved: list[str] = field(default_factory=list)  # texts of the passages retrieval ranked for it
    evidence_passages: list[str] = field(default_factory=list)  # the letter's chunks holding the gold evidence


@dataclass
class LetterRun:
    gold: GoldLetter
    summary: DecisionSummary | None = None
    error: str | None = None
    questions: list[QuestionRun] = field(default_factory=list)
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    @cached_property
    def matching(self) -> dict[int, int]:
        gold = [d["item"] for d in self.gold.record.get("decisions") or []]
        return match_items(gold, [i.item.value for i in self.summary.items]) if self.summary else {}


@dataclass
class Miss:
    metric: str
    what: str
    predicted: Any
    gold: Any
    note: str = ""


@dataclass
class Tally:
    hits: int = 0
    total: int = 0
    misses: list[Miss] = field(default_factory=list)

    def add(self, hit: bool, miss: Miss) -> None:
        self.total += 1
        self.hits += hit
        if not hit:
            self.misses.append(miss)
