"""The one place where text becomes HTML or Markdown. Pure functions, no I/O.

Letter text is hostile until escaped: a letter (or an answer quoting it) may hold `<script>`, an
`<img onerror=...>` or a quote that closes an attribute. Every page and view imr-llm builds (the
highlighted letter of `--html` and the web app, the ask page, the plain-language page, the web app's
answer, source, decision and plain views) builds its markup here:

- `text(value)` escapes a value for HTML element content or an attribute value (`& < > " '`);
- `element(tag, *children, **attributes)` builds one element: `str` children and every attribute value
  are escaped, `Html` children (built by these functions) are kept; attribute names are checked, and
  inline event handlers (`on...`) are refused;
- `document(title, body, style=...)` wraps a body into a standalone page;
- `markdown(value)` writes a value for a Markdown view that also renders HTML (Gradio's Markdown and
  Chatbot): `& < >` become entities and Markdown punctuation is backslash-escaped, so the reader sees
  the letter's characters, never its markup or formatting (text only: not for attribute values).

`Html` marks a string as already-safe markup; only this module makes one from letter text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

__all__ = ["Html", "document", "element", "join", "markdown", "text"]

_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")


class Html(str):
    """A string of HTML that is safe to insert as is (escaped or built by this module)."""

    __slots__ = ()


def text(value: object) -> Html:
    """`value` as HTML text, safe in element content and in a quoted attribute value."""
    if isinstance(value, Html):
        return value
    return Html(html.escape(str(value), quote=True))


def join(parts: Iterable[object]) -> Html:
    """Parts concatenated; `str` parts escaped, `Html` parts kept."""
    return Html("".join(text(part) for part in parts))


def _attributes(attributes: dict[str, object]) -> str:
    out = []
    for key, value in attributes.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")  # class_ -> class, data_start -> data-start
        if not _NAME.match(name) or name.startswith("on"):
            raise ValueError(f"not an allowed attribute name: {key!r}")
        out.append(f' {name}="{html.escape(str(value), quote=True)}"')
    return "".join(out)


def element(tag: str, *children: object, **attributes: object) -> Html:
    """`<tag attributes>children</tag>`; `str` children and attribute values are escaped."""
    if not _NAME.match(tag) or tag in ("script", "style", "iframe", "object", "embed"):
        raise ValueError(f"not an allowed element: {tag!r}")
    return Html(f"<{tag}{_attributes(attributes)}>{join(children)}</{tag}>")


def document(title: str, body: Html, *, style: str = "", lang: str = "en") -> Html:
    """A standalone UTF-8 page. `style` is the caller's own CSS (a constant), never letter text."""
    if "<" in style:
        raise ValueError("style must be plain CSS")
    if not isinstance(body, Html):
        body = text(body)
    return Html(f'<!doctype html><html lang="{text(lang)}"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{text(title)}</title><style>{style}</style></head><body>{body}</body></html>")


def markdown(value: object) -> Html:
    """`value` on one line for a Markdown view that renders HTML: shown as its own characters."""
    flat = " ".join(str(value).split())
    return Html(html.escape(_MARKDOWN_SPECIAL.sub(r"\\\1", flat), quote=False))
