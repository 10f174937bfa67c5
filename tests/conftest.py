"""Shared test fixtures. Every test gets its own IMR_HOME, and no test may reach the network:
tests/network_guard.py fails any connection or name lookup for a host that is not this machine.
The paths every test shares (ROOT, GOLD, GOLD_LETTER, LETTERS, BLIND, HOLDOUT...) are in tests/paths.py;
they are re-exported here for `from conftest import GOLD_LETTER`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from network_guard import NetworkBlocked, go_offline
from paths import BLIND, GOLD, GOLD_LETTER, GOLD_LETTER_B, HOLDOUT, LETTERS, LETTERS_LLM, ROOT, TEST_DATA

__all__ = ["BLIND", "GOLD", "GOLD_LETTER", "GOLD_LETTER_B", "HOLDOUT", "LETTERS", "LETTERS_LLM", "NetworkBlocked",
           "ROOT", "TEST_DATA"]

for _key in ("IMR_LLM_MODEL", "IMR_LLM_API_BASE", "IMR_CHROMA_URL", "OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
    os.environ.pop(_key, None)
go_offline()


@pytest.fixture(autouse=True)
def imr_home(tmp_path, monkeypatch):
    """An isolated data folder per test; the embedded store lives under it."""
    home = tmp_path / "imr-home"
    monkeypatch.setenv("IMR_HOME", str(home))
    from imr_llm import api

    api.close()  # a new default client for this home (a changed IMR_HOME would make one anyway)
    yield home
    api.close()


@pytest.fixture
def gold_letter() -> Path:
    return GOLD_LETTER


@pytest.fixture
def letters_dir() -> Path:
    return LETTERS


def pytest_collection_modifyitems(items) -> None:
    """A test that starts a server or drives the browser is slow too: `-m "not slow"` leaves it out."""
    for item in items:
        if item.get_closest_marker("server") or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)
