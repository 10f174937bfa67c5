"""The reviewer's own sentence of why, in shorter and plainer words, for when no reason template fits.

`simplify(sentence)` drops citations and page numbers, the "therefore the request is not medically
necessary" formula and lead-ins ("However,"), cuts a long sentence to the clause that says why, and swaps
long words for short ones. It never touches a number: every number stays as the letter writes it. It returns
None when what is left is too short or still too hard to read; the caller then says a general sentence.
"""

from __future__ import annotations

import re

from .checks import fk_grade

__all__ = ["simplify"]

MAX_WORDS = 30
MAX_GRADE = 14.0  # one sentence alone grades high; the summary as a whole must stay at 8 or lower

_CITATION = re.compile(
    r"\s*\((?:[^()]*\b(?:MTUS|ODG|ACOEM|pages?|pp?\.|pg\.?|chapter|guidelines?|section|table|citing|per)\b[^()]*)\)"
    r"|\s*\bPages?\(?s?\)?:?\s*\d+(?:\s*[-,]\s*\d+)*|\s*\b(?:pp?\.|pg\.?)\s*\d+(?:\s*-\s*\d+)?", re.I)
_LEAD = re.compile(r"^(?:however|therefore|thus|additionally|furthermore|moreover|in addition|in this case|"
                   r"as such|consequently|accordingly|based on (?:the|this) [^,]{0,60}|per the [^,]{0,60}|"
                   r"in summary|overall|given (?:this|the above))\s*,\s*", re.I)
_FORMULA = re.compile(r"\b(?:the )?(?:request(?:ed)?|treatment)\b[^.]{0,150}\b(?:is|was) (?:not )?(?:medically "
                      r"necessary|certified|appropriate)[^.]*\.?$", re.I)
_CUE = re.compile(r"\b(?:no|not|never|without|lack|absence|exceed\w*|only|failed|despite|however|reasonable|"
                  r"appropriate|improve\w*|benefit|trial|recommend\w*|criteria|documented|because|since)\b", re.I)
# Long words -> short ones; whole words, case kept for the first letter.
_WORDS: tuple[tuple[str, str], ...] = (
    (r"the (?:injured worker|patient|claimant|employee)'s", "your"),
    (r"the (?:injured worker|patient|claimant|employee) has", "you have"),
    (r"the (?:injured worker|patient|claimant|employee) had", "you had"),
    (r"the (?:injured worker|patient|claimant|employee) is", "you are"),
    (r"the (?:injured worker|patient|claimant|employee) was", "you were"),
    (r"the (?:injured worker|patient|claimant|employee) does not", "you do not"),
    (r"the (?:injured worker|patient|claimant|employee) did not", "you did not"),
    (r"the (?:injured worker|patient|claimant|employee) reports", "you report"),
    (r"(?:(?:the|his|her|their) )?(?:treating (?:physician|provider)|primary treating physician|requesting (?:physician|provider)|"
     r"treater|provider)", "your doctor"),
    (r"medically necessary", "needed"), (r"medical necessity", "need"),
    (r"documentation", "records"), (r"utilize|utilization of", "use"), (r"approximately", "about"),
    (r"demonstrated?", "show"), (r"demonstrates", "shows"), (r"indicates?", "shows"), (r"additional", "more"),
    (r"subsequent", "later"), (r"prior to", "before"), (r"in excess of", "more than"),
    (r"objective functional improvement", "clear gains in what you can do"),
    (r"functional improvement", "gains in what you can do"), (r"radiculopathy", "a pinched nerve"),
    (r"conservative (?:treatment|care|measures)", "simpler care"), (r"modalit(?:y|ies)", "treatment"),
    (r"efficacy", "benefit"), (r"physician", "doctor"), (r"certification", "approval"),
    (r"non-?certified", "not approved"), (r"is warranted", "is needed"), (r"is not warranted", "is not needed"),
    (r"subjective", "reported"), (r"symptomatology", "symptoms"), (r"continuation of", "continuing"),
    (r"aforementioned", "this"), (r"guideline criteria", "guideline rules"),
)
_WORD_RE = tuple((re.compile(rf"\b{p}\b", re.I), r) for p, r in _WORDS)


def _swap(text: str) -> str:
    for regex, repl in _WORD_RE:
        text = regex.sub(lambda m, r=repl: r.capitalize() if m.group()[:1].isupper() and m.start() == 0 else r,
                         text)
    return text


def _clauses(text: str) -> list[str]:
    parts = re.split(r";\s+|:\s+|,\s+(?=(?:and|but|which|as|since|because|although|while|so)\b)|\s+(?=because\b)",
                     text)
    return [p.strip(" ,") for p in parts if p.strip(" ,")]


def simplify(sentence: str) -> str | None:
    """The sentence shorter and plainer, numbers untouched; None when nothing readable that says why is left."""
    text = " ".join(sentence.split())
    text = _CITATION.sub("", text)
    text = re.sub(r"^(?:\d+[.)]\s*)?(?:Decision rationale|Rationale|Reason)\s*:\s*", "", text, flags=re.I)
    while (m := _LEAD.match(text) or re.match(r"(?:but|and|so|also|thus)\s+", text, re.I)):
        text = text[m.end():]
    if _FORMULA.search(text) and not re.search(r"\b(?:because|since|as|due to|given)\b", text, re.I):
        return None  # "the request is not medically necessary" says the outcome, not why
    text = re.sub(r",?\s*(?:and )?(?:therefore|thus|so) (?:the )?(?:request|treatment)\b.*$", "", text, flags=re.I)
    text = re.sub(r"^(?:the )?(?:request(?:ed)?|treatment)\b[^.]{0,150}?\b(?:is|was) (?:not )?(?:medically necessary|"
                  r"certified|appropriate|supported)\s+(?:because|since|as|given that|due to)\s+", "", text, flags=re.I)
    if len(text.split()) > MAX_WORDS:
        clauses = [c for c in _clauses(text) if len(c.split()) >= 5]
        best = max(clauses, key=lambda c: (len(_CUE.findall(c)) > 0, -abs(len(c.split()) - 16)), default="")
        text = best if best and _CUE.search(best) else ""
    text = _swap(text).strip(" ,;:")
    if "," not in text:  # "because X" alone is a fragment; "Because X, Y." is a sentence
        text = re.sub(r"^(?:because|since|as|given that|due to)\s+", "", text, flags=re.I)
    text = re.sub(r"\s+([,.;:])", r"\1", text)
    if len(text.split()) < 5 or len(text.split()) > MAX_WORDS or not _CUE.search(text):
        return None
    text = text[:1].upper() + text[1:]
    text = text if text.endswith((".", "!", "?")) else text + "."
    return text if fk_grade(text) <= MAX_GRADE else None
