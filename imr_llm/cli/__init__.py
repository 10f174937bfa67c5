"""`imr-llm`: the command line. Commands are thin: they call the default `imr_llm.Client` (`imr_llm.api`) and print.

Only this package turns `ImrError`s into messages and exit codes:
0 success, 1 a command failed (or some files failed to ingest), 2 usage error.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="imr-llm",
    help="Read California workers' compensation IMR determination letters: typed, grounded decision "
    "summaries, cited answers and plain-language explanations. Works offline by default.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each module registers its commands on `app` when imported.
_COMMAND_MODULES = ["core", "stats_cmd", "eval_cmd", "ui_cmd", "llm_cmd"]
for _name in _COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_name}")


def main() -> None:
    app()
