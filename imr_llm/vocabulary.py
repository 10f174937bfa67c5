"""The words of an IMR letter that every stage shares: the parser, the grounding check, the offline answer engine,
the plain-language summary, the corpus analytics and the evaluation all read them from here, once.

* **Items** -- `same_item(a, b)` says when two mentions name one disputed item (the reader's rule: careful about
  doses, counts and what is treated); `item_similarity(a, b)` is the 0-100 score the evaluation matches a hand
  label with an output by (forgiving of extra words: a gold label is short), `MATCH_THRESHOLD` its pass mark.
* **Treatments** -- `TREATMENT_CATEGORIES` (the analytics' categories, first match wins), `KIND_WORDS` and
  `TERM_KINDS` (what a treatment is, for the plain reasons that can explain it), `TREATMENT_WORDS` (does a phrase
  name a treatment at all) and `SYNONYMS` (the abbreviations a question uses).
* **Why** -- `WHY_WORDS`, the words a reviewer's reason uses; `WHY_CUES`, the reader's broader cues; `ANY_REASON`,
  any sign of a reason; `CASE_CUES`, words that point at this patient's case.
* **Sentences** -- `sentences(text, start, end)` yields the letter offsets of each sentence (`rule`: of letter
  text, or of a rationale read for the plain summary).

A leaf: it imports nothing else of imr_llm, so any stage may import it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz

__all__ = [
    "ANY_REASON", "CASE_CUES", "KIND_WORDS", "MATCH_THRESHOLD", "OTHER", "PAIRED_THRESHOLD", "SAME_ITEM_THRESHOLD",
    "SYNONYMS", "SentenceRule", "TERM_KINDS", "TREATMENT_CATEGORIES", "TREATMENT_WORDS", "WHY_CUES", "WHY_WORDS",
    "item_similarity", "normalise_item", "same_item", "sentences", "treatment_category", "treatment_kinds",
]

# --- items --------------------------------------------------------------------------------------------------------

SAME_ITEM_THRESHOLD = 85
"""Token-set similarity (0-100, with partial similarity of at least 80) at which two mentions are one item when the
rules of `same_item` have not decided: the reader's threshold (it was parse/announcements.similar's). The fast path
merged announcements by its own copy (token-set >= 90, the same numbers in the same order); with this one rule it
reads all 1,744 letter texts checked (the gold, blind, held-out and test letters and the rewrites of the eval
letters) as before, except six rewrites of three letters, where an OCR'd item label ("C0gnitive behavioral therapy,
6 sessions:") is now known as the item's, as it is in the original letter."""
PAIRED_THRESHOLD = 60
"""For two mentions already paired by something else (the same item number in the same letter): the names need
only not contradict each other, so numbers may differ and most words suffice."""
MATCH_THRESHOLD = 80.0
"""The evaluation's pass mark for `item_similarity`: a gold label and an output name one item at 80 or more."""

_REQUEST_FOR = re.compile(r"^(?:the\s+)?(?:retrospective\s+|prospective\s+)?(?:request(?:ed)?\s+(?:for\s+)?)", re.I)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")

# Words that say where, how often or how much, not what: "MRI lumbar spine" and "physical therapy lumbar spine"
# share only these, so they are two items.
_WHERE_AND_HOW_MUCH = frozenset(
    "of the for a an and to with x per week weeks times time day days month months session sessions visit visits "
    "spine lumbar cervical thoracic lumbosacral bilateral left right lower upper extremity extremities knee shoulder "
    "neck back hip wrist hand ankle foot elbow request requested purchase rental trial home use at in on".split())


@lru_cache(maxsize=8192)
def _norm(value: str) -> str:
    value = _REQUEST_FOR.sub("", value)
    return re.sub(r"[^a-z0-9/%#.]+", " ", value.lower()).strip(" .")


def _heads(value: str) -> set[str]:
    """The words of an item that say what it is, not where, how often or how much."""
    return {w for w in value.split() if w not in _WHERE_AND_HOW_MUCH and not re.fullmatch(r"[\d./%#]+", w)}


def _paired(a: str, b: str) -> bool:
    if a in b or b in a:
        return True
    return fuzz.token_set_ratio(a, b) >= PAIRED_THRESHOLD


@lru_cache(maxsize=16384)
def same_item(a: str, b: str, *, paired: bool = False) -> bool:
    """Two mentions of one disputed item.

    Numbers (doses, counts) must agree: "Norco 10/325mg #60" is not "Norco 10/325mg #120", unless one mention is
    the beginning of the other ("fusion at L4-L5" / "fusion at L4-L5 with 3-day inpatient stay"). The words that
    say what is treated must meet: "MRI lumbar spine" is not "physical therapy lumbar spine". The same 'what' with
    fewer 'where' words, or a whole-word containment of six characters or more, is the same item; otherwise the
    words must mostly agree (`SAME_ITEM_THRESHOLD`).

    `paired=True`: the two mentions are already paired by their place (the same item number of one letter), so
    the names need only be alike (`PAIRED_THRESHOLD`, numbers not compared): the grounding check of a model's
    items uses it to keep an item whose name the model reworded.
    """
    a, b = _norm(a), _norm(b)
    if not a or not b:
        return False
    if a == b:
        return True
    if paired:
        return _paired(a, b)
    na, nb = _NUMBER.findall(a), _NUMBER.findall(b)
    if na and nb and na != nb and not (set(na) <= set(nb) or set(nb) <= set(na)):
        return False
    if na != nb and (na and nb):
        short, long_ = sorted((a, b), key=len)
        if set(na) ^ set(nb) and min(len(na), len(nb)) >= 2 and not long_.startswith(short + " "):
            return False
    heads_a, heads_b = _heads(a), _heads(b)
    if heads_a and heads_b and not heads_a & heads_b:
        return False
    where_a, where_b = set(a.split()) - heads_a, set(b.split()) - heads_b
    if heads_a and heads_a == heads_b and (where_a <= where_b or where_b <= where_a):
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 6 and re.search(r"(?<![a-z0-9])" + re.escape(short) + r"(?![a-z0-9])", long_):
        return True
    return fuzz.token_set_ratio(a, b) >= SAME_ITEM_THRESHOLD and fuzz.partial_ratio(a, b) >= 80


def normalise_item(text: str) -> str:
    """Lower-case words and numbers only, as the evaluation compares item names."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def item_similarity(a: str, b: str) -> float:
    """0-100: token-set similarity of the normalised names; 100 when one contains the other as whole words.

    The evaluation's score, not the reader's rule: a hand label ("Norco") is matched with an output
    ("Norco 10/325 mg #60") one-to-one at `MATCH_THRESHOLD`, so it forgives what `same_item` must not.
    """
    a, b = normalise_item(a), normalise_item(b)
    if not a or not b:
        return 0.0
    if f" {a} " in f" {b} " or f" {b} " in f" {a} ":
        return 100.0
    return float(fuzz.token_set_ratio(a, b))


# --- treatments ---------------------------------------------------------------------------------------------------

# The analytics' categories, checked in this order; the first match wins (a lidocaine cream is a topical, not an
# NSAID; post-operative therapy is therapy, not surgery). An item that matches none is "other", never guessed.
TREATMENT_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("topical compounds / patches", r"topical|cream|compound|patch|lidoderm|terocin|\bgel\b|ointment|lotion|flector"),
    ("nerve tests (EMG/NCV)", r"\bemg\b|\bncv\b|\bncs\b|nerve conduction|electromyo|electrodiagnos"),
    ("injections (ESI/facet/RFA)", r"inject|epidural|\besi\b|facet|radiofrequency|ablation|rhizotomy|neurotomy|"
                                   r"nerve block|medial branch|trigger point|synvisc|viscosupplement|\bprp\b"),
    ("imaging (MRI/CT/X-ray)", r"\bmri\b|magnetic resonance|\bct\b|cat scan|x-?rays?\b|radiograph|bone scan|"
                               r"ultrasound|imaging|myelogra|arthrogra"),
    ("functional restoration", r"functional restoration|\bfrp\b|work hardening|work conditioning|\bhelp program"),
    ("psychological (CBT)", r"\bcbt\b|cognitive behavio|psycholog|psychiatr|psychotherap|biofeedback"),
    ("physical therapy", r"physical therapy|physiotherapy|\bpt\b|aquatic|pool therapy|occupational therapy|"
                         r"therapeutic exercise"),
    ("chiropractic", r"chiropract|manipulation|manual therapy"),
    ("acupuncture", r"acupunct"),
    ("durable medical equipment (TENS/H-wave)", r"\btens\b|h-?wave|interferential|\bunit\b|brace|orthotic|orthosis|"
                                                r"durable medical|\bdme\b|\bcane\b|walker|wheelchair|mattress|"
                                                r"exercise kit|cold therapy|hot/cold|equipment|collar|splint"),
    ("urine drug screen", r"urine|drug screen|drug test|toxicolog|\buds\b"),
    ("home health / gym", r"home health|\baide\b|gym|membership|housekeep|home care|caregiver"),
    ("opioids", r"norco|hydrocodone|tramadol|ultram|oxycodone|oxycontin|percocet|morphine|ms contin|fentanyl|"
                r"methadone|tapentadol|nucynta|codeine|buprenorphine|opioid|opiate|dilaudid|hydromorphone"),
    ("NSAIDs", r"naproxen|anaprox|ibuprofen|motrin|meloxicam|mobic|celecoxib|celebrex|diclofenac|etodolac|"
               r"nabumetone|ketorolac|toradol|\bnsaids?\b"),
    ("muscle relaxants", r"cyclobenzaprine|flexeril|fexmid|tizanidine|zanaflex|baclofen|methocarbamol|robaxin|"
                         r"carisoprodol|\bsoma\b|orphenadrine|metaxalone|muscle relax"),
    ("PPIs", r"omeprazole|prilosec|pantoprazole|protonix|lansoprazole|esomeprazole|nexium|\bppi\b|proton.pump"),
    ("gabapentin", r"gabapentin|neurontin|pregabalin|lyrica"),
    ("consultations", r"consult|referral|clearance|evaluation|office visit|follow.up visit|specialist"),
    ("surgery", r"surg|arthroscop|fusion|ectomy|otomy|plasty|decompression|repair|release|replacement|"
                r"inpatient|hospital stay"),
)
OTHER = "other"
_CATEGORY_RES = tuple((name, re.compile(pattern, re.I)) for name, pattern in TREATMENT_CATEGORIES)


def treatment_category(item: str) -> str:
    """The category of a disputed item, from keywords in its text (`OTHER` when none match)."""
    return next((name for name, regex in _CATEGORY_RES if regex.search(item)), OTHER)


# What a treatment is, for the plain reasons written for some kinds only ("help with housework is not medical
# treatment" explains a home health aide, never an opioid). An item may be of several kinds. First by the glossary
# term the item uses (its key), then by words the glossary does not list.
TERM_KINDS: dict[str, str] = {
    "Norco": "opioid", "hydrocodone/APAP": "opioid", "tramadol ER": "opioid", "tramadol": "opioid",
    "oxycodone": "opioid", "opioid": "opioid", "home health aide": "home_health", "UDS": "drug_test",
    "PT": "therapy", "chiropractic": "therapy", "acupuncture": "therapy", "CBT": "therapy",
    "aquatic therapy": "therapy", "FRP": "therapy", "FRP evaluation": "evaluation", "gym membership": "therapy",
    "ESI": "injection", "facet injection": "injection", "radiofrequency ablation": "injection",
    "Synvisc": "injection", "arthroscopy": "surgery", "meniscectomy": "surgery", "fusion": "surgery",
    "hospital stay": "surgery", "medical clearance": "surgery", "EMG/NCV": "test", "EMG": "test", "MRI": "test",
    "CT": "test", "X-ray": "test", "TENS": "device", "H-wave": "device", "cold therapy unit": "device",
    "omeprazole": "stomach", "PPI": "stomach",
}
KIND_WORDS: tuple[tuple[str, str], ...] = (
    ("opioid", r"buprenorphine|butrans|suboxone|morphine|ms contin|methadone|fentanyl|duragesic|tapentadol|"
               r"nucynta|codeine|hydromorphone|dilaudid|oxycontin|percocet|opana|oxymorphone|tylenol #?3|vicodin"),
    ("home_health", r"home (?:health|care|assistance)|homemaker|housekeeping|caregiver|attendant care|chore"),
    ("drug_test", r"drug (?:screen|test)|toxicology"),
    ("therapy", r"(?<!cold )therapy|therapeutic|rehabilitation|massage|psychotherapy|counsel+ing|biofeedback|"
                r"work (?:hardening|conditioning)|sessions?|visits?"),
    ("injection", r"injections?|blocks?|toradol|trigger point|epidural|PRP|botox"),
    ("surgery", r"surgery|surgical|repair|replacement|arthroplasty|decompression|discectomy|laminectomy|"
                r"\w+ectomy|\w+plasty|\w+otomy|release|reconstruction|assistant surgeon|anesthesia"),
    ("test", r"ultrasound|bone scan|nerve conduction|studies|study|imaging|scan|labs?|blood test|"
             r"sleep study|functional capacity|x-?rays?|radiographs?"),
    ("evaluation", r"evaluation|consult\w*|referral|second opinion|follow-?up visit|office visit"),
    ("device", r"\bunit\b|brace|orthotic|orthosis|splint|cane|walker|wheelchair|scooter|pillow|mattress|"
               r"stimulator|DME|durable medical|electrodes|supplies|pump|cervical traction|hot/cold|heat"),
    ("stomach", r"pantoprazole|protonix|lansoprazole|ranitidine|famotidine|esomeprazole|nexium"),
    ("medicine", r"\d\s?(?:mg|mcg|%)\b|tablets?|capsules?|cream|gel|patch(?:es)?|ointment|lotion|#\s?\d+|"
                 r"refills?|prescription|medication"),
)
_KIND_RES = tuple((kind, re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)) for kind, pattern in KIND_WORDS)


def treatment_kinds(item: str, terms: Iterable[tuple[str, str]] = ()) -> frozenset[str]:
    """The kinds of a disputed item: opioid, home_health, drug_test, therapy, injection, surgery, test, evaluation,
    device, stomach, medicine (a medicine of any kind but those); empty when none is known. `terms` are the
    (key, kind) of the glossary terms the item uses (`imr_llm.plain.glossary.terms_in`): a term's kind is
    `TERM_KINDS`' for its key, else "medicine" for a medicine."""
    kinds = {TERM_KINDS.get(key) or ("medicine" if kind == "medicine" else "")
             for key, kind in terms if kind != "review"}
    kinds |= {kind for kind, regex in _KIND_RES if regex.search(item)}
    if kinds & {"opioid", "stomach"}:
        kinds.add("medicine")
    if "drug_test" in kinds:
        kinds -= {"opioid", "medicine", "test"}  # a urine drug screen is a test about opioids, not an opioid
    return frozenset(kinds - {""})


# Does a phrase name a treatment at all (an item the reader may announce): treatments, tests, doses, counts.
TREATMENT_WORDS = re.compile(
    r"therap|MRI|CT\b|X-?RAY|EMG|NCV|inject|block|ablation|surgery|arthroscop|fusion|replacement|repair|consult|"
    r"program|\bunit\b|brace|orthosis|collar|membership|aide|health|screen|test|study|acupunct|chiroprac|manipulat|"
    r"\d+\s*(?:mg|mcg|gm?|ml|%)|#\s*\d+|patch|cream|tablet|capsule|session|visit|TENS|H-?wave|stimulat|evaluation|"
    r"imaging|scan|device|equipment|supplies|\bDME\b|biofeedback|psycho|cognitive|polysomnograph|sleep",
    re.I)

# The abbreviations and brand names a question uses for a treatment (and its decision words), as the letters write them.
SYNONYMS: dict[str, str] = {
    "pt": "physical therapy", "physio": "physical therapy", "ot": "occupational therapy",
    "esi": "epidural steroid injection", "uds": "urine drug screen", "frp": "functional restoration program",
    "cbt": "cognitive behavioral therapy", "tens": "tens unit", "mri": "mri magnetic resonance imaging",
    "emg": "emg electromyography", "ncv": "ncv nerve conduction", "nsaid": "nsaid naproxen ibuprofen",
    "hydrocodone": "norco hydrocodone", "norco": "norco hydrocodone", "chiro": "chiropractic",
    "lidoderm": "lidoderm lidocaine", "ppi": "omeprazole", "injection": "injection injections",
    "therapy": "therapy", "rfa": "radiofrequency ablation", "aqua": "aquatic", "pool": "aquatic",
    "approved": "overturned", "denied": "upheld",
}


# --- why ----------------------------------------------------------------------------------------------------------

# The words of a reviewer's reason, whole words as written. The answer engine quotes, beside the parser's reason, the
# rationale sentences that hold one of them or a `CASE_CUES` word.
WHY_WORDS = re.compile(
    r"\b(?:however|because|since|no\s+(?:documentation|evidence|indication)|not\s+(?:documented|recommended|"
    r"supported|indicated|addressed|met)|lack|exceed|without|reasonable|improvement|failed)\b",
    re.I,
)
# The reader's cues: those words with their inflections ("lacks", "exceeded") and more ("due to", "criteria",
# "only", "maximum"). The reader counts them to pick the one sentence of a rationale that says why. Broader than
# `WHY_WORDS` on purpose: a count ranks sentences, while the answer engine adds every sentence that matches (there,
# the broader cues change five gold answers).
WHY_CUES = re.compile(
    r"\b(?:however|because|since|due\s+to|as\s+there|no\s+(?:documentation|evidence|indication)|not\s+(?:documented|"
    r"recommended|supported|indicated|addressed|appear|been|met)|lack(?:s|ing)?|exceed(?:s|ed)?|without|absence|"
    r"reasonable|appropriate|improvement|criteria|failed|insufficient|unclear|only|maximum)\b",
    re.I,
)
# A sentence that gives any reason at all: a why-cue, or a bare negation, "despite" or a word of improving. The plain
# summary takes the first such sentence of this case as the reviewer's own words when it has no better one.
ANY_REASON = re.compile(rf"{WHY_CUES.pattern}|\b(?:no|not|despite|exceed\w*|improve\w*)\b", re.I)
# Words that point at this patient's case rather than at what a guideline says in general.
CASE_CUES = re.compile(r"\b(?:records|documented|this\s+patient|injured\s+worker|in\s+this\s+case)\b", re.I)


# --- sentences ----------------------------------------------------------------------------------------------------

SentenceRule = Literal["letter", "rationale"]
# "letter": a sentence ends at . ! or ? before whitespace and a capital, digit, bracket or quote, or before a blank
# line; not after a common abbreviation or an initial ("Dr.", "e.g.", "No.", "J."). Trimmed of spaces and stray
# ":;,". The reader, the chunker and the answer engine split letter text so.
# "rationale": a sentence ends at . ! or ? (with its closing quote) before whitespace and a capital, and is trimmed
# of whitespace only. The plain summary reads a reviewer's rationale so: its templates and the reviewer's own
# sentence were written and measured against these sentences (the letter rule keeps "non-certified." He..." whole
# and splits off list numbers, and changes the plain reason of four blind letters).
_ABBREV = re.compile(r"(?:\b(?:Dr|Mr|Ms|Mrs|vs|e\.g|i\.e|etc|approx|no|No|Inc|pp|p|mg|St)|\b[A-Z])\.$")
_ENDS: dict[str, re.Pattern[str]] = {
    "letter": re.compile(r"[.!?](?=\s+[\"'(A-Z0-9])|[.!?](?=\n\s*\n)"),
    "rationale": re.compile(r"[.!?][\"\u201d']?(?=\s+[\"\u201c(]?[A-Z])"),
}


def _trim(text: str, start: int, end: int, rule: SentenceRule) -> tuple[int, int]:
    strip = " \n\t:;," if rule == "letter" else None
    piece = text[start:end]
    return start + len(piece) - len(piece.lstrip(strip)), start + len(piece.rstrip(strip))


def sentences(text: str, start: int = 0, end: int | None = None, *,
              rule: SentenceRule = "letter") -> Iterator[tuple[int, int]]:
    """Yield (start, end) letter offsets of the sentences of text[start:end], trimmed; a sentence of one character
    is no sentence. `rule`: how a sentence ends (above)."""
    end = len(text) if end is None else end
    pos = start
    for match in _ENDS[rule].finditer(text, start, end):
        stop = match.end()
        if rule == "letter" and match.group() == "." and _ABBREV.search(text[max(pos, stop - 8) : stop]):
            continue
        s, e = _trim(text, pos, stop, rule)
        if e - s > 1:
            yield s, e
        pos = match.end()
    s, e = _trim(text, pos, end, rule)
    if e - s > 1:
        yield s, e
