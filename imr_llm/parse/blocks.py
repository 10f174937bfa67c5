"""Read an item's block of text: the guidelines the reviewer relied on, the rationale, the reason."""

from __future__ import annotations

import re

from ..models import Grounded, Span
from ..vocabulary import WHY_CUES, sentences
from .text import clean_value, ground, trim_span

__all__ = ["find_guidelines", "find_rationale", "pick_reason", "reviewer_guideline_span"]

# Where the reviewer's own basis starts (the claims administrator's line is not the reviewer's).
_REVIEWER_BASIS = re.compile(
    r"MAXIMUS\s+guideline\s*:|The\s+Physician\s+Reviewer\s+based\s+(?:his/her|his|her|their)\s+decision\s+on"
    r"|(?:Medical\s+Treatment\s+)?Guideline\(?s?\)?\s+Relied\s+Upon\s+by\s+the\s+(?:Expert|Physician|Professional)\s+Reviewer\s*:?"
    r"|Reviewer(?:'s)?\s+guideline\s*:",
    re.I,
)
_CLAIMS_BASIS = re.compile(
    r"Claims\s+Administrator\s+guideline\s*:|The\s+Claims\s+Administrator\s+based\s+its\s+decision\s+on", re.I)
_RATIONALE = re.compile(
    r"Decision\s+rationale\s*:|The\s+Physician\s+Reviewer'?s\s+decision\s+rationale\s*:|Rationale\s+for\s+the\s+Decision\s*:"
    r"|Rationale\s*:", re.I)

# Guideline names as cited; the value is the cited text, cleaned.
_GUIDELINE = re.compile(
    r"(?:(?:CA|California)\s+)?(?:MTUS|Medical\s+Treatment\s+Utilization\s+Schedule)(?:\s*\((?:MTUS|Effective\s+July\s+18,\s+2009)\))?"
    r"(?:\s*(?:\(\s*)?(?:2009|ACOEM|American\s+College\s+of\s+Occupational\s+and\s+Environmental\s+Medicine)(?:\s*\))?)?"
    r"(?:[ \n]+(?:Chronic[ \n]+Pain(?:[ \n]+Medical)?[ \n]+Treatment[ \n]+Guidelines|Guidelines?|Postsurgical[ \n]+Treatment[ \n]+Guidelines))?"
    r"|(?:Non-MTUS[ \n]+)?(?:Official[ \n]+Disability[ \n]+Guidelines(?:[ \n]*\(ODG\))?|ODG)(?:[ \n]+(?:[A-Z][a-z]+[ \n]+){0,3}(?:Chapter|Procedure[ \n]+Summary))?"
    r"|ACOEM(?:[ \n]+(?:Practice[ \n]+)?Guidelines)?(?:,?[ \n]+(?:\d(?:st|nd|rd|th)[ \n]+Edition,?[ \n]+)?Chapter[ \n]+\d+)?"
    r"|American[ \n]+College[ \n]+of[ \n]+Occupational[ \n]+and[ \n]+Environmental[ \n]+Medicine"
    r"|Chronic[ \n]+Pain(?:[ \n]+Medical)?[ \n]+Treatment[ \n]+Guidelines",
)


def reviewer_guideline_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The stretch of an item block in which the reviewer names the guidelines relied on."""
    match = _REVIEWER_BASIS.search(text, start, end)
    if not match:
        return None
    stop = end
    for pattern in (_RATIONALE, _CLAIMS_BASIS):
        nxt = pattern.search(text, match.end(), end)
        if nxt:
            stop = min(stop, nxt.start())
    return match.start(), stop


def find_guidelines(text: str, start: int, end: int) -> list[Grounded]:
    found: list[Grounded] = []
    seen: set[str] = set()
    for match in _GUIDELINE.finditer(text, start, end):
        value = clean_value(match.group())
        key = value.lower()
        if key in seen or any(key in s for s in seen):
            continue
        seen.add(key)
        found.append(ground(text, match.start(), match.end(), value))
    return found


def find_rationale(text: str, start: int, end: int) -> Grounded | None:
    match = _RATIONALE.search(text, start, end)
    body_start = match.end() if match else start
    if not match:
        basis = reviewer_guideline_span(text, start, end)
        if basis:  # no rationale label: what follows the guideline lines
            body_start = basis[1]
    s, e = trim_span(text, body_start, end)
    if e - s < 3:
        return None
    return ground(text, s, e)


_CONCLUSION = re.compile(
    r"\b(?:therefore|thus|accordingly|consequently|as\s+such)\b.*\b(?:medically\s+necessary|not\s+necessary|recommended)\b"
    r"|recommendation\s+is\s+for\s+(?:authorization|denial)|(?:is|are)\s+(?:not\s*)?medically\s*necessary\s*(?:and\s+appropriate)?\.?$"
    r"|^(?:the\s+)?request\s+(?:is|was)\s+(?:not\s*)?(?:medically\s*necessary|certified|supported)"
    r"|^\s*(?:(?:it\s+is|is)\s+)?(?:not\s*)?medically\s*necessary\.?\s*$",
    re.I,
)

_PATIENT = re.compile(r"\b(?:this|the)\s+(?:patient|injured\s+worker|claimant|employee)\b|\bin\s+this\s+case\b|\brecords?\b|"
                      r"\bdocument(?:ed|ation)?\b|\b(?:she|he|her|his)\b", re.I)
_GENERIC_RULE = re.compile(r"\b(?:guidelines?|MTUS|ODG|ACOEM)\b.{0,40}\b(?:state|recommend|support|allow|indicate|note)", re.I)


def pick_reason(text: str, rationale: Grounded | None) -> Grounded | None:
    """The one sentence of a rationale that best says why; the formulaic conclusion only as a last resort."""
    if rationale is None or rationale.span is None:
        return None
    spans = list(sentences(text, rationale.span.start, rationale.span.end))
    if not spans:
        return None
    best: tuple[float, int, int] | None = None
    for position, (s, e) in enumerate(spans):
        sentence = text[s:e]
        score = len(WHY_CUES.findall(sentence)) * 1.0
        if re.match(r"\s*(?:however|but|although)\b", sentence, re.I):
            score += 1.5
        if _CONCLUSION.search(sentence):
            score -= 1.2
        if len(clean_value(sentence)) < 25:
            score -= 1.0
        if _PATIENT.search(sentence):
            score += 0.8
        elif _GENERIC_RULE.search(sentence):
            score -= 0.6
        score += position / (10 * len(spans))  # later sentences lean towards the conclusion
        if best is None or score > best[0]:
            best = (score, s, e)
    assert best is not None
    return Grounded(value=clean_value(text[best[1] : best[2]]), quote=text[best[1] : best[2]],
                    span=Span(start=best[1], end=best[2]))
