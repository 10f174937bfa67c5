"""Presenting results: letter text with highlighted spans (HTML), shared by the CLI and the UI.

`highlight_html` is a pure function from text and spans to an HTML string, so any
front end can embed it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from .models import Answer, DecisionSummary, Span

__all__ = ["Highlight", "answer_highlights", "highlight_html", "page_html", "summary_highlights"]


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
"""


def highlight_html(text: str, highlights: list[Highlight], *, context: int | None = None) -> str:
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
    out: list[str] = []
    pos = 0
    first = True
    for h in chosen:
        start = pos
        if context is not None:
            start = max(pos, h.span.start - context)
            if start > pos or first and start > 0:
                out.append('<span class="gap">…\n</span>')
        out.append(html.escape(text[start : h.span.start]))
        label = f"<sup>{html.escape(h.label)}</sup>" if h.label else ""
        out.append(f'<mark class="{h.kind}" id="span-{h.span.start}-{h.span.end}" data-start="{h.span.start}" '
                   f'data-end="{h.span.end}">{html.escape(text[h.span.start : h.span.end])}{label}</mark>')
        pos = h.span.end
        first = False
    tail_end = len(text) if context is None else min(len(text), pos + context)
    out.append(html.escape(text[pos:tail_end]))
    if tail_end < len(text):
        out.append('<span class="gap">\n…</span>')
    return f'<div class="imr-letter">{"".join(out)}</div>'


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


def page_html(title: str, body: str) -> str:
    """A standalone printable page around an HTML fragment."""
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>body{{max-width:60rem;margin:2rem auto;font-family:system-ui,sans-serif}}{_STYLE}</style>"
            f"</head><body><h1>{html.escape(title)}</h1>{body}</body></html>")


STYLE = _STYLE
