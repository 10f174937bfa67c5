"""Helpers shared by the command modules: JSON output, error handling, options."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Any

import typer
from pydantic import BaseModel
from rich.console import Console

from ..errors import ImrError

console = Console(highlight=False, soft_wrap=True, markup=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)

JSON_OPTION = typer.Option(False, "--json", help="Print JSON instead of a table or text.")
MODEL_OPTION = typer.Option(None, "--model", "-m", envvar="IMR_LLM_MODEL", show_envvar=True,
                            help="A litellm model name (e.g. openai/gpt-4o-mini); unset = the offline engine.")


def print_json(value: Any) -> None:
    if isinstance(value, BaseModel):
        text = value.model_dump_json(indent=2)
    else:
        text = json.dumps(value, indent=2, default=str)
    sys.stdout.write(text + "\n")


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"error: {message}")
    return typer.Exit(code)


def write_page(path: Path, page: str) -> None:
    """Write an --html page, creating missing folders; a path that cannot be written is one line, exit 1."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
    except FileExistsError:
        raise fail(f"cannot write {path}: {path.parent} is a file, not a folder") from None
    except OSError as exc:
        raise fail(f"cannot write {path}: {exc.strerror or exc.__class__.__name__}") from None


def handle_errors(func):
    """Turn library errors into a one-line message and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ImrError as exc:
            raise fail(str(exc)) from None

    return wrapper
