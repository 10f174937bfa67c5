"""ingest, summarize, ask, cases."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .. import api
from ..client import IngestResult
from ..models import Answer, DecisionSummary
from ..plain.html import plain_page
from ..plain.summary import plain_summary
from ..present.render import answer_page, highlight_html, page_html, summary_highlights
from ..store.load import letter_files
from ..store.ocr import read_by_ocr
from . import app
from ._common import JSON_OPTION, MODEL_OPTION, console, err_console, fail, handle_errors, print_json, write_page

_SOURCE = typer.Argument(..., help="A letter file (.txt/.pdf), or a case number / letter id already ingested.")


@app.command()
@handle_errors
def ingest(
    paths: list[Path] = typer.Argument(..., help="Letter files or folders (read recursively)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add letters to the index. Prints a line per file; exits 1 if any file failed."""
    files = letter_files(paths)
    client = api.default_client()
    results = []
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, disable=as_json or not err_console.is_terminal) as progress:
        task = progress.add_task("ingesting", total=len(files))

        def on_result(result: IngestResult) -> None:
            results.append(result)
            progress.advance(task)
            if not as_json:
                detail = (f"{result.case_id}: {result.items} item(s), {result.chunks} chunk(s)"
                          if result.status != "failed" else result.error)
                progress.console.print(f"{result.status:9} {result.path}  {detail}")

        client.ingest(files, on_result=on_result, on_wait=progress.console.print)  # another writer holds the store
    failed = [r for r in results if r.status == "failed"]
    if as_json:
        print_json([r.__dict__ for r in results])
    else:
        added = sum(r.status == "added" for r in results)
        err_console.print(f"{added} added, {len(results) - added - len(failed)} unchanged, {len(failed)} failed "
                          f"(store: {client.store.location})")
    if failed:
        raise typer.Exit(1)


def summary_table(summary: DecisionSummary) -> None:
    fields = Table(show_header=False, box=None, pad_edge=False)
    for name in ("case_number", "patient_age", "patient_sex", "date_of_injury", "ur_decision_date", "decision_date",
                 "reviewer_specialty"):
        value = getattr(summary, name)
        shown = "-" if value is None else (value.value.isoformat() if hasattr(value.value, "isoformat") else str(value.value))
        fields.add_row(name.replace("_", " "), shown)
    fields.add_row("diagnoses", "; ".join(d.value for d in summary.diagnoses) or "-")
    fields.add_row("overall", summary.overall or "-")
    fields.add_row("layout / engine", f"{summary.layout} / {summary.engine_text}")
    if read_by_ocr(summary):
        fields.add_row("read by", "OCR, from a scanned PDF (no text layer)")
    console.print(fields)
    items = Table("#", "item", "decision", "guidelines", "reason", show_lines=True)
    for item in summary.items:
        decision = f"{item.decision.value.upper()}\n" + ("authorized" if item.authorized else "not authorized")
        if item.corrected:
            decision += "\n(corrected)"
        items.add_row(str(item.index), item.item.value, decision, "\n".join(g.value for g in item.guidelines) or "-",
                      item.reason.value if item.reason else "-")
    console.print(items)
    for note in summary.notes:
        console.print(f"note: {note}")
    if summary.needs_review:
        console.print("NEEDS REVIEW: a person should read this letter.")
        for reason in summary.review_reasons:
            console.print(f"review: {reason}")


# `summarize` of a letter whose decisions could not be read at all: printed and kept, but not read.
UNREAD_EXIT = 3


@app.command()
@handle_errors
def summarize(
    source: str = _SOURCE,
    as_json: bool = JSON_OPTION,
    model: str = MODEL_OPTION,
    html: Path = typer.Option(None, "--html", help="Also write the letter with every item and field highlighted "
                              "(with --plain: a printable one-page summary in large type); folders are created."),
    plain: bool = typer.Option(False, "--plain", help="Explain the decision in everyday words, for the worker."),
    lang: str = typer.Option("en", "--lang", help="Language of --plain: en (English) or es (Spanish)."),
) -> None:
    """The typed decision summary of a letter: case fields and each item's decision, with spans."""
    if plain:
        return summarize_plain(source, lang, as_json=as_json, model=model, html=html)
    client = api.default_client()
    letter = client.open_letter(source)  # read once: for the summary and the page
    summary = client.summarize(letter, model=model)
    if html:
        write_page(html, page_html(f"IMR letter {summary.case_id}",
                                   highlight_html(letter.letter.text, summary_highlights(summary))))
    if as_json:
        print_json(summary)
    else:
        summary_table(summary)
    if not summary.items:
        raise typer.Exit(UNREAD_EXIT)  # the letter is kept, but no decision could be read: a person must read it


def summarize_plain(source: str, lang: str, *, as_json: bool, model: str | None, html: Path | None) -> None:
    if lang not in ("en", "es"):
        raise fail(f"--lang must be en or es, not {lang!r}", code=2)
    client = api.default_client()
    letter = client.open_letter(source)
    result = plain_summary(client.summarize(letter, model=model), letter.letter.text, lang, model=model)  # type: ignore[arg-type]
    if html:
        write_page(html, plain_page(result))
    if as_json:
        print_json(result)
        return
    console.print(result.text)
    console.print(f"\n(engine: {result.engine_text})")
    for note in result.notes:
        console.print(f"note: {note}")


def print_answer(answer: Answer) -> None:
    console.print(answer.text)
    console.print(f"\n(engine: {answer.engine_text})")
    for note in answer.notes:
        console.print(f"note: {note}")
    for n, cite in enumerate(answer.citations, start=1):
        where = f"chars {cite.span.start}-{cite.span.end}" if cite.span else "UNALIGNED"
        console.print(f"[{n}] {cite.case_id} {cite.section}, {where}: \"{' '.join(cite.quote.split())}\"")


@app.command()
@handle_errors
def ask(
    source: str = typer.Argument(..., help="A letter file, a case number / letter id, or 'all' for every case."),
    question: str = typer.Argument(..., help='e.g. "Why was PT overturned?"'),
    as_json: bool = JSON_OPTION,
    model: str = MODEL_OPTION,
    k: int = typer.Option(6, "--top", "-k", help="Passages to retrieve (at least 1)."),
    html: Path = typer.Option(None, "--html", help="Also write the answer and the letter with the cited sentences "
                              "highlighted (folders are created)."),
) -> None:
    """Answer a question from the letter, citing the passages it used."""
    if k < 1:
        raise fail(f"--top/-k must be at least 1, not {k}", code=2)
    if html and source == "all":
        raise fail("--html needs one letter (a file or a case), not 'all'", code=2)
    client = api.default_client()
    letter = None if source == "all" else client.open_letter(source)
    answer = client.ask(letter, question, k=k, model=model)
    if html and letter is not None:
        write_page(html, answer_page(question, answer, letter.letter.text))
    if as_json:
        print_json(answer)
    else:
        print_answer(answer)


@app.command()
@handle_errors
def cases(as_json: bool = JSON_OPTION) -> None:
    """List the cases in the index."""
    client = api.default_client()
    rows = client.cases()
    if as_json:
        print_json(rows)
        return
    table = Table("case", "items", "overall", "layout", "source")
    for row in rows:
        table.add_row(row["case_id"], str(row["items"]), row["overall"], row["layout"], row["source"])
    console.print(table)
    console.print(f"{len(rows)} case(s) in {client.store.location}")
