"""Item announcements: headings, labels, questions, numbered and lettered lines, lines in capitals or on
their own, the dispute list (as a list, inline, or a sentence), each with the span of the item it names.
`similar` (`imr_llm.vocabulary.same_item`) says when two mentions name one item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .cues import BY_NAME, CUES, VERDICT, ocr
from .flat import Flat, is_furniture, iter_lines
from .statements import DETAIL_LABEL, LABEL_LINE, runs_on
from .text import clean_value
from ..vocabulary import TREATMENT_WORDS
from ..vocabulary import same_item as similar  # the parser's name for it

__all__ = ["Anchor", "dispute_list", "find_anchors", "plausible", "similar", "trim_item", "treatment_like"]


@dataclass
class Anchor:
    """An announcement of an item: where it sits and the span of the item text."""

    pos: int
    start: int
    end: int
    cue: str
    strength: int
    number: int | None = None
    listed: bool = False  # from the dispute list / a cover summary
    value: str | None = None  # the item's text, when not simply the cleaned span (table cells)


_LIST_HEADING = re.compile(
    r"^[ \t]*(?=(?-i:[A-Z]))(?P<head>(?:Treatment|Item|Service|Issue|Request)(?P<pl1>\(?s\)?)?(?:/Services?)?\s+(?:in|at|under)\s+Dispute"
    r"(?:\s+Listed\s+on\s+(?:the\s+)?IMR\s+App\S*)?|Disputed\s+(?:Item|Service|Treatment)(?P<pl2>\(?s\)?)?(?:/Services?)?(?:\s+Requested)?"
    r"|Requested\s+(?:Treatment|Service)(?P<pl3>\(?s\)?)?|Summary\s+of\s+(?:Determinations?|Decisions?))"
    r"(?![ \t]*(?:#|No\.?\s*)?\d)[ \t]*:?[ \t]*(?P<rest>(?![.,;])[^\n]*)$", re.I | re.M)
_BULLET = re.compile(r"^[ \t]*(?:\(?(?P<num>\d{1,2})[.)]|[-*\u2022]|(?P<num2>\d{1,2})[ \t]{2,})[ \t]*")


def _split_inline(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """An inline list of items: split at semicolons, or at commas when every part names a dose or count."""
    seg = text[start:end]
    for sep in (r";", r",(?=\s)"):
        parts = [(m.start(), m.end()) for m in re.finditer(rf"[^{sep[0]}]+", seg)]
        if sep == r";" and len(parts) > 1:
            break
        if sep != r";" and len(parts) > 1 and (2 * sum(bool(re.search(r"\d|#", seg[a:b])) for a, b in parts) >= len(parts)
                                                or seg.split("\n")[0].upper() == seg.split("\n")[0]):  # a list in capitals
            break
    else:
        parts = [(0, len(seg))]
    out = []
    for a, b in parts:
        part = seg[a:b]
        if len(part.strip()) >= 3:
            lead = len(part) - len(part.lstrip())
            out.append((start + a + lead, start + a + len(part.rstrip())))
    return out


_PROSE_LIST = re.compile(
    r"(?<![A-Za-z])(?-i:The)\s+(?:disputed|requested)\s+(?:items|treatments|services|requests)(?:/services)?"
    r"(?:\s+(?:in|for)\s+this\s+(?:review|case|IMR))?\s+(?:are|were|include[sd]?|concern(?:ed)?|involve[sd]?)\s*:?\s+"
    r"(?P<list>(?![^.;]*\b(?:below|above|listed|following|provided|detailed|as\s+follows)\b)[^.;]{3,600}?(?:,|\s+and\s+)[^.;]{3,600}?)\.(?:\s|$)",
    re.I)


def _prose_list(text: str) -> list[Anchor]:
    """'The disputed items/services in this review are A, B, and C.'"""
    flat = Flat.of(text)
    out: list[Anchor] = []
    for m in _PROSE_LIST.finditer(flat.text):
        for part in re.finditer(r"(?:^|,\s*(?:and\s+)?|\s+and\s+)(?P<item>(?:(?!,\s|\s+and\s).)+)", m.group("list")):
            fs = m.start("list") + part.start("item")
            fe = m.start("list") + part.end("item")
            lead = re.match(r"(?:an?|the)\s+", flat.text[fs:fe], re.I)
            fs += lead.end() if lead else 0
            if fe - fs >= 3:
                s, e = flat.span(fs, fe)
                out.append(Anchor(s, s, e, "dispute_list", 2, listed=True))
    return out


def dispute_list(text: str) -> list[Anchor]:
    """Items of a 'Treatment(s) in Dispute' list (or a cover summary), in order."""
    out: list[Anchor] = _prose_list(text)
    for m in _LIST_HEADING.finditer(text):
        rest = m.group("rest").strip()
        plural = bool(m["pl1"] or m["pl2"] or m["pl3"]) or not re.match(r"(?:Treatment|Item|Service|Disputed|Requested)", m["head"], re.I)
        if rest and not re.match(r"^(?:[A-Z &]+|(?:and|&)\s+[A-Za-z ]+)$", rest):
            if not plural:
                continue  # "Disputed Item: X" announces one item (the item_label cue reads it)
            end = m.end("rest")
            for _ in range(3):  # the inline list goes on below, until a blank line, a label or a sentence's end
                nl = text.find("\n", end + 1)
                nxt_end = len(text) if nl < 0 else nl
                below = text[end + 1 : nxt_end]
                if (not below.strip() or LABEL_LINE.match(below) or text[m.start("rest"):end].rstrip().endswith(".")
                        or re.match(r"[ \t]*(?:Dear|Re:|RE:)", below) or len(below.strip()) > 110):
                    break
                end = nxt_end
            for s, e in _split_inline(text, m.start("rest"), end):
                out.append(Anchor(s, s, e, "dispute_list", 2, listed=True))
            continue
        out += _list_entries(text, m.end() + 1)
    return out


def _next_numbered(text: str, lines: list[tuple[int, int]]) -> int | None:
    """The number of the next numbered line after blank lines and page furniture, if that is what comes next."""
    for s, e in lines[:6]:
        line = text[s:e]
        if not line.strip() or is_furniture(line):
            continue
        bullet = _BULLET.match(line)
        return int(bullet["num"] or bullet["num2"]) if bullet and (bullet["num"] or bullet["num2"]) else None
    return None


def _list_entries(text: str, pos: int) -> list[Anchor]:
    entries: list[Anchor] = []
    blank = 0
    indent = None
    lines = list(iter_lines(text, pos))
    for k, (s, e) in enumerate(lines):
        line = text[s:e]
        if not line.strip():
            blank += 1
            if entries and entries[-1].number is not None and _next_numbered(text, lines[k + 1 :]) == entries[-1].number + 1:
                continue  # a numbered list goes on after a page break
            if entries or blank > 1:
                break
            continue
        if is_furniture(line):
            continue
        if re.match(r"^[ \t]*[-=+|]{3,}", line) or re.match(r"^[ \t]*(?:Item|#|No\.?)\b.*(?:Determination|Decision|Treatment)", line, re.I):
            continue  # table rules and headers
        if BY_NAME["verdict_line"].pattern.match(line):
            continue  # the decision of the entry above, on a line of its own
        if (BY_NAME["item_line"].pattern.match(line) or BY_NAME["item_label"].pattern.match(line)
                or BY_NAME["numbered_heading"].pattern.match(line) or LABEL_LINE.match(line)):
            break  # the details begin (or a table the item_line cue reads)
        bullet = _BULLET.match(line)
        lead = len(line) - len(line.lstrip())
        if bullet is None and entries and (line[:1].islower() or (indent is not None and lead > indent)
                                             or line.lstrip()[:1].islower()):
            entries[-1].end = s + len(line.rstrip())  # a wrapped list entry
            continue
        if bullet is None and (len(line.strip()) > 140 or line.rstrip().endswith(".") and len(line.split()) > 12):
            break
        indent = lead if indent is None else indent
        body = s + (bullet.end() if bullet else lead)
        number = int(bullet["num"] or bullet["num2"]) if bullet and (bullet["num"] or bullet["num2"]) else None
        for ps, pe in _split_inline(text, body, s + len(line.rstrip())) if ";" in line else [(body, s + len(line.rstrip()))]:
            entries.append(Anchor(ps, ps, pe, "dispute_list", 2, number=number, listed=True))
        blank = 0
    return entries


def find_anchors(text: str, flat: Flat) -> list[Anchor]:
    out: list[Anchor] = []
    lines = list(iter_lines(text))
    for cue in CUES:
        if cue.family != "item":
            continue
        if cue.where == "flat":
            for m in cue.pattern.finditer(flat.text):
                s, e = flat.span(*m.span("item"))
                out.append(Anchor(flat.span(m.start(), m.start() + 1)[0], s, e, cue.name, cue.strength))
            continue
        for n, (ls, le) in enumerate(lines):
            m = cue.pattern.match(text, ls, le)
            if not m:
                continue
            s, e = m.span("item")
            if cue.name == "numbered_heading" and not text[s:e].strip():
                nxt = next(((a, b) for a, b in lines[n + 1 : n + 3] if text[a:b].strip()), None)
                if nxt is None:
                    continue
                s, e = nxt
            if cue.name == "standalone":
                tail = _heading_tail(text, lines, n)
                if tail is not None:
                    e = tail  # a heading wrapped onto a short second line
                elif not _stands_alone(text, lines, n):
                    continue
            number = _number(m["num"]) if "num" in cue.pattern.groupindex and m["num"] else None
            out.append(Anchor(ls, s, e, cue.name, cue.strength, number))
    return out


_ITEM_LEAD = re.compile(
    r"[ \t|]*(?:\(?(?:\d{1,2}|(?-i:[A-H]|[IVX]{1,4}))[.)][ \t]*)?(?:(?:Item|Issue|Request(?:ed)?|Treatment|Service)[ \t]*(?:#?\d{1,2}(?:[ \t]+of[ \t]+\d{1,2})?)?[ \t]*:[ \t]*)?"
    r"(?:Is\s+(?:the\s+)?(?:request(?:ed)?\s+(?:(?:treatment|service|item)\s+)?(?:for\s+|of\s+)?|requested\s+))?", re.I)
_ITEM_TAIL = re.compile(
    rf"(?:,?\s+(?:is\s+|are\s+)?{ocr('medically necessary')}(?:\s+and\s+appropriate)?\s*\??)?"
    rf"(?:[ \t]*[:\-.?][ \t]*(?:{VERDICT}|Yes|No|Recommend(?:ed)?)[ \t]*\.?)?(?:[ \t]*[:\-.,;|?][ \t]*)*$", re.I)


def _heading_tail(text: str, lines: list[tuple[int, int]], n: int) -> int | None:
    """The end of a heading that wrapped onto a second, short line with a blank line after it."""
    if n + 2 >= len(lines) or n == 0 or text[lines[n - 1][0] : lines[n - 1][1]].strip():
        return None
    first, second = (text[a:b].strip() for a, b in lines[n : n + 2])
    after = text[lines[n + 2][0] : lines[n + 2][1]].strip()
    words = len(first.split()) + len(second.split())
    if (not second or after or len(second.split()) > 3 or words > 20 or first.endswith((".", ":", ";"))
            or second.endswith((".", ";")) or re.search(r"[a-z]\.\s+[A-Z]|\b(?:is|are|was|were)\b", first + " " + second)):
        return None
    return lines[n + 1][1]


def _stands_alone(text: str, lines: list[tuple[int, int]], n: int) -> bool:
    """A short line on its own: a blank line (or nothing) before it and text after it."""
    line = text[lines[n][0] : lines[n][1]].strip()
    if (line.endswith((".", ",", ";")) or len(line.split()) > 20 or DETAIL_LABEL.match(line) or is_furniture(line)
            or re.match(r"(?:Dear|Sincerely|Re:|cc:|Respectfully|Enclosure)\b", line, re.I)):
        return False
    if n > 0 and text[lines[n - 1][0] : lines[n - 1][1]].strip():
        return False
    if re.search(r"\b(?:for|the|a|an|and|or|of|to|with|is|are|was|not|in|on|by|that|which|be|as|at|from)$", line, re.I):
        return False  # prose that wraps on, not a heading
    above = next((text[a:b] for a, b in reversed(lines[:n]) if text[a:b].strip() and not is_furniture(text[a:b])), "")
    if above and runs_on(above) and re.search(r"[a-z,]$", above.rstrip()):
        return False  # a sentence interrupted by a page break goes on here
    below = next((text[a:b] for a, b in lines[n + 1 : n + 8] if text[a:b].strip() and not is_furniture(text[a:b])), "")
    if below.lstrip()[:1].islower():
        return False  # the sentence goes on below a page break
    if (re.search(r"[a-z]\.\s+[A-Z]", line) or (len(line) >= 30 and re.search(
            r"\b(?:recommends?|is|are|was|were|has|have|states?|allows?|requires?|notes?)\b", line))):
        return False  # a sentence, not a heading
    following = [text[a:b] for a, b in lines[n + 1 : n + 3]]
    if following and following[0].strip() and (following[0].lstrip()[:1].islower() or len(line) >= 75):
        return False  # the first line of a paragraph, not a heading
    return any(f.strip() for f in following)


_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}


def _number(label: str) -> int | None:
    """1 for "1", "A" or "I"; the position a list label gives."""
    if label.isdigit():
        return int(label)
    if label in _ROMAN and label not in ("C", "D"):
        return _ROMAN[label]
    return ord(label) - ord("A") + 1 if len(label) == 1 and label.isupper() else None


def trim_item(text: str, start: int, end: int) -> tuple[int, int]:
    """An item span without label words, a question's frame, a trailing verdict, or stray punctuation."""
    lead = _ITEM_LEAD.match(text, start, end)
    s = lead.end() if lead else start
    tail = _ITEM_TAIL.search(text, s, end)
    e = tail.start() if tail and tail.start() > s else end
    while e > s and text[e - 1] in " \t\n|":
        e -= 1
    return s, e


# --- pairing -------------------------------------------------------------------------------------


SECTIONISH = re.compile(
    r"\b(?:DETERMINATION|DECISION|RATIONALE|SUMMARY|GUIDELINE|REVIEWER|APPEAL|DOCUMENT|HISTORY|DIAGNOS[EI]S|"
    r"QUALIFICATION|MAXIMUS|NOTICE|APPEAL\s+RIGHT|DISPUTE|INFORMATION|EXAMINATION|RECORD|FINDING|ISSUE|CONCLUSION|DISCUSSION|"
    r"ANALYSIS|BACKGROUND|ASSESSMENT|INTRODUCTION|PURPOSE|PROVIDER|PHYSICIAN|WORKER|EMPLOYEE|EMPLOYER|ADMINISTRATOR|"
    r"CLAIM|APPLICANT|DATE\s+OF|CASE\s+(?:NO|NUMBER))S?\b"
    r"|^(?:MAXIMUS|This\s+letter|The\s+(?:expert|physician|professional)\s+reviewer)\b", re.I)


def treatment_like(value: str) -> bool:
    return bool(TREATMENT_WORDS.search(value)) and not SECTIONISH.search(value)


def numbered_line_start(text: str, pos: int) -> bool:
    line = text[text.rfind("\n", 0, pos) + 1 : pos]
    return bool(re.fullmatch(r"[ \t]*(?:\(?\d{1,2}[.)]|[-*\u2022])[ \t]*(?:the\s+request\s+for\s+)?", line, re.I))


def plausible(text: str, anchor: Anchor) -> bool:
    value = clean_value(text[anchor.start : anchor.end])
    if not (3 <= len(value) <= 220) or not re.search(r"[A-Za-z]{2}", value):
        return False
    if re.match(r"(?:the\s+)?(?:final\s+)?(?:determination|decision|outcome|result|date|guideline|rationale|page)\b", value, re.I):
        return False
    if re.fullmatch(VERDICT + r"\W*", value, re.I) or re.match(
            r"(?:MTUS|ODG|ACOEM|Official\s+Disability|Chronic\s+Pain\s+Medical|American\s+College|Non-MTUS)\b", value, re.I):
        return False
    return True
