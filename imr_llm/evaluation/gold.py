"""Gold records (`imr-gold/1`, see evals/GOLD_FORMAT.md) and the rules that compare outputs with them.

* items match when their normalised texts have a token-set similarity of at least 80,
  or one contains the other (as whole words); matching is one-to-one;
* case fields are equal after normalisation (dates YYYY-MM-DD, case numbers upper-case,
  sex and outcomes lower-case); a null gold field is not scored;
* evidence is compared with passages with all whitespace removed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import ImrError
from ..vocabulary import MATCH_THRESHOLD, item_similarity, normalise_item

__all__ = [
    "FIELDS", "GOLD_SCHEMA", "MATCH_THRESHOLD", "GoldError", "GoldLetter", "item_similarity", "load_gold",
    "match_items", "normalise_field", "normalise_item", "squash",
]

GOLD_SCHEMA = "imr-gold/1"
FIELDS = ("case_number", "patient_age", "patient_sex", "date_of_injury", "ur_decision_date", "overall")


class GoldError(ImrError):
    """A gold record is missing or malformed (the labels' fault, not the product's)."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class GoldLetter:
    name: str  # the letter's file name, relative to the gold folder
    letter_path: Path
    record: dict


def _check_record(path: Path, record: Any) -> None:
    if not isinstance(record, dict) or record.get("schema") != GOLD_SCHEMA:
        raise GoldError(str(path), f"not an {GOLD_SCHEMA} record (schema tag missing or different)")
    if not isinstance(record.get("letter", ""), str) or not isinstance(record.get("decisions", []), list):
        raise GoldError(str(path), "'letter' must be a file name and 'decisions' a list")
    for n, d in enumerate(record.get("decisions") or [], start=1):
        if not isinstance(d, dict) or not d.get("item") or d.get("decision") not in ("upheld", "overturned"):
            raise GoldError(str(path), f"decision {n} needs an 'item' and a 'decision' of upheld/overturned")
    for n, q in enumerate(record.get("questions") or [], start=1):
        groups = q.get("answer_must_mention") if isinstance(q, dict) else None
        if not isinstance(groups, list) or not q.get("question") or not all(isinstance(g, list) for g in groups):
            raise GoldError(str(path), f"question {n} needs 'question' and 'answer_must_mention' (a list of lists)")


def load_gold(folder: str | Path) -> list[GoldLetter]:
    """Every `*.gold.json` record under a folder, with the letter it names (sorted by letter name)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise GoldError(str(folder), "not a folder")
    letters = []
    for path in sorted(folder.rglob("*.gold.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise GoldError(str(path), f"unreadable gold record ({exc})") from exc
        _check_record(path, record)
        stem = path.name.removesuffix(".gold.json")
        named = record.get("letter")
        letter = path.parent / Path(named).name if named else next(
            (p for p in (path.with_name(stem + ".txt"), path.with_name(stem + ".pdf")) if p.is_file()),
            path.with_name(stem + ".txt"))
        letters.append(GoldLetter(letter.relative_to(folder).as_posix(), letter, record))
    if not letters:
        raise GoldError(str(folder), "no *.gold.json records in this folder")
    return sorted(letters, key=lambda g: g.name)


def match_items(gold: list[str], predicted: list[str]) -> dict[int, int]:
    """One-to-one matching {gold index: predicted index}: the most pairs at >= 80, then the highest similarity."""
    if not gold or not predicted:
        return {}
    from scipy.optimize import linear_sum_assignment

    weights = [[0.0] * len(predicted) for _ in gold]
    for i, g in enumerate(gold):
        for j, p in enumerate(predicted):
            score = item_similarity(g, p)
            if score >= MATCH_THRESHOLD:
                weights[i][j] = 1000.0 + score - 0.01 * abs(i - j)  # ties go to the item in the same place
    rows, cols = linear_sum_assignment(weights, maximize=True)
    return {int(i): int(j) for i, j in zip(rows, cols) if weights[i][j] > 0}


def normalise_field(name: str, value: Any) -> Any:
    """Dates as YYYY-MM-DD, case numbers upper-case, sex and outcomes lower-case, ages as int."""
    if value is None:
        return None
    if hasattr(value, "value") and not isinstance(value, (str, int, date)):
        value = value.value  # a Grounded
    if isinstance(value, date):
        return value.isoformat()
    if name == "patient_age":
        try:
            return int(value)
        except (TypeError, ValueError):
            return str(value)
    text = " ".join(str(value).split())
    if name in ("date_of_injury", "ur_decision_date"):
        from ..parse.text import parse_date

        parsed = parse_date(text)
        return parsed.isoformat() if parsed else text
    return text.upper() if name == "case_number" else text.lower()


def squash(text: str) -> str:
    """Text with all whitespace removed: how evidence is compared with passages."""
    return re.sub(r"\s+", "", text)


