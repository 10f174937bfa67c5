"""Presentation only: library records -> markdown, rows and data frames for the Gradio components.

No decisions are made here; every value comes from an `Answer`, `DecisionSummary` or
`CorpusStats`, and every quote keeps its span so the UI can link it to the letter. Letter text reaches
HTML and Markdown only through `imr_llm.present.markup` (`md_escape` is its `markdown`), so it shows as text.
"""

from __future__ import annotations

import pandas as pd

from ..analytics import CaseRow, CorpusStats
from ..present.markup import element
from ..present.markup import markdown as md_escape
from ..models import Answer, Citation, DecisionSummary, ItemDecision
from ..store.ocr import read_by_ocr
from ..plain.summary import PlainSummary, phrases
from ..present.render import Highlight, answer_highlights, highlight_html, summary_highlights

ALL_CASES = "__all__"
ALL_CASES_LABEL = "All cases (questions across the corpus)"
MAX_CHOICES = 200
DECISION_COLORS = {"upheld": "#e03131", "overturned": "#2f9e44"}
ITEM_COLUMNS = ["#", "Item", "Decision", "Guideline", "Reason"]
BADGE = {"upheld": "Upheld — not authorized", "overturned": "Overturned — authorized"}


def case_choices(rows: list[CaseRow]) -> list[tuple[str, str]]:
    return [(ALL_CASES_LABEL, ALL_CASES)] + [(row.label, row.case_id) for row in rows[:MAX_CHOICES]]


def case_count_note(rows: list[CaseRow], total: int) -> str:
    shown = min(len(rows), MAX_CHOICES)
    more = f" (showing {shown}; narrow the search)" if len(rows) > shown else ""
    return f"{len(rows)} of {total} case(s) match{more}."


def chat_heading(summary: DecisionSummary | None, total: int) -> str:
    if summary is None:
        return f"Asking across **all {total} cases** in the store."
    return (f"Asking about **{md_escape(summary.case_id)}**: {md_escape(summary.overall or 'no items')}, "
            f"{len(summary.items)} item(s).")


def citation_label(n: int, cite: Citation, corpus: bool) -> str:
    where = f"chars {cite.span.start}–{cite.span.end}" if cite.span else "NOT FOUND in the letter"
    item = f"item {cite.item_index}" if cite.item_index else cite.section
    quote = " ".join(cite.quote.split())
    case = f"{cite.case_id} · " if corpus else ""
    return f"[{n}] {case}{item} · {where} · “{quote[:80]}{'…' if len(quote) > 80 else ''}”"


def answer_markdown(answer: Answer, corpus: bool) -> str:
    """The answer text, its numbered sources and the engine that wrote it."""
    lines = [md_escape(line) for line in answer.text.splitlines() if line.strip()]
    if answer.citations:
        lines.append("\n**Sources** (select one below the chat to see it in the letter):")
        lines += [f"- {md_escape(citation_label(n, c, corpus))}" for n, c in enumerate(answer.citations, start=1)]
    lines += [f"\n_note: {md_escape(note)}_" for note in answer.notes]
    lines.append("\n" + element("sub", f"engine: {answer.engine_text}"))
    return "\n".join(lines)


def progressive(text: str, steps: int = 12) -> list[str]:
    """Growing prefixes of `text`, cut at word boundaries, for a streamed display."""
    words = text.split(" ")
    size = max(1, len(words) // steps)
    return [" ".join(words[:end]) for end in range(size, len(words), size)] + [text]


def citation_html(letter_text: str, answer: Answer, letter_id: str, selected: int) -> str:
    """The letter with every citation into it numbered, and the selected one in focus."""
    in_letter = answer.model_copy(update={"citations": [
        c if c.letter_id in ("", letter_id) else c.model_copy(update={"span": None}) for c in answer.citations]})
    marks = [Highlight(h.span, h.label, "focus" if h.label == str(selected) else h.kind)
             for h in answer_highlights(in_letter)]
    return highlight_html(letter_text, marks)


def item_highlights(item: ItemDecision) -> list[Highlight]:
    marks = [Highlight(item.item.span, f"item {item.index}", "focus")] if item.item.span else []
    if item.decision.span:
        marks.append(Highlight(item.decision.span, "", item.decision.value))
    marks += [Highlight(g.span, "guideline", "field") for g in item.guidelines if g.span]
    if item.reason and item.reason.span:
        marks.append(Highlight(item.reason.span, "reason", "cite"))
    return marks


def summary_html(letter_text: str, summary: DecisionSummary, index: int | None = None) -> str:
    if index is None:
        return highlight_html(letter_text, summary_highlights(summary))
    item = next(i for i in summary.items if i.index == index)
    return highlight_html(letter_text, item_highlights(item))


def _value(grounded) -> str:
    if grounded is None:
        return "—"
    value = grounded.value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def fields_markdown(summary: DecisionSummary) -> str:
    names = ("case_number", "patient_age", "patient_sex", "date_of_injury", "ur_decision_date", "decision_date",
             "reviewer_specialty")
    cells = [f"**{n.replace('_', ' ')}**: {md_escape(_value(getattr(summary, n)))}" for n in names]
    diagnoses = "; ".join(d.value for d in summary.diagnoses) or "—"
    notes = "".join(f"\n\n_note: {md_escape(n)}_" for n in summary.notes)
    return (f"### {md_escape(summary.case_id)} · overall: {md_escape(summary.overall or '—')}\n"
            + " · ".join(cells) + f"\n\n**diagnoses**: {md_escape(diagnoses)} · engine: {md_escape(summary.engine_text)}{notes}")


def badge_html(item: ItemDecision) -> str:
    corrected = " (corrected)" if item.corrected else ""
    return element("span", BADGE[item.decision.value] + corrected, class_=f"badge {item.decision.value}")


def items_frame(summary: DecisionSummary) -> pd.DataFrame:
    rows = [{"#": i.index, "Item": i.item.value, "Decision": badge_html(i),
             "Guideline": "; ".join(g.value for g in i.guidelines) or "—",
             "Reason": i.reason.value if i.reason else "—"} for i in summary.items]
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)


def items_frame_empty() -> pd.DataFrame:
    return pd.DataFrame([], columns=ITEM_COLUMNS)


def stats_frames(stats: CorpusStats) -> dict[str, pd.DataFrame]:
    rates = stats.overturn_rates()
    return {
        "decisions": pd.DataFrame([{"decision": k, "items": v} for k, v in sorted(stats.by_decision.items())],
                                  columns=["decision", "items"]),
        "categories": pd.DataFrame([{"category": r.category, "decision": d, "items": r_counts}
                                    for r in rates for d, r_counts in sorted(stats.by_category[r.category].items())],
                                   columns=["category", "decision", "items"]),
        "guidelines": pd.DataFrame([{"guideline": k, "items": v} for k, v in stats.by_guideline.most_common()],
                                   columns=["guideline", "items"]),
        "rates": pd.DataFrame([{"category": f"{r.category} (n={r.items})", "overturn rate %": round(100 * r.rate, 1)}
                               for r in rates], columns=["category", "overturn rate %"]),
        "table": pd.DataFrame([{"treatment category": r.category, "items": r.items, "overturned": r.overturned,
                                "overturn rate": f"{r.rate:.0%}", "95% interval": f"{r.low:.0%}–{r.high:.0%}"}
                               for r in rates],
                              columns=["treatment category", "items", "overturned", "overturn rate", "95% interval"]),
    }


def stats_markdown(stats: CorpusStats) -> str:
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(stats.letters_by_outcome.items())) or "none"
    return (f"**{stats.letters}** letter(s), **{stats.items}** disputed item(s). Letters by outcome: {md_escape(outcomes)}. "
            "Counts are per item; an item citing several guideline families counts once in each.")


def plain_markdown(reading: PlainSummary) -> str:
    """A plain summary for the screen: each item's outcome, why, and the letter's sentence it rests on."""
    words = phrases(reading.lang)
    source = "From the letter" if reading.lang == "en" else "De la carta (en inglés)"
    out = [f"## {md_escape(reading.text.splitlines()[0] if reading.text else reading.title)}",
           *(md_escape(line) for line in words["intro"]), f"**{md_escape(words['decided'])}**"]
    for item in reading.items:
        kind = "overturned" if item.approved else "upheld"
        out.append(element("span", item.outcome.upper(), class_=f"badge {kind}")
                   + f" **{md_escape(item.item)}**  \n{md_escape(' '.join(item.why))}")
        quotes = list(dict.fromkeys(s.quote for s in item.sources if s.quote))
        out += ["> " + element("span", md_escape(f"{source}: “{q}”"), class_="src") for q in quotes]
    out += [md_escape(words["meaning"]), f"**{md_escape(words['next'])}**",
            *(f"- {md_escape(step)}" for step in reading.next_steps)]
    out += [f"_{md_escape(note)}_" for note in reading.notes]
    out.append(element("sub", f"engine: {reading.engine_text}"))
    return "\n\n".join(out)


def ocr_note(summary: DecisionSummary | None) -> str:
    """A short note beside a case whose letter was a scan read by OCR (empty for any other letter)."""
    if summary is None or not read_by_ocr(summary):
        return ""
    return ("\n\n" + element("span", "Scanned letter, read by OCR", class_="ocr-note")
            + ": a word may be misread, so check each decision against the paper letter.")
