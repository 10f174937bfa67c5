"""eval: score the product against a folder of hand-labelled letters (`imr-gold/1`)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..errors import ConfigError
from ..evaluation.report import compare_reports, metric_names, miss_line, review_lines
from ..evaluation.evaluate import evaluate
from . import app
from ._common import JSON_OPTION, MODEL_OPTION, console, err_console, handle_errors, print_json


def _print_report(report: dict) -> None:
    metrics = Table("metric", "value", "hits / total", title=f"{report['letters']} letters, engine {report['engine']}")
    for name in metric_names(report):
        count = report["counts"].get(name)
        value = report[name]
        shown = "-" if value is None else f"{value:.4f}" if isinstance(value, float) else str(value)
        metrics.add_row(name, shown, f"{count['hits']} / {count['total']}" if count else "")
    console.print(metrics)
    for name, why in (report.get("ragas_skipped") or {}).items():
        console.print(f"left out: {name}: {why}")
    letters = Table(title="per letter (hits/total)")
    letters.add_column("letter", no_wrap=True, min_width=max((len(r["letter"]) for r in report["per_letter"]), default=6))
    for name in report["counts"]:
        letters.add_column(name.split("_")[0])  # decision, item, field, answer, evidence, ...
    letters.add_column("review")
    letters.add_column("error")
    for letter in report["per_letter"]:
        review = "unreadable" if letter.get("unreadable") else "needs review" if letter.get("needs_review") else ""
        letters.add_row(letter["letter"], *(f"{c['hits']}/{c['total']}" for c in letter["counts"].values()),
                        review, letter["error"] or "")
    console.print(letters)
    flagged = review_lines(report)
    console.print(f"\n{report.get('needs_review_letters', 0)} letter(s) need review, "
                  f"{report.get('unreadable_letters', 0)} unreadable")
    for line in flagged:
        console.print(f"- {line}", markup=False)
    misses = [miss_line(letter["letter"], m) for letter in report["per_letter"] for m in letter["misses"]]
    console.print(f"\n{len(misses)} miss(es)")
    for line in misses:
        console.print(f"- {line}")


@app.command("eval")
@handle_errors
def eval_(
    gold_dir: Path = typer.Argument(..., help="A folder of letters (.txt/.pdf) with NAME.gold.json records beside them."),
    as_json: bool = JSON_OPTION,
    model: str = MODEL_OPTION,
    baseline: Path = typer.Option(None, "--baseline", help="A report saved with --json: print what improved and what regressed."),
) -> None:
    """Score summaries and answers against hand-labelled gold records (decisions, fields, answers, evidence, ragas)."""
    before = None
    if baseline:
        try:
            before = json.loads(baseline.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError(f"{baseline}: not a readable evaluation report ({exc})") from exc
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, disable=not err_console.is_terminal, transient=True) as progress:
        task = progress.add_task("evaluating", total=None)

        def on_letter(done: int, total: int, letter: str) -> None:
            progress.update(task, completed=done, total=total, description=letter or "scoring")

        report = evaluate(gold_dir, model=model, progress=on_letter)
    if as_json:
        print_json(report)
    else:
        _print_report(report)
    if before is not None:
        for line in compare_reports(report, before).lines():
            err_console.print(line)
