"""Presenting results: letter text with highlighted spans (HTML), shared by the CLI and the UI.

`highlight_html` is a pure function from text and spans to an HTML string, so any
front end can embed it. Every element is built by `imr_llm.present.markup`, which escapes the letter's text.
"""

from __future__ import annotations

from dataclasses import dataclass

from .markup import Html, document, element, join
from ..models import Answer, DecisionSummary, Span

__all__ = ["Highlight", "answer_highlights", "answer_page", "highlight_html", "page_html", "summary_highlights"]


@dataclass(frozen=True)
class Highlight:
    span: Span
    label: str = ""
    kind: str = "cite"  # cite | upheld | overturned | field


_STYLE = """
.imr-letter{white-space:pre-wrap;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;line-height:1.45}
.imr-letter mark{padding:0 1px;border-radius:2px}
.imr-letter mark.cite{background:#ffe58a}
.imr-letter mark.upheld{background:#ffc9c9}
.imr-letter mark.overturned{background:#c3f0c8}
.imr-letter mark.field{background:#d0e4ff}
.imr-letter mark sup{font-size:10px;color:#333;margin-left:1px}
.imr-answer{white-space:pre-wrap}
"""


def highlight_html(text: str, highlights: list[Highlight], *, context: int | None = None) -> Html:
    """The letter as HTML with each span in a <mark>; overlapping spans keep the earlier one.

    With `context`, only the text within that many characters of a highlight is shown.
    """
    chosen: list[Highlight] = []
    for h in sorted(highlights, key=lambda h: (h.span.start, -h.span.end)):
        if h.span.end <= h.span.start or h.span.end > len(text):
            continue
        if chosen and h.span.start < chosen[-1].span.end:
            continue
        chosen.append(h)
    out: list[object] = []
    pos = 0
    first = True
    for h in chosen:
        start = pos
        if context is not None:
            start = max(pos, h.span.start - context)
            if start > pos or first and start > 0:
                out.append(element("span", "…\n", class_="gap"))
        out.append(text[start : h.span.start])
        label = element("sup", h.label) if h.label else ""
        out.append(element("mark", text[h.span.start : h.span.end], label, class_=h.kind,
                           id=f"span-{h.span.start}-{h.span.end}", data_start=h.span.start, data_end=h.span.end))
        pos = h.span.end
        first = False
    tail_end = len(text) if context is None else min(len(text), pos + context)
    out.append(text[pos:tail_end])
    if tail_end < len(text):
        out.append(element("span", "\n…", class_="gap"))
    return element("div", join(out), class_="imr-letter")


def answer_highlights(answer: Answer) -> list[Highlight]:
    return [Highlight(c.span, str(n), "cite") for n, c in enumerate(answer.citations, start=1) if c.span]


def summary_highlights(summary: DecisionSummary) -> list[Highlight]:
    marks: list[Highlight] = []
    for item in summary.items:
        if item.item.span:
            marks.append(Highlight(item.item.span, f"item {item.index}", item.decision.value))
        if item.decision.span:
            marks.append(Highlight(item.decision.span, "", item.decision.value))
        if item.reason and item.reason.span:
            marks.append(Highlight(item.reason.span, f"reason {item.index}", "cite"))
    for name in ("case_number", "patient_age", "date_of_injury", "ur_decision_date", "reviewer_specialty"):
        value = getattr(summary, name)
        if value is not None and value.span:
            marks.append(Highlight(value.span, name.replace("_", " "), "field"))
    return marks


def page_html(title: str, body: Html) -> Html:
    """A standalone printable page around an HTML fragment (built by `highlight_html` or `imr_llm.present.markup`)."""
    return document(title, join([element("h1", title), body]),
                    style="body{max-width:60rem;margin:2rem auto;font-family:system-ui,sans-serif}" + _STYLE)


def answer_page(question: str, answer: Answer, letter_text: str) -> Html:
    """The ask page: the question, the answer (which quotes the letter), and the letter with the cited
    passages highlighted and numbered."""
    return page_html(question, join([element("p", answer.text, class_="imr-answer"),
                                     highlight_html(letter_text, answer_highlights(answer))]))


STYLE = _STYLE
