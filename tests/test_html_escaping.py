"""Letter text is shown, never run: a letter carrying markup, through every HTML output, in a real browser.

`tests/data/hostile/000_hostile_markup.txt` is the gold letter 000_cf4ccf513f3d2879 with four hostile
strings put into its case summary, its item text and its decision rationale (so they reach the summary,
the answer, the citations and the plain-language reading). Each page is opened in Debian's chromium
(headless, Playwright, never a downloaded browser); a test fails on any JavaScript dialog, on any element
carrying an inline event handler, on an injected <script>/<img>/<svg>, and unless the hostile strings show
as visible text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from imr_llm.cli import app
from paths import TEST_DATA
from ui_fixtures import browser  # noqa: F401  (the fixture: Debian chromium through Playwright)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOSTILE_LETTER = TEST_DATA / "hostile" / "000_hostile_markup.txt"
PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>", '" onmouseover="alert(3)',
            "'><svg onload=alert(4)>"]
# What must show as text even where a reading rewords the item (the plain summary drops parentheses).
FRAGMENTS = ["<script>alert", "<img src=x onerror=alert", '" onmouseover="alert', "'><svg onload=alert"]
QUESTION = "Why was PT overturned?"
runner = CliRunner()

# Everything on the page that letter markup could have planted: inline handlers on any element, the
# payload's <script>, the payloads' own <img>/<svg>.
INJECTED_JS = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*'))
    for (const a of el.attributes)
      if (a.name.toLowerCase().startsWith('on')) found.push(`${el.tagName} ${a.name}=${a.value}`);
  for (const el of document.querySelectorAll('script'))  // the app's own config script quotes the letter as JSON
    if (el.textContent.trim().startsWith('alert(')) found.push('script: ' + el.textContent.slice(0, 60));
  for (const el of document.querySelectorAll('img[src="x"], svg[onload], [onmouseover]'))
    found.push(el.outerHTML.slice(0, 80));
  return found;
}"""


def squash(text: str) -> str:
    return " ".join(text.split())


def test_the_fixture_carries_every_payload_in_summary_item_and_rationale():
    text = HOSTILE_LETTER.read_text(encoding="utf-8")
    summary_part = text[text.index("CLINICAL CASE SUMMARY"):text.index("IMR ISSUES")]
    item_line = next(line for line in text.splitlines() if line.startswith("Physical Therapy (PT)"))
    rationale = text[text.index("Decision rationale:"):]
    for payload in PAYLOADS:
        assert payload in summary_part and payload in item_line and payload in rationale


@dataclass
class Watched:
    page: object
    dialogs: list[str]


def open_watched(browser, url: str) -> Watched:
    page = browser.new_page(viewport={"width": 1360, "height": 1000})
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(url)
    return Watched(page, dialogs)


def assert_inert(watched: Watched, where: str) -> None:
    page = watched.page
    for mark in page.locator("mark").filter(visible=True).all()[:40]:  # a planted onmouseover would fire here
        mark.hover(timeout=2000)
    page.wait_for_timeout(300)  # let any planted onerror/onload fire
    assert watched.dialogs == [], f"{where}: the letter's markup ran: {watched.dialogs}"
    injected = page.evaluate(INJECTED_JS)
    assert injected == [], f"{where}: elements planted by the letter: {injected}"


def assert_shown_as_text(text: str, where: str, strings=PAYLOADS) -> None:
    shown = squash(text)
    missing = [s for s in strings if s not in shown]
    assert not missing, f"{where}: not shown as text: {missing}"


# -- the command line's pages ------------------------------------------------------------------------------


def cli_page(tmp_path: Path, args: list[str]) -> Path:
    out = tmp_path / "out.html"
    result = runner.invoke(app, [*args, "--html", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_ask_html_shows_the_quoted_markup_as_text(browser, tmp_path):
    out = cli_page(tmp_path, ["ask", str(HOSTILE_LETTER), QUESTION])
    watched = open_watched(browser, out.as_uri())
    assert_inert(watched, "ask --html")
    page = watched.page
    assert page.locator("script, img, svg, iframe, object, embed").count() == 0
    assert page.locator("mark").count() >= 2  # the citations, highlighted in the letter
    assert_shown_as_text(page.locator(".imr-answer").inner_text(), "ask --html answer")
    assert_shown_as_text(page.locator(".imr-letter").inner_text(), "ask --html letter")
    page.close()


def test_summarize_html_shows_the_markup_as_text(browser, tmp_path):
    out = cli_page(tmp_path, ["summarize", str(HOSTILE_LETTER)])
    watched = open_watched(browser, out.as_uri())
    assert_inert(watched, "summarize --html")
    page = watched.page
    assert page.locator("script, img, svg, iframe, object, embed").count() == 0
    item = page.locator("mark.overturned").first.inner_text()
    assert_shown_as_text(item, "summarize --html highlighted item")
    assert_shown_as_text(page.locator(".imr-letter").inner_text(), "summarize --html letter")
    page.close()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_plain_html_shows_the_markup_as_text(browser, tmp_path, lang):
    out = cli_page(tmp_path, ["summarize", str(HOSTILE_LETTER), "--plain", "--lang", lang])
    watched = open_watched(browser, out.as_uri())
    assert_inert(watched, f"summarize --plain --lang {lang} --html")
    page = watched.page
    assert page.locator("script, img, svg, iframe, object, embed").count() == 0
    assert_shown_as_text(page.locator("section.item").first.inner_text(), f"plain {lang} item", FRAGMENTS)
    page.close()


# -- the web app ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_ui(tmp_path_factory):
    from ui_fixtures import free_port

    from imr_llm import api
    from imr_llm.config import get_settings
    from imr_llm.ui.app import build_app, launch

    settings = get_settings(home=tmp_path_factory.mktemp("hostile-ui-home"))
    [result] = api.ingest([HOSTILE_LETTER], settings=settings)
    assert result.status == "added", result
    demo = build_app(settings)
    launch(demo, host="127.0.0.1", port=free_port(), prevent_thread_lock=True, quiet=True)
    try:
        yield demo.local_url.rstrip("/"), result.case_id
    finally:
        demo.close()


def test_the_web_app_shows_the_markup_as_text_in_every_view(hostile_ui, browser):
    url, case_id = hostile_ui
    watched = open_watched(browser, url)
    page = watched.page
    page.locator("#engine").wait_for(timeout=15000)
    page.locator("#case-picker input").click()
    option = page.get_by_role("option", name=re.compile(re.escape(case_id)))
    assert_shown_as_text(option.inner_text(), "case picker", ["<script>alert(1)</script>"])
    option.click()
    page.locator("#chat-case").get_by_text(case_id).wait_for(timeout=15000)

    # Chat: the answer quotes the rationale; the letter shows the cited sentence.
    page.locator("#question textarea, #question input").first.fill(QUESTION)
    page.locator("#ask").click()
    page.locator("#letter mark.focus").wait_for(timeout=30000)
    page.wait_for_function("!document.querySelector('#chat').innerText.includes('Searching the letter')",
                           timeout=15000)
    page.locator("#citations").get_by_text("[2]").wait_for(timeout=15000)
    assert_shown_as_text(page.locator("#chat").inner_text(), "chat answer")
    assert_shown_as_text(page.locator("#letter .imr-letter").inner_text(), "chat letter")
    assert_shown_as_text(page.locator("#citations").inner_text(), "sources", ["<script>alert(1)</script>"])
    page.get_by_role("radio", name=re.compile(r"^\[2\]")).check()
    page.wait_for_function("document.querySelector('#letter mark.focus sup')?.textContent === '2'", timeout=10000)
    assert_shown_as_text(page.locator("#letter mark.focus").inner_text(), "cited sentence")
    assert page.locator("#letter .imr-letter").locator("script, img, svg").count() == 0
    assert_inert(watched, "web app, chat")

    # Decisions: case fields, the items table (item and reason), the letter with the item highlighted.
    page.get_by_role("tab", name="Decisions").click()
    page.locator("#item-letter mark").first.wait_for(timeout=30000)
    items = page.locator("#items")
    items.get_by_text("Overturned — authorized").filter(visible=True).first.wait_for(timeout=15000)
    table_text = items.inner_text()
    assert table_text.count("<script>alert(1)</script>") >= 2, table_text  # the item and its reason
    assert_shown_as_text(table_text, "items table")
    assert_shown_as_text(page.locator("#item-letter .imr-letter").inner_text(), "decisions letter")
    items.get_by_text("Physical Therapy (PT)").filter(visible=True).first.click()
    page.locator("#item-letter mark.focus").wait_for(timeout=15000)
    assert_shown_as_text(page.locator("#item-letter mark.focus").inner_text(), "selected item")
    assert page.locator("#item-letter .imr-letter").locator("script, img, svg").count() == 0
    assert_inert(watched, "web app, decisions")

    # Plain language, English then Spanish.
    page.get_by_role("tab", name="Plain language").click()
    plain = page.locator("#plain-text")
    plain.get_by_text("APPROVED").first.wait_for(timeout=30000)
    assert_shown_as_text(plain.inner_text(), "plain English", FRAGMENTS)
    assert_inert(watched, "web app, plain English")
    page.get_by_label("Español").check()
    plain.get_by_text("APROBADO").first.wait_for(timeout=30000)
    assert_shown_as_text(plain.inner_text(), "plain Spanish", FRAGMENTS)
    assert_inert(watched, "web app, plain Spanish")
    page.close()


def test_json_keeps_the_letter_text_as_it_is():
    """Escaping is for HTML only: --json gives the letter's own characters."""
    result = runner.invoke(app, ["ask", str(HOSTILE_LETTER), QUESTION, "--json"])
    assert result.exit_code == 0, result.output
    assert PAYLOADS[0] in json.loads(result.stdout)["text"]
