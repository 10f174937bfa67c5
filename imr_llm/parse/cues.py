"""The cues a letter uses to announce an item and to state a decision, kept as data.

Each `Cue` has a family ("decision", "item" or "overall"), a strength (3 = a label or a
verdict on the item's own line, 2 = a concluding sentence, 1 = a weak hint), the pattern,
where it is read ("flat": sentences with line breaks and page furniture removed, see
`flat.py`; "line": one line of the letter) and an example that its test must read.

Decision words are matched OCR-tolerantly ("Deterrnination", "rnedically", "uphe1d").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CUES", "Cue", "polarity", "VERDICT", "ocr"]

_OCR = {"m": "(?:m|rn)", "l": "[l1I|]", "i": "[il1]", "o": "[o0]", "e": "[ec]"}


def ocr(phrase: str) -> str:
    """A regex for a phrase that tolerates common OCR confusions and any whitespace between words."""
    out = []
    for ch in phrase:
        if ch == " ":
            out.append(r"\s+")
        elif ch.lower() in _OCR:
            out.append(_OCR[ch.lower()])
        elif ch == "-":
            out.append(r"-?\s?")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _any(*phrases: str) -> str:
    return "(?:" + "|".join(ocr(p) for p in sorted(phrases, key=len, reverse=True)) + ")"


_NECESSARY = ocr("medically necessary") + r"(?:\s+and\s+appropriate)?"
# Verdict phrases, longest first so that "not medically necessary" wins over "medically necessary".
VERDICT = _any(
    "not medically necessary", "medically necessary", "non-certified", "not certified", "not approved",
    "not authorized", "not authorised", "upheld", "uphold", "overturned", "overturn", "reversed", "overruled",
    "certified", "approved", "authorized", "authorised", "denied", "deny", "approve",
    "recommend non-certification", "recommend certification", "affirmed", "sustained",
)
_UPHELD_WORDS = re.compile(r"^(?:not|non|no$|uphe|uphol|deni|deny|affirm|sustain|recommend non)", re.I)


def polarity(verdict: str) -> str:
    """'upheld' or 'overturned' for a verdict phrase (OCR-tolerant)."""
    word = re.sub(r"\s+", " ", verdict.lower().replace("rn", "m").replace("1", "l").replace("0", "o")).strip()
    return "upheld" if _UPHELD_WORDS.match(word) else "overturned"


@dataclass(frozen=True)
class Cue:
    name: str
    family: str  # "decision" | "item" | "overall"
    strength: int
    where: str  # "flat" | "line"
    pattern: re.Pattern[str]
    example: str


def _cue(name: str, family: str, strength: int, where: str, pattern: str, example: str) -> Cue:
    flags = re.I | (re.M if where == "line" else 0)
    return Cue(name, family, strength, where, re.compile(pattern, flags), example)


_LABEL = r"(?:(?:IMR|Reviewer'?s?|Independent\s+Medical\s+Review|Expert\s+Reviewer'?s?|Item)\s+)?" \
         + _any("decision", "determination", "outcome", "result", "finding", "conclusion", "ruling")
_SUBJECT_IS = r"(?:(?:the|this)\s+(?:request(?:ed)?(?:\s+(?:item|service|treatment))?|item|service|treatment)\s+(?:is|was)\s+)?"
_CONNECTIVE = r"(?:therefore|thus|accordingly|consequently|as\s+such|hence|in\s+summary|in\s+conclusion|for\s+these\s+reasons)"

CUES: list[Cue] = [
    # --- decision statements ------------------------------------------------------------------
    _cue("label", "decision", 3, "flat",
         rf"(?<![A-Za-z])(?<!Final\s)(?<!Final\s\s)(?<!UR\s)(?P<label>{_LABEL})\s*[:\-]\s*{_SUBJECT_IS}(?P<v>{VERDICT})(?![A-Za-z])",
         "Determination: Upheld"),
    _cue("authorization_label", "decision", 3, "flat",
         rf"(?<![A-Za-z])(?:Authori[sz]ation|Recommendation|Certification)\s*[:\-]\s*(?P<v>{_any('not recommended', 'recommended', 'not authorized', 'authorized', 'denied', 'approved', 'non-certified', 'certified', 'not certified')})(?![A-Za-z])",
         "Authorization: Not recommended."),
    _cue("necessary_yes_no", "decision", 3, "flat",
         rf"(?<![A-Za-z]){ocr('medically necessary')}(?:\s+and\s+appropriate)?\s*[:?]\s*(?P<v>Yes|No)\b",
         "Medically necessary: No"),
    _cue("recommendation", "decision", 3, "flat",
         r"(?<![A-Za-z])(?P<v>(?:I\s+)?recommend(?:ed|s)?\s+(?:non-?\s?certification|certification|denial|authorization|approval)"
         r"|(?:non-?\s?certification|certification|denial|authorization)\s+is\s+recommended)(?![A-Za-z])",
         "Naproxen sodium 550 mg #60:  Recommend certification."),
    _cue("decision_on", "decision", 3, "flat",
         r"(?<![A-Za-z])(?:Decision|Determination|Finding|Conclusion)\s+(?:on|for|regarding|as\s+to|about)\s+(?:the\s+)?"
         r"(?:request(?:ed)?\s+(?:for\s+)?)?(?P<item>(?:[^:.]|\.(?=\d)){3,150}?)\s*:\s*(?:[^.]{0,80}?\s)?"
         rf"(?P<v>{_any('not medically necessary', 'medically necessary', 'upheld', 'overturned', 'reversed', 'affirmed', 'sustained', 'non-certified', 'certified', 'denied', 'approved')})(?![A-Za-z])",
         "Decision on the TENS unit for home use: the UR decision is upheld."),
    _cue("state_of_denial", "decision", 3, "flat",
         r"(?<![A-Za-z])(?:the\s+)?(?:prior\s+|UR\s+|utilization\s+review\s+)?"
         r"(?P<noun>non-?\s?certification|denial|UR\s+decision|certification)\s+(?:is\s+|was\s+|has\s+been\s+)?"
         rf"(?P<v>{_any('upheld', 'affirmed', 'sustained', 'stands', 'reversed', 'overturned', 'granted')})(?![A-Za-z])",
         "Conclusion: Non-certification affirmed."),
    _cue("reviewer_certifies", "decision", 3, "flat",
         r"(?<![A-Za-z])(?:I|the\s+(?:expert\s+|IMR\s+|physician\s+)?reviewer)\s+(?P<neg>does\s+not\s+|do\s+not\s+|cannot\s+)?"
         r"(?P<v>certif(?:y|ies)|approves?|authori[sz]es?)\s+(?:this|the)\s+(?:request|item|service|treatment)",
         "The reviewer does not certify this request."),
    _cue("administrator", "decision", 3, "flat",
         r"(?<![A-Za-z])(?:the\s+)?(?:claims\s+administrator'?s?\s+|prior\s+|previous\s+|original\s+|initial\s+)?"
         r"(?:(?:UR|utilization\s+review)\s+)?(?:determination|decision|denial|non-?\s?certification|adverse\s+determination)"
         r"(?:\s+(?:of|for|on|regarding)\s+[^.;:]{3,120}?)?\s+(?:is|are|has\s+been|have\s+been|is\s+hereby|must\s+be)\s+"
         rf"(?P<v>{_any('upheld', 'affirmed', 'sustained', 'overturned', 'reversed', 'overruled')})(?![A-Za-z])",
         "The Claims Administrator's determination is upheld."),
    _cue("reviewer_verb", "decision", 3, "flat",
         r"(?<![A-Za-z])(?:I|the\s+(?:expert\s+|physician\s+|professional\s+|IMR\s+)?reviewer|this\s+reviewer)\s+(?:hereby\s+)?"
         rf"(?P<v>{_any('upholds', 'uphold', 'overturns', 'overturn', 'reverses', 'reverse', 'affirms', 'affirm')})\s+"
         r"(?:the\s+)?(?:prior\s+|previous\s+|original\s+)?(?:UR\s+|utilization\s+review\s+)?"
         r"(?:denial|non-?\s?certification|decision|determination)",
         "The reviewer upholds the prior non-certification."),
    _cue("answer", "decision", 3, "flat",
         rf"(?:{_NECESSARY}|reasonable\s+and\s+necessary)\s*\?\s*(?:\(?\s*(?:Answer|Response|Decision|Determination)\s*:?\s*)?(?P<v>Yes|No|{VERDICT})(?![A-Za-z])",
         "Is the requested Lidoderm patch 5% #30 medically necessary?  No."),
    _cue("answer_label", "decision", 3, "flat", r"(?<![A-Za-z])(?:Answer|Response)\s*:\s*(?P<v>Yes|No)\b",
         "Answer: No. The request is non-certified."),
    _cue("request_status", "decision", 2, "flat",
         r"(?<![A-Za-z])(?:this|the)\s+(?:request(?:ed\s+(?:service|treatment|item))?|item|service|treatment)\s+(?:is|are)\s+"
         rf"(?:hereby\s+)?(?P<v>{_any('non-certified', 'not certified', 'certified', 'approved', 'denied', 'authorized', 'not approved', 'not authorized')})(?![A-Za-z])",
         "This request is certified."),
    _cue("necessity", "decision", 2, "flat",
         rf"(?:is|are|has\s+been|have\s+been)\s+(?P<neg>not\s+)?(?:(?:found|deemed|considered|determined|judged)\s+(?:to\s+be\s+)?)?"
         rf"(?P<v>(?:not\s+)?{ocr('medically necessary')})(?:\s+and\s+appropriate)?",
         "Therefore, the request for Norco 10/325mg #120 is not medically necessary."),
    _cue("necessity_established", "decision", 2, "flat",
         r"(?:medical\s+)?necessity\s+(?:for\s+[^.;]{3,150}?\s+)?(?:has|have|is|was)\s+(?P<v>not\s+)?(?:been\s+)?"
         r"(?:established|demonstrated|substantiated|supported|met)",
         "Medical necessity for this request has not been established."),
    _cue("criteria", "decision", 2, "flat",
         r"(?:does|do)\s+(?P<v>not\s+)?meet\s+(?:the\s+)?(?:medical\s+necessity|guideline)\s+criteria",
         "The home exercise kit for the lumbar spine does not meet medical necessity criteria."),
    _cue("concluding_support", "decision", 2, "flat",
         rf"\b{_CONNECTIVE},?\s+[^.;]{{0,200}}?\s+(?:is|are)\s+(?P<v>not\s+)?"
         r"(?:supported|warranted|indicated|recommended|appropriate|reasonable)(?:\s+(?:at\s+this\s+time|in\s+this\s+case))?\s*\.",
         "As such, the requested home health care is not supported."),
    _cue("numbered_verdict", "decision", 3, "flat",
         rf"(?<![A-Za-z])(?:Item|Issue|Request|Service|Question)\s*#?\s*(?P<num>\d{{1,2}})\s*[:\-)=]?\s*(?P<v>{VERDICT})(?![A-Za-z])",
         "Issue 1 Upheld; Issue 2 Overturned."),
    _cue("numbered_verdict_line", "decision", 3, "line",
         rf"^[ \t]*(?:#[ \t]*)?\(?(?P<num>\d{{1,2}})[.):][ \t]*(?P<v>{VERDICT})[ \t]*\.?[ \t]*$", "   5)  OVERTURNED"),
    _cue("verdict_line", "decision", 3, "line",
         rf"^[ \t]*(?P<v>{VERDICT})[ \t]*\.?[ \t]*$", "UPHELD"),
    _cue("item_line", "decision", 3, "line",
         r"^[ \t|]*(?P<item>[^\n|]*?[^\s|:\-.])(?P<sep>[ \t]*:[ \t]*|[ \t]*--[ \t]*|[ \t]+-[ \t]*|[ \t]*-[ \t]+|[ \t]*\.{3,}[ \t]*|[ \t]{2,}|[ \t]*\|[ \t]*|(?<=\?)[ \t]*)"
         rf"(?:(?:(?:UR|utilization\s+review|prior)\s+)?(?:decision|denial|determination|non-?certification)\s+)?"
         rf"(?P<v>{VERDICT})[ \t]*\.?[ \t]*(?:$|\||[ \t]{{2,}}\S)",
         "Physical Therapy (PT), (2) times a week for (4) weeks:  Overturned"),
    _cue("verdict_first_line", "decision", 3, "line",
         rf"^[ \t|]*(?:[-*\u2022][ \t]*)?(?P<v>{VERDICT})[ \t]*(?:\.{{3,}}|--?|\|)[ \t]*(?P<item>[^\n|]*[^\s|.])[ \t|]*$",
         "NOT MEDICALLY NECESSARY ....... Functional capacity evaluation"),
    # --- the letter's overall determination ----------------------------------------------------
    _cue("final_determination", "overall", 3, "flat",
         rf"Final\s+Determination\s*(?:is|was|:|-)?\s*(?:is\s+)?(?P<v>{_any('upheld', 'uphold', 'overturned', 'overturn')})(?![A-Za-z])",
         "Final Determination: OVERTURN"),
    # --- item announcements ---------------------------------------------------------------------
    _cue("numbered_heading", "item", 3, "line",
         r"^[ \t]*(?=(?-i:[A-Z]))(?:(?:Disputed\s+|Requested\s+)?(?:Item|Issue|Service|Treatment|Request|Question)(?:\s+(?:Under\s+Review|in\s+Dispute))?"
         r"|Disputed\s+(?:Item|Service|Treatment|Request)(?:/Service)?)[ \t]*(?:#|No\.?|Number)?[ \t]*\(?(?P<num>\d{1,2})(?![A-Za-z0-9])"
         r"(?:[ \t]*(?:of|/)[ \t]*\d{1,2})?\)?[ \t]*[:.)\-]?[ \t]*(?P<item>[^\n]*)$",
         "Item 2 of 3: Chiropractic manipulation, 6 visits"),
    _cue("item_label", "item", 3, "line",
         r"^[ \t]*(?:Disputed\s+(?:Item|Service|Treatment)(?:/Service)?|Treatment(?:/Service)?\s+(?:Requested|in\s+Dispute|Under\s+Review)"
         r"|Requested\s+(?:Treatment|Service|Item)(?:/Service)?|Request(?:ed)?|Item|Service(?:\s+Requested)?|Issue(?:\s+at\s+Dispute)?"
         r"|Treatment)[ \t]*:[ \t]*(?P<item>\S[^\n]{2,})$",
         "DISPUTED ITEM: Functional restoration program, 160 hours"),
    _cue("regarding", "item", 3, "flat",
         r"Regarding\s+the\s+request(?:ed)?\s+(?:for\s+)?(?P<item>[^:.]{3,200}?)\s*:", "Regarding the request for Norco 10/325mg #120:"),
    _cue("with_respect_to", "item", 2, "flat",
         r"(?<![A-Za-z])(?:With\s+(?:respect|regard)\s+to|As\s+(?:to|for|regards)|Concerning|Regarding|In\s+regard\s+to|"
         r"Turning\s+(?:now\s+)?to)\s+(?:the\s+)?(?:request(?:ed)?\s+(?:for\s+)?|proposed\s+)?"
         r"(?P<item>(?:[^,.;:]|\.(?=\d)){3,150}?),",
         "With respect to the request for a cervical epidural steroid injection at C5-C6, the MTUS ..."),
    _cue("question", "item", 3, "flat",
         r"(?<![A-Za-z])(?-i:Is)\s+(?:the\s+)?(?:(?:request(?:ed)?|proposed)\s+(?:(?:treatment|service|item)\s+)?(?:for\s+|of\s+)?)?"
         rf"(?P<item>(?:(?![.!?]\s)[^?]){{3,250}}?),?\s+(?:{_NECESSARY}|reasonable\s+and\s+necessary)\s*\?",
         "Is the request for H-wave unit, 30-day home trial medically necessary?"),
    _cue("paragraph_label", "item", 1, "line",
         r"^[ \t]*(?:\(?\d{1,2}[.)][ \t]*)?(?P<item>[A-Za-z][^:\n]{2,80}?)[ \t]*:[ \t]+\S",
         "Hydrocodone/APAP: The MTUS requires ongoing documentation of pain relief."),
    _cue("caps_heading", "item", 2, "line",
         r"^[ \t]*(?P<item>(?-i:[A-Z][A-Z0-9 ,/&()#%.'-]{4,118}[A-Z0-9)]))[ \t]*:?[ \t]*$",
         "LUMBAR MRI WITHOUT CONTRAST"),
    _cue("standalone", "item", 1, "line",
         r"^[ \t]*(?P<item>[^\s:][^\n]{2,150}?)[ \t]*:?[ \t]*$",
         "Retrospective Toradol 60mg intramuscular injection, DOS 03/02/2015"),
    _cue("numbered_line", "item", 1, "line",
         r"^[ \t]*(?:\(?(?P<num>\d{1,2}|(?-i:[A-H]|[IVX]{1,4}))[.)]|[*\u2022]|-(?=[ \t]))[ \t]+(?P<item>\S[^\n]{2,200})$",
         "2) MRI of the lumbar spine without contrast"),
]

BY_NAME = {cue.name: cue for cue in CUES}
