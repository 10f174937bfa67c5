"""Meaning-preserving rewrites of IMR letters, to measure how stable the reader is (issue 10).

Each rewrite is a pure function `rewrite(text, *, seed=0, protect=frozenset()) -> str`: the same
text, seed and protected words always give the same result, and a person reading the result
learns exactly what the original says (the same disputed items, decisions, dates, age, sex and
case number). They imitate what real letter text shows after a PDF was printed, scanned, OCR'd,
copied or re-typed: other line widths with hyphenated words, double spacing, CRLF, page headers
in the middle of a sentence, OCR confusions, typographic punctuation, ragged whitespace, other
capitalisation, form feeds, ligatures, soft hyphens, redaction gaps.

`protect` is a set of lower-case words that a rewrite which changes spelling (only `ocr`) must
leave alone; `protected_words` builds it from a gold record and the reader's summary of the
original letter. Every other rewrite ignores it.

    python -m evals.rewrites report [FOLDER...]     # rewrite x letters unchanged, and what changed
    python -m evals.rewrites show LETTER REWRITE    # print one rewrite of one letter
"""

from __future__ import annotations

import json
import random
import re
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

__all__ = [
    "DECISION_WORDS",
    "REWRITES",
    "LetterCase",
    "case_changes",
    "compare",
    "double_space",
    "form_feeds",
    "gold_agreement",
    "hyphenate_all",
    "indent",
    "letter_paths",
    "letter_seed",
    "ligatures",
    "line_endings",
    "ocr",
    "page_headers",
    "pdf_extract",
    "protected_words",
    "read_letter_text",
    "rewrap_60",
    "rewrap_110",
    "soft_hyphens",
    "spacing",
    "tabs",
    "trailing_spaces",
    "unicode_punctuation",
]

Rewrite = Callable[..., str]

# Words that carry a decision (never respelled by `ocr`, never hyphenated by a rewrap).
DECISION_WORDS = frozenset([
    "upheld", "uphold", "upholds", "upholding", "overturned", "overturn", "overturns", "overturning", "denied",
    "deny", "denies", "denial", "approved", "approve", "approval", "certified", "certify", "certification",
    "noncertified", "non", "noncertification", "necessary", "unnecessary", "not", "reversed", "reverse",
    "modified", "modify", "modification", "medically", "yes", "no", "decision", "decisions", "determination",
    "determinations", "determined", "appropriate", "authorized", "authorize", "partial", "partially", "final",
])
# Words that say the patient's sex or age (case fields read from prose).
_CASE_WORDS = frozenset([
    "he", "she", "his", "her", "him", "hers", "male", "female", "man", "woman", "gentleman", "lady", "year",
    "years", "old", "aged", "age", "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
])
_ACRONYMS = {"IMR", "UR", "MTUS", "ODG", "ACOEM", "MAXIMUS", "CA", "PO", "P.O.", "PT", "MRI", "EMG", "NCV", "NCS",
             "ESI", "FRP", "HHA", "RFA", "TENS", "CBT", "DME", "AME", "QME", "PTP", "II", "III", "IV", "(S)", "INC."}
_SMALL = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}


# ---------------------------------------------------------------------------------------------
# line helpers

def _split(text: str) -> tuple[list[str], str, bool]:
    """The letter's lines (LF), its newline ('\\r\\n' when most lines end so), whether it ended with one."""
    nl = "\r\n" if text.count("\r\n") > text.count("\n") / 2 else "\n"
    body = text.replace("\r\n", "\n")
    ends = body.endswith("\n")
    return (body[:-1] if ends else body).split("\n"), nl, ends


def _join(lines: list[str], nl: str, ends: bool) -> str:
    return nl.join(lines) + (nl if ends else "")


def _is_heading(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _is_tabular(line: str) -> bool:
    """A line of a table or a header block: columns separated by runs of spaces, pipes or dot leaders,
    rules, 'Label:  value'."""
    inner = line.strip()
    gaps = re.findall(r"(\S+)( {3,})\S", inner)
    columns = [g for g in gaps if len(g[1]) >= 6 or not re.fullmatch(r"(by|from|and|the|of|to|with|Dr\.?|.*[.,;])",
                                                                       g[0], re.IGNORECASE)]
    return bool(columns) or inner.count("|") >= 2 or bool(re.search(r":\s{2,}\S|\.{4,}|_{4,}|…{2,}", inner)) \
        or bool(re.fullmatch(r"[-=_+| ]{5,}", inner)) or "\t" in inner


_LIST_START = re.compile(r"^\s*(\d{1,2}[.)]\s|\(?[a-z0-9]\)\s|[•\-*·]\s)")
_LABEL_START = re.compile(r"^\s*[A-Z][A-Za-z'/() ]{1,50}:(\s|$)")
_FURNITURE = re.compile(r"\bPage \d+ of \d+|^\s*(IMR Case( Number)?:? )?CM\d\d-\d+\b", re.IGNORECASE | re.MULTILINE)
_LONE_DECISION = re.compile(r"^\s*(upheld|overturned|uphold|overturn)\W*$", re.IGNORECASE)


def _width(lines: list[str]) -> int:
    lengths = sorted(len(line.rstrip()) for line in lines if line.strip())
    return lengths[int(0.97 * (len(lengths) - 1))] if lengths else 80


def _soft_break(line: str, nxt: str, width: int) -> bool:
    """True when the break after `line` only wrapped a paragraph: `nxt`'s first word did not fit."""
    a, b = line.rstrip(), nxt.strip()
    if not a.strip() or not b:
        return False
    if _is_heading(a) or _is_heading(b) or _is_tabular(a) or _is_tabular(b) or _FURNITURE.search(a + "\n" + b):
        return False
    if a.endswith((":", "?")) or _LIST_START.match(nxt) or _LABEL_START.match(nxt) or _LONE_DECISION.match(b):
        return False
    if re.search(r"[A-Za-z]-$", a) and b[:1].islower():  # a word broken by its writer: keep that break
        return False
    if len(a) + 1 + len(b.split()[0]) > width - 3:  # the next word did not fit
        return True
    return len(a) >= 0.75 * width and not re.search(r"[.!?][\"')]?$", a)  # a full line ending mid-sentence


def _paragraphs(lines: list[str]) -> list[tuple[int, int]]:
    """(first, last+1) of each run of lines joined by soft breaks (single-spaced or double-spaced text)."""
    width = _width(lines)
    double = sum(1 for i in range(len(lines) - 1) if lines[i].strip() and not lines[i + 1].strip()) > 0.6 * sum(
        1 for line in lines if line.strip())
    runs, i = [], 0
    while i < len(lines):
        j = i
        while True:
            if j + 1 < len(lines) and _soft_break(lines[j], lines[j + 1], width):
                j += 1
            elif double and j + 2 < len(lines) and lines[j + 1] == "" and _soft_break(lines[j], lines[j + 2], width):
                j += 2
            else:
                break
        runs.append((i, j + 1))
        i = j + 1
    return runs


# ---------------------------------------------------------------------------------------------
# 1. rewrapping

_VOWELS = set("aeiouyAEIOUY")
_DIGRAPHS = {"ch", "ck", "gh", "ph", "sh", "th", "wh", "qu"}


def _hyphen_point(word: str, room: int, decisions: bool = False) -> int:
    """Where to break `word` so that its head and a hyphen fit in `room` columns (0: do not): the
    last place, three letters or more from either end, between two consonants ('prac-tice') or
    before a consonant that a vowel follows ('physi-cal')."""
    core = re.fullmatch(r"([A-Za-z]+)([,.;:]?)", word)
    if not core or len(core.group(1)) < 8 or core.group(1).lower() in DECISION_WORDS and not decisions:
        return 0
    letters = core.group(1)
    for cut in range(min(room - 1, len(letters) - 3), 2, -1):
        before, at, after = letters[cut - 1], letters[cut], letters[cut + 1]
        if before + at in _DIGRAPHS or at + after in _DIGRAPHS and before not in _VOWELS:
            continue
        if before not in _VOWELS and at not in _VOWELS and after in _VOWELS and letters[cut - 2] in _VOWELS:
            return cut
        if before in _VOWELS and at not in _VOWELS and after in _VOWELS:
            return cut
    return 0


def _rewrap(text: str, width: int, seed: int, every: bool = False) -> str:
    rng = random.Random(seed)
    lines, nl, ends = _split(text)
    out: list[str] = []
    for first, last in _paragraphs(lines):
        block = [line for line in lines[first:last] if line.strip()]
        indent = re.match(r"\s*", block[0]).group(0) if block else ""
        if not block or len(block) == 1 and len(block[0].rstrip()) <= width or len(indent) > width // 3 \
                or any(_is_tabular(line) or _is_heading(line) for line in block):
            out.extend(lines[first:last])
            continue
        pieces = re.findall(r"(\S+)(\s*)", " ".join(line.strip() for line in block))
        current, gap = indent, ""
        for word, after in pieces:
            if current.strip() and len(current) + len(gap) + len(word) > width:
                cut = _hyphen_point(word, width - len(current) - len(gap), decisions=every)
                if cut and (every or rng.random() < 0.7):
                    out.append(current + gap + word[:cut] + "-")
                    word = word[cut:]
                else:
                    out.append(current)
                current, gap = indent, ""
            current += gap + word
            gap = after or " "
        out.append(current)
    return _join(out, nl, ends)


def rewrap_60(text: str, *, seed: int = 0, protect: frozenset[str] = frozenset()) -> str:
    """Prose paragraphs rewrapped at 60 columns, some long words hyphenated across lines.

    A paragraph is a run of lines whose breaks only wrapped it (the next line's first word would
    not have fitted); headings, tables, 'Label:  value' lines, list items and a lone 'Upheld' keep
    their lines. Decision words are never hyphenated; a word its writer broke stays broken.

    >>> print(rewrap_60("The request for physical therapy two times a week for four weeks for the lumbar\\n"
    ...                 "spine is not medically necessary and appropriate.\\n", seed=1), end="")
    The request for physical therapy two times a week for four
    weeks for the lumbar spine is not medically necessary and
    appropriate.
    """
    return _rewrap(text, 60, seed)


def rewrap_110(text: str, *, seed: int = 0, protect: frozenset[str] = frozenset()) -> str:
    """Prose paragraphs rewrapped at 110 columns (wider than any letter's own), as `rewrap_60`."""
    return _rewrap(text, 110, seed)


def hyphenate_all(text: str, *, seed: int = 0, protect: frozenset[str] = frozenset()) -> str:
    """Prose paragraphs rewrapped at 72 columns with every long word that does not fit hyphenated,
    decision words too ('medi-' / 'cally necessary', 'over-' / 'turned'), as justified PDF text shows.

    >>> print(hyphenate_all("Therefore the requested lumbar epidural steroid injection is not medically "
    ...                     "necessary and the denial is upheld.\\n"), end="")
    Therefore the requested lumbar epidural steroid injection is not medi-
    cally necessary and the denial is upheld.
    """
    return _rewrap(text, 72, seed, every=True)


# ---------------------------------------------------------------------------------------------
# 2., 3. line spacing and endings

def double_space(text: str, *, seed: int = 0, protect: frozenset[str] = frozenset()) -> str:
    """A blank line after every line, as text extracted from some PDFs shows.

    >>> double_space("Decision: Upheld\\nRationale: none\\n")
    'Decision: Upheld\\n\\nRationale: none\\n\\n'
    """
    lines, nl, ends = _split(text)
    return _join([x for line in lines for x in (line, "")], nl, ends)


def line_endings(text: str, *, seed: int = 0, protect: frozenset[str] = frozenset()) -> str:
    """CRLF line endings; a letter that already has CRLF gets LF, so the rewrite always changes it.

    >>> line_endings("a\\nb\\n"), line_endings("a\\r\\nb\\r\\n")
    ('a\\r\\nb\\r\\n', 'a\\nb\\n')
    """
    lines, nl, ends = _split(text)
    return _join(lines, "\n" if nl == "\r\n" else "\r\n", ends)


# ---------------------------------------------------------------------------------------------
# 4. page furniture

def _case_number(text: str) -> str | None:
    found = re.search(r"\bCM\d{2}-\d{5,8}\b", text)
    return found.group(0) if found else None


def _letter_date(text: str) -> str | None:
    found = re.search(r"(?:Dated|Decision Date|Date of Letter)\s*:\s*"
                      r"([0-9]{1,2}/[0-9]{1,2}/[0-9]{2,4}|[A-Z][a-z]+ \d{1,2}, \d{4})", text)
    return found.group(1) if found else None


def _break_points(lines: list[str], rng: random.Random) -> list[int]:
    """Line indexes every 40-55 lines (the first by the middle of a short letter) where a page break
    falls between two lines of text."""
    points, at = [], min(rng.randint(40, 55), len(lines) // 2)  # a short letter still gets one break
    while at < len(lines) - 3:
        window = [k for k in range(at, min(at + 12, len(lines) - 1))
                  if not next((x for x in reversed(lines[:k]) if x.strip()), "").rstrip().endswith("-")]
        best = next((k for k in window if lines[k - 1].strip() and lines[k].strip()), window[0] if window else at)
        points.append(best)
        at = best + rng.randint(40, 55)
    return points


def _paginate(text: str, seed: int, furniture: Callable[[int, int, random.Random], list[str]]) -> str:
    rng = random.Random(seed)
    lines, nl, ends = _split(text)
    points = _break_points(lines, rng)
    out, previous = [], 0
    for page, point in enumerate(points, start=1):
        out.extend(lines[previous:point])
        out.extend(furniture(page, len(points) + 1, rng))
        previous = point
    out.extend(lines[previous:])
    return _join(out, nl, ends)


def page_headers(text: str, *, seed: int = 0, protect: frozenset[str] = frozenset()) -> str:
    """A page footer and the next page's header every 40-55 lines, mid-sentence where it can.

    Footers and headers only repeat what the letter prints: 'Page 3 of 7', its own case number
    ('CM14-0012345', 'Final Determination Letter for IMR Case Number CM14-0012345') and its own
    date; a letter without a case number gets none (a new one would change the case field).

    >>> letter = "Case Number: CM14-0012345\\n" + "\\n".join(f"line {n}" for n in range(1, 60))
    >>> page_headers(letter, seed=1).split("\\n")[29:37]  # doctest: +NORMALIZE_WHITESPACE
    ['line 29', '', 'CM14-0012345', 'Page 1 of 2', '',
     'Final Determination Letter for IMR Case Number CM14-0012345', '', 'line 30']
    """
    case, dated = _case_number(text), _letter_date(text)

    def furniture(page: int, pages: int, rng: random.Random) -> list[str]:
        footer = ["", *([case] if case else []), f"Page {page} of {pages}", ""]
        header = []
        if case and rng.random() < 0.7:
            header.append(f"Final Determination Letter for IMR Case Number {case}")
        if dated and rng.random() < 0.5:
            header.append(dated)
        return footer + (header + [""] if header else [])

    return _paginate(text, seed, furniture)


def form_feeds(text: str, *, seed: int = 0, protect: frozenset[str] = frozenset()) -> str:
    """A form feed (page break, as pdftotext writes it) every 40-55 lines, mid-sentence where it can.

    >>> form_feeds("\\n".join(f"line {n}" for n in range(60)), seed=3).count("\\f")
    1
    """
    return _paginate(text, seed, lambda page, pages, rng: ["\f" + f"Page {page + 1} of {pages}" if rng.random() < 0.5
                                                           else "\f"])


# ---------------------------------------------------------------------------------------------
# 5. OCR confusions

# The first line of a block that names guidelines (the claims administrator's or the reviewer's).
_GUIDELINE_LINE = re.compile(r"guidelines?\s*(used|relied upon|cited)?\s*:|based (his|her|his/her|its) decision on|"
                             r"relied upon|guideline\(s\)", re.IGNORECASE)
_DECISION_SENTENCE = re.compile(r"\b(upheld|overturned|uphold|overturn|reversed|approved|denied|deny|(non-?)?certified|"
                                r"medically\s+necessary|not\s+necessary)\b", re.IGNORECASE)
# Words by which letters announce items and their sections.
_STRUCTURE_WORDS = frozenset([
    "item", "items", "issue", "issues", "request", "requests", "requested", "requesting", "service", "services",
    "disputed", "dispute", "treatment", "treatments", "rationale", "rationales", "reviewer", "reviewers",
    "guideline", "guidelines", "summary", "claims", "administrator", "case", "number", "injury", "date",
    "dated", "review", "reviewed", "utilization", "independent", "medical", "professional", "expert", "maximus",
    "federal", "question", "questions", "outcome", "result", "results", "finding", "findings",
])


def _respell(word: str, rng: random.Random) -> str:
    options = []
    if "l" in word:
        options.append(("l", "1"))
    if "O" in word or "o" in word:
        options.append(("O" if "O" in word else "o", "0"))
    if "rn" in word:
        options.append(("rn", "m"))
    if "e" in word[1:]:
        options.append(("e", "c"))
    if "m" in word:
        options.append(("m", "rn"))
    if not options:
        return word
    old, new = rng.choice(options)
    spots = [m.start() for m in re.finditer(re.escape(old), word) if m.start() > 0 or old in "lO"]
    if not spots:
        return word
    at = rng.choice(spots)
    return word[:at] + new + word[at + len(old):]


def _decision_sentences(body: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence that carries a decision ('... is upheld.', 'Non-certified.')."""
    bounds = [0] + [m.end() for m in re.finditer(r"[.?!;][\"')]?\s+|\n[ \t]*\n", body)] + [len(body)]
    spans = []
    for found in _DECISION_SENTENCE.finditer(body):
        at = next(i for i in range(len(bounds) - 1) if bounds[i] <= found.start() < bounds[i + 1])
        spans.append((bounds[at], bounds[at + 1]))
    return spans


def ocr(text: str, *, seed: int = 0, protect: frozenset[str] = frozenset()) -> str:
    """OCR-like confusions (l->1, O->0, rn->m, m->rn, e->c) and two words run together, in about one
    word in eight of the plain prose.

    Left alone: words in `protect` (lower case; see `protected_words`), decision words and every
    word of a sentence that states a decision, words that announce items ('Item', 'Issue',
    'Request'...), words of headings, of 'Label:' prefixes and of blocks that name guidelines,
    pronouns, age words and month names, any token with a digit, words shorter than four letters.

    >>> ocr("The patient reported illness after lifting boxes at the warehouse on 2/1/14.", seed=4,
    ...     protect=frozenset({"patient"}))
    'The patient reported illncss after 1ifting boxes at the warehouse on 2/1/14.'
    >>> ocr("The worker reported illness after lifting boxes. Therefore additional aquatic therapy "
    ...     "sessions are overturned.", seed=8)
    'The worker reported illnessafter lifting b0xes. Therefore additional aquatic therapy sessions are overturned.'
    """
    rng = random.Random(seed)
    lines, nl, ends = _split(text)
    body = "\n".join(lines)
    sentences = _decision_sentences(body)
    out, guideline_block, offset = [], False, 0

    def eligible(token: str, at: int) -> bool:
        word = token.rstrip(",.;").lower()
        return bool(re.fullmatch(r"[A-Za-z]{4,}[,.;]?", token)) and word not in protect and word not in DECISION_WORDS \
            and word not in _CASE_WORDS and word not in _STRUCTURE_WORDS \
            and not any(a <= at < b for a, b in sentences)

    for line in lines:
        start, offset = offset, offset + len(line) + 1
        if not line.strip():
            guideline_block = False
        elif _GUIDELINE_LINE.search(line):
            guideline_block = True
        if _is_heading(line) or _is_tabular(line) or guideline_block:
            out.append(line)
            continue
        label = _LABEL_START.match(line)
        head = line[:label.end()] if label else ""
        tokens, at = re.split(r"( +)", line[len(head):]), start + len(head)
        places = []
        for token in tokens:
            places.append(at)
            at += len(token)
        k = 0
        while k < len(tokens):
            token = tokens[k]
            if eligible(token, places[k]):
                roll = rng.random()
                if roll < 0.11:
                    tokens[k] = _respell(token, rng)
                elif roll < 0.14 and k + 2 < len(tokens) and tokens[k + 1] == " " and token.isalpha() \
                        and eligible(tokens[k + 2], places[k + 2]):
                    tokens[k:k + 3] = [token + tokens[k + 2]]
                    places[k:k + 3] = [places[k]]
            k += 1
        out.append(head + "".join(tokens))
    return _join(out, nl, ends)


# ---------------------------------------------------------------------------------------------
# 6. typography

def unicode_punctuation(text: str, *, seed: int = 0, protect: frozenset[str] = frozenset()) -> str:
    """Typographic quotes and dashes (’ ‘ “ ” – —) for ASCII ones, and some non-breaking spaces.

    Apostrophes become ’, paired quotes “…”, a spaced hyphen or '--' a dash, a number range
    ('98-99', 'L4-5') an en dash; dates and case numbers keep their hyphens. About one space
    in ten, and the space after a label's colon, becomes U+00A0.

    >>> unicode_punctuation('The physician\\'s note says "better" -- pages 98-99.', seed=2)
    'The physician’s note\\xa0says “better”—pages 98–99.'
    """
    rng = random.Random(seed)
    text = re.sub(r"(?<=\w)'(?=\w)", "’", text)
    text = re.sub(r"(^|(?<=[\s(\[]))'(?=\S)([^'\n]*?)(?<=\S)'", r"‘\2’", text, flags=re.MULTILINE)
    text = re.sub(r'(^|(?<=[\s(\[]))"', "“", text, flags=re.MULTILINE)
    text = text.replace('"', "”")
    text = re.sub(r"\s?(?<!-)--(?!-)\s?", "—", text)  # not a rule of hyphens
    text = re.sub(r"(?<=\S) - (?=\S)", lambda m: rng.choice([" – ", " — "]), text)
    text = re.sub(r"(?<![A-Za-z]{2}\d\d)(?<![\d/-])(\b[A-Z]?\d{1,3})-(\d{1,3})\b(?![-/]\d)", r"\1–\2", text)
    text = re.sub(r"(?<=[A-Za-z]:) (?=\S)", "\u00a0", text)
    return re.sub(r"(?<=[a-z,]) (?=[a-z])", lambda m: "\u00a0" if rng.random() < 0.1 else " ", text)


def ligatures(text: str, *, seed: int = 0, protect: frozenset[str] = frozenset()) -> str:
    """The typographic ligatures a PDF's text layer often gives (ﬃ ﬀ ﬁ ﬂ), in every word that has them.

    >>> ligatures("certified by the office staff, non-certified by UR, affiliation")
    'certiﬁed by the oﬃce staﬀ, non-certiﬁed by UR, aﬃliation'
    """
    for plain, joined in (("ffi", "ﬃ"), ("ffl", "ﬄ"), ("ff", "ﬀ"), ("fi", "ﬁ"), ("fl", "ﬂ")):
        text = text.replace(plain, joined)
    return text


def soft_hyphens(text: str, *, seed: int = 0, protect: frozenset[str] = frozenset()) -> str:
    """An invisible soft hyphen (U+00AD) inside about one long word (eight letters or more) in five.

    >>> soft_hyphens("Acupuncture treatments were requested.", seed=1)
    'Acu\\xadpuncture treatments were requested.'
    """
    rng = random.Random(seed)

    def place(match: re.Match) -> str:
        word = match.group(0)
        if rng.random() >= 0.2:
            return word
        at = rng.randint(3, len(word) - 3)
        return word[:at] + "\u00ad" + word[at:]

    return re.sub(r"\b[A-Za-z]{8,}\b", place, text)


# ---------------------------------------------------------------------------------------------
# 7. whitespace

def trailing_spaces(text: str, *, seed: int = 0, protect: frozenset[str] = frozenset()) -> str:
    """Each line's trailing whitespace replaced by none, some spaces or a tab (blank lines too).

    >>> trailing_spaces("Decision: Upheld \\n\\nnext\\n", seed=3)
    'Decision: Upheld\\n\\t\\nnext\\t\\n'
    """
    rng = random.Random(seed)
    lines, nl, ends = _split(text)
    return _join([line.rstrip(" \t") + rng.choice(["", "", " ", "   ", "\t", "  \t "]) for line in lines], nl, ends)


def indent(text: str, *, seed: int = 0, protect: frozenset[str] = frozenset()) -> str:
    """Each block of non-blank lines indented by the same 1-6 spaces or a tab (the first line of a
    prose block sometimes four more), so columns within a block keep their alignment.

    >>> indent("Norco 10/325mg #60:  Overturned\\n\\nThe request is\\nnot medically necessary.\\n", seed=7)
    '    Norco 10/325mg #60:  Overturned\\n\\n  The request is\\n  not medically necessary.\\n'
    """
    rng = random.Random(seed)
    lines, nl, ends = _split(text)
    out, pad, first = [], "", True
    for line in lines:
        if not line.strip():
            out.append(line)
            first = True
            continue
        if first:
            pad = rng.choice([" ", "  ", "    ", "      ", "\t"])
            extra = "    " if len(line) > 60 and not _is_tabular(line) and rng.random() < 0.3 else ""
            out.append(pad + extra + line)
            first = False
        else:
            out.append(pad + line)
    return _join(out, nl, ends)


def tabs(text: str, *, seed: int = 0, protect: frozenset[str] = frozenset()) -> str:
    """A tab for the run of spaces after a label's colon ('Date of Injury:\\t04/02/2014', 'Norco
    10/325mg #60:\\tOverturned'), as text saved from a word processor shows.

    >>> tabs("Date of Injury:    04/02/2014\\nNorco 10/325mg #60:  Overturned\\nThe diagnoses are: 1. strain\\n")
    'Date of Injury:\\t04/02/2014\\nNorco 10/325mg #60:\\tOverturned\\nThe diagnoses are: 1. strain\\n'
    """
    return re.sub(r"(?<=:) {2,}(?=\S)", "\t", text)


def spacing(text: str, *, seed: int = 0, protect: frozenset[str] = frozenset()) -> str:
    """Two spaces after a sentence's full stop, and redaction gaps (a name blanked out, leaving
    spaces: 'report by   states') widened by two to five spaces, outside tables.

    >>> spacing("Per the report by  , the pain is 7/10. She is working.\\n", seed=1)
    'Per the report by     , the pain is 7/10.  She is working.\\n'
    """
    rng = random.Random(seed)
    lines, nl, ends = _split(text)
    out = []
    for line in lines:
        if _is_tabular(line) or _is_heading(line):
            out.append(line)
            continue
        line = re.sub(r"(?<=[a-z0-9)]\.) (?=[A-Z])", "  ", line)
        line = re.sub(r"(?<=\S)( {2,})(?=\S)", lambda m: m.group(1) + " " * rng.randint(2, 5)
                      if m.group(1) != "  " or m.string[m.start() - 1] != "." else m.group(1), line)
        out.append(line)
    return _join(out, nl, ends)


# ---------------------------------------------------------------------------------------------
# 8. capitalisation

def _title(line: str) -> str:
    words = []
    for n, word in enumerate(line.split(" ")):
        bare = word.strip(",:;")
        if bare.upper() in _ACRONYMS or not bare or re.search(r"\d", word):
            words.append(word)
        elif n and word.lower() in _SMALL:
            words.append(word.lower())
        else:
            words.append("/".join(w if w.strip(",:;").upper() in _ACRONYMS else w[:1].upper() + w[1:].lower()
                                  for w in word.split("/")))
    return " ".join(words)


def case_changes(text: str, *, seed: int = 0, protect: frozenset[str] = frozenset()) -> str:
    """Other capitalisation: each decision word (Upheld, OVERTURNED, uphold) in another of its upper /
    Title / lower forms, 'not medically necessary' sometimes 'NOT', upper-case headings in Title
    Case and 'Label:' prefixes in upper case.

    >>> case_changes("CLINICAL CASE SUMMARY\\nDecision rationale: is not medically necessary.\\n"
    ...              "Knee MRI:  Upheld\\n", seed=1)
    'Clinical Case Summary\\nDECISION RATIONALE: is NOT medically necessary.\\nKNEE MRI:  UPHELD\\n'
    """
    rng = random.Random(seed)

    def recase(match: re.Match) -> str:
        word = match.group(0)
        forms = [f for f in (word.upper(), word.capitalize(), word.lower()) if f != word]
        return rng.choice(forms)

    lines, nl, ends = _split(text)
    out = []
    for line in lines:
        if _is_heading(line) and not _is_tabular(line) and not re.search(r"\d", line):
            line = _title(line)
        else:
            label = _LABEL_START.match(line)
            if label and len(label.group(0).split()) <= 6:
                line = label.group(0).upper() + line[label.end():]
        line = re.sub(r"\b(upheld|overturned|uphold|overturn)\b", recase, line, flags=re.IGNORECASE)
        line = re.sub(r"\bnot(?= medically necessary)", lambda m: "NOT" if rng.random() < 0.5 else "not", line)
        out.append(line)
    return _join(out, nl, ends)


# ---------------------------------------------------------------------------------------------
# a combination

def pdf_extract(text: str, *, seed: int = 0, protect: frozenset[str] = frozenset()) -> str:
    """What a letter printed to PDF and extracted again often looks like: rewrapped at 110 columns,
    page headers and form feeds, ligatures, and a blank line after every line."""
    text = rewrap_110(text, seed=seed)
    text = page_headers(text, seed=seed)
    text = form_feeds(text, seed=seed + 1)
    return double_space(ligatures(text))


REWRITES: dict[str, Rewrite] = {
    "rewrap_60": rewrap_60,
    "rewrap_110": rewrap_110,
    "hyphenate_all": hyphenate_all,
    "double_space": double_space,
    "line_endings": line_endings,
    "page_headers": page_headers,
    "form_feeds": form_feeds,
    "ocr": ocr,
    "unicode_punctuation": unicode_punctuation,
    "ligatures": ligatures,
    "soft_hyphens": soft_hyphens,
    "trailing_spaces": trailing_spaces,
    "indent": indent,
    "spacing": spacing,
    "tabs": tabs,
    "case_changes": case_changes,
    "pdf_extract": pdf_extract,
}


# ---------------------------------------------------------------------------------------------
# letters, protected words, the report

EVALS = Path(__file__).resolve().parent
FOLDERS = (EVALS / "gold", EVALS / "blind")


def letter_paths(folders=FOLDERS) -> list[Path]:
    """Every .txt letter in the folders (what is there now: evals/blind is being filled)."""
    return [p for folder in map(Path, folders) if folder.is_dir()
            for p in sorted(folder.glob("*.txt")) if not p.name.startswith(".")]


def letter_seed(path: Path) -> int:
    return zlib.crc32(path.name.encode("utf-8"))


def read_letter_text(path: Path) -> str:
    """The letter's text as stored (line endings kept), decoded as UTF-16 (BOM), UTF-8 or cp1252."""
    data = Path(path).read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _words(text: str | None) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]+", text or "")}


def _sentence_at(text: str, start: int, end: int) -> str:
    left = max(text.rfind(". ", 0, start), text.rfind("\n\n", 0, start), 0)
    right = min((i for i in (text.find(". ", end), text.find("\n\n", end)) if i >= 0), default=len(text))
    return text[left:right]


def protected_words(record: dict | None = None, summary=None, letter_text: str = "") -> frozenset[str]:
    """Lower-case words `ocr` must not respell: those of the gold record's items, guidelines,
    reviewer specialty and question evidence, and of what the reader found in the original letter
    (item, decision and guideline quotes, and the sentence of each case field's quote)."""
    words: set[str] = set()
    if record:
        for d in record.get("decisions") or []:
            words |= _words(d.get("item"))
            for g in d.get("guidelines") or []:
                words |= _words(g)
        for q in record.get("questions") or []:
            words |= _words(q.get("evidence"))
        words |= _words(record.get("reviewer_specialty"))
    if summary is not None:
        for item in summary.items:
            for grounded in (item.item, item.decision, item.guideline_text, *item.guidelines):
                if grounded is not None:
                    words |= _words(grounded.quote)
        for name in ("case_number", "patient_age", "patient_sex", "date_of_injury", "ur_decision_date",
                     "decision_date", "reviewer_specialty"):
            grounded = getattr(summary, name, None)
            if grounded is None:
                continue
            words |= _words(grounded.quote)
            if grounded.span is not None and letter_text:
                words |= _words(_sentence_at(letter_text, grounded.span.start, grounded.span.end))
    return frozenset(words)


# ---------------------------------------------------------------------------------------------
# reading a letter and its rewrites, and comparing the reads

class LetterCase:
    """One letter, its gold record (when it has one), and the reader's summary of it and of its rewrites."""

    _cases: ClassVar[dict[Path, LetterCase]] = {}

    def __init__(self, path: Path):
        self.path = Path(path)
        self.name = f"{self.path.parent.name}/{self.path.name}"
        self.text = read_letter_text(self.path)
        self.seed = letter_seed(self.path)
        gold = self.path.with_name(self.path.name.removesuffix(self.path.suffix) + ".gold.json")
        self.record = json.loads(gold.read_text(encoding="utf-8")) if gold.is_file() else None
        self.original = _read(self.text, self.path.name)
        letter_text = self.text.replace("\r\n", "\n").lstrip("\ufeff")
        summary = self.original if not isinstance(self.original, Exception) else None
        self.protect = protected_words(self.record, summary, letter_text)
        self._reads: dict[str, object] = {}

    @classmethod
    def of(cls, path: Path) -> LetterCase:
        path = Path(path).resolve()
        if path not in cls._cases:
            cls._cases[path] = cls(path)
        return cls._cases[path]

    def rewritten(self, rewrite: str) -> str:
        return REWRITES[rewrite](self.text, seed=self.seed, protect=self.protect)

    def read(self, rewrite: str):
        """The reader's summary of the rewrite, or the exception it raised."""
        if rewrite not in self._reads:
            text = self.rewritten(rewrite)
            self._reads[rewrite] = self.original if text == self.text else _read(text, self.path.name)
        return self._reads[rewrite]


_scratch: list[Path] = []


def _read(text: str, name: str):
    """The offline reading through the public API (`imr_llm.Client.open_letter`) of `text` written to a
    .txt file in a temporary folder (one per process, removed at exit)."""
    import imr_llm

    if not _scratch:
        import atexit
        import shutil
        import tempfile

        _scratch.append(Path(tempfile.mkdtemp(prefix="imr-rewrites-")))
        atexit.register(shutil.rmtree, _scratch[0], True)
    path = _scratch[0] / name
    path.write_text(text, encoding="utf-8", newline="")
    try:
        return imr_llm.Client().open_letter(path).summary  # a file: no store is opened
    except Exception as exc:  # noqa: BLE001 - an error (or a crash) is a reading to compare too
        return exc


def _field(summary, name: str):
    from imr_llm.evaluation.gold import normalise_field

    return normalise_field(name, getattr(summary, name, None))


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:160]}"


def compare(case: LetterCase, rewrite: str) -> list[str]:
    """What the reader reads differently in the rewrite than in the original: one line per item or
    field that changed (empty: the same items, decisions and case fields)."""
    from imr_llm.evaluation.gold import FIELDS, match_items

    before, after = case.original, case.read(rewrite)
    if isinstance(before, Exception) or isinstance(after, Exception):
        if isinstance(before, Exception) and isinstance(after, Exception):
            return [] if type(before) is type(after) else [f"error changed: {_error(before)} -> {_error(after)}"]
        if isinstance(after, Exception):
            return [f"the rewrite is not read: {_error(after)}"]
        return [f"the original is not read ({_error(before)}) but the rewrite is"]
    problems = []
    old = [i.item.value for i in before.items]
    new = [i.item.value for i in after.items]
    if len(old) != len(new):
        problems.append(f"items: {len(old)} -> {len(new)}")
    pairs = match_items(old, new)
    for i, text in enumerate(old):
        if i not in pairs:
            problems.append(f"item {i + 1} {text!r} ({before.items[i].decision.value}) not found")
            continue
        j = pairs[i]
        was, now = before.items[i].decision.value, after.items[j].decision.value
        if was != now:
            problems.append(f"item {i + 1} {text!r}: {was} -> {now}")
    for j in sorted(set(range(len(new))) - set(pairs.values())):
        problems.append(f"new item {new[j]!r} ({after.items[j].decision.value})")
    for name in FIELDS:
        was, now = _field(before, name), _field(after, name)
        if was != now:
            problems.append(f"{name}: {was} -> {now}")
    return problems


def gold_agreement(case: LetterCase, rewrite: str | None) -> bool | None:
    """Whether the reading of the rewrite (None: of the original) is exactly the gold record: every
    gold item found with its decision, no other item, every non-null field (None: no gold record)."""
    from imr_llm.evaluation.gold import FIELDS, match_items, normalise_field

    if case.record is None:
        return None
    summary = case.original if rewrite is None else case.read(rewrite)
    if isinstance(summary, Exception):
        return False
    gold = case.record.get("decisions") or []
    pairs = match_items([d["item"] for d in gold], [i.item.value for i in summary.items])
    if len(pairs) != len(gold) or len(summary.items) != len(gold):
        return False
    if any(summary.items[j].decision.value != gold[i]["decision"] for i, j in pairs.items()):
        return False
    return all(case.record.get(name) is None or normalise_field(name, case.record[name]) == _field(summary, name)
               for name in FIELDS)


def _report(folders: list[str]) -> int:
    letters = [LetterCase.of(p) for p in letter_paths(folders or FOLDERS)]
    graded = [c for c in letters if c.record is not None]
    print(f"{len(letters)} letters ({len(graded)} with a gold record), {len(REWRITES)} rewrites. A letter changes "
          "when its rewrite is read differently from the original\n(items, decisions, case fields); '= gold': "
          "readings that are exactly the gold record (items, decisions, fields).\n")
    print(f"{'rewrite':22} {'unchanged':>10}  {'= gold':>8}  letters that change")
    print(f"{'(the original)':22} {'':>10}  {sum(bool(gold_agreement(c, None)) for c in graded):>3} / {len(graded):<3}")
    broken: dict[str, list[str]] = {}
    for name in REWRITES:
        changed, agree, scored = [], 0, 0
        for case in letters:
            problems = compare(case, name)
            if problems:
                changed.append(case.name)
                broken.setdefault(name, []).extend(f"{case.name}: {p}" for p in problems)
            verdict = gold_agreement(case, name)
            if verdict is not None:
                scored += 1
                agree += verdict
        print(f"{name:22} {len(letters) - len(changed):>4} / {len(letters):<4}  {agree:>3} / {scored:<3}  "
              + (", ".join(changed) or "-"))
    for name, lines in broken.items():
        print(f"\n{name}:")
        for line in lines:
            print(f"  {line}")
    return 0


def _show(letter: str, name: str) -> int:
    case = LetterCase.of(Path(letter))
    sys.stdout.write(case.rewritten(name))
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["report"]:
        sys.exit(_report(args[1:]))
    if args[:1] == ["show"] and len(args) == 3:
        sys.exit(_show(args[1], args[2]))
    print(__doc__.strip().splitlines()[-2].strip() + "\n" + __doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
    sys.exit(2)
