"""Retrieval quality of two embedding models on gold folders: evidence hit@5, each in a fresh store.

    python benchmarks/quality.py evals/gold evals/blind --models all-MiniLM-L6-v2 all-MiniLM-L6-v2-int8

For each folder and model: ingest the folder's letters into a fresh embedded store, then for
every gold question with an `evidence` fragment, retrieve the top 5 passages of its own letter
(`retrieve` with case and letter filters, as the benchmark does); a hit is the fragment, with all
whitespace removed, inside one of them. Prints one JSON object: per folder and model the hits,
the questions, hit@5, and the cosine of the two models' vectors over the folder's chunks.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from benchmarks.bench import _evidence_hits, _gold  # noqa: E402


def folder_quality(folder: Path, model: str, home: Path) -> dict:
    from imr_llm import api
    from imr_llm.config import get_settings
    from imr_llm.store.load import load_letter
    from imr_llm.store.retrieve import Filters, retrieve

    settings = replace(get_settings(home=str(home)), chroma_url=None, embedding=model)
    gold = _gold(folder)
    start = time.perf_counter()
    results = {r.path: r for r in api.ingest([p for p, _ in gold], settings=settings)}
    seconds = time.perf_counter() - start
    runs = [(load_letter(p).letter_id, results[str(p)].case_id, record) for p, record in gold
            if results.get(str(p)) and results[str(p)].status != "failed"]
    store = api.open_store(settings)
    hits = _evidence_hits(runs, lambda q, lid, case: [
        p.chunk.text for p in retrieve(store, q, k=5, filters=Filters(case_id=case, letter_id=lid))])
    return {**hits, "letters": len(gold), "failed": len(gold) - len(runs), "ingest_s": round(seconds, 2)}


def cosines(folder: Path, models: list[str]) -> dict:
    import numpy as np

    from imr_llm.store.chunk import chunk_letter
    from imr_llm.store.embed import get_embedder
    from imr_llm.errors import ImrError
    from imr_llm.store.index import embedding_text
    from imr_llm.store.load import load_letter
    from imr_llm.parse import parse_letter

    texts = []
    for path, _ in _gold(folder):
        try:
            letter = load_letter(path)
            texts += [embedding_text(c) for c in chunk_letter(letter, parse_letter(letter))]
        except ImrError:
            continue
    a, b = (np.asarray(get_embedder(m).embed(texts)) for m in models[:2])
    cos = (a * b).sum(axis=1)
    return {"chunks": len(texts), "min": round(float(cos.min()), 4), "mean": round(float(cos.mean()), 4),
            "p1": round(float(np.percentile(cos, 1)), 4)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--models", nargs="+", default=["all-MiniLM-L6-v2", "all-MiniLM-L6-v2-int8"])
    args = parser.parse_args(argv)
    out: dict = {"models": args.models, "loadavg_start": list(os.getloadavg()), "folders": {}}
    with tempfile.TemporaryDirectory(prefix="imr-quality-") as tmp:
        os.environ["IMR_HOME"] = tmp  # the int8 build is cached here for the run
        for folder in map(Path, args.folders):
            row = {m: folder_quality(folder, m, Path(tmp) / f"{folder.name}-{m}") for m in args.models}
            if len(args.models) >= 2:
                row["cosine"] = cosines(folder, args.models)
            out["folders"][str(folder)] = row
            print(json.dumps({str(folder): row}), file=sys.stderr, flush=True)
    out["loadavg_end"] = list(os.getloadavg())
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
