"""Benchmark at scale: ingest, retrieval, summarize and ask on synthetic letters, beside a naive RAG baseline.

    python benchmarks/bench.py --letters 10000 [--server] --json [--out bench.json]

One run writes `--letters` synthetic letters (benchmarks/synth.py) plus the gold letters
(evals/gold) into a fresh store, embedded (a local folder) or a `chroma run` server on
127.0.0.1 with --server, and measures:

* ingest throughput (letters/s, chunks/s) at 1,000, 10,000, 30,000, ... and at all letters, split
  into embedding, Chroma writes and the rest (load, parse, chunk, lexical index);
* the time to embed the same chunks alone, in the same run (the texts of every embedding call
  of the ingest are kept and embedded again, call by call): ingest time / embedding-only time
  says what the rest of the pipeline costs on top of the model;
* the first corpus-wide question of a fresh process (a subprocess on the same store): the
  persisted lexical index is loaded, not rebuilt;
* retrieval latency p50/p95 filtered to one case and corpus-wide (`imr_llm.store.retrieve.retrieve`);
* offline summarize latency per letter (load + parse) and offline ask latency (`imr_llm.api.ask`);
* peak resident memory (this process; and the server's) and the store's size on disk;
* the naive baseline (benchmarks/baseline.py) over the same letters: its ingest time, and
  evidence hit@5 of both on the gold questions, each scoped to its letter.

Progress goes to stderr; the figures (JSON with --json) to stdout and to --out.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

for _key, _value in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"), ("ANONYMIZED_TELEMETRY", "False"),
                     ("TOKENIZERS_PARALLELISM", "false")):
    os.environ.setdefault(_key, _value)

from benchmarks.measure import Clock, TimedCollection, TimedEmbedder, disk_bytes, machine, percentiles  # noqa: E402
from benchmarks.synth import write_corpus  # noqa: E402

CHECKPOINTS = (1000, 10000, 30000, 50000, 100000)
TARGETS = {  # name: (figure path, comparison, bound)
    "ingest_letters_per_s": ("ingest.letters_per_s", ">=", 40.0),
    "ingest_over_embedding_only": ("ratios.ingest_time_over_embedding_only", "<=", 1.2),
    "ingest_over_baseline": ("ratios.ingest_time_ours_over_baseline", "<=", 1.0),
    "first_corpus_question_ms": ("first_question.ask_ms", "<=", 1000.0),
    "retrieval_case_p95_ms": ("retrieval.case.p95_ms", "<=", 50.0),
    "retrieval_corpus_p95_ms": ("retrieval.corpus.p95_ms", "<=", 50.0),
    "summarize_ms_per_letter": ("summarize.mean_ms", "<=", 20.0),
    "ask_p95_ms": ("ask.p95_ms", "<=", 150.0),
    "peak_rss_mb_ingest": ("memory.peak_rss_mb_ingest", "<=", 2560.0),
}
CASE_QUESTIONS = ("Why was {item} denied?", "Which guideline was used for {item}?", "Was {item} approved?",
                  "What is the date of injury?", "What is the reviewer's specialty?")
CORPUS_QUESTIONS = ("Why are requests for {item} denied?", "Which letters overturn {item}?",
                    "{item} no documented functional improvement", "What do the guidelines say about {item}?")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _gold(folder: Path) -> list[tuple[Path, dict]]:
    """(letter file, imr-gold/1 record) for every record in a gold folder."""
    out = []
    for path in sorted(folder.rglob("*.gold.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        out.append((path.parent / (record.get("letter") or path.name.removesuffix(".gold.json") + ".txt"), record))
    return out


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _instrument(store, clock: Clock) -> None:
    """Time every embedding call and every Chroma call the store makes (no behaviour change)."""
    store.chunks  # connect
    store.embedder = TimedEmbedder(store.embedder, clock, keep_texts=True)
    store._chunks = TimedCollection(store._chunks, clock)
    store._letters = TimedCollection(store._letters, clock)


def _ingest_ours(api, files: list[Path], settings, clock: Clock, checkpoints: list[int], timed, probe=None,
                 partial: str | None = None) -> dict:
    rows, done, seconds, chunks, failed = [], 0, 0.0, 0, 0
    for mark in checkpoints:
        clock.reset()
        timed.calls = []
        cpu, start = time.process_time(), time.perf_counter()
        results = api.ingest(files[done:mark], settings=settings)
        elapsed = time.perf_counter() - start
        calls, timed.calls = timed.calls, []
        seconds += elapsed
        chunks += sum(r.chunks for r in results if r.status == "added")
        failed += sum(r.status == "failed" for r in results)
        segment = {"letters": mark, "seconds": round(seconds, 2), "letters_per_s": round(mark / seconds, 2),
                   "chunks": chunks, "chunks_per_s": round(chunks / seconds, 1),
                   "segment_letters_per_s": round((mark - done) / elapsed, 2),
                   "segment_cpu_seconds": round(time.process_time() - cpu, 1),
                   "segment_seconds": round(elapsed, 2), "loadavg": list(os.getloadavg()),
                   "segment_breakdown_s": {"embed": round(clock["embed"], 2), "chroma": round(clock["chroma"], 2),
                                           "load_parse_chunk_other": round(elapsed - clock["embed"] - clock["chroma"], 2)}}
        if mark <= timed.embed_only_letters:
            # The same texts, the same calls, the model alone: what the pipeline costs on top of it.
            start = time.perf_counter()
            for texts in calls:
                timed.inner.embed(texts)
            alone = time.perf_counter() - start
            segment["segment_embedding_only_s"] = round(alone, 2)
            segment["segment_ingest_over_embedding_only"] = round(elapsed / alone, 3) if alone else None
            segment["loadavg_after_embedding_only"] = list(os.getloadavg())
            log(f"ours: letters {done}-{mark}: ingest {elapsed:.1f} s, embedding alone {alone:.1f} s")
        if probe is not None and mark != checkpoints[-1]:
            segment["probe"] = probe(mark)  # outside the ingest clock
        rows.append(segment)
        if partial:  # a long run that is stopped still leaves its checkpoints
            Path(partial).write_text(json.dumps({"checkpoints": rows}, indent=2) + "\n", encoding="utf-8")
        log(f"ours: {mark} letters, {chunks} chunks in {seconds:.1f} s ({mark / seconds:.1f} letters/s)")
        done = mark
    measured = [r for r in rows if "segment_embedding_only_s" in r]
    alone = {"letters": measured[-1]["letters"] if measured else 0,
             "seconds": round(sum(r["segment_embedding_only_s"] for r in measured), 2),
             "ingest_seconds": round(sum(r["segment_seconds"] for r in measured), 2)}
    return {"checkpoints": rows, "letters": done, "chunks": chunks, "seconds": round(seconds, 2),
            "letters_per_s": round(done / seconds, 2), "chunks_per_s": round(chunks / seconds, 1),
            "chunks_per_letter": round(chunks / done, 2), "failed": failed, "embedding_only": alone}


_FIRST_QUESTION = """
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
from dataclasses import replace
from imr_llm import api
from imr_llm.config import get_settings
settings = replace(get_settings(home=sys.argv[2]), chroma_url=sys.argv[3] or None)
start = time.perf_counter()
store = api.open_store(settings)
store.embedder.embed(["warm up the model"])
model_s = time.perf_counter() - start
start = time.perf_counter()
answer = api.ask(None, sys.argv[4], settings=settings)
first = time.perf_counter() - start
start = time.perf_counter()
api.ask(None, sys.argv[5], settings=settings)
second = time.perf_counter() - start
print(json.dumps({"model_load_ms": round(model_s * 1000, 1), "ask_ms": round(first * 1000, 1),
                  "second_ask_ms": round(second * 1000, 1), "answered": bool(answer.citations)}))
"""


def _first_question(settings, questions: list[str]) -> dict:
    """The first corpus-wide question of a fresh process on the store (the model loaded first, apart)."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", _FIRST_QUESTION, str(ROOT), str(settings.home), settings.chroma_url or "",
                           questions[0], questions[1]], capture_output=True, text=True, timeout=900,
                          env={**os.environ, "IMR_EMBEDDING": settings.embedding})
    if done.returncode:
        raise RuntimeError(f"first-question subprocess failed: {done.stderr[-2000:]}")
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "loadavg": list(os.getloadavg()),
            "what": "api.ask(None, question) in a new process, model already loaded: lexical index read from disk"}


def _ingest_baseline(rag, files: list[Path], checkpoints: list[int]) -> dict:
    rows, done, seconds, chunks = [], 0, 0.0, 0
    for mark in checkpoints:
        start = time.perf_counter()
        chunks += rag.ingest(files[done:mark])
        seconds += time.perf_counter() - start
        rows.append({"letters": mark, "seconds": round(seconds, 2), "letters_per_s": round(mark / seconds, 2),
                     "chunks": chunks, "chunks_per_s": round(chunks / seconds, 1)})
        log(f"baseline: {mark} letters, {chunks} chunks in {seconds:.1f} s")
        done = mark
    return {"checkpoints": rows, "letters": done, "chunks": chunks, "seconds": round(seconds, 2),
            "letters_per_s": round(done / seconds, 2), "chunks_per_s": round(chunks / seconds, 1),
            "chunks_per_letter": round(chunks / done, 2)}


def _timed(calls) -> list[float]:
    out = []
    for call in calls:
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def _questions(manifest, rng: random.Random, n: int, templates) -> list[tuple[str, str]]:
    """(case number, question) pairs about random letters and their items."""
    out = []
    for letter in rng.sample(manifest, min(n, len(manifest))):
        item = rng.choice(letter.items)[0]
        out.append((letter.case_number, rng.choice(templates).format(item=item)))
    return out


def _evidence_hits(gold_runs, top_texts) -> dict:
    """Share of gold questions whose evidence lies inside one of the top-5 passages of their letter."""
    hits = total = 0
    for letter_id, case_id, record in gold_runs:
        for question in record.get("questions") or []:
            evidence = _squash(question.get("evidence") or "")
            if not evidence:
                continue
            total += 1
            hits += any(evidence in _squash(text) for text in top_texts(question["question"], letter_id, case_id))
    return {"questions": total, "hits": hits, "hit_at_5": round(hits / total, 4) if total else None}


def _measure(args, work: Path, settings, manifest, files: list[Path], gold: list[tuple[Path, dict]], store_dir: Path,
             server_pid: int | None = None) -> dict:
    from imr_llm import api
    from imr_llm.store.embed import MiniLMEmbedder, MiniLMInt8Embedder
    from imr_llm.store.lexical import LexicalIndex
    from imr_llm.store.retrieve import Filters, retrieve

    from benchmarks.baseline import NaiveRag

    report: dict = {}
    clock = Clock()
    start = time.perf_counter()
    store = api.open_store(settings)
    store.embedder.embed(["warm up"])
    _instrument(store, clock)
    report["model_load_s"] = round(time.perf_counter() - start, 2)
    embedder = store.embedder.inner
    store.embedder.embed_only_letters = args.embed_only_letters

    checkpoints = sorted({c for c in CHECKPOINTS if c < len(files)} | {len(files)})

    def probe(mark: int) -> dict:
        """The store as it stands after `mark` letters: query latency, first question, size, memory."""
        prng = random.Random(args.seed + mark)
        sub = manifest[:mark]
        case_qs = _questions(sub, prng, args.probe_queries, CASE_QUESTIONS)
        corpus_qs = _questions(sub, prng, args.probe_queries, CORPUS_QUESTIONS)
        first = _first_question(settings, [q for _, q in corpus_qs[-2:]])
        for case, question in case_qs[:3] + corpus_qs[:3]:
            retrieve(store, question, k=6, filters=Filters(case_id=case))
            retrieve(store, question, k=6)
        out = {"first_question": first, "chunks": store.chunks.count(),
               "case": percentiles(_timed(lambda c=c, q=q: retrieve(store, q, k=6, filters=Filters(case_id=c))
                                          for c, q in case_qs)),
               "corpus": percentiles(_timed(lambda q=q: retrieve(store, q, k=6) for _, q in corpus_qs)),
               "corpus_overturned": percentiles(_timed(lambda q=q: retrieve(store, q, k=6, filters=Filters(decision="overturned"))
                                                       for _, q in corpus_qs)),
               "store_mb": round(disk_bytes(store_dir) / 2**20, 1), "peak_rss_mb": round(_peak_rss_mb(), 1),
               "loadavg": list(os.getloadavg())}
        if server_pid:
            from benchmarks.chroma_server import peak_rss_mb

            out["server_peak_rss_mb"] = peak_rss_mb(server_pid)
        log(f"probe at {mark}: first question {first['ask_ms']} ms, corpus p95 {out['corpus']['p95_ms']} ms, "
            f"overturned p95 {out['corpus_overturned']['p95_ms']} ms, case p95 {out['case']['p95_ms']} ms")
        return out

    log(f"ingesting {len(gold)} gold letters, then {len(files)} synthetic ones")
    start = time.perf_counter()
    gold_results = {r.path: r for r in api.ingest([path for path, _ in gold], settings=settings)}
    gold_seconds = time.perf_counter() - start
    # Paired by path: a letter that fails to ingest must not shift every later letter onto the wrong case.
    gold_failed = sorted(p for p, r in gold_results.items() if r.status == "failed")
    gold_runs = [(_letter_id(path), gold_results[str(path)].case_id, record) for path, record in gold
                 if gold_results.get(str(path)) and gold_results[str(path)].status != "failed"]
    ingest = _ingest_ours(api, files, settings, clock, checkpoints, store.embedder,
                          probe if args.probe_checkpoints else None, args.out and args.out + ".partial")
    ingest["gold_letters"], ingest["gold_seconds"] = len(gold), round(gold_seconds, 2)
    ingest["gold_failed"] = gold_failed
    report["ingest"] = ingest
    report["memory"] = {"peak_rss_mb_ingest": round(_peak_rss_mb(), 1)}
    ours_bytes = disk_bytes(store_dir)

    rng = random.Random(args.seed)
    log("retrieval latency")
    case_qs = _questions(manifest, rng, args.queries, CASE_QUESTIONS)
    corpus_qs = _questions(manifest, rng, args.queries, CORPUS_QUESTIONS)
    report["first_question"] = _first_question(settings, [q for _, q in corpus_qs[-2:]])
    log(f"first corpus-wide question of a new process: {report['first_question']['ask_ms']} ms")
    start = time.perf_counter()
    lexicon = LexicalIndex.for_store(store)  # checks the index against the store (changed by the ingest)
    lexicon_seconds = time.perf_counter() - start
    for case, question in case_qs[:3] + corpus_qs[:3]:  # warm caches
        retrieve(store, question, k=6, filters=Filters(case_id=case))
        retrieve(store, question, k=6)
    case_ms = _timed(lambda c=c, q=q: retrieve(store, q, k=6, filters=Filters(case_id=c)) for c, q in case_qs)
    corpus_ms = _timed(lambda q=q: retrieve(store, q, k=6) for _, q in corpus_qs)
    decision_ms = _timed(lambda q=q: retrieve(store, q, k=6, filters=Filters(decision="overturned")) for _, q in corpus_qs)
    report["retrieval"] = {"letters": len(files) + len(gold), "chunks": store.chunks.count(),
                           "lexicon_check_s": round(lexicon_seconds, 2), "lexicon_size": lexicon.size,
                           "case": percentiles(case_ms), "corpus": percentiles(corpus_ms),
                           "corpus_overturned": percentiles(decision_ms)}

    log("summarize and ask latency")
    sample = rng.sample(files, min(args.summaries, len(files)))
    summarize_ms = _timed(lambda p=p: api.summarize(p, settings=settings) for p in sample)
    report["summarize"] = {**percentiles(summarize_ms), "what": "load + parse of a letter file, offline engine"}
    ask_qs = _questions(manifest, rng, args.queries, CASE_QUESTIONS)
    api.ask(ask_qs[0][0], ask_qs[0][1], settings=settings)
    answered = []
    ask_ms = _timed(lambda c=c, q=q: answered.append(api.ask(c, q, settings=settings).answered) for c, q in ask_qs)
    report["ask"] = {**percentiles(ask_ms), "answered": sum(answered), "what": "api.ask on an ingested case, offline engine"}

    log("evidence hit@5 on the gold questions")
    ours_quality = _evidence_hits(gold_runs, lambda q, lid, case: [
        p.chunk.text for p in retrieve(store, q, k=5, filters=Filters(case_id=case, letter_id=lid))])

    report["memory"]["peak_rss_mb_queries"] = round(_peak_rss_mb(), 1)
    if args.skip_baseline:
        report["quality"] = {"ours": ours_quality}
        report["ratios"] = {"ingest_time_over_embedding_only": _over(ingest["embedding_only"])}
        report["memory"]["peak_rss_mb"] = round(_peak_rss_mb(), 1)
        report["store"] = {"ours_bytes": ours_bytes, "ours_mb": round(ours_bytes / 2**20, 1)}
        report["embedding"] = _embedding_info(embedder)
        return report
    log("naive baseline")
    rag = NaiveRag(store)
    rag.ingest([path for path, _ in gold])
    baseline = _ingest_baseline(rag, files, checkpoints)
    baseline_bytes = max(disk_bytes(store_dir) - ours_bytes, 0)
    base_ms = _timed(lambda q=q: rag.top(q, 6) for _, q in corpus_qs)
    baseline["retrieval_corpus"] = percentiles(base_ms)
    base_quality = _evidence_hits(gold_runs, lambda q, lid, case: rag.top(q, 5, letter_id=lid))
    baseline["quality"] = base_quality
    if isinstance(embedder, (MiniLMEmbedder, MiniLMInt8Embedder)):
        # Our embedder cuts texts at 128 word pieces, which hides the second half of a 1,000-character
        # window from the baseline; a naive build would keep the model's shipped 256. Score that too
        # (scoped to one letter, the gold letters alone give the same ranking as the full store).
        wide = NaiveRag(store, embedder=type(embedder)(max_tokens=256), suffix="-256")
        wide.ingest([path for path, _ in gold])
        baseline["quality_256_tokens"] = _evidence_hits(gold_runs, lambda q, lid, case: wide.top(q, 5, letter_id=lid))
    report["baseline"] = baseline
    report["quality"] = {"ours": ours_quality, "baseline": base_quality}
    report["ratios"] = {
        "ingest_time_ours_over_baseline": round(ingest["seconds"] / baseline["seconds"], 3),
        "ingest_time_over_embedding_only": _over(ingest["embedding_only"]),
        "chunks_ours_over_baseline": round(ingest["chunks"] / max(baseline["chunks"], 1), 3),
        "hit_at_5_ours_over_baseline": (round(ours_quality["hit_at_5"] / base_quality["hit_at_5"], 3)
                                        if base_quality["hit_at_5"] else None),
    }
    wide_hit = _lookup(baseline, "quality_256_tokens.hit_at_5")
    if wide_hit:
        report["ratios"]["hit_at_5_ours_over_baseline_256_tokens"] = round(ours_quality["hit_at_5"] / wide_hit, 3)
    report["store"] = {"ours_bytes": ours_bytes, "baseline_bytes": baseline_bytes,
                       "ours_mb": round(ours_bytes / 2**20, 1), "baseline_mb": round(baseline_bytes / 2**20, 1)}
    report["memory"]["peak_rss_mb"] = round(_peak_rss_mb(), 1)
    report["embedding"] = _embedding_info(embedder)
    return report


def _embedding_info(embedder) -> dict:
    return {"model": embedder.name, "batch_size": getattr(embedder, "batch_size", None),
            "bf16": getattr(embedder, "bf16", None), "max_tokens": getattr(embedder, "max_tokens", None)}


def _over(alone: dict):
    return round(alone["ingest_seconds"] / alone["seconds"], 3) if alone.get("seconds") else None


def _letter_id(path: Path) -> str:
    from imr_llm.store.load import load_letter

    return load_letter(path).letter_id


def _lookup(report: dict, path: str):
    value = report
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _targets(report: dict) -> dict:
    out = {}
    for name, (path, op, bound) in TARGETS.items():
        value = _lookup(report, path)
        met = None if value is None else (value >= bound if op == ">=" else value <= bound)
        out[name] = {"value": value, "target": f"{op} {bound:g}", "met": met}
    ours = report["quality"]["ours"]["hit_at_5"]
    bases = [_lookup(report, "quality.baseline.hit_at_5"), _lookup(report, "baseline.quality_256_tokens.hit_at_5")]
    base = max((b for b in bases if b is not None), default=None)  # the better baseline
    out["evidence_hit_at_5_above_baseline"] = {"value": ours, "target": f"> {base}",
                                               "met": None if ours is None or base is None else ours > base}
    return out


def run(args) -> dict:
    from imr_llm.config import get_settings

    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="imr-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    report: dict = {"schema": "imr-bench/1", "mode": "server" if args.server else "embedded",
                    "command": " ".join(["python", "benchmarks/bench.py", *(args.argv if args.argv is not None else sys.argv[1:])]),
                    "machine": machine(), "letters": args.letters, "seed": args.seed}
    try:
        start = time.perf_counter()
        manifest = write_corpus(work / "letters", args.letters, args.seed)
        files = [work / "letters" / f"{letter.name}.txt" for letter in manifest]
        gold = _gold(Path(args.gold))
        chars = [f.stat().st_size for f in files]
        report["corpus"] = {"letters": len(files), "gold_letters": len(gold), "generate_s": round(time.perf_counter() - start, 2),
                            "mean_chars": round(sum(chars) / len(chars)), "min_chars": min(chars), "max_chars": max(chars),
                            "items": sum(len(m.items) for m in manifest),
                            "upheld_share": round(sum(d == "upheld" for m in manifest for _, d in m.items)
                                                  / max(sum(len(m.items) for m in manifest), 1), 3)}
        log(f"wrote {len(files)} letters to {work / 'letters'} in {report['corpus']['generate_s']} s")
        settings = replace(get_settings(home=str(work / "home")), chroma_url=None)
        if args.embedding:
            settings = replace(settings, embedding=args.embedding)
        if args.server:
            from benchmarks.chroma_server import chroma_server, peak_rss_mb

            with chroma_server(work / "chroma-server") as (url, proc):
                log(f"chroma server at {url}")
                report.update(_measure(args, work, replace(settings, chroma_url=url), manifest, files, gold,
                                       work / "chroma-server", proc.pid))
                report["memory"]["server_peak_rss_mb"] = peak_rss_mb(proc.pid)
        else:
            report.update(_measure(args, work, settings, manifest, files, gold, settings.chroma_path))
        report["machine"]["loadavg_end"] = list(os.getloadavg())
        report["targets"] = _targets(report)
    finally:
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return report


def _summary(report: dict) -> str:
    lines = [f"{report['mode']}: {report['letters']} letters ({report['ingest']['chunks']} chunks)"]
    for name, target in report["targets"].items():
        mark = {True: "ok  ", False: "MISS", None: "?   "}[target["met"]]
        lines.append(f"  {mark} {name}: {target['value']} (target {target['target']})")
    lines.append(f"  ratios: {report['ratios']}")
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark imr-llm at scale beside a naive RAG baseline.")
    parser.add_argument("--letters", type=int, default=1000, help="synthetic letters to ingest (default 1000)")
    parser.add_argument("--server", action="store_true", help="run against a `chroma run` server on 127.0.0.1")
    parser.add_argument("--json", action="store_true", help="print the full JSON report (default: a summary)")
    parser.add_argument("--out", help="also write the JSON report to this file")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--queries", type=int, default=200, help="questions per latency figure (default 200)")
    parser.add_argument("--summaries", type=int, default=300, help="letters summarised for the latency figure")
    parser.add_argument("--gold", default=str(ROOT / "evals" / "gold"), help="gold folder (imr-gold/1)")
    parser.add_argument("--work", help="working folder (kept); default a temporary folder, removed")
    parser.add_argument("--keep", action="store_true", help="keep the temporary working folder")
    parser.add_argument("--profile", help="write a cProfile of the whole run to this file")
    parser.add_argument("--embedding", help="IMR_EMBEDDING for the run (default: the setting's default)")
    parser.add_argument("--embed-only-letters", type=int, default=10000,
                        help="time the embedding alone for the checkpoints up to this many letters (default 10000)")
    parser.add_argument("--probe-checkpoints", action="store_true",
                        help="at every checkpoint before the last, also time retrieval and the first question of a new "
                             "process, and record the store's size (for the growth of each figure)")
    parser.add_argument("--probe-queries", type=int, default=100, help="questions per latency figure at a probe")
    parser.add_argument("--skip-baseline", action="store_true", help="no naive baseline (for the large runs)")
    args = parser.parse_args(argv)
    args.argv = argv
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    with profiler or contextlib.nullcontext():
        report = run(args)
    if profiler:
        profiler.dump_stats(args.profile)
    text = json.dumps(report, indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(text if args.json else _summary(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
