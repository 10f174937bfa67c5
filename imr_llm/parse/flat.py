"""A letter's text read as sentences, not lines: page furniture dropped, line breaks and
hyphenation joined, whitespace collapsed, Unicode quotes and dashes made plain, with
a map back to the letter's own character offsets.

Cues that read sentences match in `Flat.text`; `Flat.span(fs, fe)` turns a match
back into a span of the letter, so the way a letter happens to wrap, a page footer
in the middle of a sentence or CRLF line ends never change what is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["PLAIN", "Flat", "is_furniture", "iter_lines"]

# Page furniture: footers, headers and stamps that interrupt sentences.
_FURNITURE = re.compile(
    r"^[ \t]*(?:page\s+\d+\s*(?:of\s+\d+)?|\d+\s+of\s+\d+|-\s*\d+\s*-|CM\d{2}-\d{5,7}"
    r"|MAXIMUS\s+Federal\s+Services(?:,\s*Inc\.?)?|(?:IMR\s+)?Case\s+(?:Number|No\.?)\s*:?\s*CM\d{2}-\d{5,7})[ \t]*$"
    r"|^[^\n]{0,100}\bpage\s+\d+\s+of\s+\d+\b[^\n]{0,60}$"
    r"|^[ \t]*(?:Date\s*:?\s*)?(?:\d{1,2}/\d{1,2}/\d{2,4}|[A-Z][a-z]+\.?\s+\d{1,2},\s+\d{4})[ \t]*$"
    r"|^[^\n.]{0,70}\bCM\d{2}-\d{5,7}\b[^\n.:]{0,70}$"
    r"|^[ \t]*(?:RECEIVED|COPY|SCANNED)(?:\s+[A-Z0-9/ ,-]{0,30})?[ \t]*$",
    re.I,
)
PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
                        "\u00a0": " ", "\t": " ", "\u00ad": " ", "\f": " ", "\r": " "})


def is_furniture(line: str) -> bool:
    return bool(_FURNITURE.match(line))


def iter_lines(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) of each line of text[start:end], without its newline."""
    end = len(text) if end is None else end
    pos = start
    while pos <= end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        yield pos, stop
        if nl < 0:
            return
        pos = nl + 1


@dataclass
class Flat:
    """`text` is the letter as one run of sentences; `pos[i]` is the letter offset of `text[i]`."""

    text: str
    pos: list[int]
    size: int

    @classmethod
    def of(cls, letter_text: str, start: int = 0, end: int | None = None) -> Flat:
        """The flat view of letter_text[start:end] (cached: the readers ask for the same view several times)."""
        return _flat(letter_text, start, len(letter_text) if end is None else end)

    def span(self, fs: int, fe: int) -> tuple[int, int]:
        """Letter offsets of flat text [fs, fe)."""
        if fe <= fs:
            p = self.pos[fs] if fs < len(self.pos) else self.size
            return p, p
        return self.pos[fs], self.pos[fe - 1] + 1

    def find(self, offset: int) -> int:
        """Flat index of the first flat character at or after a letter offset."""
        lo, hi = 0, len(self.pos)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.pos[mid] < offset:
                lo = mid + 1
            else:
                hi = mid
        return lo


_RUN = re.compile(r" +|[^ ]+")


@lru_cache(maxsize=16)
def _flat(letter_text: str, start: int, end: int) -> Flat:
    pieces: list[str] = []
    pos: list[int] = []
    last = ""  # the last character kept
    lines = [(s, e) for s, e in iter_lines(letter_text, start, end) if not is_furniture(letter_text[s:e])]
    for n, (s, e) in enumerate(lines):
        line = letter_text[s:e].translate(PLAIN)  # one character for one: offsets stay put
        stop = len(line.rstrip())
        # A word hyphenated across lines ("medi-" / "cally") is joined: the hyphen is dropped.
        joined = False
        if n + 1 < len(lines) and re.search(r"[a-z]-$", line[:stop]):
            joined = letter_text[lines[n + 1][0] : lines[n + 1][1]].lstrip()[:1].islower()
        for run in _RUN.finditer(line, 0, stop - 1 if joined else stop):
            a, b = run.span()
            if line[a] == " ":
                if last and last != " ":  # a run of spaces is one space, none at the start
                    pieces.append(" ")
                    pos.append(s + a)
                    last = " "
                continue
            pieces.append(line[a:b])
            pos.extend(range(s + a, s + b))
            last = line[b - 1]
        if not joined and last and last != " ":
            pieces.append(" ")
            pos.append(e)
            last = " "
    return Flat("".join(pieces), pos, len(letter_text))


# Sentence ends: . ! ? (and a closing quote) before a capital, digit or quote; not after abbreviations.
_END = re.compile(r"""[.!?]["')]?(?=\s+["'(]?[A-Z0-9])|[.!?]["')]?\s*$""")
_ABBREV = re.compile(r"(?:\b(?:Dr|Mr|Ms|Mrs|vs|e\.g|i\.e|etc|approx|No|no|Inc|pp|p|mg|St|Jr|Sr|Fig|Ch)|\b[A-Z])\.$")


def flat_sentences(flat: Flat, fs: int = 0, fe: int | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) flat offsets of the sentences of flat.text[fs:fe]."""
    fe = len(flat.text) if fe is None else fe
    start = fs
    for m in _END.finditer(flat.text, fs, fe):
        stop = m.end()
        if _ABBREV.search(flat.text[max(start, stop - 6) : stop].rstrip("\"')")):
            continue
        if flat.text[start:stop].strip():
            yield start + (len(flat.text[start:stop]) - len(flat.text[start:stop].lstrip())), stop
        start = stop
    if flat.text[start:fe].strip():
        yield start + (len(flat.text[start:fe]) - len(flat.text[start:fe].lstrip())), fe
