"""imr_llm.present.markup, the one place letter text becomes HTML or Markdown, and the builders that use it."""

from __future__ import annotations

import html
import re

import pytest

from imr_llm.present.markup import Html, document, element, join, markdown, text
from imr_llm.models import Span
from imr_llm.present.render import Highlight, highlight_html

HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(2)> \" onmouseover=\"alert(3) '><svg onload=alert(4)>"
SOURCE_FILES = ["imr_llm/present/render.py", "imr_llm/plain/html.py", "imr_llm/ui/views.py", "imr_llm/cli/core.py"]


def test_text_and_attributes_are_escaped_children_built_here_are_kept():
    built = element("mark", HOSTILE, element("sup", "1"), class_=HOSTILE, data_start=3)
    assert "<script" not in built and "<img" not in built and "<svg" not in built
    assert built.count('"') == 4  # only the two attributes' own quotes: nothing closes an attribute early
    assert built.startswith('<mark class="&lt;script&gt;') and built.endswith("<sup>1</sup></mark>")
    assert html.unescape(re.sub(r"<[^>]+>", "", built)) == HOSTILE + "1"
    assert text(built) is built and join(["<b>", element("b", "x")]) == "&lt;b&gt;<b>x</b>"


@pytest.mark.parametrize("bad", [dict(onclick="x"), dict(ONLOAD="x"), {"a b": "x"}, {'x"': "y"}])
def test_event_handlers_and_odd_attribute_names_are_refused(bad):
    with pytest.raises(ValueError):
        element("span", "x", **bad)


@pytest.mark.parametrize("tag", ["script", "style", "iframe", "img onerror=x", ""])
def test_script_like_or_malformed_tags_are_refused(tag):
    with pytest.raises(ValueError):
        element(tag, "x")


def test_document_escapes_its_title_and_refuses_markup_in_the_style():
    page = document(HOSTILE, element("p", "x"), style="p{color:red}", lang='en" onload="x')
    assert "<script" not in page and 'onload="' not in page and "<title>&lt;script&gt;" in page
    with pytest.raises(ValueError):
        document("t", Html(""), style="</style><script>alert(1)</script>")


def test_markdown_shows_the_characters_not_markup_or_formatting():
    shown = markdown("  a <b>x</b> & *y* _z_ [l](u) `c` # | ~~s~~\n next ")
    assert shown == r"a &lt;b&gt;x&lt;/b&gt; &amp; \*y\* \_z\_ \[l\](u) \`c\` \# \| \~\~s\~\~ next"
    assert "<" not in markdown(HOSTILE) and ">" not in markdown(HOSTILE)


def test_highlighted_letter_keeps_offsets_and_escapes_marks_and_labels():
    letter = f"before {HOSTILE} after"
    start = letter.index("<img")
    out = highlight_html(letter, [Highlight(Span(start=start, end=start + 29), HOSTILE, 'cite" x="')])
    assert "<img" not in out and "<script" not in out and 'x="' not in out
    assert f'data-start="{start}" data-end="{start + 29}"' in out
    assert html.unescape(re.sub(r"<[^>]+>", "", out)) == letter.replace(letter[start:start + 29],
                                                                         letter[start:start + 29] + HOSTILE)


def test_no_builder_formats_html_by_hand():
    """The HTML outputs build elements with imr_llm.present.markup only: no html.escape and no hand-written
    tag around a formatted value elsewhere."""
    from conftest import ROOT

    for name in SOURCE_FILES:
        source = (ROOT / name).read_text(encoding="utf-8")
        assert "import html" not in source and "html.escape" not in source, name
        assert not re.search(r"f[\"'][^\"'\n]*<[a-z]+[^\"'\n]*\{", source), name
