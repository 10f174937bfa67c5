"""The web interface in a real browser: Debian's chromium, headless, driven by Playwright.

A newcomer's first minute: open the page, pick the sample case, ask "Why was PT overturned?",
and see the answer and the cited sentence highlighted in the letter. Never downloads a browser:
a missing /usr/bin/chromium fails the test with the line that installs it.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect
from ui_fixtures import GOLD, browser, served_ui  # noqa: F401  (the fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CASE_FILE = "000_cf4ccf513f3d2879.txt"
LOCAL = re.compile(r"^(https?://(127\.0\.0\.1|localhost)[:/]|data:|blob:|about:)")


def squash(text: str) -> str:
    return " ".join(text.split())


def test_ask_the_sample_case_and_see_the_cited_sentence_highlighted(served_ui, browser, tmp_path):
    record = json.loads((GOLD / CASE_FILE.replace(".txt", ".gold.json")).read_text(encoding="utf-8"))
    question = record["questions"][0]
    case_id = served_ui.cases[CASE_FILE]
    page = browser.new_page(viewport={"width": 1360, "height": 1000})
    outside: list[str] = []
    page.on("request", lambda r: None if LOCAL.match(r.url) else outside.append(r.url))
    page.goto(served_ui.url)

    assert "offline" in page.locator("#engine").inner_text(timeout=15000)
    page.locator("#case-search input, #case-search textarea").first.type(case_id.split("-")[-1][:8])
    expect(page.locator("#case-count")).to_contain_text("1 of", timeout=15000)
    page.locator("#case-picker input").click()
    page.get_by_role("option", name=re.compile(re.escape(case_id))).click()
    expect(page.locator("#chat-case")).to_contain_text(case_id, timeout=15000)
    page.locator("#question textarea, #question input").first.fill(question["question"])
    page.locator("#ask").click()

    focus = page.locator("#letter mark.focus")
    focus.wait_for(timeout=30000)
    reply = page.locator("#chat").inner_text().lower()
    for alternatives in question["answer_must_mention"]:
        assert any(a.lower() in reply for a in alternatives), (alternatives, reply)
    marks = [squash(t) for t in page.locator("#letter mark").all_inner_texts()]
    evidence = squash(question["evidence"]).lower()
    assert any(evidence in m.lower() for m in marks), marks
    cited = page.locator("#letter mark", has_text=re.compile(re.escape(evidence[:40]), re.I)).first
    cited.scroll_into_view_if_needed()
    page.get_by_role("radio", name=re.compile(r"^\[2\]")).check()
    page.wait_for_function("document.querySelector('#letter mark.focus sup')?.textContent === '2'", timeout=10000)
    assert page.locator("#letter mark.focus").count() == 1
    shot = tmp_path / "ask-sample-case.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert outside == [], f"the page tried to reach the internet: {outside}"
    page.close()
