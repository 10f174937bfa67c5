"""The persisted lexical index at scale, without the embedding model: build, save, and the first
corpus-wide question of a new process.

    python benchmarks/lexical_scale.py --letters 10000 [--json]

Synthetic letters (benchmarks/synth.py, in memory) are parsed and chunked, and their chunks added
to a `LexicalIndex` in batches of 32 letters, as `imr_llm.api.ingest` does, then saved. A new
process then opens the saved index and times its first corpus-wide BM25 top-40 (the part of the
first question that used to rebuild BM25 over every chunk), then 100 more, with and without a
decision filter. Chroma and the model are left out: bench.py measures the whole question.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.measure import disk_bytes, percentiles  # noqa: E402

QUESTIONS = ("Why are requests for {item} denied?", "Which letters overturn {item}?",
             "{item} no documented functional improvement", "What do the guidelines say about {item}?")

_READ = """
import json, random, sys, time
sys.path.insert(0, sys.argv[1])
start = time.perf_counter()
from imr_llm.store.lexical import LexicalIndex
from imr_llm.store.retrieve import Filters
imported = time.perf_counter() - start
start = time.perf_counter()
index = LexicalIndex(__import__("pathlib").Path(sys.argv[2]))
opened = time.perf_counter() - start
questions = json.loads(sys.argv[3])
start = time.perf_counter()
index.top(questions[0], Filters(), 40)
first = time.perf_counter() - start
plain, overturned = [], []
for q in questions[1:]:
    t = time.perf_counter(); index.top(q, Filters(), 40); plain.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter(); index.top(q, Filters(decision="overturned"), 40); overturned.append((time.perf_counter() - t) * 1000)
print(json.dumps({"import_ms": imported * 1000, "open_ms": opened * 1000, "first_top_ms": first * 1000,
                  "plain": plain, "overturned": overturned, "size": index.size}))
"""


def _copy(segment, k: int):
    """The segment under new chunk, letter and case ids (postings shared): copy number k."""
    from imr_llm.store.lexical import _Segment

    arrays = dict(segment.a)
    for key in ("ids", "letter_id", "case_id"):
        arrays[key] = np.char.add(np.asarray(segment.a[key]), f"~{k}")
    return _Segment(arrays)


def main(argv=None) -> int:
    import random

    from benchmarks.synth import generate
    from imr_llm.store.chunk import chunk_letter
    from imr_llm.store.lexical import LexicalIndex
    from imr_llm.store.load import letter_from_text
    from imr_llm.parse import parse_letter

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--distinct", type=int, default=0,
                        help="parse only this many letters and repeat their chunks (new ids) up to --letters: "
                             "the index's size and timings at scale without parsing every letter (0: all distinct)")
    args = parser.parse_args(argv)
    report = {"letters": args.letters, "loadavg_start": list(os.getloadavg())}
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="imr-lexical-") as tmp:
        folder = Path(tmp) / "index"
        index = LexicalIndex(folder)
        parse_s = add_s = 0.0
        chunks = 0
        items: list[str] = []
        batch = []
        distinct = args.distinct or args.letters
        for n, synth in enumerate(generate(distinct, args.seed), start=1):
            start = time.perf_counter()
            letter = letter_from_text(synth.text, f"{synth.name}.txt")
            batch.extend(chunk_letter(letter, parse_letter(letter)))
            parse_s += time.perf_counter() - start
            if len(items) < 400:
                items.append(synth.items[0][0])
            if n % 32 == 0 or n == distinct:
                start = time.perf_counter()
                index.add(batch)
                add_s += time.perf_counter() - start
                chunks += len(batch)
                batch = []
            if n % 5000 == 0:
                print(f"[lexical] {n} letters", file=sys.stderr, flush=True)
        index._flush_buffer()
        copies, base = 1, list(index.segments)
        while distinct * (copies + 1) <= args.letters:  # the same chunks again under new ids and letters
            index.segments.extend(_copy(seg, copies) for seg in base)
            copies += 1
        chunks = sum(seg.size for seg in index.segments)
        index._dirty, index._derived = True, None
        start = time.perf_counter()
        index.save()
        save_s = time.perf_counter() - start
        questions = [rng.choice(QUESTIONS).format(item=rng.choice(items)) for _ in range(101)]
        done = subprocess.run([sys.executable, "-c", _READ, str(ROOT), str(folder), json.dumps(questions)],
                              capture_output=True, text=True, timeout=1800)
        if done.returncode:
            raise SystemExit(done.stderr[-2000:])
        read = json.loads(done.stdout)
        report.update({
            "chunks": chunks, "index_chunks": read["size"], "segments": len(index.segments),
            "vocabulary": len(index.tokens), "disk_mb": round(disk_bytes(folder) / 2**20, 1),
            "distinct_letters": distinct,
            "parse_chunk_ms_per_letter": round(parse_s * 1000 / distinct, 2),
            "lexical_add_ms_per_letter": round(add_s * 1000 / distinct, 2),
            "save_s": round(save_s, 2),
            "new_process": {"import_ms": round(read["import_ms"], 1), "open_ms": round(read["open_ms"], 1),
                            "first_top_ms": round(read["first_top_ms"], 1)},
            "top40": percentiles(read["plain"]), "top40_overturned": percentiles(read["overturned"]),
            "loadavg_end": list(os.getloadavg())})
    print(json.dumps(report, indent=2) if args.json else json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
