"""Shared test fixtures. Every test gets its own IMR_HOME, and no test may reach the network:
a socket guard fails any connection to an address that is not on this machine."""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_GOLD = ROOT.parent / "shared" / "gold"
GOLD_LETTER = ROOT / "evals" / "gold" / "000_cf4ccf513f3d2879.txt"
LETTERS = ROOT / "tests" / "data" / "letters"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
for _key in ("IMR_LLM_MODEL", "IMR_LLM_API_BASE", "IMR_CHROMA_URL", "OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
    os.environ.pop(_key, None)


class NetworkBlocked(RuntimeError):
    pass


def _is_local(address) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return True  # AF_UNIX and friends
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name that is not localhost: never resolved in tests


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _guarded_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address):
        raise NetworkBlocked(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address):
        raise NetworkBlocked(f"test tried to reach the network: {address!r}")
    return _real_connect_ex(self, address)


socket.socket.connect = _guarded_connect
socket.socket.connect_ex = _guarded_connect_ex


@pytest.fixture(autouse=True)
def imr_home(tmp_path, monkeypatch):
    """An isolated data folder per test; the embedded store lives under it."""
    home = tmp_path / "imr-home"
    monkeypatch.setenv("IMR_HOME", str(home))
    from imr_llm import api

    api._stores.clear()
    yield home
    api._stores.clear()


@pytest.fixture
def gold_letter() -> Path:
    return GOLD_LETTER


@pytest.fixture
def letters_dir() -> Path:
    return LETTERS
