"""A launched UI for the gradio_client and browser tests: its own store under a temporary IMR_HOME,
two gold letters ingested, served on 127.0.0.1 on a free port (one server per test module)."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest

from paths import GOLD, GOLD_LETTER, GOLD_LETTER_B

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"

PRELOADED = [GOLD_LETTER, GOLD_LETTER_B]


@dataclass
class ServedUI:
    url: str
    settings: object
    cases: dict[str, str]  # letter file name -> case id


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served_ui(tmp_path_factory):
    from imr_llm import api
    from imr_llm.config import get_settings
    from imr_llm.ui.app import build_app, launch

    settings = get_settings(home=tmp_path_factory.mktemp("ui-home"))
    results = api.ingest(PRELOADED, settings=settings)
    assert [r.status for r in results] == ["added", "added"], results
    demo = build_app(settings)
    launch(demo, host="127.0.0.1", port=free_port(), prevent_thread_lock=True, quiet=True)
    try:
        yield ServedUI(demo.local_url.rstrip("/"), settings, {Path(r.path).name: r.case_id for r in results})
    finally:
        demo.close()


# Debian's chromium driven by Playwright, never a downloaded browser.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: install it with `apt-get update && apt-get install -y chromium` "
                    "(the browser tests never download a browser)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
