"""Event handlers: each takes component values, calls the UI's `imr_llm.Client`, and adapts the result for the components.

Errors from the library (`ImrError`, including every Chroma failure as a `StoreError`) become a
one-line message for the user, never a stack trace; nothing here logs letter text (only counts,
case ids and file names). Letters written by other processes (a CLI ingest) show up without a
restart: the store reopens itself when another process wrote, and the case list re-reads it.
"""

from __future__ import annotations

import functools
import logging
import re
import tempfile
import time
from pathlib import Path

import gradio as gr

from ..analytics import Corpus, find_cases
from ..client import Client, IngestResult
from ..config import Settings
from ..errors import ImrError
from ..models import Answer, DecisionSummary
from ..plain.html import plain_page
from ..plain.summary import plain_summary

from . import views

log = logging.getLogger("imr_llm.ui")
NO_CASE = "Pick a case on the left to see its decisions."


def one_line_errors(handler):
    """A library error in a handler becomes Gradio's one-line error message."""

    @functools.wraps(handler)
    def wrapper(*args, **kwargs):
        try:
            return handler(*args, **kwargs)
        except ImrError as exc:
            raise gr.Error(str(exc)) from None

    return wrapper


def engine_label(settings: Settings) -> str:
    return settings.llm_model or "offline (quotes the letter; no LLM)"


class Handlers:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.client = Client(settings)
        self.store = self.client.store
        self.corpus = Corpus(self.store)
        self.downloads = Path(tempfile.mkdtemp(prefix="imr-ui-"))

    # -- case picker ---------------------------------------------------------------------------

    @one_line_errors
    def known(self, case: str) -> str:
        """A case id of the store; anything else (a typed path, a stray value) is refused."""
        if case not in {s.case_id for s in self.corpus.summaries()}:
            raise gr.Error(f"No case {case!r} in the store; pick one from the list or add its letter.")
        return case

    @one_line_errors
    def cases(self) -> list:
        return find_cases(self.corpus.summaries())

    @one_line_errors
    def search_cases(self, query: str, decision: str):
        """Cases matching a case number / treatment search and a decision, for the picker."""
        summaries = self.corpus.summaries()
        rows = find_cases(summaries, query or "", "" if decision in (None, "any") else decision)
        return gr.update(choices=views.case_choices(rows)), views.case_count_note(rows, len(summaries))

    # -- chat ----------------------------------------------------------------------------------

    def ask(self, case: str | None, question: str, histories: dict):
        """Stream a cited answer into the case's conversation; the first citation is shown in the letter."""
        case = case or views.ALL_CASES
        question = (question or "").strip()
        history = list(histories.get(case, []))
        if not question:
            yield history, histories, gr.update(), gr.update(), None, ""
            return
        history.append({"role": "user", "content": question})
        yield history + [{"role": "assistant", "content": "Searching the letter…"}], histories, gr.update(), \
            gr.update(), None, ""
        corpus = case == views.ALL_CASES
        try:
            answer = self.client.ask(None if corpus else self.known(case), question)
        except (ImrError, gr.Error) as exc:
            history.append({"role": "assistant", "content": f"Could not answer: {views.md_escape(str(exc))}"})
            histories = {**histories, case: history}
            yield history, histories, gr.update(choices=[], value=None), "", None, ""
            return
        text = views.answer_markdown(answer, corpus)
        for partial in views.progressive(text):
            yield history + [{"role": "assistant", "content": partial}], histories, gr.update(), gr.update(), \
                None, ""
            time.sleep(0.02)
        history.append({"role": "assistant", "content": text})
        histories = {**histories, case: history}
        log.info("answered a question on %s with %d citation(s)", case, len(answer.citations))
        choices = [(views.citation_label(n, c, corpus), n) for n, c in enumerate(answer.citations, start=1)]
        first = 1 if choices else None
        yield (history, histories, gr.update(choices=choices, value=first),
               self.show_citation(first, answer.model_dump()), answer.model_dump(), "")

    @one_line_errors
    def show_citation(self, selected: int | None, answer: dict | None) -> str:
        """The letter a citation points into, with that citation in focus."""
        if not answer or not selected:
            return ""
        answer_ = Answer.model_validate(answer)
        cite = answer_.citations[int(selected) - 1]
        if cite.span is None:
            return "<p class='warn'>This quote was not found in the letter, so it cannot be shown there.</p>"
        letter = self.client.open_letter(cite.letter_id or answer_.case_id).letter
        return views.citation_html(letter.text, answer_, letter.letter_id, int(selected))

    @one_line_errors
    def switch_case(self, case: str | None, histories: dict):
        """The conversation of the newly picked case (its sources show again when asked anew), and what it is."""
        case = case or views.ALL_CASES
        summaries = self.corpus.summaries()
        picked = next((s for s in summaries if s.case_id == case), None)
        return (histories.get(case, []), gr.update(choices=[], value=None), "", None,
                views.chat_heading(picked, len(summaries)) + views.ocr_note(picked))

    # -- summary -------------------------------------------------------------------------------

    def summarize(self, case: str | None):
        """Case fields, the items table with badges, and the letter with every item highlighted."""
        if not case or case == views.ALL_CASES:
            return NO_CASE, views.items_frame_empty(), "", None
        try:
            letter = self.client.open_letter(self.known(case))  # read once: for the summary and the letter shown
            summary = self.client.summarize(letter)
        except ImrError as exc:
            raise gr.Error(str(exc)) from None
        return (views.fields_markdown(summary) + views.ocr_note(summary), views.items_frame(summary),
                views.summary_html(letter.letter.text, summary), summary.model_dump(mode="json"))

    @one_line_errors
    def show_item(self, summary: dict | None, evt: gr.SelectData) -> str:
        """The letter with the selected row's item, decision, guidelines and reason highlighted."""
        if not summary or evt.index is None:
            return ""
        summary_ = DecisionSummary.model_validate(summary)
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        letter = self.client.open_letter(summary_.case_id).letter
        return views.summary_html(letter.text, summary_, summary_.items[int(row)].index)

    # -- upload --------------------------------------------------------------------------------

    def upload(self, path: str | None, progress=gr.Progress()):
        """Ingest one uploaded .txt/.pdf letter; a bad file gets a clear message and changes nothing."""
        if not path:
            return "Choose a .txt or .pdf letter first.", gr.update(), gr.update()
        name = Path(path).name
        progress(0.2, desc=f"Reading and indexing {name}")
        try:
            results = self.client.ingest([path], on_wait=lambda note: progress(0.1, desc=note))
        except ImrError as exc:  # the store could not be written: nothing of the letter was kept
            results = [IngestResult(path, "failed", error=str(exc))]
        progress(1.0, desc="Done")
        result = results[0] if results else IngestResult(path, "failed", error=f"{path}: nothing to read")
        log.info("upload of %s: %s", name, result.status)
        if result.status == "failed":
            reason = (result.error or "unreadable").replace(str(path), name)
            return f"**Could not add {views.md_escape(name)}**: {views.md_escape(reason)}", gr.update(), gr.update()
        if result.status == "added":
            try:
                self.corpus.add(self.client.open_letter(path).summary)
            except ImrError:
                self.corpus.invalidate()
        what = "added" if result.status == "added" else "already in the store"
        note = f"**{views.md_escape(name)}**: {what} as case {result.case_id}, {result.items} item(s)."
        rows = find_cases(self.corpus.summaries(), result.case_id)
        return note, gr.update(choices=views.case_choices(rows), value=result.case_id), result.case_id

    # -- analytics -----------------------------------------------------------------------------

    @one_line_errors
    def analytics(self):
        stats = self.corpus.stats()
        frames = views.stats_frames(stats)
        return (views.stats_markdown(stats), frames["decisions"], frames["categories"], frames["guidelines"],
                frames["rates"], frames["table"])

    # -- plain language ------------------------------------------------------------------------

    def plain(self, case: str | None, lang: str):
        """The plain-language reading of the picked case, and files to download it (text, printable page)."""
        hidden = gr.update(visible=False, value=None)
        if not case or case == views.ALL_CASES:
            return NO_CASE, hidden, hidden
        try:
            letter = self.client.open_letter(self.known(case))
            summary = self.client.summarize(letter)
            reading = plain_summary(summary, letter.letter.text, lang, settings=self.settings)
        except ImrError as exc:
            raise gr.Error(str(exc)) from None
        stem = self.downloads / re.sub(r"[^A-Za-z0-9_-]", "_", f"plain-{case}-{lang}")
        stem.with_suffix(".txt").write_text(reading.text, encoding="utf-8")
        stem.with_suffix(".html").write_text(plain_page(reading), encoding="utf-8")
        return (views.plain_markdown(reading), gr.update(visible=True, value=str(stem.with_suffix(".txt"))),
                gr.update(visible=True, value=str(stem.with_suffix(".html"))))
