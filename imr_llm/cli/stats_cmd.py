"""stats: what the ingested letters decided, by treatment category and guideline."""

from __future__ import annotations

import typer
from rich.table import Table

from .. import api
from ..analytics import CATEGORIES, corpus_stats, item_rows
from . import app
from ._common import JSON_OPTION, console, handle_errors, print_json


@app.command()
@handle_errors
def stats(
    as_json: bool = JSON_OPTION,
    category: str = typer.Option(None, "--category", "-c",
                                 help="List the items of one treatment category (e.g. 'physical therapy')."),
) -> None:
    """Counts by decision, treatment category and guideline, and overturn rate by treatment."""
    store = api.default_client().store
    if category is not None:
        if category not in CATEGORIES:
            raise typer.BadParameter(f"unknown category; one of: {', '.join(CATEGORIES)}", param_hint="--category")
        rows = item_rows(store.summaries(), category=category)
        if as_json:
            print_json([row.__dict__ for row in rows])
            return
        table = Table("case", "#", "decision", "item", "chars")
        for row in rows:
            table.add_row(row.case_id, str(row.index), row.decision, row.item,
                          f"{row.start}-{row.end}" if row.start is not None else "-")
        console.print(table)
        return
    result = corpus_stats(store.summaries())
    if as_json:
        print_json(result.to_dict())
        return
    console.print(f"{result.letters} letter(s), {result.items} disputed item(s) in {store.location}")
    console.print("items: " + ", ".join(f"{k} {v}" for k, v in sorted(result.by_decision.items())))
    console.print("letters: " + ", ".join(f"{k} {v}" for k, v in sorted(result.letters_by_outcome.items())))
    console.print("guidelines (items citing): " + ", ".join(f"{k} {v}" for k, v in result.by_guideline.most_common()))
    table = Table("treatment category", "items", "overturned", "overturn rate", "95% interval")
    for rate in result.overturn_rates():
        table.add_row(rate.category, str(rate.items), str(rate.overturned), f"{rate.rate:.0%}",
                      f"{rate.low:.0%}-{rate.high:.0%}")
    console.print(table)
