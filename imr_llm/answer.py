"""The offline answer engine: typed summary + retrieved passages -> an extractive, cited `Answer`.

It never writes a fact the letter does not state: every sentence of an answer is
either a value of the parsed summary (with its span) or a quote of the letter, and
each is cited to the passage that holds it. When nothing in the letter matches the
question, it says so instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import Answer, Chunk, Citation, DecisionSummary, Grounded, ItemDecision, Passage, Span
from .parse.text import clean_value, sentences
from .retrieve import tokenize

__all__ = ["answer_offline", "decision_phrase", "match_item"]

_SYNONYMS = {
    "pt": "physical therapy", "physio": "physical therapy", "ot": "occupational therapy",
    "esi": "epidural steroid injection", "uds": "urine drug screen", "frp": "functional restoration program",
    "cbt": "cognitive behavioral therapy", "tens": "tens unit", "mri": "mri magnetic resonance imaging",
    "emg": "emg electromyography", "ncv": "ncv nerve conduction", "nsaid": "nsaid naproxen ibuprofen",
    "hydrocodone": "norco hydrocodone", "norco": "norco hydrocodone", "chiro": "chiropractic",
    "lidoderm": "lidoderm lidocaine", "ppi": "omeprazole", "injection": "injection injections",
    "therapy": "therapy", "rfa": "radiofrequency ablation", "aqua": "aquatic", "pool": "aquatic",
    "approved": "overturned", "denied": "upheld",
}
_GENERIC = frozenset("request requested patient item treatment letter reviewer decision guideline guidelines mtus "
                     "overturned upheld approved denied why was were the".split())


def decision_phrase(decision: str) -> str:
    if decision == "overturned":
        return "overturned: the UR denial was reversed, so it is authorized"
    return "upheld: the UR denial stands, so it is not authorized"


def _expand(question: str) -> set[str]:
    words = set(tokenize(question))
    for word in list(words):
        if word in _SYNONYMS:
            words |= set(tokenize(_SYNONYMS[word]))
    return words


def match_item(question: str, items: list[ItemDecision]) -> ItemDecision | None:
    """The item a question is about, by shared words (synonyms expanded) and matching numbers."""
    q_words = _expand(question) - _GENERIC
    q_numbers = set(re.findall(r"\d+(?:\.\d+)?", question))
    best, best_score = None, 0.0
    for item in items:
        i_words = _expand(item.item.value) - _GENERIC
        overlap = len(q_words & i_words)
        if not overlap:
            continue
        numbers = set(re.findall(r"\d+(?:\.\d+)?", item.item.value))
        score = overlap + 2.0 * len(q_numbers & numbers) - 1.5 * len(q_numbers - numbers) / (1 + len(q_numbers))
        if score > best_score:
            best, best_score = item, score
    return best


@dataclass
class _Sentence:
    start: int
    end: int
    chunk: Chunk

    def text(self, letter: str) -> str:
        return clean_value(letter[self.start : self.end])


class _Context:
    def __init__(self, question: str, text: str, summary: DecisionSummary, chunks: list[Chunk], passages: list[Passage]):
        self.question, self.text, self.summary = question, text, summary
        self.chunks = sorted(chunks, key=lambda c: c.start)
        self.rank = {p.chunk.chunk_id: r for r, p in enumerate(passages)}
        self.citations: list[Citation] = []

    def chunk_at(self, start: int) -> Chunk | None:
        for chunk in self.chunks:
            if chunk.start <= start < chunk.end:
                return chunk
        return None

    def cite(self, span: Span | None, quote: str | None = None) -> None:
        if span is None:
            return
        chunk = self.chunk_at(span.start)
        if chunk is None or any(c.span == span for c in self.citations):
            return
        self.citations.append(Citation(passage_id=chunk.chunk_id, letter_id=chunk.letter_id, case_id=chunk.case_id,
                                       quote=quote or self.text[span.start : span.end], span=span,
                                       section=chunk.section, item_index=chunk.item_index))

    def cite_sentence_of(self, span: Span | None) -> str:
        """Cite (and return) the whole sentence that holds a span."""
        if span is None:
            return ""
        chunk = self.chunk_at(span.start)
        lo, hi = (chunk.start, chunk.end) if chunk else (0, len(self.text))
        for s, e in sentences(self.text, lo, hi):
            if s <= span.start < e:
                self.cite(Span(start=s, end=e))
                return clean_value(self.text[s:e])
        self.cite(span)
        return clean_value(self.text[span.start : span.end])

    def sentences(self, within: list[Chunk] | None = None) -> list[_Sentence]:
        return [_Sentence(s, e, c) for c in (within or self.chunks) for s, e in sentences(self.text, c.start, c.end)]

    def best_sentences(self, pool: list[_Sentence], extra: re.Pattern[str] | None = None, n: int = 2,
                       need_number: bool = False) -> list[_Sentence]:
        q = _expand(self.question) - {"why", "what", "how"}
        scored = []
        for sent in pool:
            words = set(tokenize(self.text[sent.start : sent.end]))
            score = len(q & words) * 1.0
            if extra is not None and extra.search(self.text[sent.start : sent.end]):
                score += 1.5
            if need_number and not re.search(r"\d|\b(?:one|two|three|four|five|six|eight|ten|twelve)\b",
                                             self.text[sent.start : sent.end], re.I):
                continue
            rank = self.rank.get(sent.chunk.chunk_id)
            score += 0.8 / (1 + rank) if rank is not None else 0.0
            if score >= 1.0:
                scored.append((score, sent))
        scored.sort(key=lambda s: -s[0])
        return [s for _, s in scored[:n]]

    def quote(self, sents: list[_Sentence]) -> str:
        for sent in sents:
            self.cite(Span(start=sent.start, end=sent.end))
        return " ".join(f'"{s.text(self.text)}"' for s in sorted(sents, key=lambda s: s.start))


_INTENTS = [
    ("list", re.compile(r"\b(?:which|what)\b.*\b(?:items?|treatments?|requests?|services?|medications?|things?)\b.*"
                        r"\b(?:approved|authori[sz]ed|overturned|denied|upheld|not approved|decided|decisions?)\b"
                        r"|\b(?:what|which)\s+(?:was|were)\s+(?:approved|denied|overturned|upheld)\b"
                        r"|\boutcomes?\b|\bwhat\s+(?:was|were)\s+the\s+decisions?\b", re.I)),
    ("date", re.compile(r"\bwhen\b|\bdate\b|\bdated\b", re.I)),
    ("diagnoses", re.compile(r"\bdiagnos", re.I)),
    ("age", re.compile(r"\bhow old\b|\bage\b", re.I)),
    ("reviewer", re.compile(r"\breviewer\b.*\b(?:specialty|specialist|certified|qualifi|who)\b|\bspecialty\b|\bwho\s+(?:reviewed|decided)", re.I)),
    ("needed", re.compile(r"\b(?:what|which)\b.*\b(?:need(?:ed)?|required?|would|must|should)\b|\bhow\b.*\bget\b.*\bapprov", re.I)),
    ("count", re.compile(r"\bhow\s+(?:many|much|often|long)\b|\bnumber\s+of\b|\bquantity\b", re.I)),
    ("guideline", re.compile(r"\bguidelines?\b|\bMTUS\b|\bODG\b|\bACOEM\b|\bbased\s+on\b|\brel(?:y|ied)\b", re.I)),
    ("why", re.compile(r"\bwhy\b|\breasons?\b|\bexplain\b|\brationale\b", re.I)),
    ("decision", re.compile(r"\b(?:was|were|is|did)\b.*\b(?:approved|authori[sz]ed|overturned|denied|upheld|certified)\b", re.I)),
]
_NEEDED = re.compile(r"\b(?:would|need(?:ed|s)?|required?|must|should|documentation|evidence of|if\b|until|criteria|"
                     r"recommended (?:for|when|if)|trial|objective|functional improvement)\b", re.I)
_DATE_FIELDS = [
    (r"injur|hurt|accident", "date_of_injury", "date of injury"),
    (r"\bUR\b|utilization|denial|non-?certif", "ur_decision_date", "date of the UR decision"),
    (r"assigned", "date_assigned", "date assigned"),
    (r"application|received|applied", "application_received", "date the application was received"),
    (r"decision|decided|determination|IMR|letter", "decision_date", "IMR decision date"),
]


def _field_answer(ctx: _Context, value: Grounded, label: str) -> str:
    sentence = ctx.cite_sentence_of(value.span)
    shown = value.value.isoformat() if hasattr(value.value, "isoformat") else value.value
    return f'The {label} is {value.quote} ({shown}). The letter says: "{sentence}"'


def _items_answer(ctx: _Context, items: list[ItemDecision], want: str | None) -> str:
    parts = []
    for label, decision in (("Approved (UR denial overturned)", "overturned"), ("Not approved (UR denial upheld)", "upheld")):
        chosen = [i for i in items if i.decision.value == decision]
        if want and want != decision:
            continue
        for item in chosen:
            ctx.cite(item.decision.span, f"{item.item.quote}: {item.decision.quote}"
                     if item.item.span and item.decision.span and item.decision.span.start - item.item.span.end < 8
                     else None)
            ctx.cite(item.item.span)
        parts.append(f"{label}: " + ("; ".join(i.item.value for i in chosen) if chosen else "none") + ".")
    return " ".join(parts)


def _why_answer(ctx: _Context, item: ItemDecision) -> str:
    head = f"{item.item.value} was {decision_phrase(item.decision.value)}."
    ctx.cite(item.decision.span)
    pool = [s for s in ctx.sentences([c for c in ctx.chunks if c.item_index == item.index]) if
            item.rationale and item.rationale.span and item.rationale.span.start <= s.start < item.rationale.span.end]
    chosen: list[_Sentence] = []
    if item.reason and item.reason.span:
        chosen = [s for s in pool if s.start <= item.reason.span.start < s.end][:1]
    extra = [s for s in ctx.best_sentences(pool, n=2) if s not in chosen]
    if len(" ".join(ctx.text[s.start : s.end] for s in chosen)) < 120 or not chosen:
        chosen += extra[:1]
    return f"{head} The reviewer's reason: {ctx.quote(chosen)}" if chosen else head


def answer_offline(question: str, text: str, summary: DecisionSummary, chunks: list[Chunk],
                   passages: list[Passage]) -> Answer:
    """Answer a question about one letter from its summary, chunks and retrieved passages."""
    ctx = _Context(question, text, summary, chunks, passages)
    intent = next((name for name, pattern in _INTENTS if pattern.search(question)), "extract")
    item = match_item(question, summary.items)
    body = ""
    if intent == "list" and not item:
        want = ("overturned" if re.search(r"approv|authori|overturn|granted", question, re.I) else
                "upheld" if re.search(r"\bden|upheld|not\s+approv|reject", question, re.I) else None)
        if re.search(r"\bdecisions?\b|\boutcomes?\b|decided", question, re.I):
            want = None
        body = _items_answer(ctx, summary.items, want)
    elif intent == "date":
        for pattern, field, label in _DATE_FIELDS:
            value = getattr(summary, field)
            if re.search(pattern, question, re.I) and value is not None:
                body = _field_answer(ctx, value, label)
                break
    elif intent == "diagnoses" and summary.diagnoses:
        sentence = ctx.cite_sentence_of(summary.diagnoses[0].span)
        body = "The diagnoses are: " + "; ".join(d.value for d in summary.diagnoses) + f'. The letter says: "{sentence}"'
    elif intent == "age" and summary.patient_age:
        body = _field_answer(ctx, summary.patient_age, "patient's age")
    elif intent == "reviewer" and summary.reviewer_specialty:
        body = f"The expert reviewer is board certified in {summary.reviewer_specialty.value}."
        ctx.cite_sentence_of(summary.reviewer_specialty.span)
    elif intent == "guideline":
        targets = [item] if item else summary.items
        lines = []
        for it in targets:
            names = ", ".join(g.value for g in it.guidelines) or "no guideline named"
            lines.append(f"{it.item.value} ({it.decision.value}): {names}.")
            for g in it.guidelines[:2]:
                ctx.cite_sentence_of(g.span)
        body = "The reviewer relied on: " + " ".join(lines)
    elif intent in ("why", "decision") and (item or len(summary.items) == 1):
        body = _why_answer(ctx, item or summary.items[0])
    if not body and intent in ("needed", "count", "extract", "why", "decision", "list", "date", "diagnoses"):
        scope = [c for c in ctx.chunks if item and c.item_index == item.index] or \
                [p.chunk for p in passages[:4]] or ctx.chunks
        pattern = _NEEDED if intent == "needed" else None
        best = ctx.best_sentences(ctx.sentences(scope), pattern, n=2, need_number=intent == "count")
        if not best and scope is not ctx.chunks:
            best = ctx.best_sentences(ctx.sentences(), pattern, n=2, need_number=intent == "count")
        if best:
            lead = f"About {item.item.value} ({item.decision.value}): " if item else "The letter says: "
            body = lead + ctx.quote(best)
    if not body:
        return Answer(question=question, text="The letter does not answer this question; no passage matches it.",
                      answered=False, engine="offline", case_id=summary.case_id)
    return Answer(question=question, text=body, citations=ctx.citations, engine="offline", case_id=summary.case_id)


def answer_corpus(question: str, passages: list[Passage]) -> Answer:
    """Answer across the whole store: the best sentences of the retrieved passages, each cited to its case."""
    if not passages:
        return Answer(question=question, text="No letter in the store matches this question.", answered=False)
    q = _expand(question) - {"why", "what", "how"}
    scored = []
    for rank, passage in enumerate(passages):
        chunk = passage.chunk
        for s, e in sentences(chunk.text):
            words = set(tokenize(chunk.text[s:e]))
            score = len(q & words) + 0.8 / (1 + rank)
            if score >= 1.0:
                scored.append((score, chunk, s, e))
    scored.sort(key=lambda x: -x[0])
    citations, lines = [], []
    for _, chunk, s, e in scored[:4]:
        quote = chunk.text[s:e]
        citations.append(Citation(passage_id=chunk.chunk_id, letter_id=chunk.letter_id, case_id=chunk.case_id,
                                  quote=quote, span=Span(start=chunk.start + s, end=chunk.start + e),
                                  section=chunk.section, item_index=chunk.item_index))
        label = f"{chunk.case_id}" + (f", {chunk.item} ({chunk.decision})" if chunk.item else "")
        lines.append(f'[{label}] "{clean_value(quote)}"')
    if not lines:
        return Answer(question=question, text="No letter in the store answers this question.", answered=False)
    return Answer(question=question, text="\n".join(lines), citations=citations)
