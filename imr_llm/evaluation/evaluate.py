"""Score the product against a gold folder (`imr-gold/1`), exactly as evals/GOLD_FORMAT.md defines.

A gold folder holds letters (`NAME.txt` / `NAME.pdf`) and their hand-labelled records
(`NAME.gold.json`). `evaluate(folder)` runs `Client.summarize` and `Client.ask` (every
question) on each letter and returns one JSON-able report:

* `decision_accuracy`  gold items whose matched prediction has the right decision / gold items
* `item_precision`     matched predictions / predictions
* `field_accuracy`     case fields equal after normalisation / non-null gold fields
* `answer_hit_rate`    answers that mention every `answer_must_mention` group / questions
* `evidence_hit_rate`  answers citing a passage that holds the gold evidence / answerable questions
* `abstention_accuracy` unanswerable questions (`"unanswerable": true`) answered as such
                       (`Answer.answered` is false) / unanswerable questions
* `false_abstentions`  answerable questions answered as unanswered that miss their answer (lower is better)
* `needs_review_letters`, `needs_review_share` letters whose summary is flagged for a person
                       (their decisions are still scored), `unreadable_letters` letters
                       whose summary has no item or that failed (lower is better)
* `ragas_*`            see `imr_llm.evaluation.ragas_metrics`
* `plain_*`            plain-language summaries (English, Spanish): see `imr_llm.evaluation.plain_eval`

Rates are micro-averaged over the whole folder. A letter that fails to load or parse
counts as all wrong, with its error, and the run goes on. `per_letter` lists every
miss with the predicted and the gold value.

Extending: a metric is a function `LetterRun -> Tally` in `METRICS`; a producer in
`PRODUCERS` runs another product stage on each letter and keeps its output in
`LetterRun.extra` for its metrics; a reporter in `REPORTERS` adds folder-level figures.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..client import Client
from ..config import Settings, get_settings
from ..errors import ImrError
from ..models import Answer, OpenLetter
from ..store.embed import get_embedder
from ..store.retrieve import retrieve_in
from .gold import FIELDS, GoldLetter, load_gold, normalise_field, squash
from .plain_eval import plain_report, produce_plain, score_plain_outcomes
from .ragas_metrics import score_runs
from .runs import LetterRun, Miss, QuestionRun, Tally

__all__ = ["METRICS", "PRODUCERS", "REPORTERS", "LetterRun", "Miss", "QuestionRun", "Tally", "evaluate", "review_report",
           "run_letter", "unanswerable"]

SCHEMA = "imr-eval/1"
K = inspect.signature(Client.ask).parameters["k"].default  # passages Client.ask retrieves


# --- running the product ----------------------------------------------------------------------

def _error(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, ImrError) else f"{type(exc).__name__}: {exc}"


def _cited_texts(answer: Answer, chunks: dict[str, str], letter_text: str) -> list[str]:
    """A citation's passage is its chunk's text; a citation to an unknown chunk falls back to its span and quote."""
    texts = []
    for cite in answer.citations:
        if cite.passage_id in chunks:
            texts.append(chunks[cite.passage_id])
            continue
        if cite.span is not None:
            texts.append(letter_text[cite.span.start : cite.span.end])
        texts.append(cite.quote)
    return texts


class _MemoEmbedder:
    """The settings' embedder, remembering vectors for one evaluation (the evaluation's client embeds
    with it): ranking the contexts of a question for ragas then costs no second embedding of the
    question `Client.ask` embedded."""

    def __init__(self, inner):
        self.inner, self.name, self.vectors = inner, inner.name, {}

    def embed(self, texts: list[str]) -> list[list[float]]:
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, self.inner.embed(missing)))
        return [self.vectors[t] for t in texts]


def run_letter(gold: GoldLetter, client: Client) -> LetterRun:
    """Run summarize and every question on one letter, opened once; failures are recorded, never raised."""
    started = time.perf_counter()
    run = LetterRun(gold)
    letter: OpenLetter | None = None
    try:
        letter = client.open_letter(gold.letter_path)
        run.summary = client.summarize(letter)
    except Exception as exc:  # noqa: BLE001 - any failure of the product counts against it, the run goes on
        run.error = _error(exc)
    chunks, vectors, chunk_text = [], [], {}
    if letter is not None and gold.record.get("questions"):
        try:  # the letter's chunks, as Client.ask sees them: to read cited passages and rank contexts for ragas
            chunks, vectors = client.chunks(letter)
            chunk_text = {c.chunk_id: c.text for c in chunks}
        except Exception:  # noqa: BLE001 - the asks below fail the same way and record it
            pass
    for question in gold.record.get("questions") or []:
        q = QuestionRun(question)
        run.questions.append(q)
        if letter is None:  # the letter could not be read: every question fails with it
            q.error = run.error
            continue
        try:
            q.answer = client.ask(letter, question["question"])
        except Exception as exc:  # noqa: BLE001
            q.error = _error(exc)
            continue
        q.cited = _cited_texts(q.answer, chunk_text, letter.letter.text)
        evidence = squash(question.get("evidence") or "")
        q.evidence_passages = [c.text for c in chunks if evidence and evidence in squash(c.text)]
        if chunks:  # the same ranking Client.ask made: the contexts ragas scores
            q.retrieved = [p.chunk.text for p in
                           retrieve_in(question["question"], chunks, vectors, client.embedder, k=K)]
    for produce in PRODUCERS:
        try:
            produce(run, client.settings)
        except Exception as exc:  # noqa: BLE001
            run.extra.setdefault("errors", []).append(f"{getattr(produce, '__name__', produce)}: {_error(exc)}")
    run.seconds = time.perf_counter() - started
    return run


# --- metrics ----------------------------------------------------------------------------------

# `LetterRun`, `QuestionRun`, `Miss` and `Tally` (imr_llm.evaluation.runs) are re-exported from here.

def score_decisions(run: LetterRun) -> Tally:
    tally = Tally()
    for i, gold in enumerate(run.gold.record.get("decisions") or []):
        what = f"decision of item {i + 1} {gold['item']!r}"
        j = run.matching.get(i)
        if j is None:
            note = run.error or "no predicted item matches this gold item"
            tally.add(False, Miss("decision_accuracy", what, None, gold["decision"], note))
            continue
        predicted = run.summary.items[j]
        tally.add(predicted.decision.value == gold["decision"],
                  Miss("decision_accuracy", what, predicted.decision.value, gold["decision"],
                       f"predicted item {j + 1} {predicted.item.value!r}"))
    return tally


def score_items(run: LetterRun) -> Tally:
    tally = Tally()
    matched = set(run.matching.values())
    for j, item in enumerate(run.summary.items if run.summary else []):
        tally.add(j in matched, Miss("item_precision", f"predicted item {j + 1} {item.item.value!r}",
                                     item.item.value, None, "matches no gold item"))
    return tally


def score_fields(run: LetterRun) -> Tally:
    tally = Tally()
    for name in FIELDS:
        gold = normalise_field(name, run.gold.record.get(name))
        if gold is None:
            continue
        raw = getattr(run.summary, name, None) if run.summary else None
        predicted = normalise_field(name, raw)
        tally.add(predicted == gold, Miss("field_accuracy", name, predicted, gold, run.error or ""))
    return tally


def answer_hit(answer_text: str, groups: list[list[str]]) -> list[list[str]]:
    """The `answer_must_mention` groups an answer does NOT satisfy (case-insensitive)."""
    text = answer_text.lower()
    return [group for group in groups if not any(str(alt).lower() in text for alt in group)]


def score_answers(run: LetterRun) -> Tally:
    tally = Tally()
    for q in run.questions:
        groups = q.gold.get("answer_must_mention") or []
        unmet = answer_hit(q.answer.text, groups) if q.answer else groups
        tally.add(q.answer is not None and not unmet,
                  Miss("answer_hit_rate", q.gold["question"], q.answer.text if q.answer else None,
                       unmet, q.error or "answer lacks these mentions"))
    return tally


def unanswerable(question: dict) -> bool:
    return bool(question.get("unanswerable"))


def score_evidence(run: LetterRun) -> Tally:
    tally = Tally()
    for q in run.questions:
        if unanswerable(q.gold):
            continue  # no evidence to cite: the honest answer cites nothing
        evidence = q.gold.get("evidence") or ""
        hit = bool(evidence) and any(squash(evidence) in squash(text) for text in q.cited)
        quotes = [" ".join(c.quote.split()) for c in q.answer.citations] if q.answer else None
        tally.add(hit, Miss("evidence_hit_rate", q.gold["question"], quotes, evidence,
                            q.error or "no cited passage holds the evidence"))
    return tally


def score_abstention(run: LetterRun) -> Tally:
    tally = Tally()
    for q in run.questions:
        if unanswerable(q.gold):
            tally.add(q.answer is not None and not q.answer.answered,
                      Miss("abstention_accuracy", q.gold["question"], q.answer.text if q.answer else None,
                           "the letter does not answer this", q.error or "answered a question the letter does not answer"))
    return tally


# Per-letter metrics, in report order. Each maps a LetterRun to hits, a total and its misses.
METRICS: dict[str, Callable[[LetterRun], Tally]] = {
    "decision_accuracy": score_decisions,
    "item_precision": score_items,
    "field_accuracy": score_fields,
    "answer_hit_rate": score_answers,
    "evidence_hit_rate": score_evidence,
    "abstention_accuracy": score_abstention,
    "plain_outcome_accuracy": score_plain_outcomes,
}
# Extra product stages run on each letter after summarize and ask: `produce(run, settings)`.
PRODUCERS: list[Callable[[LetterRun, Settings], None]] = [produce_plain]
# Folder-level figures: `reporter(runs, per_letter) -> {name: value}` joins the report's top level
# (a reporter may also fill per_letter rows). Names it lists under "lower_is_better" compare that way.
def review_report(runs: list[LetterRun], per_letter: list[dict]) -> dict:
    """Letters flagged for a person, unreadable letters, and answerable questions wrongly answered as unanswered
    (`false_abstentions`: the answer says the letter does not answer and lacks what the gold answer must mention;
    "it is not one of the disputed items", when the gold answer says just that, is no miss). Each letter's row
    gets `needs_review`, `review_reasons`, `unreadable` and `abstained_answerable` (every answerable question
    answered as unanswered, with its answer hit)."""
    flagged = unreadable = abstained = 0
    for run, row in zip(runs, per_letter, strict=True):
        summary = run.summary
        row["needs_review"] = bool(summary and summary.needs_review)
        row["review_reasons"] = list(summary.review_reasons) if summary else []
        row["unreadable"] = summary is None or not summary.items
        row["abstained_answerable"] = [
            {"question": q.gold["question"], "answer_hit": not answer_hit(q.answer.text, q.gold.get("answer_must_mention") or [])}
            for q in run.questions if not unanswerable(q.gold) and q.answer is not None and not q.answer.answered]
        flagged += row["needs_review"]
        unreadable += row["unreadable"]
        abstained += sum(not a["answer_hit"] for a in row["abstained_answerable"])
    return {
        "lower_is_better": ["needs_review_letters", "needs_review_share", "unreadable_letters", "false_abstentions"],
        "needs_review_letters": flagged,
        "needs_review_share": _rate(flagged, len(runs)),
        "unreadable_letters": unreadable,
        "false_abstentions": abstained,
    }


REPORTERS: list[Callable[[list[LetterRun], list[dict]], dict]] = [review_report, plain_report]


# --- the report -------------------------------------------------------------------------------

def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def _letter_report(run: LetterRun, tallies: dict[str, Tally]) -> dict:
    return {
        "letter": run.gold.name,
        "error": run.error,
        "seconds": round(run.seconds, 2),
        "counts": {name: {"hits": t.hits, "total": t.total} for name, t in tallies.items()},
        "misses": [asdict(m) for t in tallies.values() for m in t.misses],
        "questions": [
            {"question": q.gold["question"], "answer": q.answer.text if q.answer else None, "error": q.error,
             "citations": len(q.answer.citations) if q.answer else 0,
             "answered": q.answer.answered if q.answer else None,
             **({"unanswerable": True} if unanswerable(q.gold) else {})}
            for q in run.questions
        ],
        **({"errors": run.extra["errors"]} if run.extra.get("errors") else {}),
    }


def evaluate(folder: str | Path, *, model: str | None = None, settings: Settings | None = None,
             progress: Callable[[int, int, str], None] | None = None, ragas: bool = True) -> dict:
    """Run the product on every gold letter of a folder and score it; returns the JSON-able report.

    `progress(done, total, letter)` is called before each letter and once at the end.
    """
    settings = (settings or get_settings()).with_model(model)
    started = time.perf_counter()
    golds = load_gold(folder)
    runs: list[LetterRun] = []
    # A client of the evaluation's own (its embedder remembers vectors for this run only); the
    # engines it runs are the ones `imr_llm.ask` and `imr_llm.summarize` run.
    with Client(settings, embedder=_MemoEmbedder(get_embedder(settings.embedding, settings.llm_api_base))) as client:
        for n, gold in enumerate(golds):
            if progress:
                progress(n, len(golds), gold.name)
            runs.append(run_letter(gold, client))
    if progress:
        progress(len(golds), len(golds), "")
    totals = {name: Tally() for name in METRICS}
    per_letter = []
    for run in runs:
        tallies = {name: metric(run) for name, metric in METRICS.items()}
        for name, tally in tallies.items():
            totals[name].hits += tally.hits
            totals[name].total += tally.total
        per_letter.append(_letter_report(run, tallies))
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "gold_dir": str(folder),
        "letters": len(runs),
        "failed_letters": sum(run.error is not None for run in runs),
        "engine": settings.llm_model or "offline",
        **{name: _rate(t.hits, t.total) for name, t in totals.items()},
        "counts": {name: {"hits": t.hits, "total": t.total} for name, t in totals.items()},
    }
    lower: list[str] = []
    for reporter in REPORTERS:
        figures = dict(reporter(runs, per_letter))
        lower += figures.pop("lower_is_better", [])
        report.update(figures)
    if lower:
        report["lower_is_better"] = lower
    if ragas:
        report.update(score_runs(runs, settings, per_letter))
    report["seconds"] = round(time.perf_counter() - started, 1)
    report["per_letter"] = per_letter
    return report
