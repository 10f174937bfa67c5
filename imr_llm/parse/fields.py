"""Case fields of a letter: case number, header dates, patient age and sex, reviewer, diagnoses."""

from __future__ import annotations

import re

from ..models import Grounded
from .flat import Flat
from .text import DATE_PATTERN, clean_value, ground, parse_date, trim_span

__all__ = ["case_fields"]

_D = rf"(?P<date>{DATE_PATTERN})"
_GAP = r"[ \t.]*:?[ \t.]*"  # "Date of Injury: 3/4/14", "Date of Injury ........ 3/4/14"

# Labelled header lines, most specific first; the first match wins.
_LABELS: dict[str, list[str]] = {
    "date_of_injury": [rf"Date\s+of\s+(?:Industrial\s+)?Injury{_GAP}{_D}", rf"\bDOI{_GAP}{_D}", rf"\bInjury\s+Date{_GAP}{_D}",
                       rf"\bD/I{_GAP}{_D}"],
    "ur_decision_date": [
        rf"UR\s+Denia[l1]\s+Date{_GAP}{_D}",
        rf"Date\s+of\s+(?:UR|Utilization\s+Review)\s+(?:Decision|Denial|Determination){_GAP}{_D}",
        rf"(?:UR|Utilization\s+Review)\s+(?:Decision\s+|Denia[l1]\s+|Determination\s+|Non-?certification\s+)?Date{_GAP}{_D}",
    ],
    "decision_date": [rf"(?<!UR )Decision\s+Date{_GAP}{_D}", rf"(?m)^[ ]*Dated{_GAP}{_D}", rf"Determination\s+Date{_GAP}{_D}"],
    "date_assigned": [rf"Date\s+Assigned{_GAP}{_D}"],
    "application_received": [rf"Application\s+Received{_GAP}{_D}"],
}

# Narrative fallbacks, used when no header line gives the value.
_NARRATIVE: dict[str, list[str]] = {
    "date_of_injury": [
        rf"(?:date\s+of\s+injury|injury\s+date|DOI)\s*(?:is|was|of|on|:)?\s*(?:on\s+)?{_D}",
        rf"(?:injured|(?:sustained|reported|suffered)\s+an?\s+(?:\S+\s+){{0,2}}?injury|was\s+injured)\s+(?:\S+\s+){{0,6}}?(?:on|in)\s+{_D}",
    ],
    "ur_decision_date": [
        rf"utilization\s+review\s+(?:\(UR\)\s+)?(?:determination|decision|denial|report)?\s*(?:being\s+challenged\s+)?(?:is\s+|was\s+)?dated\s*(?:on\s+)?{_D}",
        rf"(?:UR|utilization\s+review)\s+(?:denial|decision|determination|non-?certification)\s+(?:dated|of|on|from)\s*{_D}",
        rf"(?:On|on)\s+{_D},?\s+(?:the\s+|a\s+)?(?:utilization\s+review|UR)(?:\s+\(UR\))?(?:\s+physician|\s+reviewer)?\s+(?:non-?certified|denied|modified|determined)",
        rf"(?:utilization\s+review|UR)(?:\s+\(UR\))?\s+(?:on|of)\s+{_D},?\s+(?:which\s+)?(?:non-?certified|denied|modified)",
    ],
}

_AGE_SEX = re.compile(
    r"(?P<age>\d{1,3})[ -]?(?:year|yr)s?[ -]?[o0][l1]d(?:[ ,]+(?:\w+[ ,]+){0,2}?(?P<sex>male|female|man|woman|gentleman|lady|"
    r"boy|girl)\b)?",
    re.I,
)
_SEX_WORDS = {"male": "male", "man": "male", "gentleman": "male", "boy": "male",
              "female": "female", "woman": "female", "lady": "female", "girl": "female"}
_SPECIALTY = re.compile(
    r"(?:Board[ \n]+Certified|board[ \n]+certified|Certification\(s\)/Specialty:|certified\s+by\s+the\s+American\s+Board\s+of)"
    r"[ \n]*(?:in[ \n]+)?(?P<spec>[A-Z][A-Za-z ,&/\n-]{2,120}?)(?=\s*(?:,?\s+and\s+(?:is|has|holds)|,\s+has|,\s+with|\.|;|\n\s*\n|$))",
)
_DIAGNOSES = re.compile(
    r"(?:diagnos[ie]s\s*(?:are|is|include[sd]?|were|was|of)?\s*:?|diagnosed\s+with|Diagnoses?\s*:)\s*"
    r"(?P<list>.{3,400}?)(?=(?-i:(?<![0-9])\.\s+[A-Z][a-z])|\.[ ]*\n|\n[ ]*\n[ ]*\n|\.$|Exam\b|$)",
    re.I | re.S,
)


def _first(text: str, patterns: list[str], start: int = 0, end: int | None = None) -> re.Match[str] | None:
    end = len(text) if end is None else end
    for pattern in patterns:
        match = re.compile(pattern, re.I).search(text, start, end)
        if match and parse_date(match["date"]):
            return match
    return None


def _date_field(text: str, name: str) -> Grounded | None:
    match = _first(text, _LABELS.get(name, [])) or _first(text, _NARRATIVE.get(name, []))
    if match:
        return ground(text, match.start("date"), match.end("date"), parse_date(match["date"]))
    # The sentence may be broken by a hyphenated word or a page footer: read it as sentences.
    flat = Flat.of(text)
    match = _first(flat.text, _NARRATIVE.get(name, []))
    if not match:
        return None
    start, end = flat.span(match.start("date"), match.end("date"))
    return ground(text, start, end, parse_date(match["date"]))


def _case_number(text: str) -> Grounded | None:
    match = re.search(r"(?:Case\s+(?:Number|No\.?|#)\s*:?\s*)(?P<num>CM\d{2}-\d{5,7})", text, re.I) or re.search(
        r"(?P<num>\bCM\d{2}-\d{5,7}\b)", text)
    return ground(text, match.start("num"), match.end("num"), match["num"].upper()) if match else None


def _pronoun_sex(text: str) -> Grounded | None:
    scrubbed = re.sub(r"\b(?:he/she|his/her|him/her|she/he|her/his|he or she|his or her)\b", lambda m: " " * len(m[0]),
                      text, flags=re.I)
    male = list(re.finditer(r"\b(?:he|him|his|himself|Mr\.)\b", scrubbed, re.I))
    female = list(re.finditer(r"\b(?:she|her|hers|herself|Mrs\.|Ms\.)\b", scrubbed, re.I))
    if male and len(male) >= 2 * len(female):
        first, value = male[0], "male"
    elif female and len(female) >= 2 * len(male):
        first, value = female[0], "female"
    else:
        return None
    return Grounded(value=value, quote=first.group(), span=ground(text, first.start(), first.end()).span,
                    alignment="fuzzy")


def _diagnoses(text: str, start: int, end: int) -> list[Grounded]:
    match = _DIAGNOSES.search(text, start, end)
    if not match:
        return []
    s, e = match.start("list"), match.end("list")
    out: list[Grounded] = []
    # Split "1. postconcussion syndrome2. pain in left leg" and "a, b, and c" into entries.
    pieces = re.split(r"(?:(?<=\D)(?=\d{1,2}\.\s*[A-Za-z])|(?<=\s)(?=\d{1,2}[.)]\s)|;|,\s*(?:and\s+)?|\s+and\s+(?=[a-z]))",
                      text[s:e])
    pos = s
    for piece in pieces:
        at = text.find(piece, pos, e + 1) if piece else -1
        if at < 0:
            continue
        pos = at + len(piece)
        ps, pe = trim_span(text, at, at + len(piece))
        ps += len(re.match(r"(?:\d{1,2}[.)]\s*)?", text[ps:pe]).group())
        ps, pe = trim_span(text, ps, pe)
        value = clean_value(text[ps:pe]).rstrip(".")
        if len(value) >= 3:
            out.append(Grounded(value=value, quote=text[ps:pe], span=ground(text, ps, pe).span))
    return out[:12]


def case_fields(text: str, narrative: tuple[int, int], qualifications: tuple[int, int] | None) -> dict:
    """All case fields found in the letter, each a `Grounded` value (or a list of them)."""
    fields: dict = {
        "case_number": _case_number(text),
        "date_of_injury": _date_field(text, "date_of_injury"),
        "ur_decision_date": _date_field(text, "ur_decision_date"),
        "decision_date": _date_field(text, "decision_date"),
        "date_assigned": _date_field(text, "date_assigned"),
        "application_received": _date_field(text, "application_received"),
    }
    if m := re.search(r"Priority\s*:\s*(?P<p>Standard|Expedited|Urgent)", text, re.I):
        fields["priority"] = ground(text, m.start("p"), m.end("p"), m["p"].capitalize())
    if m := _AGE_SEX.search(text, *narrative) or _AGE_SEX.search(text):
        fields["patient_age"] = ground(text, m.start("age"), m.end("age"), int(m["age"]))
        if m["sex"]:
            fields["patient_sex"] = ground(text, m.start("sex"), m.end("sex"), _SEX_WORDS[m["sex"].lower()])
    if "patient_sex" not in fields:
        fields["patient_sex"] = _pronoun_sex(text)
    scope = qualifications or (0, len(text))
    if m := _SPECIALTY.search(text, *scope) or _SPECIALTY.search(text):
        fields["reviewer_specialty"] = ground(text, m.start("spec"), m.end("spec"))
    fields["diagnoses"] = _diagnoses(text, *narrative) or _diagnoses(text, 0, len(text))
    return {k: v for k, v in fields.items() if v is not None}
