"""The scale benchmark at a tiny size: it runs end to end and reports every figure, with sane values.

Timings are not asserted (they belong to BENCHMARKS.md, not to tests); what is
asserted is that the run ingests what it generated, both stores hold the chunks they
should, and every figure is present and plausible.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from paths import GOLD, ROOT

LETTERS = 12
# One gold letter per layout keeps the run short; the benchmark takes any imr-gold/1 folder.
GOLD_SUBSET = ("101_a_norco_two_doses", "107_b_shoulder_mri_pt", "201_c_lumbar_pt_nsaid", "208_d_lumbar_esi_mri")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("bench")
    gold = tmp / "gold"
    gold.mkdir()
    for name in GOLD_SUBSET:
        shutil.copy(GOLD / f"{name}.txt", gold)
        shutil.copy(GOLD / f"{name}.gold.json", gold)
    out = tmp / "bench.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--letters", str(LETTERS), "--queries", "8",
         "--summaries", "8", "--gold", str(gold), "--work", str(tmp / "work"), "--json", "--out", str(out)],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    printed = json.loads(done.stdout)
    assert printed == json.loads(out.read_text())
    printed["_work"] = tmp / "work"
    return printed


def test_ingest_figures(report):
    ingest = report["ingest"]
    assert report["mode"] == "embedded" and report["letters"] == LETTERS
    assert ingest["letters"] == LETTERS and ingest["failed"] == 0 and ingest["gold_letters"] == len(GOLD_SUBSET)
    assert ingest["gold_failed"] == []
    assert [c["letters"] for c in ingest["checkpoints"]] == [LETTERS]
    assert ingest["letters_per_s"] > 0 and ingest["chunks_per_s"] > 0 and ingest["chunks"] >= LETTERS * 3
    breakdown = ingest["checkpoints"][0]["segment_breakdown_s"]
    assert breakdown["embed"] > 0 and breakdown["chroma"] > 0
    assert report["retrieval"]["chunks"] == report["retrieval"]["lexicon_size"]


def test_embedding_alone_is_timed_on_the_same_chunks(report):
    """The ingest's own embedding calls are replayed on the model alone, in the same run."""
    ingest = report["ingest"]
    segment = ingest["checkpoints"][0]
    alone = ingest["embedding_only"]
    assert alone["letters"] == LETTERS and alone["seconds"] == segment["segment_embedding_only_s"] > 0
    assert alone["ingest_seconds"] == segment["segment_seconds"] > 0
    assert report["ratios"]["ingest_time_over_embedding_only"] == round(alone["ingest_seconds"] / alone["seconds"], 3)
    assert len(segment["loadavg"]) == 3


def test_first_question_of_a_new_process(report):
    first = report["first_question"]
    assert first["answered"] is True
    assert first["ask_ms"] > 0 and first["second_ask_ms"] > 0 and first["model_load_ms"] > 0


def test_stores_hold_what_each_pipeline_cuts(report):
    """Our chunk count is what chunk_letter gives; the baseline's is the fixed 1,000/200 windows."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.baseline import fixed_chunks
    from imr_llm.store.chunk import chunk_letter
    from imr_llm.store.load import load_letter
    from imr_llm.parse import parse_letter

    letters = [load_letter(p) for p in sorted((report["_work"] / "letters").glob("*.txt"))]
    assert len(letters) == LETTERS
    assert report["ingest"]["chunks"] == sum(len(chunk_letter(l, parse_letter(l))) for l in letters)
    assert report["baseline"]["chunks"] == sum(len(fixed_chunks(l.text)) for l in letters)


@pytest.mark.parametrize("figure", ["retrieval.case", "retrieval.corpus", "retrieval.corpus_overturned", "summarize", "ask", "baseline.retrieval_corpus"])
def test_latency_figures(report, figure):
    value = report
    for key in figure.split("."):
        value = value[key]
    assert value["n"] == 8
    assert 0 < value["p50_ms"] <= value["p95_ms"] <= value["max_ms"]


def test_memory_store_and_quality(report):
    assert 100 < report["memory"]["peak_rss_mb_ingest"] <= report["memory"]["peak_rss_mb"]
    assert report["store"]["ours_bytes"] > 0 and report["store"]["baseline_bytes"] > 0
    questions = sum(len(json.loads((GOLD / f"{n}.gold.json").read_text())["questions"]) for n in GOLD_SUBSET)
    for quality in (report["quality"]["ours"], report["quality"]["baseline"], report["baseline"]["quality_256_tokens"]):
        assert quality["questions"] == questions
        assert 0 <= quality["hits"] <= questions and quality["hit_at_5"] == round(quality["hits"] / questions, 4)
    assert report["ask"]["answered"] > 0


def test_ratios_and_targets(report):
    ratios = report["ratios"]
    assert ratios["ingest_time_ours_over_baseline"] > 0 and ratios["chunks_ours_over_baseline"] > 0
    assert set(report["targets"]) == {"ingest_letters_per_s", "ingest_over_embedding_only", "ingest_over_baseline",
                                      "first_corpus_question_ms", "retrieval_case_p95_ms", "retrieval_corpus_p95_ms",
                                      "summarize_ms_per_letter", "ask_p95_ms", "peak_rss_mb_ingest",
                                      "evidence_hit_at_5_above_baseline"}
    assert all(t["met"] in (True, False) and t["value"] is not None for t in report["targets"].values())
    machine = report["machine"]
    assert machine["nproc"] >= 1 and machine["cpu"] and len(machine["loadavg_start"]) == 3
