"""Find a letter's section headings and tell which layout it uses."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Section", "detect_layout", "find_sections"]


@dataclass(frozen=True)
class Section:
    name: str
    heading_start: int
    start: int  # first character after the heading
    end: int


_W = r"[ \n]+"  # headings wrap across lines in real letters


def _h(*words: str) -> str:
    return _W.join(words)


# (section name, heading pattern). Order matters only for ties at one offset.
HEADINGS: list[tuple[str, str]] = [
    ("how the determination was made", _h("HOW", "THE", "IMR", "FINAL", "DETERMINATION", "WAS", "MADE")),
    ("documents reviewed", _h("DOCUMENTS", "REVIEWED") + r"(?:" + _W + _h("FOR", "DETERMINATION") + r")?[ ]*:?"),
    ("case summary", r"(?:CLINICAL" + _W + r")?CASE" + _W + r"SUMMARY[ ]*:?"),
    ("decisions", _h("IMR", "ISSUES,?", "DECISIONS", "AND", "RATIONALES")),
    ("decisions", _h("IMR", r"DECISION\(?S?\)?", "AND", r"RATIONALE\(?S?\)?")),
    ("decisions", _h("INDEPENDENT", "MEDICAL", "REVIEW", "DECISIONS?", "AND", "RATIONALES?")),
    ("decisions", _h("IMR", "ISSUES", "AND", "RATIONALES?")),
    ("issue at dispute", r"ISSUES?" + _W + "AT" + _W + r"DISPUTE[ ]*:?"),
    ("guidelines", _h("MEDICAL", "TREATMENT", r"GUIDELINE(?:\(S\)|S)?", "RELIED", "UPON", "BY", "PROFESSIONAL",
                      "REVIEWER", "AND", "WHY") + r"[ ]*:?"),
    ("rationale", _h("RATIONALE", "FOR", "WHY", "THE", "REQUESTED", r"TREATMENT/SERVICE", r"IS/WAS", "NOT",
                     "MEDICALLY", "NECESSARY") + r"[ ]*:?"),
    ("qualifications", _h("MEDICAL", "REVIEWER", "QUALIFICATIONS") + r"[ ]*:?"),
    ("qualifications", _h("Medical", "Qualifications", "of", "the", "(?:Expert|Physician)", "Reviewer") + r"[ ]*:?"),
    ("appeal rights", _h("APPEAL", "RIGHTS?") + r"[ ]*:?"),
]

# A heading stands alone on its line, or ends with a colon and the section's text follows on the same line.
_HEADING_RE = [(name, re.compile(r"(?m)^[ ]*(" + pattern + r")(?:[ ]*$|(?<=:))", re.IGNORECASE)) for name, pattern in HEADINGS]


def find_sections(text: str) -> list[Section]:
    """Sections in letter order; the text before the first heading is the 'header' section."""
    found: dict[int, tuple[str, int]] = {}
    for name, regex in _HEADING_RE:
        for match in regex.finditer(text):
            heading = match.group(1)
            # Body headings are upper case in every layout except the 2013 "Case Summary:" style.
            if heading.upper() != heading and not heading.rstrip().endswith(":"):
                continue
            start = match.start(1)
            if start not in found:
                found[start] = (name, match.end())
    ordered = sorted(found.items())
    sections: list[Section] = []
    first = ordered[0][0] if ordered else len(text)
    sections.append(Section("header", 0, 0, first))
    for i, (heading_start, (name, body_start)) in enumerate(ordered):
        end = ordered[i + 1][0] if i + 1 < len(ordered) else len(text)
        sections.append(Section(name, heading_start, body_start, end))
    return sections


_LAYOUT_MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("medical-professional-review", re.compile(r"MEDICAL\s+PROFESSIONAL\s+REVIEW|ISSUES?\s+AT\s+DISPUTE\s*:")),
    ("maximus-federal-services", re.compile(r"IMR\s+DECISION\(?S?\)?\s+AND\s+RATIONALE\(?S?\)?")),
    ("issues-decisions-rationales", re.compile(r"[:\-\u2013]\s*(?:Upheld|Overturned)[ ]*\.?[ ]*$", re.I | re.M)),
    ("decisions-and-rationales", re.compile(r"(?:is|are)\s+(?:not\s*)?medically\s*necessary\s+and\s+appropriate", re.I)),
]


def detect_layout(text: str) -> str:
    head = text[:600]
    if re.search(r"MEDICAL\s+PROFESSIONAL\s+REVIEW", head):
        return "medical-professional-review"
    if re.search(r"MAXIMUS\s+FEDERAL\s+SERVICES,?\s+INC\.?\s*\n\s*Independent\s+Medical\s+Review", head, re.I):
        return "maximus-federal-services"
    for layout, marker in _LAYOUT_MARKERS:
        if marker.search(text):
            return layout
    return "unknown"
