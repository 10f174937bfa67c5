"""Find the disputed items of a letter, each with its decision, guidelines and rationale.

An item is announced in one of three ways, whatever the layout:

* a "decision line": ``<item>:  Upheld`` / ``<item> - Overturned`` (the item may wrap
  onto the line before), or an item line followed by ``Decision: Upheld``;
* a "necessity sentence": ``1. <item> is (not) medically necessary and appropriate.``
  or ``MAXIMUS ... has determined the request for <item> is notmedically necessary``;
* in the medical-professional-review layout, lines under ISSUE AT DISPUTE.

The same item is often announced twice (a summary at the top, then the detailed
section): announcements are merged by similar item text (`imr_llm.vocabulary.same_item`), and the one
followed by guideline and rationale text becomes the item's block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..vocabulary import same_item
from .text import clean_value, is_noise_line

__all__ = ["Announcement", "find_announcements", "merge_announcements", "same_item"]

_UPHELD = r"Upheld|Uphold|Denied|Non-?certified"
_OVERTURNED = r"Overturned|Overturn|Overruled|Reversed|Certified|Approved"
_DECISION_WORD = rf"(?P<word>{_UPHELD}|{_OVERTURNED})"

# "<item>:  Upheld" at the end of a line (":", "-" or an en dash before the decision word).
_DECISION_LINE = re.compile(rf"(?m)^(?P<line>[^\n]*?\S)[ ]*(?:[:\-\u2013\u2014]|\.\.\.|(?<=\?))[ ]*{_DECISION_WORD}[ ]*\.?[ ]*$", re.I)
# "Decision: Upheld" on its own line, the item being the line(s) before.
_DECISION_LABEL = re.compile(
    rf"(?m)^[ ]*(?:(?:IMR\s+)?(?:Decision|Determination|Outcome|Final\s+Determination)[ ]*[:\-][ ]*)?{_DECISION_WORD}[ ]*\.?[ ]*$",
    re.I,
)
_NECESSITY = re.compile(
    r"(?m)^[ ]*(?:(?P<num>\d{1,2})[.)][ ]*)?"
    r"(?:MAXIMUS\s+Federal\s+Services,?\s+Inc\.?\s+has\s+determined\s+(?:that\s+)?)?"
    r"(?:the\s+(?:request(?:ed)?\s+(?:for\s+)?|requested\s+))?"
    r"(?=\S)(?P<item>(?:(?!\n[ ]*\n[ ]*\n)[^.:?]|\.(?=\d)|:(?=\S)|\.(?=[ ]?(?-i:[a-z#(]))){3,300}?)\s+"
    r"(?:is|are|was|were)\s+(?P<neg>not[ ]*)?medically\s*necessary(?:\s+and\s+appropriate)?",
    re.I,
)
_BASIS_NEXT = re.compile(r"[ .]*\n(?:[ ]*\n)*[ ]*(?:The\s+)?(?:Claims\s+Administrator|Physician\s+Reviewer|MAXIMUS\s+guideline|"
                         r"Medical\s+Treatment\s+Guideline)", re.I)
_NUMBER_PREFIX = re.compile(r"[ ]*(?:\d{1,2}[.)]|[-*\u2022])[ ]*")
_INTRO = re.compile(r"set\s+forth\s+below|were\s+in\s+dispute|following\s+(?:items|requests)", re.I)


@dataclass
class Announcement:
    item_start: int
    item_end: int
    decision: str  # "upheld" | "overturned"
    decision_start: int
    decision_end: int
    end: int  # end of the announcement (start of its block)
    number: int | None = None
    kind: str = "line"

    def item_text(self, text: str) -> str:
        return clean_value(text[self.item_start : self.item_end])


def _decision_of(word: str, negated: bool | None = None) -> str:
    if negated is not None:
        return "upheld" if negated else "overturned"
    return "upheld" if re.fullmatch(_UPHELD, word, re.I) else "overturned"


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _wrapped_item_start(text: str, line_start: int, floor: int) -> int:
    """Extend an item upwards over lines it wrapped from (at most two)."""
    start = line_start
    for _ in range(2):
        if start <= floor + 1:
            break
        prev_end = start - 1
        prev_start = _line_start(text, prev_end)
        if not text[prev_start:prev_end].strip() and prev_start > floor + 1:  # double-spaced text
            prev_end = prev_start - 1
            prev_start = _line_start(text, prev_end)
        prev = text[prev_start:prev_end]
        if (not prev.strip() or is_noise_line(prev) or prev.rstrip().endswith((".", ":", "?"))
                or _INTRO.search(prev) or re.search(rf"(?:{_UPHELD}|{_OVERTURNED})\s*$", prev, re.I)
                or len(prev.strip()) > 120):
            break
        start = prev_start
    return start


def _strip_number(text: str, start: int, end: int) -> tuple[int, int, int | None]:
    match = _NUMBER_PREFIX.match(text, start, end)
    number = None
    if match:
        digits = re.match(r"[ ]*(\d+)", match.group())
        number = int(digits.group(1)) if digits else None
        start = match.end()
    while start < end and text[start] in " \n":
        start += 1
    return start, end, number


def _label_prefix(text: str, start: int, end: int) -> int:
    """Skip a leading 'Item:', 'Request:', 'Issue:' or 'Treatment requested:' label."""
    match = re.match(r"[ ]*(?:(?:Item|Request(?:ed)?(?:\s+treatment)?|Issue|Treatment(?:/Service)?(?:\s+requested)?|Service)[ ]*:"
                     r"|(?:Is|Was|Are|Were)\s+the\s+(?:request(?:ed)?\s+(?:treatment\s+)?(?:for\s+)?|requested\s+))[ ]*",
                     text[start:end], re.I)
    return start + match.end() if match else start


def _question_suffix(text: str, start: int, end: int) -> int:
    """Cut '(is) medically necessary (and appropriate)?' off an item phrased as a question."""
    match = re.search(r"\s+(?:is\s+|are\s+)?medically\s*necessary(?:\s+and\s+appropriate)?\s*\??\s*(?:\.\.\.)?$",
                      text[start:end], re.I)
    return start + match.start() if match else end


def find_announcements(text: str, start: int, end: int) -> list[Announcement]:
    found: list[Announcement] = []
    for m in _DECISION_LINE.finditer(text, start, end):
        line_start = _line_start(text, m.start("line"))
        if _INTRO.search(text[line_start : m.start("word")]) or re.match(r"[ ]*(?:IMR\s+)?(?:Decision|Determination|Outcome|Final)\b", text[line_start:m.end()], re.I):
            continue
        item_start = _wrapped_item_start(text, line_start, start)
        item_start, item_end, number = _strip_number(text, item_start, m.end("line"))
        item_start = _label_prefix(text, item_start, item_end)
        item_end = _question_suffix(text, item_start, item_end)
        if item_end - item_start < 3:
            continue
        found.append(Announcement(item_start, item_end, _decision_of(m["word"]), m.start("word"), m.end("word"),
                                  m.end(), number, "line"))
    for m in _DECISION_LABEL.finditer(text, start, end):
        prev_end = _line_start(text, m.start()) - 1
        while prev_end > start and not text[_line_start(text, prev_end) : prev_end].strip():
            prev_end = _line_start(text, prev_end) - 1
        if prev_end <= start:
            continue
        line_start = max(_line_start(text, prev_end), start)
        item_start, item_end, number = _strip_number(text, line_start, prev_end)
        item_start = _label_prefix(text, item_start, item_end)
        item_end = _question_suffix(text, item_start, item_end)
        if item_end - item_start < 3 or _INTRO.search(text[item_start:item_end]):
            continue
        found.append(Announcement(item_start, item_end, _decision_of(m["word"]), m.start("word"), m.end("word"),
                                  m.end(), number, "label"))
    for m in _NECESSITY.finditer(text, start, end):
        item = m.group("item")
        lead = text[_line_start(text, m.start("item")) : m.start("item")]
        # Unnumbered: a line-initial sentence directly followed by the guideline lines of an item.
        followed = not lead.strip() and _BASIS_NEXT.match(text, m.end(), min(end, m.end() + 200))
        announced = m.group("num") or re.search(r"has\s+determined", m.group(0), re.I) or followed
        if not announced or re.search(r"\b(therefore|because|however|not\s+recommended)\b", item, re.I):
            continue
        if "\n" in item and len(item) > 160 and not lead.strip():
            continue
        item_start, item_end = m.start("item"), m.end("item")
        negated = bool(m.group("neg"))
        word_start = m.start("neg") if negated else m.end("item")
        found.append(Announcement(item_start, item_end, _decision_of("", negated), word_start, m.end(), m.end(),
                                  int(m["num"]) if m["num"] else None, "sentence"))
    found.sort(key=lambda a: a.item_start)
    # Drop announcements that sit inside another's item text.
    kept: list[Announcement] = []
    for ann in found:
        if kept and ann.item_start < kept[-1].end:
            continue
        kept.append(ann)
    return kept


def merge_announcements(text: str, anns: list[Announcement]) -> list[list[Announcement]]:
    """Group announcements of the same item; groups in order of first mention."""
    groups: list[list[Announcement]] = []
    for ann in anns:
        name = ann.item_text(text)
        for group in groups:
            if any(same_item(name, other.item_text(text)) for other in group) and all(
                other.decision == ann.decision for other in group
            ):
                group.append(ann)
                break
        else:
            groups.append([ann])
    return groups
