"""The store when things go wrong: an ingest killed at any point, a full disk, a read-only data folder,
an unreachable Chroma server. Readers never see a half-written letter; errors are one line and exit 1."""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from imr_llm import api
from imr_llm.analytics import corpus_stats
from imr_llm.cli import app as cli_app
from imr_llm.errors import NotFoundError, StoreError
from imr_llm.store.load import load_letter
from imr_llm.store.retrieve import Filters, retrieve

from conftest import GOLD_LETTER, LETTERS, ROOT

BASE = [GOLD_LETTER]
KILLED = sorted(LETTERS.glob("t0[1-6]_*.txt"))  # six letters written by the ingest that is killed

# Runs `api.ingest` with Chroma's writes counted; at write number N the process dies on the spot
# (os._exit: no cleanup, no finally). Chunk pages are 7 chunks, so a batch's chunks take several writes.
_KILL_AT = """
import os, sys
import chromadb.api.models.Collection as collection_module
from imr_llm import api
from imr_llm.store import index
index._PAGE = 7
die_at, calls = int(sys.argv[1]), [0]
for name in ("upsert", "update", "delete"):
    original = getattr(collection_module.Collection, name)
    def counted(self, *args, _original=original, _name=name, **kwargs):
        calls[0] += 1
        result = _original(self, *args, **kwargs)
        if calls[0] == die_at:
            os._exit(9)
        return result
    setattr(collection_module.Collection, name, counted)
api.ingest(sys.argv[2:], batch_size=3)
os._exit(0)
"""


def _env(home: Path, **extra: str) -> dict:
    return dict(os.environ, IMR_HOME=str(home), **extra)


def _cli(home: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "imr_llm.cli", *args], capture_output=True, text=True,
                          env=_env(home, **extra), cwd=ROOT, timeout=600)


def _assert_only(store, letter_ids: set[str], questions=("Why was physical therapy overturned?",
                                                          "Why was the medication denied?", "What are the diagnoses?")):
    """Every reader sees exactly the complete letters, nothing of the killed ingest."""
    assert {c["letter_id"] for c in store.cases()} == letter_ids
    assert corpus_stats(store.summaries()).letters == len(letter_ids)
    for question in questions:
        answer = api.ask(None, question)
        assert {c.letter_id for c in answer.citations} <= letter_ids, question
        for passage in retrieve(store, question, k=50):
            assert passage.chunk.letter_id in letter_ids
        for decision in ("upheld", "overturned"):
            for passage in retrieve(store, question, k=50, filters=Filters(decision=decision)):
                assert passage.chunk.letter_id in letter_ids


@pytest.mark.slow  # an ingest process per kill point
@pytest.mark.parametrize("die_at", [1, 2, 5, 8])
def test_an_ingest_killed_at_any_write_never_shows_a_half_written_letter(imr_home, die_at):
    """Chroma writes of the killed ingest, in batches of 3 letters: the pending records (1), pages of
    chunks (2, 3, ...), the 'complete' update, then the same for the second batch (5-9: around the
    first batch's completion and through the second batch's chunks)."""
    api.ingest(BASE)
    store = api.open_store()
    base_ids = {c["letter_id"] for c in store.cases()}
    store.count()  # this process has the store open, as the UI would, while another process writes
    killed = subprocess.run([sys.executable, "-c", _KILL_AT, str(die_at), *map(str, KILLED)], env=_env(imr_home),
                            cwd=ROOT, timeout=600, capture_output=True, text=True)
    assert killed.returncode in (9, 0), killed.stderr
    killed_ids = {load_letter(p).letter_id for p in KILLED}
    letters, _ = store.count()
    assert letters > len(base_ids)  # the killed ingest did leave records behind
    complete = store.complete_ids(sorted(killed_ids))
    _assert_only(store, base_ids | complete)
    for letter_id in killed_ids - complete:
        with pytest.raises(NotFoundError):
            store.find(letter_id)
    case_ids = {load_letter(p).letter_id: api.default_client().open_letter(p).summary.case_id for p in KILLED}
    for letter_id in killed_ids - complete:  # a case of an unfinished letter has no passages either
        assert retrieve(store, "physical therapy", filters=Filters(case_id=case_ids[letter_id])) == []
    # The next ingest repairs (the killed writer is gone) and completes the rest.
    results = api.ingest(KILLED)
    assert {r.status for r in results} <= {"added", "unchanged"}
    assert [r for r in results if r.status == "unchanged"] == [r for r in results
                                                               if load_letter(r.path).letter_id in complete]
    _assert_only(store, base_ids | killed_ids)
    assert store.letters.get(where={"status": "pending"})["ids"] == []


def test_disk_full_is_one_line_exit_1_and_leaves_nothing_pending(imr_home, monkeypatch):
    import chromadb.api.models.Collection as collection_module

    api.ingest(BASE)
    store = api.open_store()
    before = store.count()
    original = collection_module.Collection.upsert

    def full(self, *args, **kwargs):
        if "-chunks-" in self.name:
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(collection_module.Collection, "upsert", full)
    new = LETTERS / "t05_d_emg_overturned.txt"
    result = CliRunner().invoke(cli_app, ["ingest", str(new)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == [f"error: could not write 1 letter(s) to the store at {store.location}: no space left on device; "
                     "none of them was kept"]
    assert "added" not in result.output
    assert store.count() == before
    assert store.letters.get(where={"status": "pending"})["ids"] == []
    with pytest.raises(StoreError, match="no space left on device"):
        api.ingest([new])
    monkeypatch.setattr(collection_module.Collection, "upsert", original)  # space again: the letter goes in
    assert [r.status for r in api.ingest([new])] == ["added"]


def _read_only(home: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the CLI with the data folder read-only: a read-only bind mount in a private mount namespace
    when we are root (root ignores file modes), else the folder's write bits removed."""
    command = [sys.executable, "-m", "imr_llm.cli", *args]
    if os.geteuid() == 0:
        script = 'mount --bind -o ro "$IMR_HOME" "$IMR_HOME" && exec "$@"'
        command = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *command]
        return subprocess.run(command, capture_output=True, text=True, env=_env(home), cwd=ROOT, timeout=600)
    modes = {p: p.stat().st_mode for p in (home, *home.rglob("*"))}
    try:
        for path in modes:
            path.chmod(modes[path] & ~0o222)
        return subprocess.run(command, capture_output=True, text=True, env=_env(home), cwd=ROOT, timeout=600)
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


@pytest.mark.slow  # CLI processes
@pytest.mark.skipif(os.geteuid() == 0 and shutil.which("unshare") is None, reason="root without unshare(1) "
                    "cannot make a folder read-only for itself")
def test_read_only_data_folder_still_reads_and_refuses_ingest_in_one_line(imr_home):
    results = api.ingest([GOLD_LETTER, LETTERS / "t02_c_facet_pt.txt"])
    case = results[0].case_id
    api.close()  # this process lets the store go: the read-only runs below open it on their own
    listed = _read_only(imr_home, "cases", "--json")
    assert listed.returncode == 0, listed.stderr
    assert {row["case_id"] for row in json.loads(listed.stdout)} == {r.case_id for r in results}
    summary = _read_only(imr_home, "summarize", case, "--json")
    assert summary.returncode == 0, summary.stderr
    assert json.loads(summary.stdout)["overall"] == "overturned"
    asked = _read_only(imr_home, "ask", case, "Why was PT overturned?", "--json")
    assert asked.returncode == 0, asked.stderr
    assert "leg" in json.loads(asked.stdout)["text"]
    stats = _read_only(imr_home, "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["letters"] == 2
    added = _read_only(imr_home, "ingest", str(LETTERS / "t05_d_emg_overturned.txt"))
    assert added.returncode == 1
    assert added.stderr.strip().splitlines() == [
        f"error: the store at {imr_home / 'chroma'} is read-only: cannot add letters (reading still works)"]
    assert len(api.cases()) == 2


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow  # four CLI processes
def test_unreachable_chroma_server_is_one_line_naming_the_address(imr_home):
    url = f"http://127.0.0.1:{_closed_port()}"
    for args in (["cases"], ["ask", "all", "Why was PT overturned?"], ["ingest", str(GOLD_LETTER)], ["stats"]):
        run = _cli(imr_home, *args, IMR_CHROMA_URL=url)
        assert run.returncode == 1, (args, run.stdout, run.stderr)
        lines = [line for line in run.stderr.strip().splitlines() if not line.startswith("Loading weights")]
        assert len(lines) == 1 and "Traceback" not in run.stderr, (args, run.stderr)
        assert lines[0].startswith(f"error: cannot reach the Chroma server at {url}: "), lines
        assert len(lines[0]) > len(f"error: cannot reach the Chroma server at {url}: ") + 10  # a reason, not empty


def test_a_store_error_in_the_ui_is_a_one_line_message(imr_home):
    import gradio as gr

    from imr_llm.config import get_settings
    from imr_llm.ui.handlers import Handlers

    url = f"http://127.0.0.1:{_closed_port()}"
    handlers = Handlers(get_settings(chroma_url=url))
    expected = f"cannot reach the Chroma server at {url}: "
    for call in (lambda: handlers.search_cases("", "any"), handlers.analytics, handlers.cases,
                 lambda: handlers.summarize("CM14-0000001")):
        with pytest.raises(gr.Error) as err:
            call()
        assert str(err.value.message).startswith(expected) and "\n" not in str(err.value.message)
    history = list(handlers.ask(None, "Why was PT overturned?", {}))[-1][0]
    assert history[-1]["content"].startswith("Could not answer: ") and url in history[-1]["content"]
    note = handlers.upload(str(GOLD_LETTER), progress=lambda *a, **k: None)[0]
    assert note.startswith("**Could not add ") and f"**: {expected}" in note and "\n" not in note
