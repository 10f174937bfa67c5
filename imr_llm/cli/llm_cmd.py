"""log: the LLM call log (model, prompt, tokens, cost, latency, cache hits, outcome)."""

from __future__ import annotations

import typer
from rich import box
from rich.table import Table

from ..config import get_settings
from ..llm.log import log_path, recent_calls
from . import app
from ._common import JSON_OPTION, console, handle_errors, print_json


def _tokens(row: dict) -> str:
    if row["input_tokens"] is None:
        return "-"
    return f"{row['input_tokens']}/{row['output_tokens']}"


@app.command("log")
@handle_errors
def log(
    as_json: bool = JSON_OPTION,
    count: int = typer.Option(20, "-n", "--count", min=1, help="How many calls to show, newest first."),
) -> None:
    """The LLM call log, newest first: one row per call, cache hits and failures included."""
    settings = get_settings()
    rows = recent_calls(settings, count)
    if as_json:
        print_json(rows)
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for name in ("id", "UTC", "model", "prompt", "req", "tokens", "cost $", "ms", "cache", "outcome"):
        table.add_column(name, overflow="fold")
    for row in rows:
        outcome = row["outcome"] if not row["error_class"] else f"{row['outcome']}: {row['error_class']}"
        table.add_row(str(row["id"]), row["time_utc"][5:16].replace("T", " "), row["model"],
                      f"{row['prompt_id']}/{row['prompt_version']}" if row["prompt_version"] else row["prompt_id"],
                      str(row["requests"]), _tokens(row),
                      "-" if row["cost_usd"] is None else f"{row['cost_usd']:.4f}", str(row["latency_ms"]),
                      "hit" if row["cache_hit"] else "miss", outcome)
    console.print(table)
    console.print(f"{len(rows)} call(s) shown; log: {log_path(settings)}")
