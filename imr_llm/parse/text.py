"""Small text utilities the parser stages share: cleaning values, dates, sentences, spans."""

from __future__ import annotations

import re
from functools import lru_cache
from datetime import date

from ..models import Grounded, Span
from ..vocabulary import sentences  # the one sentence splitter, here for the parser's stages

__all__ = [
    "clean_value",
    "ground",
    "is_noise_line",
    "parse_date",
    "sentences",
]

# Lines that are page furniture, not letter content.
_NOISE_LINE = re.compile(
    r"^[ ]*(?:page\s+\d+\s+(?:of\s+\d+)?|\d+\s+of\s+\d+|-\s*\d+\s*-|CM\d{2}-\d{5,7}[ ]*(?:page\s+\d+.*)?"
    r"|MAXIMUS\s+Federal\s+Services(?:,\s*Inc\.?)?[ ]*(?:page\s+\d+.*)?"
    r"|(?:IMR\s+)?Case\s+(?:Number|No\.?)\s*:?\s*CM\d{2}-\d{5,7}[ ]*(?:page\s+\d+.*)?)[ ]*$",
    re.IGNORECASE,
)


def is_noise_line(line: str) -> bool:
    return bool(_NOISE_LINE.match(line))


@lru_cache(maxsize=8192)
def clean_value(raw: str) -> str:
    """Readable form of a stretch of letter text: footers dropped, hyphenation joined, spaces collapsed."""
    lines = [line for line in raw.split("\n") if not is_noise_line(line)]
    text = "\n".join(lines)
    text = re.sub(r"(?<=[a-z])-[ ]*\n\s*(?=[a-z])", "", text)  # physi-\ncal -> physical
    text = re.sub(r"\s+", " ", text)
    return text.strip(" \n:;,")


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) so that it neither starts nor ends in whitespace or stray punctuation."""
    while start < end and text[start] in " \n\t:;,":
        start += 1
    while end > start and text[end - 1] in " \n\t:;,":
        end -= 1
    return start, end


def ground(text: str, start: int, end: int, value=None, *, trim: bool = True) -> Grounded:
    """A `Grounded` value for letter text [start, end); the value defaults to the cleaned text."""
    if trim:
        start, end = trim_span(text, start, end)
    quote = text[start:end]
    return Grounded(value=clean_value(quote) if value is None else value, quote=quote, span=Span(start=start, end=end))


_MONTHS = {
    m: i
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
         ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for m in names
}

DATE_PATTERN = (
    r"(?:\d{1,2}[/-]\d{1,2}[/-](?:\d{4}|\d{2})(?!\d)"
    r"|\d{4}-\d{2}-\d{2}"
    r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4})"
)


def parse_date(raw: str) -> date | None:
    raw = raw.strip()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", raw):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := re.fullmatch(r"(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})", raw):
            year = int(m[3])
            if year < 100:
                year += 2000 if year < 70 else 1900
            return date(year, int(m[1]), int(m[2]))
        if m := re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})", raw):
            month = _MONTHS.get(m[1].lower())
            return date(int(m[3]), month, int(m[2])) if month else None
    except ValueError:
        return None
    return None
