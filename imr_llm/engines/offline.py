"""The offline answer engine: typed summary + retrieved passages -> an extractive, cited `Answer`.

It never writes a fact the letter does not state: every sentence of an answer is
either a value of the parsed summary (with its span) or a quote of the letter, and
each is cited to the passage that holds it. When nothing in the letter matches the
question, it says so instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .coverage import Silence, silence
from ..models import Answer, Chunk, Citation, DecisionSummary, Grounded, ItemDecision, Passage, Span
from ..parse.text import clean_value
from ..store.retrieve import Filters, tokenize
from ..vocabulary import CASE_CUES, SYNONYMS, WHY_WORDS, sentences

__all__ = ["answer_offline", "decision_phrase", "match_item", "silent_answer"]

_GENERIC = frozenset("request requested patient item treatment letter reviewer decision guideline guidelines mtus "
                     "overturned upheld approved denied why was were the".split())


def decision_phrase(decision: str) -> str:
    if decision == "overturned":
        return "overturned: the UR denial was reversed, so it is authorized"
    return "upheld: the UR denial stands, so it is not authorized"


def _expand(question: str) -> set[str]:
    words = set(tokenize(question))
    for word in list(words):
        if word in SYNONYMS:
            words |= set(tokenize(SYNONYMS[word]))
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
        # "Why was omeprazole denied even though naproxen was approved?" is about the first item named.
        positions = [m.start() for w in q_words & i_words for m in re.finditer(re.escape(w[:5]), question.lower())]
        if positions:
            score += 0.5 * (1 - min(positions) / max(len(question), 1))
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
        self.item: ItemDecision | None = None

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
        """Each sentence once: windows (chunk.py, section "window") overlap the other chunks and each other."""
        found: dict[tuple[int, int], _Sentence] = {}
        for c in sorted(within or self.chunks, key=lambda c: c.section == "window"):
            for s, e in sentences(self.text, c.start, c.end):
                found.setdefault((s, e), _Sentence(s, e, c))
        return sorted(found.values(), key=lambda s: (s.chunk.start, s.start))

    def best_sentences(self, pool: list[_Sentence], extra: re.Pattern[str] | None = None, n: int = 2,
                       need_number: bool = False, floor: float = 1.0) -> list[_Sentence]:
        q = _expand(self.question) - {"why", "what", "how"}
        scored = []
        for sent in pool:
            words = set(tokenize(self.text[sent.start : sent.end]))
            if not (q - _GENERIC) & words and extra is None:
                continue  # a sentence must share a content word with the question
            score = len(q & words) * 1.0
            if extra is not None and extra.search(self.text[sent.start : sent.end]):
                score += 1.5
            sentence = self.text[sent.start : sent.end]
            if need_number:
                if not re.search(r"\d|\b(?:one|two|three|four|five|six|eight|ten|twelve)\b", sentence, re.I):
                    continue
                if re.search(r"\b\d+\s*(?:more\s+|additional\s+|total\s+)?(?:sessions?|visits?|treatments?|tablets?|pills?|"
                             r"capsules?|patches|hours?|days?|weeks?|months?|times?|injections?)\b|#\s*\d", sentence, re.I):
                    score += 1.0
            if re.search(r"guideline\s*:\s*Decision\s+based|Upheld|Overturned|guidelines?\s+relied\s+upon|"
                         r"\b(?:pages?|Chapter)\s+\d+", sentence):
                score -= 1.0  # a heading or citation line rarely answers anything but "which guideline"
            if self.item is not None and sent.chunk.item_index == self.item.index:
                score += 0.5
            rank = self.rank.get(sent.chunk.chunk_id)
            score += 0.8 / (1 + rank) if rank is not None else 0.0
            if score >= floor:
                scored.append((score, sent))
        scored.sort(key=lambda s: -s[0])
        return [s for _, s in scored[:n]]

    def quote(self, sents: list[_Sentence]) -> str:
        for sent in sents:
            self.cite(Span(start=sent.start, end=sent.end))
        return " ".join(f'"{s.text(self.text)}"' for s in sorted(sents, key=lambda s: s.start))


_INTENTS = [
    ("overall", re.compile(r"\boverall\b|\bfinal\s+determination\b|\bwhat\s+was\s+the\s+(?:determination|result|outcome)\b", re.I)),
    ("list", re.compile(r"\b(?:was|were|is|are)\s+(?:anything|any\b[^?]*?)\s*(?:approved|authori[sz]ed|overturned|denied|upheld|"
                        r"certified|granted)\b|\b(?:anything|everything|all\s+(?:of\s+)?the\s+\w+)\s+(?:approved|denied)\b", re.I)),
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
# A sentence that gives the reviewer's reason: a why-word, or words about this patient's case.
_WHY = re.compile(f"{WHY_WORDS.pattern}|{CASE_CUES.pattern}", re.I)
_FORMULA = re.compile(r"^(?:therefore,?\s+|thus,?\s+|accordingly,?\s+)?(?:the\s+)?(?:request(?:ed)?|treatment)\b.{0,200}?"
                      r"\b(?:is|was)\s+(?:not\s*)?(?:medically\s*necessary|certified)[^.]*\.?$", re.I | re.S)
_NEEDED = re.compile(r"\b(?:would|need(?:ed|s)?|require[sd]?|must|should|documentation|evidence of|if\b|until|criteria|"
                     r"recommended (?:for|when|if)|indicated (?:when|for|if)|reserved for|trial|objective|"
                     r"functional improvement)\b", re.I)
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
        if want and want != decision and chosen:
            continue
        parts.append(f"{label}: " + ("; ".join(i.item.value for i in chosen) if chosen else "none") + ".")
    for item in items:
        _cite_decision_line(ctx, item)
        conclusion = [x for x in _rationale_pool(ctx, item) if _FORMULA.search(ctx.text[x.start : x.end])]
        if conclusion:
            ctx.cite(Span(start=conclusion[-1].start, end=conclusion[-1].end))
    _cite_final_determination(ctx)
    return " ".join(parts)


def _cite_decision_line(ctx: _Context, item: ItemDecision) -> None:
    if item.item.span and item.decision.span and 0 <= item.decision.span.start - item.item.span.end < 12:
        ctx.cite(Span(start=item.item.span.start, end=item.decision.span.end))
    else:
        ctx.cite(item.item.span)
        ctx.cite(item.decision.span)


_FINAL = re.compile(r"Final\s+Determination\s*:\s*[A-Z ]+\.?(?:\s+This\s+means[^.]*\.)?")


def _cite_final_determination(ctx: _Context) -> str:
    match = _FINAL.search(ctx.text)
    if not match:
        return ""
    ctx.cite(Span(start=match.start(), end=match.end()))
    return clean_value(match.group())


def _overall_answer(ctx: _Context) -> str:
    overall = ctx.summary.overall
    meaning = {"upheld": "every disputed item was upheld (not authorized)",
               "overturned": "every disputed item was overturned (authorized)",
               "partial": "a partial overturn: some items were approved and some were not"}.get(overall or "", "unknown")
    stated = _cite_final_determination(ctx)
    listing = _items_answer(ctx, ctx.summary.items, None)
    return f"Overall: {overall} — {meaning}. {listing}" + (f' The letter says: "{stated}"' if stated else "")


def _guideline_answer(ctx: _Context, targets: list[ItemDecision]) -> str:
    lines = []
    for item in targets:
        names = ", ".join(g.value for g in item.guidelines) or "no guideline named"
        stated = ""
        if item.guideline_text and item.guideline_text.span:
            ctx.cite(item.guideline_text.span)
            stated = f' The letter says: "{item.guideline_text.value}"'
        else:
            for g in item.guidelines[:2]:
                stated = f' The letter says: "{ctx.cite_sentence_of(g.span)}"'
        lines.append(f"{item.item.value} ({item.decision.value}): {names}.{stated}")
    return "The reviewer relied on: " + " ".join(lines)


def _rationale_pool(ctx: _Context, item: ItemDecision) -> list[_Sentence]:
    if not (item.rationale and item.rationale.span):
        return []
    span = item.rationale.span
    return [s for s in ctx.sentences([c for c in ctx.chunks if c.item_index == item.index])
            if s.end > span.start and s.start < span.end]


def _why_answer(ctx: _Context, item: ItemDecision) -> str:
    head = f"{item.item.value} was {decision_phrase(item.decision.value)}."
    ctx.cite(item.decision.span)
    pool = _rationale_pool(ctx, item)
    chosen: list[_Sentence] = []
    if item.reason and item.reason.span:
        chosen = [s for s in pool if s.start <= item.reason.span.start < s.end][:1]
    extra: list[_Sentence] = []
    for sent in ctx.best_sentences([s for s in pool if s not in chosen], _WHY, n=3, floor=0.5):
        if len(extra) >= 3 or sum(s.end - s.start for s in chosen + extra) + sent.end - sent.start > 600:
            break
        if not _FORMULA.search(ctx.text[sent.start : sent.end]):
            extra.append(sent)
    if not chosen:
        chosen, extra = extra[:1], extra[1:]
    if not chosen:
        return head
    text = f"{head} The reviewer's reason: {ctx.quote(chosen)}"
    return text + (f" The rationale also says: {ctx.quote(extra)}" if extra else "")


def answer_offline(question: str, text: str, summary: DecisionSummary, chunks: list[Chunk],
                   passages: list[Passage], embedder=None) -> Answer:
    """Answer a question about one letter from its summary, chunks and retrieved passages."""
    silent = silent_answer(question, text, summary, chunks)
    if silent is not None:
        return silent
    ctx = _Context(question, text, summary, chunks, passages)
    intent = next((name for name, pattern in _INTENTS if pattern.search(question)), "extract")
    item = ctx.item = match_item(question, summary.items)
    body = ""
    if intent == "overall":
        body = _overall_answer(ctx)
    elif intent == "list" and not item:
        want = ("overturned" if re.search(r"approv|authori|overturn|granted|certified", question, re.I) else
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
        body = _guideline_answer(ctx, [item] if item else summary.items)
    elif intent in ("why", "decision") and (item or len(summary.items) == 1):
        body = _why_answer(ctx, item or summary.items[0])
    if not body:
        body = _extract_answer(ctx, intent, item, passages, embedder)
    if not body:
        return Answer(question=question, text="The letter does not answer this question: it does not say anything "
                                              "that matches it.",
                      answered=False, engine="offline", case_id=summary.case_id)
    return Answer(question=question, text=body, citations=ctx.citations, engine="offline", case_id=summary.case_id)


def _disputed(summary: DecisionSummary) -> str:
    return "; ".join(f"{i.item.value} ({'approved' if i.decision.value == 'overturned' else 'not approved'})"
                     for i in summary.items)


def silent_answer(question: str, text: str, summary: DecisionSummary, chunks: list[Chunk]) -> Answer | None:
    """The honest answer to a question the letter does not answer (see `imr_llm.engines.coverage`), or None.

    It cites nothing the letter does not say: no passage for a thing the letter never mentions, and
    for a thing it mentions but does not decide, the sentences that mention it."""
    found: Silence | None = silence(question, text, summary)
    if found is None:
        return None
    ctx = _Context(question, text, summary, chunks, [])
    items = _disputed(summary)
    if found.kind == "unstated":
        body = f"The letter does not state {found.thing}" + (" (it may have been redacted)." if "age" in found.thing
                                                               else ".")
    elif found.kind == "unmentioned":
        body = f"The letter does not mention {found.thing}."
        if items:
            body += f" The disputed items it decides are: {items}."
    else:
        said = [ctx.cite_sentence_of(span) for span in found.mentions[:2]]
        body = (f"The letter does not say whether {found.thing} was approved: it is not one of the disputed items "
                f"({items}). The letter mentions it only in passing: " + " ".join(f'"{s}"' for s in dict.fromkeys(said)))
        if summary.needs_review:
            body += " (This letter is flagged for a person to read, so check its list of disputed items.)"
    return Answer(question=question, text=body, answered=False, citations=ctx.citations, engine="offline",
                  case_id=summary.case_id)


def _extract_answer(ctx: _Context, intent: str, item: ItemDecision | None, passages: list[Passage], embedder) -> str:
    """The best sentences of the item's text and the top passages: counts, needs, anything else."""
    scope = {c.chunk_id: c for c in ([c for c in ctx.chunks if item and c.item_index == item.index]
                                     + [p.chunk for p in passages[:4]])}
    pool = ctx.sentences(sorted(scope.values(), key=lambda c: c.start) or ctx.chunks)
    pattern = _NEEDED if intent == "needed" else None
    if intent == "needed":  # what the reviewer says would be required: the rationales
        rationale = [s for it in ([item] if item else ctx.summary.items) for s in _rationale_pool(ctx, it)]
        pool = rationale or pool
    if intent == "extract" and embedder is not None:
        best = _dense_sentences(ctx, pool, embedder, threshold=0.0, lexical=True)
    else:
        best = ctx.best_sentences(pool, pattern, n=2, need_number=intent == "count")
    if not best:
        best = ctx.best_sentences(ctx.sentences(), pattern, n=2, need_number=intent == "count")
    if not best and embedder is not None and intent not in ("count",):
        best = _dense_sentences(ctx, pool, embedder)
    lead = f"About {item.item.value} ({item.decision.value}): " if item else "The letter says: "
    if intent == "count" and item and re.search(r"\d", item.item.value):
        _cite_decision_line(ctx, item)  # the item as requested states its quantity
        lead = f"The request was for {item.item.value} ({item.decision.value}). "
        return lead + (f"The letter also says: {ctx.quote(best)}" if best else "")
    if not best:
        return ""
    return lead + ctx.quote(best)


def _dense_sentences(ctx: _Context, pool: list[_Sentence], embedder, threshold: float = 0.45,
                     lexical: bool = False) -> list[_Sentence]:
    """Sentences close in meaning to the question (e.g. 'surgery' vs 'arthroscopy'); with `lexical`,
    shared words count too, and a sentence needs one or the other to be chosen."""
    pool = pool[:60]
    if not pool:
        return []
    vectors = embedder.embed([ctx.question] + [s.text(ctx.text) for s in pool])
    query = vectors[0]
    q = _expand(ctx.question) - _GENERIC - {"why", "what", "how"}
    scored = []
    for vector, sent in zip(vectors[1:], pool):
        similarity = sum(a * b for a, b in zip(query, vector))
        shared = len(q & set(tokenize(ctx.text[sent.start : sent.end]))) if lexical else 0
        if similarity < 0.45 and not shared:
            continue
        scored.append((similarity + 0.15 * shared, sent))
    scored.sort(key=lambda x: -x[0])
    return [s for score, s in scored[:2] if score >= threshold]


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


def corpus_filters(question: str) -> Filters:
    """Scope a corpus-wide question by what it says: 'denied' items, 'approved' items, a guideline family."""
    filters = Filters()
    if re.search(r"\b(?:denied|upheld|not\s+approved|rejected)\b", question, re.I):
        filters["decision"] = "upheld"
    elif re.search(r"\b(?:approved|overturned|authori[sz]ed|granted)\b", question, re.I):
        filters["decision"] = "overturned"
    for family in ("MTUS", "ODG", "ACOEM"):
        if re.search(rf"\b{family}\b", question, re.I):
            filters["guideline"] = family
            break
    return filters
