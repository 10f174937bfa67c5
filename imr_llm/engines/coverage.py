"""What a letter covers: does a question name a treatment the letter never mentions, or one it does not decide?

"Was acupuncture authorized?" asked of a letter about physical therapy has no answer in that
letter; an honest answer says so instead of answering about the physical therapy. `silence`
finds such questions from the letter text alone (no model, no retrieval):

* the question names a treatment, test or medicine that the letter never mentions, allowing the
  glossary's abbreviations and synonyms (PT = physical therapy, ESI = epidural steroid injection,
  Norco = hydrocodone), plurals and one-letter OCR slips in long words (`unmentioned`);
* a question about a decision ("Was X approved?", "Did the reviewer approve X?", "What did the
  reviewer decide about X?") names a treatment the letter mentions, say in the history, that is not
  one of the disputed items (`undecided`); only for a treatment the glossary knows (a word like
  "extension" may be part of an item's name); never said when the reader found no items, or when a
  sentence that mentions the thing reads like a decision, a request or an item heading (the item may
  then be one the reader missed); the answer says so when the letter is flagged for review;
* a question asks for a case field the letter does not state (age, case number) (`unstated`).

Treatments are recognised by the glossary's terms (`imr_llm.plain.glossary.TERMS`, kinds treatment,
test and medicine); anything else a decision question names is compared word by word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Literal

from rapidfuzz.distance import Levenshtein

from ..analytics import OTHER, treatment_category
from ..plain.glossary import TERMS, Term
from ..models import DecisionSummary, ItemDecision, Span
from ..parse.text import sentences

__all__ = ["Silence", "silence"]

Kind = Literal["unmentioned", "undecided", "unstated"]

_NAMED_KINDS = ("treatment", "test", "medicine")
# Glossary terms for a class of things, not one thing: a letter about Norco answers "Was an opioid approved?".
_CLASSES = frozenset({"opioid", "NSAID", "PPI", "muscle relaxant", "compounded cream"})
# A term is mentioned where a term it covers is: a brand names its drug and the drug its brand (Norco is
# hydrocodone), a narrower form names its kind (aquatic therapy is physical therapy), never the other way round.
_COVERS = {"Norco": ("hydrocodone/APAP",), "hydrocodone/APAP": ("Norco",), "PT": ("aquatic therapy",),
           "tramadol": ("tramadol ER",), "FRP": ("FRP evaluation",), "arthroscopy": ("meniscectomy",),
           "lidocaine": ("Lidoderm", "Terocin"), "EMG": ("EMG/NCV",)}
_BY_KEY = {t.key: t for t in TERMS}

_OBJECT = [  # where a question about a decision names its object
    re.compile(r"\b(?:was|were|is|are|has|have)\s+(?P<x>[^?.,;]+?)\s+(?:been\s+)?(?:not\s+)?(?:approved|authori[sz]ed|"
               r"denied|certified|non-?certified|overturned|upheld|covered|granted|rejected|allowed)\b", re.I),
    re.compile(r"\b(?:did|does|will|would)\s+(?:the\s+)?(?:IMR\s+|expert\s+|independent\s+|medical\s+)?(?:reviewer|IMR|"
               r"review)\s+(?:approve|authori[sz]e|deny|certify|uphold|overturn|allow|grant|cover|decide\s+(?:on|about))"
               r"\s+(?P<x>[^?.,;]+)", re.I),
    re.compile(r"\bdecid\w*\s+(?:about|on|regarding)\s+(?P<x>[^?.,;]+)", re.I),
    re.compile(r"\b(?:request|requests|prescription)\s+for\s+(?P<x>[^?.,;]+)", re.I),
]
# Where a named thing ends: "physical therapy for the shoulder", "Norco after surgery", "acupuncture this time".
_TAIL = re.compile(r"\s+\b(?:for|after|before|in|during|this|that|even|when|if|because|since|now|at|to|with|by|"
                   r"from|under|on|as|again|instead)\b.*$", re.I)
_ASIDE = re.compile(r"\s+(?:(?:for|to|of)\s+(?:this|the|that|his|her)\s+(?:injured\s+)?(?:worker|patient|employee|claimant|"
                    r"case)|in\s+this\s+(?:review|case|letter)|this\s+time|now|again)\b.*$", re.I)
_DETERMINER = re.compile(r"^(?:(?:the|a|an|any|my|your|our|his|her|their|its|this|that|these|those|some|more|further|"
                         r"additional|another|new|repeat|requested|proposed|ongoing|continued|same)\s+)+", re.I)
# Words that qualify a treatment without naming it, and words for a kind of thing rather than one thing.
_QUALIFIERS = frozenset("""
left right bilateral both lower upper lumbar lumbosacral cervical thoracic spine spinal back neck shoulder shoulders knee
knees hip hips wrist wrists hand hands elbow elbows ankle ankles foot feet arm arms leg legs extremity extremities joint
body low post pre operative postoperative preoperative post-operative pre-operative surgical trial purchase rental
rent refill refills renewal session sessions visit visits week weeks month months day days time times hour hours
initial repeat additional more further new ongoing continued prescription prescriptions request requests requested
home unit units use daily monthly one two three four five six seven eight ten twelve
""".split())
_CATEGORY = frozenset("""
surgery surgeries operation operations procedure procedures medication medications medicine medicines drug drugs
injection injections shot shots imaging scan scans test tests testing study studies therapy therapies treatment
treatments service services equipment device devices item items care visit program programs consultation consult
evaluation referral things thing anything everything something all other others it they them one mg
the of and or a an to in for with any some each every both either none what which whose his her their patient worker
employee injured claimant reviewer doctor physician
""".split())
# Sentence cues that a mention may be a disputed item the reader missed: then "not one of the disputed items" is not said.
_DECISION_CUE = re.compile(r"medically\s*necessary|\bupheld\b|\boverturn|\bcertif|non-?certif|\bapprov|\bdenied\b|"
                           r"\bdeny\b|\bdispute|\bissues?\b|\bitems?\b|\breviewed\b|\brequest|\bdecision|"
                           r"\bdetermin|\bauthori[sz]", re.I)
_CLAUSE = re.compile(r"(?:[^;,]|,(?!\s+(?:and|but|while|although|whereas)\b))+", re.S)  # a sentence's clauses
_VERB = re.compile(r"\b(?:could|would|should|can|will|be|being|been|do|does|did|have|has|had)\b", re.I)
_WORD = re.compile(r"[a-z0-9]+")
# First words of glossary treatments too common to stand for one ("partial meniscectomy", "urine drug screen").
_COMMON_FIRST = frozenset("partial lateral medial functional hospital inpatient cervical lumbar spinal urine testing "
                          "visits facet physical cognitive pre-operative compounded topical".split())
_AGE = re.compile(  # an age stated in figures or words ("a  year-old" with the number redacted is none)
    r"\b(?:\d{1,3}|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-](?:one|two|three|four|five|six|"
    r"seven|eight|nine))?|(?:thir|four|fif|six|seven|eigh|nine)teen)\s*-?\s*(?:years?|yrs?)[\s-]*old\b"
    r"|\bage[ds]?\s*:?\s*\d{1,3}\b|\bage\s+of\s+\d{1,3}|\b\d{1,3}\s*y/?o\b", re.I)


@dataclass
class Silence:
    """Why the letter does not answer a question, and the passages that show it."""

    kind: Kind
    thing: str  # as the question names it ("acupuncture", "a TENS unit", "the patient's age")
    mentions: list[Span] = field(default_factory=list)  # where the letter mentions the thing (`undecided`)


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


class _Words:
    """A text's words (lower case, stemmed) with their offsets, for phrase look-ups that forgive plurals and OCR slips."""

    def __init__(self, text: str):
        self.text = text
        self.words = [(_stem(m.group()), m.start(), m.end()) for m in _WORD.finditer(text.lower())]

    @cached_property
    def positions(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for n, (word, _, _) in enumerate(self.words):
            out.setdefault(word, []).append(n)
        return out

    def _where(self, word: str) -> list[int]:
        found = list(self.positions.get(word, []))
        if len(word) >= 6 and not word.isdigit():  # "acupunctnre" in an OCR scan is still acupuncture
            for other, places in self.positions.items():
                if other != word and abs(len(other) - len(word)) <= 1 and Levenshtein.distance(word, other) <= 1:
                    found += places
        return sorted(found)

    def phrase(self, words: list[str]) -> list[Span]:
        """Where all `words` occur close together (in any order): spans of the letter."""
        if not words:
            return []
        places = [self._where(w) for w in words]
        window = 2 * len(words) + 1
        spans = []
        for n in places[0]:
            near = [[p for p in ps if abs(p - n) <= window] for ps in places[1:]]
            if all(near):
                lo, hi = min([n] + [ps[0] for ps in near]), max([n] + [ps[-1] for ps in near])
                spans.append(Span(start=self.words[lo][1], end=self.words[hi][2]))
        return spans


@lru_cache(maxsize=16)
def _letter_words(text: str) -> _Words:
    """A letter's words, read once for all the questions asked of it."""
    return _Words(text)


def _words(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text.lower())]


def _same_as(term: Term) -> list[Term]:
    return [term] + [_BY_KEY[k] for k in _COVERS.get(term.key, ()) if k in _BY_KEY]


def _named_terms(text: str) -> list[tuple[Term, str]]:
    """The glossary's treatments, tests and medicines a text names, with the words it uses; the longest
    match wins where two overlap ("tramadol ER" over "tramadol")."""
    found: list[tuple[int, int, Term]] = []
    for term in TERMS:
        if term.kind not in _NAMED_KINDS or term.key in _CLASSES:
            continue
        for m in term.regex.finditer(text):
            if not any(s <= m.start() and m.end() <= e for s, e, _ in found):
                found = [(s, e, t) for s, e, t in found if not (m.start() <= s and e <= m.end())]
                found.append((m.start(), m.end(), term))
    return [(term, text[s:e]) for s, e, term in sorted(found, key=lambda f: f[0])]


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a glossary pattern, with their optional groups left out."""
    parts, depth, start = [], 0, 0
    for n, char in enumerate(pattern):
        depth += char == "("
        depth -= char == ")"
        if char == "|" and depth == 0:
            parts.append(pattern[start:n])
            start = n + 1
    return [re.sub(r"\(\?:[^()]*\)\??|\\.|[()?*+\[\]]", " ", p) for p in parts + [pattern[start:]]]


@lru_cache(maxsize=1)
def _first_words() -> list[tuple[str, Term]]:
    """The first word of each way the glossary writes a treatment ("physiotherapy", "chiropractic", ...)."""
    out = []
    for term in TERMS:
        if term.kind in _NAMED_KINDS and term.key not in _CLASSES:
            for alternative in _alternatives(term.pattern):
                words = alternative.lower().split()
                if words and len(words[0]) >= 6 and words[0] not in _COMMON_FIRST:
                    out.append((words[0], term))
    return out


def _shortened_terms(phrase: str) -> list[tuple[Term, str]]:
    """Glossary treatments a phrase names by a shortening ("physio", "chiro"): the words that begin one."""
    found = []
    for word in re.findall(r"[a-z]{4,}", phrase.lower()):
        if word in _QUALIFIERS or word in _CATEGORY:
            continue
        found += [(term, word) for first, term in _first_words() if first != word and first.startswith(word)]
    return found


def _term_mentions(term: Term, said: str, letter: _Words) -> list[Span]:
    spans = [Span(start=m.start(), end=m.end()) for t in _same_as(term) for m in t.regex.finditer(letter.text)]
    return spans or letter.phrase(_words(said))


def _core(phrase: str) -> list[str]:
    return [w for w in _words(phrase) if w not in _QUALIFIERS and w not in _CATEGORY and not w.isdigit()]


def _decision_object(question: str) -> str | None:
    for pattern in _OBJECT:
        m = pattern.search(question)
        if m and not _VERB.search(m.group("x")):  # "was missing before X could be approved" names no object
            return m.group("x").strip()
    return None


def _clean_object(phrase: str) -> str:
    return _DETERMINER.sub("", _TAIL.sub("", phrase)).strip(" '\"")


def _shown(phrase: str) -> str:
    """The object as the answer names it: "a TENS unit", "physical therapy for the shoulder"."""
    article = re.match(r"(?:a|an|the)\s+", phrase, re.I)
    rest = _DETERMINER.sub("", phrase[article.end():] if article else phrase)
    rest = _ASIDE.sub("", rest).strip(" '\"")
    return (article.group().lower() if article else "") + rest


def _item_names(item: ItemDecision, terms: list[tuple[Term, str]]) -> bool:
    return any(t.regex.search(item.item.value) for term, _ in terms for t in _same_as(term))


def _field_silence(question: str, text: str, summary: DecisionSummary) -> Silence | None:
    if re.search(r"\bhow\s+old\b|\bage\b", question, re.I) and not summary.patient_age and not _AGE.search(text):
        return Silence("unstated", "the patient's age")
    if re.search(r"\bcase\s+(?:number|no\b|#)|\bIMR\s+(?:number|no\b|#)", question, re.I) and not summary.case_number \
            and not re.search(r"\bCM\d{2}-?\d{4,}", text):
        return Silence("unstated", "a case number")
    return None


def silence(question: str, text: str, summary: DecisionSummary) -> Silence | None:
    """Why the letter cannot answer `question`, or None when it may (then the answer engines answer it)."""
    unstated = _field_silence(question, text, summary)
    if unstated:
        return unstated
    letter = _letter_words(text)
    obj = _decision_object(question)
    named = _named_terms(question)
    if named and all(not _term_mentions(term, said, letter) for term, said in named):
        said = " and ".join(dict.fromkeys(said for _, said in named))
        shown = _shown(obj) if obj and len(named) == 1 and named[0][1] in obj else said
        return Silence("unmentioned", shown)
    if obj is None:
        return None
    thing = _clean_object(obj)
    terms = _named_terms(thing) or _shortened_terms(thing)
    core = [] if terms else _core(thing)
    if not terms and not core:
        return None  # "Was the surgery approved?", "Were all the requests approved?": not one named thing
    if terms:
        mentions = [s for term, said in terms for s in _term_mentions(term, said, letter)]
    else:
        mentions = letter.phrase(core)
    if not mentions:
        return Silence("unmentioned", _shown(obj))
    if not terms or not _undecided(thing, terms, mentions, text, summary):
        return None  # only a recognised treatment is said not to be decided: "the extension" may be an item's
    return Silence("undecided", _shown(obj), sorted(set(mentions), key=lambda s: s.start))


def _undecided(thing: str, terms: list[tuple[Term, str]], mentions: list[Span], text: str,
               summary: DecisionSummary) -> bool:
    """The letter mentions the thing but decides nothing about it: none of the items the reader found is the
    thing or of its kind, and no sentence that mentions it reads like a decision, a request or an item heading
    (which could be an item the reader missed)."""
    if not summary.items:
        return False
    if any(_item_names(item, terms) for item in summary.items):
        return False
    kind = treatment_category(thing)
    if kind != OTHER and any(treatment_category(item.item.value) == kind for item in summary.items):
        return False  # "knee replacement" may well be the "total knee arthroplasty" item
    bounds = list(sentences(text))
    for span in mentions:
        s, e = next(((s, e) for s, e in bounds if s <= span.start < e), (span.start, span.end))
        clauses = [m for m in _CLAUSE.finditer(text, s, e) if m.start() <= span.start < m.end()]
        if _DECISION_CUE.search(clauses[0].group() if clauses else text[s:e]) or _on_heading(text, span):
            return False
    return True


def _on_heading(text: str, span: Span) -> bool:
    """The mention heads a line of its own ("TRAMADOL ER 150MG #30", "2) Acupuncture x 6"): an item heading,
    not prose wrapped so that the mention starts a line."""
    lo = text.rfind("\n", 0, span.start) + 1
    hi = text.find("\n", span.end)
    line = text[lo : hi if hi >= 0 else len(text)].strip()
    before = text[lo : span.start].strip()
    previous = text[: max(lo - 1, 0)].rstrip(" \t").rsplit("\n", 1)[-1].strip()
    starts_block = not previous or previous.endswith((".", ":", ";", ")", "|")) or previous.isupper()
    prose = re.search(r"[.!?]\s+[A-Z]", line)
    return (starts_block and len(line) < 100 and not prose and not line.endswith(".")
            and not re.search(r"[a-z]{3}", before.lower().replace("item", "")))
