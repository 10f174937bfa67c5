"""The plain-language summaries in the evaluation: a producer, a metric and a reporter for `evaluate`.

- `produce_plain` (in `evaluate.PRODUCERS`): the plain summary of the run's typed summary in each language,
  with its readability and faithfulness measures (`imr_llm.plain.checks`).
- `score_plain_outcomes` (in `evaluate.METRICS`, `plain_outcome_accuracy`): gold items whose plain item
  states the gold decision, typed and in the text.
- `plain_report` (in `evaluate.REPORTERS`): `plain_grade_mean`, `plain_grade_max`,
  `plain_es_fernandez_huerta_mean/min`, `plain_unsupported_numbers`, `plain_generic_reason_share` (items whose
  English why is only a general line, over all items; lower is better), ...
- `stated_outcomes(text)`: the outcome the text says for each item, in order ("Decision: APPROVED").
- `outcome_accuracy(plain, gold_decisions)`: gold items whose plain outcome (typed and as stated in the
  text) matches the gold decision, over all gold items.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..config import Settings
from ..plain.checks import fk_grade, spanish_readability, szigriszt_pazos, unsupported_numbers, word_count
from ..plain.summary import PlainSummary, plain_summary
from ..store.load import load_letter
from ..vocabulary import MATCH_THRESHOLD, item_similarity
from .runs import LetterRun, Miss, Tally

__all__ = ["PLAIN_LANGS", "outcome_accuracy", "plain_report", "produce_plain", "score_plain_outcomes",
           "stated_outcomes"]

PLAIN_LANGS = ("en", "es")

_OUTCOME_RE = re.compile(r"^[ \t]*(?:Decision|Decisión):\s*(NOT APPROVED|APPROVED|NO APROBADO|APROBADO)\b",
                         re.IGNORECASE | re.MULTILINE)


def stated_outcomes(text: str) -> list[bool]:
    """The outcome each item's 'Decision:' line states, in order: True = approved."""
    return [not m.group(1).upper().startswith(("NOT", "NO ")) for m in _OUTCOME_RE.finditer(text)]


def _norm(text: str) -> str:
    text = re.sub(r"^\s*(?:\d+[.)]\s*)?(?:is the request for\s+)?", "", text, flags=re.IGNORECASE)
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def outcome_accuracy(plain: PlainSummary, gold_decisions: Sequence[dict]) -> float:
    """Share of gold items whose plain item is matched and says the right outcome, typed and in the text.

    `plain` is a `PlainSummary` (items with `source_item` and `approved`); `gold_decisions` are the
    `decisions` of an `imr-gold/1` record (`item`, `decision`).
    """
    if not gold_decisions:
        return 1.0
    stated = stated_outcomes(plain.text)
    items = list(plain.items)
    used: set[int] = set()
    right = 0
    for gold in gold_decisions:
        want = _norm(gold["item"])
        for n, item in enumerate(items):
            have = _norm(item.source_item)
            if n in used or item_similarity(want, have) < MATCH_THRESHOLD:
                continue
            used.add(n)
            says = stated[n] if n < len(stated) else None
            if item.approved == (gold["decision"] == "overturned") and says == item.approved:
                right += 1
            break
    return right / len(gold_decisions)


def produce_plain(run: LetterRun, settings: Settings) -> None:
    """A producer for `evaluate.PRODUCERS`: the plain summary of the run's typed summary in each language,
    with its readability and faithfulness measures, kept in `run.extra['plain'][lang]`."""
    if run.summary is None:
        return
    letter = load_letter(run.gold.letter_path)
    measures = run.extra.setdefault("plain", {})
    for lang in PLAIN_LANGS:
        plain = plain_summary(run.summary, letter.text, lang, settings=settings)  # type: ignore[arg-type]
        measures[lang] = {
            "summary": plain,
            "grade": fk_grade(plain.text) if lang == "en" else None,
            "ease": spanish_readability(plain.text) if lang == "es" else None,
            "szigriszt": szigriszt_pazos(plain.text) if lang == "es" else None,
            "unsupported": unsupported_numbers(plain.text, letter.text, lang=lang),
            "words": word_count(plain.text),
            "engine": plain.engine,
            "fallback_from": plain.fallback_from,
        }


def score_plain_outcomes(run: LetterRun) -> Tally:
    """A metric for `evaluate.METRICS`: gold items whose plain item (matched as the typed item is) states the
    gold decision, typed and in the text, counted once per language. A letter that failed to load or parse
    has no plain summary and is not counted here (decision_accuracy counts it)."""
    tally = Tally()
    if run.summary is None:
        return tally
    measured = run.extra.get("plain") or {}
    for lang in PLAIN_LANGS:
        plain = measured.get(lang, {}).get("summary")
        stated = stated_outcomes(plain.text) if plain else []
        for i, gold in enumerate(run.gold.record.get("decisions") or []):
            j = run.matching.get(i)
            want = gold["decision"] == "overturned"
            item = plain.items[j] if plain and j is not None and j < len(plain.items) else None
            said = stated[j] if item is not None and j < len(stated) else None
            tally.add(item is not None and item.approved == want and said == want,
                      Miss("plain_outcome_accuracy", f"{lang} plain outcome of item {i + 1} {gold['item']!r}",
                           None if item is None else item.outcome, gold["decision"],
                           run.error or ("no plain item matches this gold item" if item is None else "")))
    return tally


def plain_report(runs: list[LetterRun], per_letter: list[dict] | None = None) -> dict:
    """The folder's plain-summary figures for the report, and each letter's under `per_letter[n]['plain']`."""
    measured = [run.extra.get("plain") or {} for run in runs]
    grades = [m["en"]["grade"] for m in measured if "en" in m]
    eases = [m["es"]["ease"] for m in measured if "es" in m]
    szig = [m["es"]["szigriszt"] for m in measured if "es" in m]
    words = [m[lang]["words"] for m in measured for lang in PLAIN_LANGS if lang in m]
    unsupported = sum(len(m[lang]["unsupported"]) for m in measured for lang in PLAIN_LANGS if lang in m)
    fallbacks = sum(m[lang]["fallback_from"] is not None for m in measured for lang in PLAIN_LANGS if lang in m)

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 2) if values else None

    # Items whose English why is only a general line, rather than a template keyed on a sentence of the item's
    # own rationale or the reviewer's own sentence made plain.
    kinds = [item.why_kind for m in measured if "en" in m for item in m["en"]["summary"].items]
    generic = sum(kind == ["general"] for kind in kinds)
    if per_letter is not None:
        for row, m in zip(per_letter, measured, strict=False):
            if m:
                # "fallback_from" only when the model fell back: an offline run's rows keep their shape
                row["plain"] = {lang: {k: v for k, v in m[lang].items()
                                       if k != "summary" and not (k == "fallback_from" and v is None)} for lang in m}
    return {
        "lower_is_better": ["plain_grade_mean", "plain_grade_max", "plain_words_max", "plain_unsupported_numbers",
                            "plain_llm_fallbacks", "plain_generic_reason_share"],
        "plain_grade_mean": mean(grades),
        "plain_grade_max": round(max(grades), 2) if grades else None,
        "plain_es_fernandez_huerta_mean": mean(eases),
        "plain_es_fernandez_huerta_min": round(min(eases), 2) if eases else None,
        "plain_es_szigriszt_pazos_mean": mean(szig),
        "plain_es_szigriszt_pazos_min": round(min(szig), 2) if szig else None,
        "plain_words_max": max(words) if words else None,
        "plain_unsupported_numbers": unsupported if measured else None,
        "plain_llm_fallbacks": fallbacks if measured else None,
        "plain_generic_reasons": generic if kinds else None,
        "plain_generic_reason_share": round(generic / len(kinds), 4) if kinds else None,
    }
