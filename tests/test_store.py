"""The Chroma store: idempotent ingest, case scoping, fail-closed filters, bad files, restarts, killed ingests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from imr_llm import api
from imr_llm.store.retrieve import Filters, retrieve

from conftest import GOLD_LETTER, LETTERS, ROOT

TWO = [GOLD_LETTER, LETTERS / "t02_c_facet_pt.txt"]  # both have a physical therapy item


def _cli(*args: str, env_home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, IMR_HOME=str(env_home))
    return subprocess.run([sys.executable, "-m", "imr_llm.cli", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)


def test_ingesting_twice_changes_nothing():
    first = api.ingest(TWO)
    store = api.open_store()
    counts = store.count()
    second = api.ingest(TWO)
    assert [r.status for r in first] == ["added", "added"]
    assert [r.status for r in second] == ["unchanged", "unchanged"]
    assert store.count() == counts
    assert counts[0] == 2 and counts[1] == sum(r.chunks for r in first)


def test_question_scoped_to_one_case_never_cites_the_other():
    results = api.ingest(TWO)
    case_a, case_b = results[0].case_id, results[1].case_id
    for question in ("Why was physical therapy overturned?", "What guideline was used?", "What are the diagnoses?"):
        for case, other in ((case_a, case_b), (case_b, case_a)):
            answer = api.ask(case, question)
            assert answer.citations, question
            assert {c.case_id for c in answer.citations} == {case}
            passages = retrieve(api.open_store(), question, k=20, filters=Filters(case_id=case))
            assert passages and all(p.chunk.case_id == case for p in passages)


def test_filters_fail_closed():
    api.ingest(TWO)
    store = api.open_store()
    assert retrieve(store, "physical therapy", filters=Filters(case_id="CM99-0000000")) == []
    assert retrieve(store, "physical therapy", filters=Filters(case_id=api.cases()[0]["case_id"], decision="nothing")) == []
    odg = retrieve(store, "guidelines", k=50, filters=Filters(guideline="ODG"))
    assert all("ODG" in (p.chunk.guideline or "").split() for p in odg)
    upheld = retrieve(store, "physical therapy", k=50, filters=Filters(decision="upheld"))
    assert upheld and all(p.chunk.decision == "upheld" for p in upheld)


def test_bad_files_are_reported_and_leave_the_store_as_it_was(tmp_path):
    api.ingest([GOLD_LETTER])
    before = api.open_store().count()
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (folder / "memo.txt").write_text("Lunch is at noon on Friday.")
    (folder / "good.txt").write_bytes((LETTERS / "t05_d_emg_overturned.txt").read_bytes())
    results = api.ingest([folder])
    status = {Path(r.path).name: (r.status, r.error) for r in results}
    assert status["good.txt"][0] == "added"
    for name in ("empty.txt", "binary.txt", "memo.txt"):
        assert status[name][0] == "failed" and status[name][1].startswith(str(folder / name))
    letters, chunks = api.open_store().count()
    assert letters == before[0] + 1
    assert chunks == before[1] + next(r.chunks for r in results if r.status == "added")


@pytest.mark.slow  # several CLI processes, each loading the model
def test_store_survives_a_restart_and_cli_exit_codes(imr_home, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("not a letter at all")
    run = _cli("ingest", str(GOLD_LETTER), str(bad), env_home=imr_home)
    assert run.returncode == 1, run.stderr
    assert "added" in run.stdout + run.stderr and f"{bad}: not an IMR determination letter" in run.stdout + run.stderr
    listed = _cli("cases", "--json", env_home=imr_home)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert len(rows) == 1 and rows[0]["overall"] == "overturned"
    asked = _cli("ask", rows[0]["case_id"], "Why was PT overturned?", "--json", env_home=imr_home)
    answer = json.loads(asked.stdout)
    assert "leg" in answer["text"] and answer["citations"]


_KILL_SCRIPT = """
import os, sys
from imr_llm import api
from imr_llm.store.index import LetterStore
original = LetterStore.write
def write_then_die(self, batch):
    ids = [l.letter_id for l, _, _ in batch]
    self.letters.upsert(ids=ids, documents=[l.text for l, _, _ in batch], embeddings=[[1.0]] * len(ids),
                        metadatas=[{"case_id": s.case_id, "source": l.source, "status": "pending", "layout": s.layout,
                                    "n_items": 0, "overall": "", "summary": s.model_dump_json()} for l, s, _ in batch])
    chunks = [c for _, _, cs in batch for c in cs][:3]
    self.chunks.upsert(ids=[c.chunk_id for c in chunks], documents=[c.text for c in chunks],
                       embeddings=self.embedder.embed([c.text for c in chunks]), metadatas=[c.metadata() for c in chunks])
    os._exit(9)  # killed half-way through writing
LetterStore.write = write_then_die
api.ingest(sys.argv[1:])
"""


@pytest.mark.slow  # an ingest process killed, then run again
def test_killed_ingest_leaves_a_consistent_store_and_a_rerun_completes_it(imr_home):
    env = dict(os.environ, IMR_HOME=str(imr_home))
    killed = subprocess.run([sys.executable, "-c", _KILL_SCRIPT, *map(str, TWO)], env=env, cwd=ROOT, timeout=300)
    assert killed.returncode == 9
    store = api.open_store()
    assert store.cases() == []  # nothing half-written is visible as a case
    results = api.ingest(TWO)
    assert [r.status for r in results] == ["added", "added"]
    letters, chunks = store.count()
    assert letters == 2 and chunks == sum(r.chunks for r in results)
    assert {c["case_id"] for c in store.cases()} == {r.case_id for r in results}


def test_corpus_question_is_scoped_by_what_it_asks():
    api.ingest([LETTERS / "t06_d_question_aquatic.txt", LETTERS / "t08_b_2013_regarding.txt"])
    denied = api.ask(None, "Why was aquatic therapy denied?")
    approved = api.ask(None, "Why was aquatic therapy approved?")
    assert denied.citations and approved.citations
    store = api.open_store()
    decisions = {c.chunk_id: c for c, _ in store.dense(store.embedder.embed(["aquatic"])[0], None, 50)}
    assert {decisions[c.passage_id].decision for c in denied.citations} == {"upheld"}
    assert {decisions[c.passage_id].decision for c in approved.citations} == {"overturned"}
